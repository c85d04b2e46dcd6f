/*
 * Keys derived from a reduced event.
 *
 * Dedupe key: LiteLLM may post the same batch twice, and some upstreams
 * reuse response ids, so the id alone cannot identify a call. The key is
 * SHA-256, truncated to 128 bits, over the fields that together identify
 * one call as LiteLLM logged it: source, id, trace_id, call_type, model,
 * status and the start and end times to the microsecond. A re-posted event
 * has all of them equal; two distinct calls that share a reused id differ
 * in their times or trace. Tokens and labels are deliberately left out:
 * they describe a call, they do not identify it. It is unique per
 * organization.
 *
 * Rollup key: the hourly rollup's dimensions (source, department, team,
 * agent, model, provider, status, error class, error code), with NULL
 * distinct from every string, hashed so that one fixed-size unique key
 * covers nullable columns.
 */
#ifndef LLMOPS_EVENT_KEY_H
#define LLMOPS_EVENT_KEY_H

#include "event.h"

#define ROLLUP_KEY_LEN	16

int	event_key_dedupe(struct usage_event *);
int	event_key_rollup(const struct usage_event *, unsigned char out[ROLLUP_KEY_LEN]);
/* A key for one (organization, dimension, value), for caches. */
int	event_key_dimension(uint32_t org_id, const char *dim, const char *value,
	    unsigned char out[ROLLUP_KEY_LEN]);

#endif
