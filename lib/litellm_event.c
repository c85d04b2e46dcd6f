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
#include "json_skim.h"
#include "label.h"
#include "litellm_event.h"
#include "timefmt.h"
#include "url_host.h"

/* The largest cost of one call, in 1e-12 USD units. */
#define COST_UNITS_MAX	(LIMIT_COST_USD_MAX * 1000000000000LL)

/* Internal result of a field reader. */
enum rd {
	RD_ABSENT,	/* missing, null, "" or non-finite: stored as NULL */
	RD_OK,
	RD_BAD,		/* wrong type or out of range: stored as NULL, warned */
	RD_NOMEM,
};

/* The fields of one event set unknown or cut: counted, the first named. */
struct warn {
	unsigned	 n;
	char		*why;		/* REDUCE_WHY_BYTES */
};

static void
warn(struct warn *w, const char *field)
{
	size_t	used = strlen(w->why);

	if (w->n++ == 0)
		snprintf(w->why, REDUCE_WHY_BYTES, "set unknown or cut (out of "
		    "range, wrong type or too long): %s", field);
	else if (used + strlen(field) + 3 < REDUCE_WHY_BYTES)
		snprintf(w->why + used, REDUCE_WHY_BYTES - used, ", %s", field);
}

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

/* obj's member key when it is an object; another type is warned about. */
static struct json_object *
get_object(struct json_object *obj, const char *key, struct warn *w)
{
	struct json_object	*v = get(obj, key);

	if (v != NULL && !json_object_is_type(v, json_type_object)) {
		warn(w, key);
		return NULL;
	}
	return v;
}

/* The length of the longest prefix of s (valid UTF-8) of at most max bytes. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	size_t	 i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (i + n > max)
			break;
		i += n;
	}
	return i;
}

/*
 * A copy of a string field, NULL when absent, null or "". A value longer
 * than maxbytes is cut there (never inside a character) and *cut set; one
 * that cannot be stored at all (not a string, an embedded NUL, invalid
 * UTF-8 such as an overlong form json-c lets through) is RD_BAD.
 */
static enum rd
read_string_cut(struct json_object *obj, const char *key, size_t maxbytes,
    char **out, int *cut)
{
	struct json_object	*v = get(obj, key);
	const char		*s;
	size_t			 len;

	*out = NULL;
	*cut = 0;
	if (v == NULL)
		return RD_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return RD_BAD;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0)
		return RD_ABSENT;
	if (strlen(s) != len || !utf8_valid((const unsigned char *)s, len))
		return RD_BAD;
	if (len > maxbytes) {
		len = utf8_cut(s, len, maxbytes);
		*cut = 1;
	}
	if ((*out = strndup(s, len)) == NULL)
		return RD_NOMEM;
	return RD_OK;
}

/* read_string_cut, with the cut or the refusal warned about. */
static enum rd
read_string(struct json_object *obj, const char *key, size_t maxbytes,
    char **out, struct warn *w)
{
	enum rd	r;
	int	cut;

	r = read_string_cut(obj, key, maxbytes, out, &cut);
	if (r == RD_BAD || cut)
		warn(w, key);
	return r == RD_BAD ? RD_ABSENT : r;
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

/*
 * A cost in USD as 1e-12 USD units, within LIMIT_COST_USD_MAX: the
 * response_cost, the saved_cache_cost and the cost_breakdown alike.
 */
static enum rd
read_cost(struct json_object *v, int64_t *out)
{
	return read_scaled(v, COST_SCALE_DIGITS, COST_UNITS_MAX, out);
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
	return read_scaled(v, 0, LIMIT_EVENT_TOKENS_MAX, out);
}

/* A time between 2000 and a day after we received it. */
static enum rd
read_epoch_us(struct json_object *v, int64_t received_us, int64_t *out)
{
	enum rd	r;

	if ((r = read_scaled(v, 6, LIMIT_EPOCH_US_MAX, out)) != RD_OK)
		return r;
	if (*out < LIMIT_EVENT_TIME_MIN_US ||
	    *out > received_us + LIMIT_EVENT_FUTURE_US)
		return RD_BAD;
	return RD_OK;
}

/* A string value with its length: a JSON string may hold NUL bytes. */
struct text {
	const char	*s;
	size_t		 len;
};

static int
text_of(struct json_object *v, struct text *t)
{
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return 0;
	t->s = json_object_get_string(v);
	t->len = (size_t)json_object_get_string_len(v);
	return 1;
}

/* Case-insensitive lookup of a string value in a header-like object. */
static int
header_get(struct json_object *headers, const char *name, struct text *t)
{
	if (headers == NULL || !json_object_is_type(headers, json_type_object))
		return 0;
	json_object_object_foreach(headers, k, v) {
		if (strcasecmp(k, name) == 0 && text_of(v, t))
			return 1;
	}
	return 0;
}

/* "name: value" in request_tags (LiteLLM's extra_spend_tag_headers). */
static int
tag_get(struct json_object *tags, const char *name, struct text *t)
{
	size_t	i, n, nlen = strlen(name);

	if (tags == NULL || !json_object_is_type(tags, json_type_array))
		return 0;
	n = json_object_array_length(tags);
	for (i = 0; i < n; i++) {
		if (!text_of(json_object_array_get_idx(tags, i), t))
			continue;
		if (t->len > nlen && strncasecmp(t->s, name, nlen) == 0 &&
		    t->s[nlen] == ':') {
			t->s += nlen + 1;
			t->len -= nlen + 1;
			return 1;
		}
	}
	return 0;
}

/* True when t holds something other than blanks. */
static int
nonblank(const struct text *t)
{
	size_t	i;

	for (i = 0; i < t->len; i++)
		if (t->s[i] != ' ' && t->s[i] != '\t')
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

static int
carrier_get(const struct carriers *c, const char *name, const char *webhook_value,
    enum token_source *src, struct text *t)
{
	if (header_get(c->custom_headers, name, t) && nonblank(t)) {
		*src = TOKEN_SOURCE_EVENT_HEADERS;
		return 1;
	}
	if (webhook_value != NULL) {
		t->s = webhook_value;
		t->len = strlen(webhook_value);
		if (nonblank(t)) {
			*src = TOKEN_SOURCE_WEBHOOK_HEADER;
			return 1;
		}
	}
	if (header_get(c->requester_headers, name, t) && nonblank(t)) {
		*src = TOKEN_SOURCE_REQUESTER_METADATA;
		return 1;
	}
	if (tag_get(c->tags, name, t) && nonblank(t)) {
		*src = TOKEN_SOURCE_REQUEST_TAGS;
		return 1;
	}
	*src = TOKEN_SOURCE_NONE;
	return 0;
}

/*
 * Text t of field `field` as a label into *out: control characters
 * (\u0000 included) become spaces, trimmed, cut to max_chars characters
 * (warned); text that is not valid UTF-8 is unknown (warned).
 */
static enum rd
clean_label(const struct text *t, const char *field, size_t max_chars,
    char **out, struct warn *w)
{
	int	truncated, oom;

	if (!utf8_valid((const unsigned char *)t->s, t->len)) {
		warn(w, field);
		return RD_ABSENT;
	}
	*out = label_clean_len(t->s, t->len, max_chars, &truncated, &oom);
	if (oom)
		return RD_NOMEM;
	if (truncated)
		warn(w, field);
	return *out == NULL ? RD_ABSENT : RD_OK;
}

/* A label from the request's headers (clean_label). */
static enum rd
read_label(const struct carriers *c, const char *name, const char *webhook_value,
    size_t max_chars, char **out, struct warn *w)
{
	enum token_source	 src;
	struct text		 t;

	*out = NULL;
	if (!carrier_get(c, name, webhook_value, &src, &t))
		return RD_ABSENT;
	return clean_label(&t, name, max_chars, out, w);
}

/*
 * A label LiteLLM itself sends (the key's aliases in metadata), cleaned
 * and cut like the header labels above. Not a string, or not UTF-8:
 * unknown, warned.
 */
static enum rd
read_alias(struct json_object *obj, const char *key, size_t max_chars,
    char **out, struct warn *w)
{
	struct json_object	*v = get(obj, key);
	struct text		 t;

	*out = NULL;
	if (v == NULL)
		return RD_ABSENT;
	if (!text_of(v, &t)) {
		warn(w, key);
		return RD_ABSENT;
	}
	return clean_label(&t, key, max_chars, out, w);
}

/*
 * The host[:port] of obj's api_base (url_host.h), lower-cased. The URL
 * is read where json-c holds it, never copied: its user part or query
 * can hold a key. Absent, null or "": RD_ABSENT; not a string or not
 * scheme://host: unknown, warned as field.
 */
static enum rd
read_api_host(struct json_object *obj, const char *field, char **out,
    struct warn *w)
{
	struct json_object	*v = get(obj, "api_base");
	struct text		 t;
	char			 host[LIMIT_API_HOST_BYTES + 1];

	*out = NULL;
	if (v == NULL)
		return RD_ABSENT;
	if (!text_of(v, &t)) {
		warn(w, field);
		return RD_ABSENT;
	}
	if (t.len == 0)
		return RD_ABSENT;
	if (url_host(t.s, t.len, host) != 0) {
		warn(w, field);
		return RD_ABSENT;
	}
	return (*out = strdup(host)) == NULL ? RD_NOMEM : RD_OK;
}

static int
read_token(const struct carriers *c, struct usage_event *ev)
{
	struct text	 t;
	const char	*raw, *end;
	char		 buf[LIMIT_TOKEN_MAX_BYTES + 1];
	size_t		 len;

	if (!carrier_get(c, HDR_TOKEN, c->webhook ? c->webhook->token : NULL,
	    &ev->token_source, &t))
		return 0;
	raw = t.s;
	end = t.s + t.len;
	while (raw < end && (*raw == ' ' || *raw == '\t'))
		raw++;
	while (end > raw && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - raw);
	/*
	 * A value longer than any token (the skimmer keeps 4 KiB of it) is
	 * hashed all the same: it is then an unknown token, never another.
	 */
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

/* Ids are read whole for the dedupe key, and cut to LIMIT_ID_BYTES after. */
static const struct strfield top_strings[] = {
	SF("id", SIZE_MAX, litellm_id),
	SF("trace_id", SIZE_MAX, trace_id),
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

/* LiteLLM's cost_breakdown: the parts of its response_cost. */
static const struct {
	const char	*key;
	const char	*field;		/* as warnings name it */
	enum event_num	 num;
} breakdown[] = {
	{ "input_cost", "cost_breakdown input_cost", EV_CB_INPUT_COST },
	{ "output_cost", "cost_breakdown output_cost", EV_CB_OUTPUT_COST },
	{ "cache_read_cost", "cost_breakdown cache_read_cost",
	    EV_CB_CACHE_READ_COST },
	{ "cache_creation_cost", "cost_breakdown cache_creation_cost",
	    EV_CB_CACHE_WRITE_COST },
	{ "reasoning_cost", "cost_breakdown reasoning_cost",
	    EV_CB_REASONING_COST },
	{ "tool_usage_cost", "cost_breakdown tool_usage_cost", EV_CB_TOOL_COST },
};

/* Sets f from a read, or warns that field could not be used. */
static void
set_num(struct usage_event *ev, enum event_num f, enum rd r, int64_t v,
    const char *field, struct warn *w)
{
	if (r == RD_OK)
		usage_event_set(ev, f, v);
	else if (r == RD_BAD)
		warn(w, field);
}

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
static void
read_usage_details(struct json_object *usage, struct usage_event *ev,
    struct warn *w)
{
	static const char *const read_top[] = { "cache_read_input_tokens", NULL };
	static const char *const read_det[] = { "cached_tokens", NULL };
	static const char *const write_top[] = { "cache_creation_input_tokens", NULL };
	static const char *const write_det[] = { "cache_creation_tokens", NULL };
	struct json_object	*det = get(usage, "prompt_tokens_details");
	struct json_object	*cdet = get(det, "cache_creation_token_details");
	int64_t			 v = 0, v5 = 0, v1 = 0;
	enum rd			 r, r5, r1;

	r = first_count(usage, read_top, &v);
	if (r == RD_ABSENT)
		r = first_count(det, read_det, &v);
	set_num(ev, EV_CACHE_READ_TOKENS, r, v, "usage_object cache_read "
	    "tokens", w);

	r = first_count(usage, write_top, &v);
	if (r == RD_ABSENT)
		r = first_count(det, write_det, &v);
	r5 = read_count(get(cdet, "ephemeral_5m_input_tokens"), &v5);
	r1 = read_count(get(cdet, "ephemeral_1h_input_tokens"), &v1);
	if (r == RD_ABSENT) {
		/* Two counts within LIMIT_EVENT_TOKENS_MAX: no overflow. */
		if (r5 == RD_BAD || r1 == RD_BAD)
			r = RD_BAD;
		else if (r5 == RD_OK || r1 == RD_OK) {
			v = (r5 == RD_OK ? v5 : 0) + (r1 == RD_OK ? v1 : 0);
			r = RD_OK;
		}
	}
	set_num(ev, EV_CACHE_WRITE_TOKENS, r, v, "usage_object "
	    "cache_creation tokens", w);

	/* The 1-hour writes are priced apart (cache_creation_..._above_1hr). */
	set_num(ev, EV_CACHE_WRITE_1H_TOKENS, r1, v1, "usage_object "
	    "ephemeral_1h_input_tokens", w);
	r = read_count(get(get(usage, "completion_tokens_details"),
	    "reasoning_tokens"), &v);
	set_num(ev, EV_REASONING_TOKENS, r, v, "usage_object reasoning_tokens",
	    w);
}

static enum rd
read_error_code(struct json_object *info, char **out, struct warn *w)
{
	struct json_object	*v = get(info, "error_code");
	char			 buf[32];

	/* Some versions send the HTTP status as a number. */
	if (v != NULL && json_object_is_type(v, json_type_int)) {
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_object_get_int64(v));
		return (*out = strdup(buf)) == NULL ? RD_NOMEM : RD_OK;
	}
	return read_string(info, "error_code", LIMIT_ERROR_CODE_BYTES, out, w);
}

/* A duration in seconds, at most LIMIT_EVENT_LATENCY_US_MAX. */
static enum rd
read_duration_us(struct json_object *v, int64_t *out)
{
	enum rd	r;

	if ((r = read_scaled(v, 6, LIMIT_EPOCH_US_MAX, out)) != RD_OK)
		return r;
	return *out > LIMIT_EVENT_LATENCY_US_MAX ? RD_BAD : RD_OK;
}

/*
 * Times, latency and time to first token, each kept only when plausible
 * (lib/llmops_limits.h): a sum of them then cannot overflow a rollup.
 */
static void
read_timing(struct json_object *obj, struct usage_event *ev,
    int64_t received_us, struct warn *w)
{
	int64_t	start = 0, end = 0, first = 0, rt = 0;
	enum rd	rs, re, rf, rr;

	rs = read_epoch_us(get(obj, "startTime"), received_us, &start);
	re = read_epoch_us(get(obj, "endTime"), received_us, &end);
	rf = read_epoch_us(get(obj, "completionStartTime"), received_us, &first);
	/* response_time is in seconds: scale 6 gives microseconds. */
	rr = read_duration_us(get(obj, "response_time"), &rt);
	set_num(ev, EV_START_US, rs, start, "startTime", w);
	set_num(ev, EV_END_US, re, end, "endTime", w);
	if (rf == RD_BAD)
		warn(w, "completionStartTime");
	if (rr == RD_BAD)
		warn(w, "response_time");

	if (rs == RD_OK && re == RD_OK && end >= start) {
		if (end - start <= LIMIT_EVENT_LATENCY_US_MAX)
			usage_event_set(ev, EV_LATENCY_US, end - start);
		else
			warn(w, "latency (endTime - startTime)");
	} else if (rr == RD_OK && !ev->stream)
		usage_event_set(ev, EV_LATENCY_US, rt);

	if (ev->stream) {
		/* For streams LiteLLM's response_time is already the TTFT. */
		if (rs == RD_OK && rf == RD_OK && first >= start) {
			if (first - start <= LIMIT_EVENT_LATENCY_US_MAX)
				usage_event_set(ev, EV_TTFT_US, first - start);
			else
				warn(w, "time to first token");
		} else if (rr == RD_OK)
			usage_event_set(ev, EV_TTFT_US, rt);
	}
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

/*
 * Cuts an owned id to LIMIT_ID_BYTES once the dedupe key is made, into a
 * copy of that size (the whole one may be JSON_SKIM_STRING_BYTES long, and
 * an event keeps no more memory than its stored fields need).
 */
static int
cut_id(char **id, const char *field, struct warn *w)
{
	size_t	len;
	char	*cut;

	if (*id == NULL || (len = strlen(*id)) <= LIMIT_ID_BYTES)
		return 0;
	if ((cut = strndup(*id, utf8_cut(*id, len, LIMIT_ID_BYTES))) == NULL)
		return -1;
	free(*id);
	*id = cut;
	warn(w, field);
	return 0;
}

enum reduce_result
litellm_event_reduce(struct json_object *obj, const struct webhook_headers *wh,
    size_t max_label_chars, int64_t received_us, struct usage_event *ev,
    enum reject_reason *reason, char why[REDUCE_WHY_BYTES], unsigned *nwarn)
{
	struct json_object	*meta, *usage, *info, *hidden, *v;
	struct carriers		 c;
	struct warn		 w;
	const char		*s;
	size_t			 i, alias_chars;
	int64_t			 n = 0;
	enum rd			 r;
	char			*str;

	why[0] = '\0';
	*nwarn = 0;
	w.n = 0;
	w.why = why;
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
		r = read_string(obj, top_strings[i].key, top_strings[i].max,
		    &str, &w);
		if (r == RD_NOMEM)
			goto oom;
		*(char **)((char *)ev + top_strings[i].off) = str;
	}

	if ((v = get(obj, "status")) != NULL) {
		if (!json_object_is_type(v, json_type_string))
			warn(&w, "status");
		else if (strcmp(s = json_object_get_string(v), "success") == 0)
			ev->status = EVENT_STATUS_SUCCESS;
		else if (strcmp(s, "failure") == 0)
			ev->status = EVENT_STATUS_FAILURE;
	}

	if ((v = get(obj, "stream")) != NULL) {
		if (!json_object_is_type(v, json_type_boolean))
			warn(&w, "stream");
		else
			ev->stream = json_object_get_boolean(v) ? 1 : 0;
	}

	/* null for a normal call; true or false where a cache was asked. */
	if ((v = get(obj, "cache_hit")) != NULL) {
		if (!json_object_is_type(v, json_type_boolean))
			warn(&w, "cache_hit");
		else
			ev->cache_hit = json_object_get_boolean(v) ?
			    CACHE_HIT_YES : CACHE_HIT_NO;
	}

	meta = get_object(obj, "metadata", &w);
	usage = get(meta, "usage_object");

	/* Token counts: top level, else the raw usage object. */
	for (i = 0; i < sizeof(top_counts) / sizeof(top_counts[0]); i++) {
		if ((r = read_count(get(obj, top_counts[i].key), &n)) ==
		    RD_ABSENT)
			r = read_count(get(usage, top_counts[i].key), &n);
		set_num(ev, top_counts[i].num, r, n, top_counts[i].key, &w);
	}
	read_usage_details(usage, ev, &w);

	r = read_cost(get(obj, "response_cost"), &n);
	set_num(ev, EV_LITELLM_COST, r, n, "response_cost", &w);

	/* LiteLLM sends 0.0 on every call that was no cache hit: no saving. */
	r = read_cost(get(obj, "saved_cache_cost"), &n);
	if (r == RD_OK && n == 0 && ev->cache_hit != CACHE_HIT_YES)
		r = RD_ABSENT;
	set_num(ev, EV_SAVED_CACHE_COST, r, n, "saved_cache_cost", &w);

	/* null on failures and before LiteLLM 1.77; members newer still. */
	v = get_object(obj, "cost_breakdown", &w);
	for (i = 0; i < sizeof(breakdown) / sizeof(breakdown[0]); i++) {
		r = read_cost(get(v, breakdown[i].key), &n);
		set_num(ev, breakdown[i].num, r, n, breakdown[i].field, &w);
	}

	/*
	 * The deployment and the host it called: top level, else
	 * hidden_params (older versions). The price entry LiteLLM used.
	 */
	hidden = get_object(obj, "hidden_params", &w);
	if (read_string(obj, "model_id", LIMIT_MODEL_BYTES, &ev->deployment,
	    &w) == RD_NOMEM || (ev->deployment == NULL &&
	    read_string(hidden, "model_id", LIMIT_MODEL_BYTES, &ev->deployment,
	    &w) == RD_NOMEM))
		goto oom;
	if (read_api_host(obj, "api_base", &ev->api_host, &w) == RD_NOMEM ||
	    (ev->api_host == NULL && read_api_host(hidden,
	    "hidden_params api_base", &ev->api_host, &w) == RD_NOMEM))
		goto oom;
	if (read_string(get_object(obj, "model_map_information", &w),
	    "model_map_key", LIMIT_MODEL_BYTES, &ev->price_key, &w) == RD_NOMEM)
		goto oom;

	read_timing(obj, ev, received_us, &w);

	/* Error code and class, for failures only; never the message or traceback. */
	info = get(obj, "error_information");
	if (ev->status == EVENT_STATUS_FAILURE) {
		if (read_error_code(info, &ev->error_code, &w) == RD_NOMEM)
			goto oom;
		if (read_string(info, "error_class", LIMIT_ERROR_CLASS_BYTES,
		    &ev->error_class, &w) == RD_NOMEM)
			goto oom;
		if (ev->provider == NULL && read_string(info, "llm_provider",
		    LIMIT_SHORT_BYTES, &ev->provider, &w) == RD_NOMEM)
			goto oom;
	}

	/* Tracked headers: token, department, team, agent. */
	c.custom_headers = get(meta, "requester_custom_headers");
	c.webhook = wh;
	c.requester_headers = get(get(meta, "requester_metadata"), "headers");
	c.tags = get(obj, "request_tags");
	if (read_token(&c, ev) != 0)
		goto oom;
	if (read_label(&c, HDR_DEPARTMENT, wh ? wh->department : NULL,
	    max_label_chars, &ev->department, &w) == RD_NOMEM ||
	    read_label(&c, HDR_TEAM, wh ? wh->team : NULL,
	    max_label_chars, &ev->team, &w) == RD_NOMEM ||
	    read_label(&c, HDR_AGENT, wh ? wh->agent : NULL,
	    max_label_chars, &ev->agent, &w) == RD_NOMEM)
		goto oom;

	/* The key's aliases; never user_api_key_hash or any key itself. */
	alias_chars = max_label_chars < LIMIT_ALIAS_CHARS ? max_label_chars :
	    LIMIT_ALIAS_CHARS;
	if (read_alias(meta, "user_api_key_alias", alias_chars,
	    &ev->key_alias, &w) == RD_NOMEM ||
	    read_alias(meta, "user_api_key_team_alias", alias_chars,
	    &ev->team_alias, &w) == RD_NOMEM ||
	    read_alias(meta, "user_api_key_org_alias", alias_chars,
	    &ev->org_alias, &w) == RD_NOMEM)
		goto oom;

	if (ev->litellm_id == NULL && ev->trace_id == NULL &&
	    !EVENT_HAS(ev, EV_START_US)) {
		*reason = REJECT_NO_IDENTITY;
		snprintf(why, REDUCE_WHY_BYTES, "no id, trace_id or startTime "
		    "to tell this call from others");
		usage_event_release(ev);
		return REDUCE_REJECT;
	}
	if (event_key_dedupe(ev) != 0)
		goto oom;
	if (cut_id(&ev->litellm_id, "id", &w) != 0 ||
	    cut_id(&ev->trace_id, "trace_id", &w) != 0)
		goto oom;
	*nwarn = w.n;
	return REDUCE_OK;
oom:
	usage_event_release(ev);
	return REDUCE_OOM;
}

/*
 * What litellm_event_reduce reads, and nothing else: json_skim_keep builds
 * an event of only these members (the content fields, messages, response
 * and the rest, are skipped unread). Keep it in step with the readers above.
 */
static const char *const tracked_headers[] = {
	HDR_TOKEN, HDR_DEPARTMENT, HDR_TEAM, HDR_AGENT, NULL,
};

static const struct json_keep keep_cache_details[] = {
	{ "ephemeral_5m_input_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "ephemeral_1h_input_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep_prompt_details[] = {
	{ "cached_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "cache_creation_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "cache_creation_token_details", JSON_KEEP_OBJECT, keep_cache_details,
	    NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep_completion_details[] = {
	{ "reasoning_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep_usage[] = {
	{ "prompt_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "completion_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "total_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "cache_read_input_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "cache_creation_input_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "prompt_tokens_details", JSON_KEEP_OBJECT, keep_prompt_details, NULL },
	{ "completion_tokens_details", JSON_KEEP_OBJECT,
	    keep_completion_details, NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep_requester_metadata[] = {
	{ "headers", JSON_KEEP_HEADERS, NULL, tracked_headers },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep_metadata[] = {
	{ "usage_object", JSON_KEEP_OBJECT, keep_usage, NULL },
	/* The aliases only: user_api_key_hash is skipped unread. */
	{ "user_api_key_alias", JSON_KEEP_VALUE, NULL, NULL },
	{ "user_api_key_team_alias", JSON_KEEP_VALUE, NULL, NULL },
	{ "user_api_key_org_alias", JSON_KEEP_VALUE, NULL, NULL },
	{ "requester_custom_headers", JSON_KEEP_HEADERS, NULL, tracked_headers },
	{ "requester_metadata", JSON_KEEP_OBJECT, keep_requester_metadata,
	    NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep_error[] = {
	{ "error_code", JSON_KEEP_VALUE, NULL, NULL },
	{ "error_class", JSON_KEEP_VALUE, NULL, NULL },
	{ "llm_provider", JSON_KEEP_VALUE, NULL, NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep_cost_breakdown[] = {
	{ "input_cost", JSON_KEEP_VALUE, NULL, NULL },
	{ "output_cost", JSON_KEEP_VALUE, NULL, NULL },
	{ "cache_read_cost", JSON_KEEP_VALUE, NULL, NULL },
	{ "cache_creation_cost", JSON_KEEP_VALUE, NULL, NULL },
	{ "reasoning_cost", JSON_KEEP_VALUE, NULL, NULL },
	{ "tool_usage_cost", JSON_KEEP_VALUE, NULL, NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep_hidden_params[] = {
	{ "model_id", JSON_KEEP_VALUE, NULL, NULL },
	{ "api_base", JSON_KEEP_VALUE, NULL, NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep_model_map[] = {
	{ "model_map_key", JSON_KEEP_VALUE, NULL, NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

const struct json_keep litellm_event_keep[] = {
	{ "id", JSON_KEEP_VALUE, NULL, NULL },
	{ "trace_id", JSON_KEEP_VALUE, NULL, NULL },
	{ "call_type", JSON_KEEP_VALUE, NULL, NULL },
	{ "model", JSON_KEEP_VALUE, NULL, NULL },
	{ "model_group", JSON_KEEP_VALUE, NULL, NULL },
	{ "custom_llm_provider", JSON_KEEP_VALUE, NULL, NULL },
	{ "status", JSON_KEEP_VALUE, NULL, NULL },
	{ "stream", JSON_KEEP_VALUE, NULL, NULL },
	{ "prompt_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "completion_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "total_tokens", JSON_KEEP_VALUE, NULL, NULL },
	{ "response_cost", JSON_KEEP_VALUE, NULL, NULL },
	{ "cache_hit", JSON_KEEP_VALUE, NULL, NULL },
	{ "saved_cache_cost", JSON_KEEP_VALUE, NULL, NULL },
	{ "cost_breakdown", JSON_KEEP_OBJECT, keep_cost_breakdown, NULL },
	{ "model_id", JSON_KEEP_VALUE, NULL, NULL },
	{ "api_base", JSON_KEEP_VALUE, NULL, NULL },
	{ "hidden_params", JSON_KEEP_OBJECT, keep_hidden_params, NULL },
	{ "model_map_information", JSON_KEEP_OBJECT, keep_model_map, NULL },
	{ "startTime", JSON_KEEP_VALUE, NULL, NULL },
	{ "endTime", JSON_KEEP_VALUE, NULL, NULL },
	{ "completionStartTime", JSON_KEEP_VALUE, NULL, NULL },
	{ "response_time", JSON_KEEP_VALUE, NULL, NULL },
	{ "metadata", JSON_KEEP_OBJECT, keep_metadata, NULL },
	{ "error_information", JSON_KEEP_OBJECT, keep_error, NULL },
	{ "request_tags", JSON_KEEP_TAGS, NULL, tracked_headers },
	{ "test", JSON_KEEP_VALUE, NULL, NULL },	/* the ping */
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};
