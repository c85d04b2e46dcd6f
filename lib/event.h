/*
 * One usage event reduced to exactly what llmops stores: nothing in here
 * may carry content, keys or headers other than the tracked ones. The
 * reduced event is the unit that is deduplicated, stored, and (later)
 * spooled, so it carries its own dedupe key.
 */
#ifndef LLMOPS_EVENT_H
#define LLMOPS_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "llmops_limits.h"
#include "token.h"

#define EVENT_KEY_LEN	16	/* truncated SHA-256, see event_key.h */
#define EVENT_SOURCE_LITELLM	"litellm"

/* LiteLLM's cache_hit: null or absent for a normal call. */
enum cache_hit {
	CACHE_HIT_UNKNOWN,		/* null or absent: NULL */
	CACHE_HIT_NO,
	CACHE_HIT_YES,
	CACHE_HIT__MAX
};

enum event_status {
	EVENT_STATUS_UNKNOWN,		/* absent or a value we do not know: NULL */
	EVENT_STATUS_SUCCESS,
	EVENT_STATUS_FAILURE,
	EVENT_STATUS__MAX
};

/* Optional numbers; a field is NULL unless its bit is set in `present`. */
enum event_num {
	EV_PROMPT_TOKENS,
	EV_COMPLETION_TOKENS,
	EV_TOTAL_TOKENS,
	EV_CACHE_READ_TOKENS,
	EV_CACHE_WRITE_TOKENS,		/* 5-minute and 1-hour writes together */
	EV_CACHE_WRITE_1H_TOKENS,	/* the 1-hour part of them */
	EV_REASONING_TOKENS,		/* part of the completion tokens */
	EV_LITELLM_COST,		/* LiteLLM's response_cost, 1e-12 USD units */
	EV_OUR_COST,			/* from our price table (pricing.c) */
	EV_COST,			/* the cost that counts; absent = unpriced */
	EV_START_US,
	EV_END_US,
	EV_LATENCY_US,
	EV_TTFT_US,		/* streams only */
	/* What LiteLLM reports besides, in 1e-12 USD units like the costs. */
	EV_SAVED_CACHE_COST,		/* saved_cache_cost of a cache hit */
	EV_CB_INPUT_COST,		/* cost_breakdown.input_cost */
	EV_CB_OUTPUT_COST,		/* cost_breakdown.output_cost */
	EV_CB_CACHE_READ_COST,		/* cost_breakdown.cache_read_cost */
	EV_CB_CACHE_WRITE_COST,		/* cost_breakdown.cache_creation_cost */
	EV_CB_REASONING_COST,		/* cost_breakdown.reasoning_cost */
	EV_CB_TOOL_COST,		/* cost_breakdown.tool_usage_cost */
	EV__MAX
};

/* Where an event's tracking token was found, in order of precedence. */
enum token_source {
	TOKEN_SOURCE_NONE,
	TOKEN_SOURCE_EVENT_HEADERS,	/* metadata.requester_custom_headers */
	TOKEN_SOURCE_WEBHOOK_HEADER,	/* X-Cloudidr-Token on the POST itself */
	TOKEN_SOURCE_REQUESTER_METADATA,/* metadata.requester_metadata.headers */
	TOKEN_SOURCE_REQUEST_TAGS,	/* "x-cloudidr-token: ..." in request_tags */
	TOKEN_SOURCE__MAX
};

/* Where the cost that counts (EV_COST) comes from. */
enum cost_source {
	COST_SOURCE_UNPRICED,		/* no price of ours, none from LiteLLM */
	COST_SOURCE_PRICE_TABLE,	/* our default price table */
	COST_SOURCE_OVERRIDE,		/* the organization's price or discount */
	COST_SOURCE_LITELLM,		/* LiteLLM's response_cost */
	COST_SOURCE__MAX
};

/* Why an element of a batch was not stored. */
enum reject_reason {
	REJECT_NULL_EVENT,	/* a JSON null in the array */
	REJECT_NOT_EVENT,	/* a number, string, array or test ping */
	REJECT_INVALID_FIELD,	/* a stored field of the wrong type or size */
	REJECT_NO_IDENTITY,	/* no id, trace_id or startTime: cannot dedupe */
	REJECT_MISSING_TOKEN,
	REJECT_UNKNOWN_TOKEN,
	REJECT_REVOKED_TOKEN,
	REJECT_EXPIRED_TOKEN,
	REJECT__MAX
};

struct usage_event {
	size_t		 index;		/* position in the POST body */

	/* Attribution: the hash of the token, never the token. */
	int		 has_token;
	unsigned char	 token_hash[TOKEN_HASH_LEN];
	char		 token_prefix[TOKEN_PREFIX_BYTES];
	enum token_source token_source;
	uint32_t	 org_id;	/* set when the token is resolved */
	uint32_t	 token_id;

	unsigned char	 dedupe_key[EVENT_KEY_LEN];

	/* Owned strings; NULL when absent or empty. */
	char		*litellm_id;
	char		*trace_id;
	char		*call_type;
	char		*model;
	char		*model_group;
	char		*provider;
	char		*department;
	char		*team;
	char		*agent;
	char		*error_code;
	char		*error_class;
	/*
	 * What LiteLLM reports of the call's routing and attribution,
	 * labels like the ones above: the deployment that served it
	 * (model_id), the host of its api_base (never its path, query or
	 * user part), the key's alias, team alias and organization alias
	 * (never the key or its hash), and the price entry LiteLLM used
	 * (model_map_information.model_map_key).
	 */
	char		*deployment;
	char		*api_host;
	char		*key_alias;
	char		*team_alias;
	char		*org_alias;
	char		*price_key;
	enum cache_hit	 cache_hit;

	enum event_status status;
	int		 stream;
	enum cost_source cost_source;
	uint32_t	 price_id;	/* 0: none */
	uint32_t	 discount_id;	/* 0: none */
	unsigned	 present;	/* 1u << enum event_num */
	int64_t		 num[EV__MAX];
	int64_t		 received_us;
};

#define EVENT_HAS(ev, f)	(((ev)->present >> (f)) & 1u)

void		 usage_event_release(struct usage_event *);
void		 usage_event_set(struct usage_event *, enum event_num, int64_t);
const char	*event_status_name(enum event_status);	/* NULL for unknown */
const char	*reject_reason_name(enum reject_reason);
const char	*cost_source_name(enum cost_source);
int		 cost_source_parse(const char *, enum cost_source *);
const char	*token_source_name(enum token_source);
/*
 * The most memory one kept event can hold: the struct (three times, as
 * the batch's array grows by doubling and realloc copies), every stored
 * string at its limit with its allocation, labels of max_label_chars
 * characters of 4 bytes.
 */
size_t		 usage_event_bytes_max(size_t max_label_chars);
/* When the call happened: its start, else its end, else when we received it. */
int64_t		 usage_event_time(const struct usage_event *);
/* The start of the hour (microseconds) the event is counted in. */
int64_t		 usage_event_hour(const struct usage_event *);

#endif
