/*
 * Reduces one LiteLLM StandardLoggingPayload (a json-c object) to a
 * struct usage_event: the fields we store, read with their types checked,
 * plus the hash of the tracking token and the dedupe key. Everything else
 * (messages, response, keys, e-mails, IPs, tracebacks, other headers) is
 * never copied out of the json-c tree. Pure: no I/O.
 */
#ifndef LLMOPS_LITELLM_EVENT_H
#define LLMOPS_LITELLM_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

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
 * Fills ev (zeroed by the caller) from obj. On REDUCE_REJECT the reason and
 * a short explanation (field names, never values) are returned and ev is
 * released.
 */
enum reduce_result litellm_event_reduce(struct json_object *obj,
	    const struct webhook_headers *, size_t max_label_chars,
	    int64_t received_us, struct usage_event *ev,
	    enum reject_reason *reason, char why[REDUCE_WHY_BYTES]);

/* True for the guide's connectivity test body, {"test": true}. */
int	litellm_is_test_ping(struct json_object *obj);

#endif
