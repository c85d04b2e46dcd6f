/*
 * libFuzzer harness for the callback parser: framing, element parsing and
 * reduction (json_batch.c, litellm.c, litellm_event.c, label.c,
 * decimal.c). Build with `make fuzz` (clang); seeds: tests/fixtures/litellm.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "litellm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct webhook_headers wh = {
		"trk_fuzz_webhook_token", "dept", NULL, "agent",
	};
	static const struct litellm_limits lim = { 1000, 32, 16 };
	struct event_batch	 b;
	struct llmops_err	 err;
	char			*body;

	/* The responder always hands a NUL-terminated copy of the body. */
	if ((body = malloc(size + 1)) == NULL)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	event_batch_init(&b);
	litellm_parse(body, size, &wh, &lim, 1800000000000000LL, &b, &err);
	event_batch_release(&b);
	free(body);
	return 0;
}
