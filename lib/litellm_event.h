/*
 * Reduces one LiteLLM StandardLoggingPayload (a json-c object) to a
 * struct usage_event: the fields we store, read with their types checked,
 * plus the hash of the tracking token and the dedupe key. Everything else
 * (messages, response, keys, e-mails, IPs, tracebacks, other headers) is
 * skipped by the skimmer and never reaches a json-c object (see
 * litellm_event_keep). Pure: no I/O.
 *
 * What is read, and from where (the payload reference describes them):
 *   id, trace_id, call_type, model, model_group, custom_llm_provider,
 *   status, stream, startTime, endTime, completionStartTime, response_time
 *   prompt/completion/total_tokens (top level, else metadata.usage_object);
 *     cache and reasoning tokens from metadata.usage_object
 *   response_cost, saved_cache_cost (kept when not 0, or 0 on a cache
 *     hit: LiteLLM sends 0.0 on every other call), cost_breakdown's
 *     input_cost, output_cost, cache_read_cost, cache_creation_cost,
 *     reasoning_cost, tool_usage_cost: USD as 1e-12 USD units
 *   cache_hit (true, false; null or absent: unknown)
 *   model_id -> deployment, and api_base -> api_host (its host[:port]
 *     only, lib/url_host.h): top level, else hidden_params
 *   model_map_information.model_map_key -> price_key
 *   metadata.user_api_key_alias, _team_alias, _org_alias -> key_alias,
 *     team_alias, org_alias (labels, like the headers'); never
 *     user_api_key_hash or any key
 *   error_information's error_code, error_class, llm_provider (failures)
 *   the token, department, team and agent headers (see enum token_source)
 * The dedupe key (event_key.h) is made of the identity fields only.
 */
#ifndef LLMOPS_LITELLM_EVENT_H
#define LLMOPS_LITELLM_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "json_skim.h"

struct json_object;

/* Tracked headers of the webhook POST itself (LiteLLM callback_settings headers). */
struct webhook_headers {
	const char	*token;		/* X-Cloudidr-Token */
	const char	*department;	/* X-Department */
	const char	*team;		/* X-Team */
	const char	*agent;		/* X-Agent */
};

/* The header names we track, lower-case as LiteLLM forwards them. */
#define HDR_TOKEN	"x-cloudidr-token"
#define HDR_DEPARTMENT	"x-department"
#define HDR_TEAM	"x-team"
#define HDR_AGENT	"x-agent"

#define REDUCE_WHY_BYTES	160

enum reduce_result {
	REDUCE_OK,
	REDUCE_REJECT,		/* *reason and why are set */
	REDUCE_OOM,
};

/*
 * Fills ev (zeroed by the caller) from obj. No field fails the event: one
 * of the wrong type, out of its plausible range (lib/llmops_limits.h) or
 * that cannot be stored is set unknown, one too long is cut, and each is
 * counted in *nwarn and named in why (field names, never values). Only an
 * element that is not an object or has nothing to deduplicate it by is
 * REDUCE_REJECT, with the reason and why set; ev is then released.
 */
enum reduce_result litellm_event_reduce(struct json_object *obj,
	    const struct webhook_headers *, size_t max_label_chars,
	    int64_t received_us, struct usage_event *ev,
	    enum reject_reason *reason, char why[REDUCE_WHY_BYTES],
	    unsigned *nwarn);

/*
 * The members of an event litellm_event_reduce reads (json_skim_keep's
 * table); "test" too, for the ping.
 */
extern const struct json_keep litellm_event_keep[];

/* True for the guide's connectivity test body, {"test": true}. */
int	litellm_is_test_ping(struct json_object *obj);

#endif
