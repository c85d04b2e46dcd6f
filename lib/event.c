#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "timefmt.h"

static const char *const status_names[EVENT_STATUS__MAX] = {
	NULL, "success", "failure",
};

static const char *const reject_names[REJECT__MAX] = {
	"null_event",
	"not_an_event",
	"invalid_field",
	"no_identity",
	"missing_token",
	"unknown_token",
	"revoked_token",
	"expired_token",
};

static const char *const cost_source_names[COST_SOURCE__MAX] = {
	"unpriced", "price_table", "override", "litellm",
};

static const char *const source_names[TOKEN_SOURCE__MAX] = {
	"none",
	"requester_custom_headers",
	"webhook_header",
	"requester_metadata",
	"request_tags",
};

void
usage_event_release(struct usage_event *ev)
{
	free(ev->litellm_id);
	free(ev->trace_id);
	free(ev->call_type);
	free(ev->model);
	free(ev->model_group);
	free(ev->provider);
	free(ev->department);
	free(ev->team);
	free(ev->agent);
	free(ev->error_code);
	free(ev->error_class);
	free(ev->deployment);
	free(ev->api_host);
	free(ev->key_alias);
	free(ev->team_alias);
	free(ev->org_alias);
	free(ev->price_key);
	memset(ev, 0, sizeof(*ev));
}

void
usage_event_set(struct usage_event *ev, enum event_num f, int64_t v)
{
	ev->num[f] = v;
	ev->present |= 1u << f;
}

const char *
event_status_name(enum event_status s)
{
	return s < EVENT_STATUS__MAX ? status_names[s] : NULL;
}

const char *
reject_reason_name(enum reject_reason r)
{
	return r < REJECT__MAX ? reject_names[r] : "unknown";
}

const char *
cost_source_name(enum cost_source s)
{
	return s < COST_SOURCE__MAX ? cost_source_names[s] : "unpriced";
}

int
cost_source_parse(const char *s, enum cost_source *out)
{
	int	i;

	for (i = 0; i < COST_SOURCE__MAX; i++)
		if (strcmp(s, cost_source_names[i]) == 0) {
			*out = (enum cost_source)i;
			return 0;
		}
	return -1;
}

const char *
token_source_name(enum token_source s)
{
	return s < TOKEN_SOURCE__MAX ? source_names[s] : "unknown";
}

size_t
usage_event_bytes_max(size_t max_label_chars)
{
	size_t	strs;

	/*
	 * ids; model, model group, deployment, price entry; call type,
	 * provider; error code and class; api host; department, team,
	 * agent (labels) and the three aliases (labels of at most
	 * LIMIT_ALIAS_CHARS).
	 */
	strs = 2 * (LIMIT_ID_BYTES + 1) + 4 * (LIMIT_MODEL_BYTES + 1) +
	    2 * (LIMIT_SHORT_BYTES + 1) + LIMIT_ERROR_CODE_BYTES + 1 +
	    LIMIT_ERROR_CLASS_BYTES + 1 + LIMIT_API_HOST_BYTES + 1 +
	    3 * (4 * max_label_chars + 1) + 3 * (4 * (max_label_chars <
	    LIMIT_ALIAS_CHARS ? max_label_chars : LIMIT_ALIAS_CHARS) + 1);
	return 3 * sizeof(struct usage_event) + strs +
	    17 * LIMIT_ALLOC_OVERHEAD_BYTES;
}

int64_t
usage_event_time(const struct usage_event *ev)
{
	if (EVENT_HAS(ev, EV_START_US))
		return ev->num[EV_START_US];
	if (EVENT_HAS(ev, EV_END_US))
		return ev->num[EV_END_US];
	return ev->received_us;
}

int64_t
usage_event_hour(const struct usage_event *ev)
{
	return time_hour_floor(usage_event_time(ev));
}
