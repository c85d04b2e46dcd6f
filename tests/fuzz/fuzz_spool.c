/*
 * libFuzzer harness for the spool's readers: the event decoder
 * (spool_event_decode) and the record check (spool_record_check). Both
 * must accept or refuse any input without crashing or leaking; what the
 * decoder accepts must encode back to exactly the same bytes (it accepts
 * nothing the encoder could not have written), and an intact record must
 * lie within the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"
#include "spool_event.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct usage_event	 *evs = NULL, **pev = NULL;
	struct spool_buf	  b;
	size_t			  n = 0, i, total;
	int			  rc;

	rc = spool_record_check(data, size, &total);
	if (rc == 1 && (total > size || total < SPOOL_REC_HEADER_BYTES))
		abort();
	if (rc != 1 && total != 0)
		abort();

	if (spool_event_decode(data, size, SPOOL_EVENT_VERSION,
	    SPOOL_RECORD_EVENTS, &evs, &n) != 0) {
		if (evs != NULL || n != 0)
			abort();
		return 0;
	}
	spool_buf_init(&b);
	if (n > 0 && (pev = calloc(n, sizeof(*pev))) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		pev[i] = &evs[i];
	if (spool_event_encode(&b, pev, n) != 0) {
		if (!b.failed)
			abort();	/* decoded but cannot be written back */
		goto out;
	}
	if (b.len != size || memcmp(b.p, data, size) != 0)
		abort();
out:
	spool_buf_release(&b);
	free(pev);
	spool_events_free(evs, n);
	return 0;
}
