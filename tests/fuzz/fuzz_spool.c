/*
 * libFuzzer harness for the spool's readers: the event decoder
 * (spool_event_decode) and the record check (spool_record_check). Both
 * must accept or refuse any input without crashing or leaking; what the
 * decoder accepts must encode back to exactly the same bytes (it accepts
 * nothing the encoder could not have written), and an intact record must
 * lie within the input. A version 1 payload (before cache_hit and the
 * texts and numbers version 2 added) that decodes must encode, as
 * version 2, to bytes that decode to the same events again, none of
 * version 2's fields set.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"
#include "spool_event.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * What a version 1 payload decodes to is written back as version 2, and
 * that reads back to the same bytes once more.
 */
static void
check_version1(const uint8_t *data, size_t size)
{
	struct usage_event	 *evs = NULL, *again = NULL, **pev = NULL;
	struct spool_buf	  b, c;
	size_t			  n = 0, m = 0, i;

	spool_buf_init(&b);
	spool_buf_init(&c);
	if (spool_event_decode(data, size, 1, SPOOL_RECORD_EVENTS, &evs,
	    &n) != 0) {
		if (evs != NULL || n != 0)
			abort();
		goto out;
	}
	if (n > 0 && (pev = calloc(n, sizeof(*pev))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (evs[i].cache_hit != CACHE_HIT_UNKNOWN ||
		    evs[i].deployment != NULL || evs[i].api_host != NULL ||
		    evs[i].key_alias != NULL || evs[i].team_alias != NULL ||
		    evs[i].org_alias != NULL || evs[i].price_key != NULL ||
		    (evs[i].present >> SPOOL_EVENT_NUMS_V1) != 0)
			abort();
		pev[i] = &evs[i];
	}
	if (spool_event_encode(&b, pev, n) != 0) {
		if (!b.failed)
			abort();
		goto out;
	}
	if (spool_event_decode(b.p, b.len, SPOOL_EVENT_VERSION,
	    SPOOL_RECORD_EVENTS, &again, &m) != 0 || m != n)
		abort();
	for (i = 0; i < m; i++)
		pev[i] = &again[i];
	if (spool_event_encode(&c, pev, m) != 0) {
		if (!c.failed)
			abort();
		goto out;
	}
	if (c.len != b.len || memcmp(c.p, b.p, b.len) != 0)
		abort();
out:
	spool_buf_release(&c);
	spool_buf_release(&b);
	free(pev);
	spool_events_free(again, m);
	spool_events_free(evs, n);
}

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

	check_version1(data, size);
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
