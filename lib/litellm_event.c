#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "decimal.h"
#include "encode.h"
#include "event_key.h"
#include "label.h"
#include "litellm_event.h"
#include "timefmt.h"

/* Internal result of a field reader. */
enum rd {
	RD_ABSENT,	/* missing, null, "" or non-finite: stored as NULL */
	RD_OK,
	RD_BAD,		/* wrong type or out of range: the event is invalid */
	RD_NOMEM,
};

static struct json_object *
get(struct json_object *obj, const char *key)
{
	struct json_object	*v = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;	/* NULL for JSON null */
}

/* A copy of a string field, NULL when absent, null or "". */
static enum rd
read_string(struct json_object *obj, const char *key, size_t maxbytes, char **out)
{
	struct json_object	*v = get(obj, key);
	const char		*s;
	size_t			 len;

	*out = NULL;
	if (v == NULL)
		return RD_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return RD_BAD;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0)
		return RD_ABSENT;
	/* An embedded NUL or invalid UTF-8 (lone surrogates) cannot be stored. */
	if (len > maxbytes || strlen(s) != len ||
	    !utf8_valid((const unsigned char *)s, len))
		return RD_BAD;
	if ((*out = strdup(s)) == NULL)
		return RD_NOMEM;
	return RD_OK;
}

/* The exact text of a JSON number, as LiteLLM wrote it. */
static enum rd
number_text(struct json_object *v, const char **text)
{
	if (v == NULL)
		return RD_ABSENT;
	if (json_object_is_type(v, json_type_int)) {
		*text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		return RD_OK;
	}
	if (!json_object_is_type(v, json_type_double))
		return RD_BAD;
	/* Python writes NaN and Infinity for values it could not compute. */
	if (!isfinite(json_object_get_double(v)))
		return RD_ABSENT;
	*text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	return RD_OK;
}

/* A non-negative decimal number scaled to 10^-scale units. */
static enum rd
read_scaled(struct json_object *v, int scale, int64_t max_units, int64_t *out)
{
	const char	*text = NULL;
	enum rd		 r;

	if ((r = number_text(v, &text)) != RD_OK)
		return r;
	if (text == NULL || decimal_parse(text, scale, max_units, out) != 0 ||
	    *out < 0)
		return RD_BAD;
	return RD_OK;
}

static enum rd
read_count(struct json_object *v, int64_t *out)
{
	double	d;

	/* 56.0 is a count; 2.5 is not (and must not be rounded into one). */
	if (v != NULL && json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (isfinite(d) && d != floor(d))
			return RD_BAD;
	}
	return read_scaled(v, 0, LIMIT_TOKENS_MAX, out);
}

static enum rd
read_epoch_us(struct json_object *v, int64_t *out)
{
	return read_scaled(v, 6, LIMIT_EPOCH_US_MAX, out);
}

/* Case-insensitive lookup of a string value in a header-like object. */
static const char *
header_get(struct json_object *headers, const char *name)
{
	if (headers == NULL || !json_object_is_type(headers, json_type_object))
		return NULL;
	json_object_object_foreach(headers, k, v) {
		if (strcasecmp(k, name) == 0 && v != NULL &&
		    json_object_is_type(v, json_type_string))
			return json_object_get_string(v);
	}
	return NULL;
}

/* "name: value" in request_tags (LiteLLM's extra_spend_tag_headers). */
static const char *
tag_get(struct json_object *tags, const char *name)
{
	size_t		 i, n, nlen = strlen(name);
	const char	*s;

	if (tags == NULL || !json_object_is_type(tags, json_type_array))
		return NULL;
	n = json_object_array_length(tags);
	for (i = 0; i < n; i++) {
		struct json_object	*t = json_object_array_get_idx(tags, i);

		if (t == NULL || !json_object_is_type(t, json_type_string))
			continue;
		s = json_object_get_string(t);
		if (strncasecmp(s, name, nlen) == 0 && s[nlen] == ':')
			return s + nlen + 1;
	}
	return NULL;
}

/* True when s holds something other than blanks. */
static int
nonblank(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t')
			return 1;
	return 0;
}

/* Where one tracked header is looked for, in order; see enum token_source. */
struct carriers {
	struct json_object	*custom_headers;
	const struct webhook_headers *webhook;
	struct json_object	*requester_headers;
	struct json_object	*tags;
};

static const char *
carrier_get(const struct carriers *c, const char *name, const char *webhook_value,
    enum token_source *src)
{
	const char	*v;

	if (nonblank(v = header_get(c->custom_headers, name))) {
		*src = TOKEN_SOURCE_EVENT_HEADERS;
		return v;
	}
	if (nonblank(webhook_value)) {
		*src = TOKEN_SOURCE_WEBHOOK_HEADER;
		return webhook_value;
	}
	if (nonblank(v = header_get(c->requester_headers, name))) {
		*src = TOKEN_SOURCE_REQUESTER_METADATA;
		return v;
	}
	if (nonblank(v = tag_get(c->tags, name))) {
		*src = TOKEN_SOURCE_REQUEST_TAGS;
		return v;
	}
	*src = TOKEN_SOURCE_NONE;
	return NULL;
}

static enum rd
read_label(const struct carriers *c, const char *name, const char *webhook_value,
    size_t max_chars, char **out)
{
	enum token_source	 src;
	const char		*raw;
	int			 truncated, oom;

	*out = NULL;
	if ((raw = carrier_get(c, name, webhook_value, &src)) == NULL)
		return RD_ABSENT;
	*out = label_clean(raw, max_chars, &truncated, &oom);
	if (oom)
		return RD_NOMEM;
	return *out == NULL ? RD_ABSENT : RD_OK;
}

static int
read_token(const struct carriers *c, struct usage_event *ev)
{
	const char	*raw, *end;
	char		 buf[LIMIT_TOKEN_MAX_BYTES + 1];
	size_t		 len;

	raw = carrier_get(c, HDR_TOKEN, c->webhook ? c->webhook->token : NULL,
	    &ev->token_source);
	if (raw == NULL)
		return 0;
	while (*raw == ' ' || *raw == '\t')
		raw++;
	end = raw + strlen(raw);
	while (end > raw && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - raw);
	if (token_hash(raw, len, ev->token_hash) != 0)
		return -1;
	/* The display prefix is computed on a bounded copy of the value. */
	if (len > LIMIT_TOKEN_MAX_BYTES)
		len = LIMIT_TOKEN_MAX_BYTES;
	memcpy(buf, raw, len);
	buf[len] = '\0';
	token_prefix(buf, ev->token_prefix);
	explicit_bzero(buf, sizeof(buf));
	ev->has_token = 1;
	return 0;
}

struct strfield {
	const char	*key;
	size_t		 max;
	size_t		 off;
};

#define SF(k, m, f)	{ (k), (m), offsetof(struct usage_event, f) }

static const struct strfield top_strings[] = {
	SF("id", LIMIT_ID_BYTES, litellm_id),
	SF("trace_id", LIMIT_ID_BYTES, trace_id),
	SF("call_type", LIMIT_SHORT_BYTES, call_type),
	SF("model", LIMIT_MODEL_BYTES, model),
	SF("model_group", LIMIT_MODEL_BYTES, model_group),
	SF("custom_llm_provider", LIMIT_SHORT_BYTES, provider),
};

static const struct {
	const char	*key;
	enum event_num	 num;
} top_counts[] = {
	{ "prompt_tokens", EV_PROMPT_TOKENS },
	{ "completion_tokens", EV_COMPLETION_TOKENS },
	{ "total_tokens", EV_TOTAL_TOKENS },
};

/* First present count among keys of obj; RD_ABSENT when none. */
static enum rd
first_count(struct json_object *obj, const char *const *keys, int64_t *out)
{
	enum rd	r;

	for (; *keys != NULL; keys++)
		if ((r = read_count(get(obj, *keys), out)) != RD_ABSENT)
			return r;
	return RD_ABSENT;
}

/*
 * Cache tokens live only in metadata.usage_object (see the payload
 * reference): Anthropic's top-level counters first, then the OpenAI-style
 * prompt_tokens_details.
 */
static enum rd
read_usage_details(struct json_object *usage, struct usage_event *ev,
    const char **field)
{
	static const char *const read_top[] = { "cache_read_input_tokens", NULL };
	static const char *const read_det[] = { "cached_tokens", NULL };
	static const char *const write_top[] = { "cache_creation_input_tokens", NULL };
	static const char *const write_det[] = { "cache_creation_tokens", NULL };
	struct json_object	*det = get(usage, "prompt_tokens_details");
	struct json_object	*cdet = get(det, "cache_creation_token_details");
	int64_t			 v, v5, v1;
	enum rd			 r, r5, r1;

	*field = "metadata.usage_object cache_read tokens";
	r = first_count(usage, read_top, &v);
	if (r == RD_ABSENT)
		r = first_count(det, read_det, &v);
	if (r == RD_BAD)
		return r;
	if (r == RD_OK)
		usage_event_set(ev, EV_CACHE_READ_TOKENS, v);

	*field = "metadata.usage_object cache_creation tokens";
	r = first_count(usage, write_top, &v);
	if (r == RD_ABSENT)
		r = first_count(det, write_det, &v);
	if (r == RD_ABSENT) {
		r5 = read_count(get(cdet, "ephemeral_5m_input_tokens"), &v5);
		r1 = read_count(get(cdet, "ephemeral_1h_input_tokens"), &v1);
		if (r5 == RD_BAD || r1 == RD_BAD)
			return RD_BAD;
		if (r5 == RD_OK || r1 == RD_OK) {
			v = (r5 == RD_OK ? v5 : 0) + (r1 == RD_OK ? v1 : 0);
			r = RD_OK;
		}
	}
	if (r == RD_BAD)
		return r;
	if (r == RD_OK)
		usage_event_set(ev, EV_CACHE_WRITE_TOKENS, v);

	/* The 1-hour writes are priced apart (cache_creation_..._above_1hr). */
	*field = "metadata.usage_object ephemeral_1h_input_tokens";
	if ((r = read_count(get(cdet, "ephemeral_1h_input_tokens"), &v)) == RD_BAD)
		return r;
	if (r == RD_OK)
		usage_event_set(ev, EV_CACHE_WRITE_1H_TOKENS, v);
	*field = "metadata.usage_object reasoning_tokens";
	r = read_count(get(get(usage, "completion_tokens_details"),
	    "reasoning_tokens"), &v);
	if (r == RD_BAD)
		return r;
	if (r == RD_OK)
		usage_event_set(ev, EV_REASONING_TOKENS, v);
	return RD_OK;
}

static enum rd
read_error_code(struct json_object *info, char **out)
{
	struct json_object	*v = get(info, "error_code");
	char			 buf[32];

	/* Some versions send the HTTP status as a number. */
	if (v != NULL && json_object_is_type(v, json_type_int)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_object_get_int64(v));
		return (*out = strdup(buf)) == NULL ? RD_NOMEM : RD_OK;
	}
	return read_string(info, "error_code", LIMIT_ERROR_CODE_BYTES, out);
}

/* Latency and time to first token, from the timestamps when we have them. */
static enum rd
read_timing(struct json_object *obj, struct usage_event *ev, const char **field)
{
	int64_t	start, end, first, rt;
	enum rd	rs, re, rf, rr;

	*field = "startTime";
	if ((rs = read_epoch_us(get(obj, "startTime"), &start)) == RD_BAD)
		return RD_BAD;
	*field = "endTime";
	if ((re = read_epoch_us(get(obj, "endTime"), &end)) == RD_BAD)
		return RD_BAD;
	*field = "completionStartTime";
	if ((rf = read_epoch_us(get(obj, "completionStartTime"), &first)) == RD_BAD)
		return RD_BAD;
	*field = "response_time";
	/* response_time is in seconds: scale 6 gives microseconds. */
	if ((rr = read_epoch_us(get(obj, "response_time"), &rt)) == RD_BAD)
		return RD_BAD;

	if (rs == RD_OK)
		usage_event_set(ev, EV_START_US, start);
	if (re == RD_OK)
		usage_event_set(ev, EV_END_US, end);
	if (rs == RD_OK && re == RD_OK && end >= start)
		usage_event_set(ev, EV_LATENCY_US, end - start);
	else if (rr == RD_OK && !ev->stream)
		usage_event_set(ev, EV_LATENCY_US, rt);

	if (ev->stream) {
		/* For streams LiteLLM's response_time is already the TTFT. */
		if (rs == RD_OK && rf == RD_OK && first >= start)
			usage_event_set(ev, EV_TTFT_US, first - start);
		else if (rr == RD_OK)
			usage_event_set(ev, EV_TTFT_US, rt);
	}
	return RD_OK;
}

int
litellm_is_test_ping(struct json_object *obj)
{
	struct json_object	*v;

	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
	    json_object_object_length(obj) != 1 ||
	    !json_object_object_get_ex(obj, "test", &v) || v == NULL)
		return 0;
	return json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

enum reduce_result
litellm_event_reduce(struct json_object *obj, const struct webhook_headers *wh,
    size_t max_label_chars, int64_t received_us, struct usage_event *ev,
    enum reject_reason *reason, char why[REDUCE_WHY_BYTES])
{
	struct json_object	*meta, *usage, *info, *v;
	struct carriers		 c;
	const char		*field = NULL, *s;
	size_t			 i;
	int64_t			 n;
	enum rd			 r;
	char			*str;

	why[0] = '\0';
	if (obj == NULL) {
		*reason = REJECT_NULL_EVENT;
		snprintf(why, REDUCE_WHY_BYTES, "null element (LiteLLM could "
		    "not build the logging payload)");
		return REDUCE_REJECT;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		*reason = REJECT_NOT_EVENT;
		snprintf(why, REDUCE_WHY_BYTES, "element is a JSON %s, not an "
		    "object", json_type_to_name(json_object_get_type(obj)));
		return REDUCE_REJECT;
	}
	ev->received_us = received_us;

	for (i = 0; i < sizeof(top_strings) / sizeof(top_strings[0]); i++) {
		field = top_strings[i].key;
		r = read_string(obj, field, top_strings[i].max, &str);
		if (r == RD_BAD || r == RD_NOMEM)
			goto fail;
		*(char **)((char *)ev + top_strings[i].off) = str;
	}

	field = "status";
	if ((v = get(obj, "status")) != NULL) {
		if (!json_object_is_type(v, json_type_string)) {
			r = RD_BAD;
			goto fail;
		}
		s = json_object_get_string(v);
		if (strcmp(s, "success") == 0)
			ev->status = EVENT_STATUS_SUCCESS;
		else if (strcmp(s, "failure") == 0)
			ev->status = EVENT_STATUS_FAILURE;
	}

	field = "stream";
	if ((v = get(obj, "stream")) != NULL) {
		if (!json_object_is_type(v, json_type_boolean)) {
			r = RD_BAD;
			goto fail;
		}
		ev->stream = json_object_get_boolean(v) ? 1 : 0;
	}

	meta = get(obj, "metadata");
	if (meta != NULL && !json_object_is_type(meta, json_type_object)) {
		field = "metadata";
		r = RD_BAD;
		goto fail;
	}
	usage = get(meta, "usage_object");

	/* Token counts: top level, else the raw usage object. */
	for (i = 0; i < sizeof(top_counts) / sizeof(top_counts[0]); i++) {
		field = top_counts[i].key;
		if ((r = read_count(get(obj, field), &n)) == RD_ABSENT)
			r = read_count(get(usage, field), &n);
		if (r == RD_BAD)
			goto fail;
		if (r == RD_OK)
			usage_event_set(ev, top_counts[i].num, n);
	}
	if ((r = read_usage_details(usage, ev, &field)) == RD_BAD)
		goto fail;

	field = "response_cost";
	r = read_scaled(get(obj, "response_cost"), COST_SCALE_DIGITS,
	    LIMIT_COST_USD_MAX * 1000000000000LL, &n);
	if (r == RD_BAD)
		goto fail;
	if (r == RD_OK)
		usage_event_set(ev, EV_LITELLM_COST, n);

	if ((r = read_timing(obj, ev, &field)) == RD_BAD)
		goto fail;

	/* Error code and class, for failures only; never the message or traceback. */
	info = get(obj, "error_information");
	if (ev->status == EVENT_STATUS_FAILURE) {
		field = "error_information.error_code";
		if ((r = read_error_code(info, &ev->error_code)) == RD_BAD ||
		    r == RD_NOMEM)
			goto fail;
		field = "error_information.error_class";
		r = read_string(info, "error_class", LIMIT_ERROR_CLASS_BYTES,
		    &ev->error_class);
		if (r == RD_BAD || r == RD_NOMEM)
			goto fail;
		if (ev->provider == NULL) {
			field = "error_information.llm_provider";
			r = read_string(info, "llm_provider", LIMIT_SHORT_BYTES,
			    &ev->provider);
			if (r == RD_BAD || r == RD_NOMEM)
				goto fail;
		}
	}

	/* Tracked headers: token, department, team, agent. */
	c.custom_headers = get(meta, "requester_custom_headers");
	c.webhook = wh;
	c.requester_headers = get(get(meta, "requester_metadata"), "headers");
	c.tags = get(obj, "request_tags");
	if (read_token(&c, ev) != 0) {
		r = RD_NOMEM;
		goto fail;
	}
	field = HDR_DEPARTMENT;
	if ((r = read_label(&c, HDR_DEPARTMENT, wh ? wh->department : NULL,
	    max_label_chars, &ev->department)) == RD_NOMEM)
		goto fail;
	field = HDR_TEAM;
	if ((r = read_label(&c, HDR_TEAM, wh ? wh->team : NULL,
	    max_label_chars, &ev->team)) == RD_NOMEM)
		goto fail;
	field = HDR_AGENT;
	if ((r = read_label(&c, HDR_AGENT, wh ? wh->agent : NULL,
	    max_label_chars, &ev->agent)) == RD_NOMEM)
		goto fail;

	if (ev->litellm_id == NULL && ev->trace_id == NULL &&
	    !EVENT_HAS(ev, EV_START_US)) {
		*reason = REJECT_NO_IDENTITY;
		snprintf(why, REDUCE_WHY_BYTES, "no id, trace_id or startTime "
		    "to tell this call from others");
		usage_event_release(ev);
		return REDUCE_REJECT;
	}
	if (event_key_dedupe(ev) != 0) {
		r = RD_NOMEM;
		goto fail;
	}
	return REDUCE_OK;
fail:
	usage_event_release(ev);
	if (r == RD_NOMEM)
		return REDUCE_OOM;
	*reason = REJECT_INVALID_FIELD;
	snprintf(why, REDUCE_WHY_BYTES, "field %s has the wrong type, is out "
	    "of range or too long", field);
	return REDUCE_REJECT;
}
