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
 * Memory: bounded by the body's size and the limits, never by its shape.
 * The framing (json_batch.c) and the skimmer (json_skim.c) allocate
 * nothing per value: a body of 32 MiB of [[{},{},...]] or [[0,0,...]] costs
 * a single 4 KiB skimmer and is refused or rejected in one pass (json-c
 * built an 8.4 GB tree of it). What is allocated is
 * - one element's kept object at a time (litellm_event_keep: about 50
 *   scalars, 4 headers objects of at most JSON_SKIM_HEADER_KEYS members,
 *   4 tags, each string at most JSON_SKIM_STRING_BYTES): under 1 MiB,
 *   freed before the next element is read;
 * - the kept events: at most max_events of them (counted before the
 *   element is read), each at most usage_event_bytes_max(max_label_chars)
 *   (its struct, its stored strings cut to their limits: ids and models
 *   255 bytes, labels max_label_chars characters, aliases at most 64,
 *   short fields 32-128 bytes): 6,234 bytes an event with the default
 *   max_label_chars, 62 MB for 10,000 events. conf.c refuses a max_events
 *   whose events would not fit in twice max_body_bytes.
 * So a responder holding a body of max_body_bytes peaks at about
 * max_body_bytes + max_events * 6 KiB + 1 MiB + its own few MiB: 95 MiB
 * at the defaults (32 MiB, 10,000 events), under 3x the body limit
 * whatever the configuration (measured: doc/PERFORMANCE).
 *
 * Fills batch (initialised by the caller) from body. Returns 0, or -1 with
 * err->status 400 (malformed, with byte offset), 413 (too many events) or
 * 500 (out of memory). Events without a token are kept here; the caller
 * decides (see ingest.c). Fields set unknown or cut are counted in
 * batch->warnings (the events in warned_events, the first explained in
 * warn_notes): ingest reports and logs them.
 */
int	litellm_parse(const char *body, size_t len, const struct webhook_headers *,
	    const struct litellm_limits *, int64_t received_us,
	    struct event_batch *, struct llmops_err *);

#endif
