/*
 * A LiteLLM generic_api callback body to an event batch: framing
 * (json_batch), reduction of each element (litellm_event), and the
 * connectivity test ping. Pure: no I/O, no database.
 */
#ifndef LLMOPS_LITELLM_H
#define LLMOPS_LITELLM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event_batch.h"
#include "litellm_event.h"

struct litellm_limits {
	size_t	max_events;
	int	max_json_depth;
	size_t	max_label_chars;
};

/*
 * Fills batch (initialised by the caller) from body. Returns 0, or -1 with
 * err->status 400 (malformed, with byte offset), 413 (too many events) or
 * 500 (out of memory). Events without a token are kept here; the caller
 * decides (see ingest.c).
 */
int	litellm_parse(const char *body, size_t len, const struct webhook_headers *,
	    const struct litellm_limits *, int64_t received_us,
	    struct event_batch *, struct llmops_err *);

#endif
