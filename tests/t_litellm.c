/*
 * The LiteLLM parser (lib/litellm.c, lib/litellm_event.c) over every
 * captured and synthetic fixture, over bodies built by mutating a fixture
 * (wrong types, limits, token carriers), and a canary check that nothing
 * but the tracked fields leaves the json-c tree. Expected values are read
 * off the fixtures by hand (see tests/fixtures/litellm/README.md).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "litellm.h"
#include "spool_event.h"
#include "tap.h"

#define NOW_US	1800000000000000LL

static const struct litellm_limits lim = { 10000, 64, 128 };

static char *
slurp(const char *name, size_t *len)
{
	const char	*dir = getenv("LLMOPS_SRCDIR");
	char		 path[1024];
	FILE		*f;
	char		*buf;
	long		 n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/litellm/%s",
	    dir ? dir : ".", name);
	if ((f = fopen(path, "rb")) == NULL) {
		tap_diag("cannot open %s", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Parses body into b; returns litellm_parse's result. */
static int
parse(const char *body, size_t len, const struct webhook_headers *wh,
    const struct litellm_limits *l, struct event_batch *b,
    struct llmops_err *err)
{
	static const struct webhook_headers none = { NULL, NULL, NULL, NULL };

	event_batch_init(b);
	err_clear(err);
	return litellm_parse(body, len, wh ? wh : &none, l ? l : &lim, NOW_US,
	    b, err);
}

static int
parse_fixture(const char *name, struct event_batch *b)
{
	struct llmops_err	 err;
	size_t			 len;
	char			*body = slurp(name, &len);
	int			 rc;

	rc = parse(body, len, NULL, NULL, b, &err);
	if (rc != 0)
		tap_diag("%s: %s", name, err.msg);
	free(body);
	return rc;
}

static int
hash_is(const struct usage_event *ev, const char *token)
{
	unsigned char	h[TOKEN_HASH_LEN];

	token_hash(token, strlen(token), h);
	return ev->has_token && memcmp(h, ev->token_hash, sizeof(h)) == 0;
}

#define NUM(ev, f)	(EVENT_HAS(ev, f) ? (ev)->num[f] : -1)

#define DEPLOY_01 "b5f1e6f2b0b7d7e8e1a3c5e0f4c1d2a9e8b7c6d5a4f3e2d1c0b9a8f7e6d5c4b3"
#define DEPLOY_06 "4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"
#define DEPLOY_GPT4 "0d269c5fe07a5557a589696fb76866e26d55c1977f5917145add6798712789c3"
#define DEPLOY_FAIL "df2cb64242d35a99380fe1d36a33c917bd82393902c6fc0a11ee74cfb0b97a05"

static void
test_fixture_01(void)
{
	struct event_batch	 b;
	struct usage_event	*e;

	ok(parse_fixture("01_success_openai_gpt4_nonstream.json", &b) == 0,
	    "01: parses");
	is_int(b.nelements, 1, "01: one element");
	is_int(b.nevents, 1, "01: one event");
	if (b.nevents != 1)
		goto out;
	e = &b.events[0];
	is_str(e->litellm_id, "chatcmpl-BQ3x9Kp2nY7vZ1aTq8LmE4rW6sUd0", "01: id");
	is_str(e->trace_id, "e0b6c3a2-5d9f-4b8e-9a71-3c2d1f0e8b7a", "01: trace_id");
	is_str(e->call_type, "acompletion", "01: call_type");
	is_int(e->status, EVENT_STATUS_SUCCESS, "01: success");
	is_str(e->model, "openai/gpt-4", "01: model");
	is_str(e->model_group, "gpt-4", "01: model_group");
	is_str(e->provider, "openai", "01: provider");
	is_str(e->department, "engineering", "01: department");
	is_str(e->team, "platform", "01: team");
	is_str(e->agent, "code-review-bot", "01: agent");
	ok(hash_is(e, "trk_live_7f3c9a2b1e5d4c8a"), "01: token hash");
	is_int(e->token_source, TOKEN_SOURCE_EVENT_HEADERS, "01: token from "
	    "requester_custom_headers");
	is_int(NUM(e, EV_PROMPT_TOKENS), 56, "01: prompt tokens");
	is_int(NUM(e, EV_COMPLETION_TOKENS), 212, "01: completion tokens");
	is_int(NUM(e, EV_TOTAL_TOKENS), 268, "01: total tokens");
	is_int(NUM(e, EV_CACHE_READ_TOKENS), 0, "01: cached_tokens 0");
	ok(!EVENT_HAS(e, EV_CACHE_WRITE_TOKENS), "01: no cache writes reported");
	is_int(NUM(e, EV_LITELLM_COST), 14400000000LL, "01: response_cost 0.0144 exact");
	is_int(NUM(e, EV_START_US), 1772209845123456LL, "01: start µs");
	is_int(NUM(e, EV_END_US), 1772209849871203LL, "01: end µs");
	is_int(NUM(e, EV_LATENCY_US), 4747747, "01: latency = end - start");
	ok(!EVENT_HAS(e, EV_TTFT_US), "01: no TTFT for a non-stream");
	is_int(e->stream, 0, "01: stream null -> 0");
	is_str(e->error_code, NULL, "01: no error code on success");
	is_str(e->error_class, NULL, "01: no error class on success");
	is_int(e->received_us, NOW_US, "01: receive time");
	/* What LiteLLM reports besides. */
	is_int(b.warnings, 0, "01: no warning");
	is_int(e->cache_hit, CACHE_HIT_UNKNOWN, "01: cache_hit null -> unknown");
	ok(!EVENT_HAS(e, EV_SAVED_CACHE_COST), "01: saved_cache_cost 0.0 of "
	    "no cache hit -> absent");
	is_int(NUM(e, EV_CB_INPUT_COST), 1680000000LL, "01: cost_breakdown "
	    "input_cost 0.00168");
	is_int(NUM(e, EV_CB_OUTPUT_COST), 12720000000LL, "01: cost_breakdown "
	    "output_cost 0.01272");
	is_int(NUM(e, EV_CB_TOOL_COST), 0, "01: cost_breakdown tool_usage_cost "
	    "0.0 is 0");
	ok(!EVENT_HAS(e, EV_CB_CACHE_READ_COST) &&
	    !EVENT_HAS(e, EV_CB_CACHE_WRITE_COST) &&
	    !EVENT_HAS(e, EV_CB_REASONING_COST), "01: cost_breakdown members "
	    "not sent stay absent");
	is_str(e->deployment, DEPLOY_01, "01: deployment (model_id)");
	is_str(e->api_host, "api.openai.com", "01: api_host of "
	    "https://api.openai.com/v1");
	is_str(e->key_alias, "cloudidr-prod-app", "01: key alias");
	is_str(e->team_alias, "ml-platform", "01: team alias");
	is_str(e->org_alias, NULL, "01: no org alias in this version");
	is_str(e->price_key, "gpt-4", "01: price entry (model_map_key)");
out:
	event_batch_release(&b);
}

static void
test_fixture_02_stream(void)
{
	struct event_batch	 b;
	struct usage_event	*e;

	ok(parse_fixture("02_success_openai_gpt4o_stream.json", &b) == 0 &&
	    b.nevents == 1, "02: one event");
	if (b.nevents != 1)
		goto out;
	e = &b.events[0];
	is_int(e->stream, 1, "02: stream");
	is_int(NUM(e, EV_TTFT_US), 1772209901612877LL - 1772209901004113LL,
	    "02: TTFT = completionStartTime - startTime");
	is_int(NUM(e, EV_LATENCY_US), 1772209909441902LL - 1772209901004113LL,
	    "02: latency is the whole stream, not response_time");
	is_int(NUM(e, EV_LITELLM_COST), 7925000000LL, "02: cost 0.007925000000000001");
	is_str(e->department, "finance", "02: department");
out:
	event_batch_release(&b);
}

static void
test_fixture_03_failure(void)
{
	struct event_batch	 b;
	struct usage_event	*e;

	ok(parse_fixture("03_failure_anthropic_429.json", &b) == 0 &&
	    b.nevents == 1, "03: one event");
	if (b.nevents != 1)
		goto out;
	e = &b.events[0];
	is_int(e->status, EVENT_STATUS_FAILURE, "03: failure");
	is_str(e->error_code, "429", "03: error code");
	is_str(e->error_class, "RateLimitError", "03: error class");
	is_str(e->provider, "anthropic", "03: provider");
	is_str(e->model, "anthropic/claude-sonnet-4-20250514", "03: model");
	is_int(NUM(e, EV_PROMPT_TOKENS), 0, "03: zero tokens");
	is_int(NUM(e, EV_LITELLM_COST), 0, "03: cost 0");
	is_str(e->agent, "claude-code", "03: agent");
	ok(!EVENT_HAS(e, EV_CB_INPUT_COST) && !EVENT_HAS(e, EV_CB_OUTPUT_COST) &&
	    !EVENT_HAS(e, EV_CB_TOOL_COST), "03: cost_breakdown null -> absent");
	is_str(e->deployment, DEPLOY_06, "03: deployment from the top level "
	    "(hidden_params.model_id null)");
	is_str(e->api_host, "api.anthropic.com", "03: api_host");
	is_str(e->price_key, NULL, "03: model_map_key \"\" -> NULL");
	is_int(b.warnings, 0, "03: no warning");
out:
	event_batch_release(&b);
}

static void
test_fixture_04_embedding(void)
{
	struct event_batch	 b;
	struct usage_event	*e;

	ok(parse_fixture("04_success_embedding.json", &b) == 0 && b.nevents == 1,
	    "04: one event");
	if (b.nevents != 1)
		goto out;
	e = &b.events[0];
	is_str(e->call_type, "aembedding", "04: call type");
	is_int(NUM(e, EV_PROMPT_TOKENS), 18, "04: prompt tokens");
	is_int(NUM(e, EV_COMPLETION_TOKENS), 0, "04: completion tokens");
	is_int(NUM(e, EV_LITELLM_COST), 360000, "04: cost 3.6e-07");
	is_str(e->agent, NULL, "04: no X-Agent -> untagged (NULL)");
	is_str(e->team, "retrieval", "04: team");
	ok(!EVENT_HAS(e, EV_CACHE_READ_TOKENS), "04: prompt_tokens_details null");
out:
	event_batch_release(&b);
}

static void
test_fixture_06_caching(void)
{
	struct event_batch	 b;
	struct usage_event	*e;

	ok(parse_fixture("06_success_anthropic_prompt_caching.json", &b) == 0 &&
	    b.nevents == 1, "06: one event");
	if (b.nevents != 1)
		goto out;
	e = &b.events[0];
	is_int(NUM(e, EV_PROMPT_TOKENS), 12402, "06: prompt tokens (incl. cache)");
	is_int(NUM(e, EV_CACHE_READ_TOKENS), 10240, "06: cache read tokens");
	is_int(NUM(e, EV_CACHE_WRITE_TOKENS), 1850, "06: cache write tokens");
	is_int(NUM(e, EV_LITELLM_COST), 17245500000LL, "06: cost 0.0172455");
	is_int(e->cache_hit, CACHE_HIT_UNKNOWN, "06: a prompt cache is no "
	    "LiteLLM cache hit: unknown");
	ok(!EVENT_HAS(e, EV_SAVED_CACHE_COST), "06: saved_cache_cost 0.0 -> "
	    "absent");
	is_int(NUM(e, EV_CB_INPUT_COST), 10945500000LL, "06: cost_breakdown "
	    "input_cost 0.0109455 (cache reads and writes in it)");
	is_int(NUM(e, EV_CB_OUTPUT_COST), 6300000000LL, "06: cost_breakdown "
	    "output_cost 0.0063");
	ok(!EVENT_HAS(e, EV_CB_CACHE_READ_COST) &&
	    !EVENT_HAS(e, EV_CB_CACHE_WRITE_COST), "06: no cache_read_cost or "
	    "cache_creation_cost in 1.81.14: absent");
	is_str(e->deployment, DEPLOY_06, "06: deployment");
	is_str(e->api_host, "api.anthropic.com", "06: api_host of "
	    "https://api.anthropic.com/v1/messages");
	is_str(e->price_key, "claude-sonnet-4-20250514", "06: price entry");
	is_str(e->key_alias, "cloudidr-prod-app", "06: key alias");
out:
	event_batch_release(&b);
}

static void
test_batches(void)
{
	struct event_batch	b, c;
	size_t			i;
	int			same = 1;

	ok(parse_fixture("05_batch_json_array.json", &b) == 0, "05: parses");
	is_int(b.nelements, 4, "05: four elements");
	is_int(b.nevents, 4, "05: four events");
	ok(parse_fixture("07_batch.ndjson", &c) == 0, "07: NDJSON parses");
	is_int(c.nevents, 4, "07: four events");
	for (i = 0; i < b.nevents && i < c.nevents; i++)
		same &= memcmp(b.events[i].dedupe_key, c.events[i].dedupe_key,
		    EVENT_KEY_LEN) == 0;
	ok(same && b.nevents == c.nevents, "05 and 07: same events, same keys");
	if (b.nevents == 4) {
		is_int(b.events[2].status, EVENT_STATUS_FAILURE, "05: third fails");
		is_str(b.events[2].error_class, "InternalServerError",
		    "05: error class");
		is_str(b.events[2].agent, NULL, "05: failure without X-Agent");
		is_int(NUM(&b.events[3], EV_CACHE_READ_TOKENS), 10240,
		    "05: cache reads of the Anthropic event");
	}
	event_batch_release(&b);
	event_batch_release(&c);

	ok(parse_fixture("09_batch_with_null_entry.json", &b) == 0, "09: parses");
	is_int(b.nelements, 3, "09: three elements");
	is_int(b.nevents, 2, "09: two events");
	is_int(b.rejected[REJECT_NULL_EVENT], 1, "09: the null is rejected");
	is_int(b.notes[0].index, 1, "09: at index 1");
	event_batch_release(&b);

	ok(parse_fixture("10_single_format_one_event.json", &b) == 0 &&
	    b.nevents == 1, "10: single format");
	if (b.nevents == 1)
		is_str(b.events[0].litellm_id,
		    "chatcmpl-BQ3x9Kp2nY7vZ1aTq8LmE4rW6sUd0", "10: id");
	event_batch_release(&b);

	ok(parse_fixture("08_failure_proxy_auth_401.json", &b) == 0 &&
	    b.nevents == 1, "08: proxy failure parses");
	if (b.nevents == 1) {
		ok(!b.events[0].has_token, "08: no headers, no token");
		is_str(b.events[0].error_code, "401", "08: error code");
		is_str(b.events[0].error_class, "ProxyException", "08: class");
		is_str(b.events[0].provider, NULL, "08: no provider");
		is_str(b.events[0].model_group, NULL, "08: empty model_group -> NULL");
		is_str(b.events[0].deployment, NULL, "08: model_id \"\" -> NULL");
		is_str(b.events[0].api_host, NULL, "08: api_base \"\" -> NULL");
		ok(b.events[0].key_alias == NULL &&
		    b.events[0].team_alias == NULL &&
		    b.events[0].org_alias == NULL, "08: aliases null -> NULL");
		is_str(b.events[0].price_key, NULL, "08: no price entry");
		is_int(b.warnings, 0, "08: no warning");
	}
	event_batch_release(&b);
}

static void
test_real_captures(void)
{
	struct event_batch	 b;
	struct usage_event	*e;

	ok(parse_fixture("real-1.81.13/batch1.json", &b) == 0, "real 1: parses");
	is_int(b.nevents, 2, "real 1: two events");
	if (b.nevents == 2) {
		e = &b.events[0];
		ok(hash_is(e, "trk_test123"), "real 1: event 0 token trk_test123");
		is_str(e->department, "engineering", "real 1: department");
		is_int(NUM(e, EV_LITELLM_COST), 960000000, "real 1: cost 0.00096");
		is_int(NUM(e, EV_START_US), 1795753587369350LL, "real 1: start");
		is_int(NUM(e, EV_LATENCY_US), 1795753587449166LL -
		    1795753587369350LL, "real 1: latency");
		ok(!b.events[1].has_token, "real 1: event 1 sent no headers");
		is_str(b.events[1].model, "openai/claude-sonnet-4", "real 1: model");
		is_str(e->deployment, DEPLOY_GPT4, "real 1: deployment");
		is_str(e->api_host, "127.0.0.1:8100", "real 1: api_host with its "
		    "port");
		is_str(e->price_key, "gpt-4", "real 1: price entry");
		is_int(e->cache_hit, CACHE_HIT_UNKNOWN, "real 1: cache_hit null");
		is_int(NUM(e, EV_CB_INPUT_COST), 360000000, "real 1: "
		    "cost_breakdown input_cost 0.00036");
		is_int(NUM(e, EV_CB_OUTPUT_COST), 600000000, "real 1: "
		    "cost_breakdown output_cost 0.0006000000000000001");
		is_int(NUM(&b.events[1], EV_CB_INPUT_COST), 0, "real 1: a custom "
		    "price's breakdown of 0.0 is 0");
		is_str(b.events[1].price_key, "claude-sonnet-4", "real 1: price "
		    "entry of the custom price");
		ok(e->key_alias == NULL && e->team_alias == NULL,
		    "real 1: a key without aliases");
		is_int(b.warnings, 0, "real 1: no warning");
	}
	event_batch_release(&b);

	ok(parse_fixture("real-1.81.13/batch2.json", &b) == 0, "real 2: parses");
	is_int(b.nevents, 4, "real 2: four events");
	if (b.nevents == 4) {
		is_int(b.events[0].stream, 1, "real 2: stream");
		is_int(NUM(&b.events[0], EV_TTFT_US), 1795753602993079LL -
		    1795753602963279LL, "real 2: TTFT");
		is_int(NUM(&b.events[2], EV_LITELLM_COST), 120000, "real 2: embedding cost");
		is_str(b.events[3].error_code, "429", "real 2: failure code");
		ok(hash_is(&b.events[3], "trk_test123"), "real 2: failure token");
		is_int(b.events[0].cache_hit, CACHE_HIT_NO, "real 2: cache_hit "
		    "false");
		ok(!EVENT_HAS(&b.events[0], EV_SAVED_CACHE_COST), "real 2: "
		    "saved_cache_cost 0.0 of a miss -> absent");
		is_int(b.events[2].cache_hit, CACHE_HIT_UNKNOWN, "real 2: the "
		    "embedding's cache_hit null");
		is_int(b.events[3].cache_hit, CACHE_HIT_NO, "real 2: failure: "
		    "cache_hit false");
		ok(!EVENT_HAS(&b.events[3], EV_CB_INPUT_COST), "real 2: failure: "
		    "cost_breakdown null");
		is_str(b.events[3].deployment, DEPLOY_FAIL, "real 2: failure: "
		    "deployment from the top level (hidden_params.model_id null)");
		is_str(b.events[3].api_host, "127.0.0.1:8100", "real 2: failure: "
		    "api_host");
		is_str(b.events[3].price_key, NULL, "real 2: failure: no price "
		    "entry");
		is_int(b.warnings, 0, "real 2: no warning");
	}
	event_batch_release(&b);
}

/* Fixture 01 as a json-c tree, to mutate. */
static struct json_object *
base_event(void)
{
	size_t			 len;
	char			*body = slurp("01_success_openai_gpt4_nonstream.json",
				    &len);
	struct json_object	*o = json_tokener_parse(body), *arr;

	free(body);
	if (o != NULL && json_object_is_type(o, json_type_array)) {
		arr = o;
		o = json_object_get(json_object_array_get_idx(arr, 0));
		json_object_put(arr);
	}
	return o;
}

static struct json_object *
meta(struct json_object *ev)
{
	struct json_object	*m = NULL;

	json_object_object_get_ex(ev, "metadata", &m);
	return m;
}

static struct json_object *
custom_headers(struct json_object *ev)
{
	struct json_object	*h = NULL;

	json_object_object_get_ex(meta(ev), "requester_custom_headers", &h);
	return h;
}

/* Parses one event object (consumed) as a one-element array. */
static int
parse_obj(struct json_object *ev, const struct webhook_headers *wh,
    struct event_batch *b, struct llmops_err *err)
{
	struct json_object	*arr = json_object_new_array();
	const char		*s;
	int			 rc;

	json_object_array_add(arr, ev);
	s = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
	rc = parse(s, strlen(s), wh, NULL, b, err);
	json_object_put(arr);
	return rc;
}

static void
test_token_carriers(void)
{
	struct webhook_headers	 wh = { "trk_webhook_token_1", "ops", NULL, NULL };
	struct event_batch	 b;
	struct llmops_err	 err;
	struct json_object	*ev, *rm, *hd, *tags;

	/* Per-event header beats the webhook header. */
	ev = base_event();
	parse_obj(ev, &wh, &b, &err);
	ok(b.nevents == 1 && hash_is(&b.events[0], "trk_live_7f3c9a2b1e5d4c8a"),
	    "event header wins over the webhook header");
	is_str(b.nevents ? b.events[0].department : NULL, "engineering",
	    "event department wins over the webhook's");
	event_batch_release(&b);

	/* Without per-event headers the webhook header applies to the event. */
	ev = base_event();
	json_object_object_add(meta(ev), "requester_custom_headers", NULL);
	parse_obj(ev, &wh, &b, &err);
	ok(b.nevents == 1 && hash_is(&b.events[0], "trk_webhook_token_1"),
	    "webhook X-Cloudidr-Token when the event has none");
	is_int(b.nevents ? (int)b.events[0].token_source : -1,
	    TOKEN_SOURCE_WEBHOOK_HEADER, "source: webhook header");
	is_str(b.nevents ? b.events[0].department : NULL, "ops",
	    "webhook X-Department");
	is_str(b.nevents ? b.events[0].team : NULL, NULL, "no team anywhere: NULL");
	event_batch_release(&b);

	/* requester_metadata.headers (LiteLLM 1.81.13), case-insensitive names. */
	ev = base_event();
	json_object_object_add(meta(ev), "requester_custom_headers", NULL);
	rm = json_object_new_object();
	hd = json_object_new_object();
	json_object_object_add(hd, "X-Cloudidr-Token",
	    json_object_new_string("trk_from_metadata_1"));
	json_object_object_add(hd, "x-team", json_object_new_string("  core  "));
	json_object_object_add(rm, "headers", hd);
	json_object_object_add(meta(ev), "requester_metadata", rm);
	parse_obj(ev, NULL, &b, &err);
	ok(b.nevents == 1 && hash_is(&b.events[0], "trk_from_metadata_1"),
	    "token from requester_metadata.headers");
	is_str(b.nevents ? b.events[0].team : NULL, "core", "team trimmed");
	event_batch_release(&b);

	/* request_tags "x-cloudidr-token: VALUE" (extra_spend_tag_headers). */
	ev = base_event();
	json_object_object_add(meta(ev), "requester_custom_headers",
	    json_object_new_object());
	tags = json_object_new_array();
	json_object_array_add(tags, json_object_new_string("User-Agent: curl"));
	json_object_array_add(tags, json_object_new_string(
	    "x-cloudidr-token: trk_from_tags_123"));
	json_object_array_add(tags, json_object_new_string(
	    "x-department: Recherche & D\xc3\x83\xc2\xa9veloppement"));
	json_object_object_add(ev, "request_tags", tags);
	parse_obj(ev, NULL, &b, &err);
	ok(b.nevents == 1 && hash_is(&b.events[0], "trk_from_tags_123"),
	    "token from request_tags, value trimmed");
	is_int(b.nevents ? (int)b.events[0].token_source : -1,
	    TOKEN_SOURCE_REQUEST_TAGS, "source: request_tags");
	is_str(b.nevents ? b.events[0].department : NULL,
	    "Recherche & D\xc3\xa9veloppement", "mojibake department repaired");
	event_batch_release(&b);

	/* Blank values count as absent; no token anywhere -> kept, no token. */
	ev = base_event();
	json_object_object_add(custom_headers(ev), "x-cloudidr-token",
	    json_object_new_string("   "));
	json_object_object_add(custom_headers(ev), "x-department",
	    json_object_new_string(""));
	parse_obj(ev, NULL, &b, &err);
	ok(b.nevents == 1 && !b.events[0].has_token, "blank token is no token");
	is_str(b.nevents ? b.events[0].department : NULL, NULL,
	    "empty department is untagged (NULL)");
	event_batch_release(&b);
}

static void
test_labels_capped(void)
{
	struct litellm_limits	 l = lim;
	struct event_batch	 b;
	struct llmops_err	 err;
	struct json_object	*ev = base_event(), *arr;
	const char		*s;

	l.max_label_chars = 4;
	json_object_object_add(custom_headers(ev), "x-agent",
	    json_object_new_string("\xc3\xa9t\xc3\xa9-summarizer"));
	arr = json_object_new_array();
	json_object_array_add(arr, ev);
	s = json_object_to_json_string(arr);
	parse(s, strlen(s), NULL, &l, &b, &err);
	is_str(b.nevents ? b.events[0].agent : NULL, "\xc3\xa9t\xc3\xa9-",
	    "agent cut to max_label_chars characters, not bytes");
	event_batch_release(&b);
	json_object_put(arr);
}

/*
 * One mutation of a field. Before issue 10 those with `warned` rejected
 * the event as invalid_field; now the event is stored, the field is
 * unknown (or cut) and the batch counts a warning that names the field.
 */
struct mutation {
	const char	*name;
	const char	*key;
	const char	*json;		/* new value, NULL for the long id */
	int		 warned;
	int		 num;		/* enum event_num left unknown, or -1 */
};

/* The string field a mutation of key leaves, to check it. */
static const char *
str_field(const struct usage_event *e, const char *key)
{
	if (strcmp(key, "id") == 0)
		return e->litellm_id;
	if (strcmp(key, "model") == 0)
		return e->model;
	return "";
}

static void
test_field_types(void)
{
	static const struct mutation muts[] = {
		{ "tokens as a string", "prompt_tokens", "\"56\"", 1,
		    EV_PROMPT_TOKENS },
		{ "negative tokens", "completion_tokens", "-1", 1,
		    EV_COMPLETION_TOKENS },
		{ "fractional tokens", "total_tokens", "2.5", 1,
		    EV_TOTAL_TOKENS },
		{ "tokens past LIMIT_EVENT_TOKENS_MAX", "total_tokens",
		    "100000001", 1, EV_TOTAL_TOKENS },
		{ "tokens past 2^64", "total_tokens", "99999999999999999999", 1,
		    EV_TOTAL_TOKENS },
		{ "stream as a string", "stream", "\"yes\"", 1, -1 },
		{ "id as a number", "id", "12", 1, -1 },
		{ "id too long", "id", NULL, 1, -1 },	/* filled below */
		{ "model with a NUL", "model", "\"gpt\\u0000x\"", 1, -1 },
		{ "lone surrogate (json-c makes it U+FFFD)", "model",
		    "\"gpt\\ud800\"", 0, -1 },
		{ "metadata as a string", "metadata", "\"x\"", 1, -1 },
		{ "status as a number", "status", "1", 1, -1 },
		{ "negative cost", "response_cost", "-0.5", 1, EV_LITELLM_COST },
		{ "cost as a string", "response_cost", "\"0.1\"", 1,
		    EV_LITELLM_COST },
		{ "cost past LIMIT_COST_USD_MAX", "response_cost", "100000.01",
		    1, EV_LITELLM_COST },
		{ "start time as a string", "startTime", "\"now\"", 1,
		    EV_START_US },
		{ "start time negative", "startTime", "-5", 1, EV_START_US },
		{ "start time in 1999", "startTime", "946684799.9", 1,
		    EV_START_US },
		{ "start time in year 3000", "startTime", "32503680000", 1,
		    EV_START_US },
		{ "end time in year 2200 (the rollup overflow)", "endTime",
		    "7258118399", 1, EV_END_US },
		{ "end time a day and a second after receipt", "endTime",
		    "1800086401", 1, EV_END_US },
		{ "NaN cost is unknown", "response_cost", "NaN", 0,
		    EV_LITELLM_COST },
		{ "Infinity end time is unknown", "endTime", "Infinity", 0,
		    EV_END_US },
		{ "unknown status kept as unknown", "status", "\"partial\"", 0,
		    -1 },
		{ "tokens as an integral float", "prompt_tokens", "56.0", 0, -1 },
	};
	char			 longid[300];
	struct event_batch	 b;
	struct llmops_err	 err;
	struct json_object	*ev, *v;
	const char		*str;
	size_t			 i;

	memset(longid, 'a', sizeof(longid));
	longid[0] = '"';
	longid[LIMIT_ID_BYTES + 2] = '"';
	longid[LIMIT_ID_BYTES + 3] = '\0';
	for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		ev = base_event();
		v = json_tokener_parse(muts[i].json ? muts[i].json : longid);
		ok(v != NULL, "%s: mutation built", muts[i].name);
		json_object_object_add(ev, muts[i].key, v);
		parse_obj(ev, NULL, &b, &err);
		is_int(b.nevents, 1, "%s: stored", muts[i].name);
		is_int(b.nrejected, 0, "%s: nothing rejected", muts[i].name);
		if (muts[i].warned) {
			ok(b.warnings >= 1 && b.warned_events == 1,
			    "%s: warned", muts[i].name);
			ok(b.nwarn_notes == 1 &&
			    strstr(b.warn_notes[0].why, muts[i].key),
			    "%s: warning names the field", muts[i].name);
		} else
			is_int(b.warnings, 0, "%s: no warning", muts[i].name);
		if (b.nevents == 1 && muts[i].num >= 0)
			ok(!EVENT_HAS(&b.events[0], muts[i].num),
			    "%s: stored as unknown", muts[i].name);
		/* Whatever was mutated, the latency stays plausible. */
		if (b.nevents == 1)
			ok(NUM(&b.events[0], EV_LATENCY_US) <=
			    LIMIT_EVENT_LATENCY_US_MAX, "%s: latency at most a "
			    "day", muts[i].name);
		if (b.nevents == 1 && muts[i].warned && muts[i].num < 0 &&
		    (str = str_field(&b.events[0], muts[i].key)) != NULL &&
		    *str != '\0')
			is_int(strlen(str), LIMIT_ID_BYTES,
			    "%s: cut to %d bytes", muts[i].name, LIMIT_ID_BYTES);
		event_batch_release(&b);
	}

	/* The accepted cases above, checked for what they store. */
	ev = base_event();
	json_object_object_add(ev, "response_cost", json_tokener_parse("NaN"));
	json_object_object_add(ev, "status", json_object_new_string("partial"));
	parse_obj(ev, NULL, &b, &err);
	ok(b.nevents == 1 && !EVENT_HAS(&b.events[0], EV_LITELLM_COST),
	    "NaN cost stored as NULL, not 0");
	ok(b.nevents == 1 && b.events[0].status == EVENT_STATUS_UNKNOWN,
	    "unknown status stored as NULL");
	event_batch_release(&b);

	ev = base_event();
	json_object_object_del(ev, "id");
	json_object_object_del(ev, "trace_id");
	json_object_object_del(ev, "startTime");
	parse_obj(ev, NULL, &b, &err);
	is_int(b.rejected[REJECT_NO_IDENTITY], 1, "no id, trace_id or startTime: "
	    "rejected");
	event_batch_release(&b);

	/* Every field optional: an event with only an id is stored. */
	parse("{\"id\": \"only-an-id\"}", 21, NULL, NULL, &b, &err);
	ok(b.nevents == 1 && b.events[0].present == 0 &&
	    b.events[0].model == NULL, "an event with only an id parses");
	event_batch_release(&b);

	/* Top-level counts missing: taken from metadata.usage_object. */
	ev = base_event();
	json_object_object_del(ev, "prompt_tokens");
	parse_obj(ev, NULL, &b, &err);
	is_int(b.nevents ? NUM(&b.events[0], EV_PROMPT_TOKENS) : -2, 56,
	    "prompt_tokens from usage_object when missing at the top");
	event_batch_release(&b);
}

/*
 * Fields that cannot be stored whole are cut and flagged, the event kept
 * (before issue 10 an over-long model rejected it as invalid_field).
 */
static void
test_cut_and_flagged(void)
{
	struct event_batch	 b;
	struct llmops_err	 err;
	struct json_object	*ev, *arr;
	char			*big, *body;
	const char		*s;
	size_t			 i, n = 1024 * 1024;

	/* A 300-byte model of 2-byte characters: cut to 254 bytes. */
	big = malloc(n + 1);
	for (i = 0; i < 300; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[300] = '\0';
	ev = base_event();
	json_object_object_add(ev, "model", json_object_new_string(big));
	parse_obj(ev, NULL, &b, &err);
	is_int(b.nevents, 1, "300-byte model: event kept");
	ok(b.nevents == 1 && b.events[0].model != NULL &&
	    strlen(b.events[0].model) == 254 &&
	    memcmp(b.events[0].model, big, 254) == 0,
	    "300-byte model: cut to 254 bytes, at a character boundary");
	ok(b.warnings == 1 && strstr(b.warn_notes[0].why, "model"),
	    "300-byte model: one warning naming the field");
	event_batch_release(&b);

	/* A 1 MB label: cut to max_label_chars and flagged. */
	memset(big, 'x', n);
	big[n] = '\0';
	ev = base_event();
	json_object_object_add(custom_headers(ev), "x-team",
	    json_object_new_string(big));
	parse_obj(ev, NULL, &b, &err);
	is_int(b.nevents, 1, "1 MB label: event kept");
	ok(b.nevents == 1 && b.events[0].team != NULL &&
	    strlen(b.events[0].team) == lim.max_label_chars,
	    "1 MB label: cut to max_label_chars");
	ok(b.warnings == 1 && strstr(b.warn_notes[0].why, "x-team"),
	    "1 MB label: flagged");
	event_batch_release(&b);

	/* A 1 MB token: kept as a token no organization has. */
	ev = base_event();
	json_object_object_add(custom_headers(ev), "x-cloudidr-token",
	    json_object_new_string(big));
	parse_obj(ev, NULL, &b, &err);
	ok(b.nevents == 1 && b.events[0].has_token &&
	    !hash_is(&b.events[0], "trk_test123"),
	    "1 MB token: the event is kept for the token check to refuse");
	event_batch_release(&b);

	/* \u0000 inside a label is a space like the other controls. */
	ev = base_event();
	json_object_object_add(custom_headers(ev), "x-agent",
	    json_object_new_string_len("sum\0mary\tbot", 12));
	parse_obj(ev, NULL, &b, &err);
	is_str(b.nevents ? b.events[0].agent : NULL, "sum mary bot",
	    "\\u0000 in a label becomes a space");
	is_int(b.warnings, 0, "\\u0000 in a label: no warning");
	event_batch_release(&b);

	/* Two 300-byte ids that differ after byte 255: two events. */
	memset(big, 'i', 300);
	big[300] = '\0';
	arr = json_object_new_array();
	for (i = 0; i < 2; i++) {
		ev = base_event();
		big[280] = (char)('a' + i);
		json_object_object_add(ev, "id", json_object_new_string(big));
		json_object_array_add(arr, ev);
	}
	s = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
	parse(s, strlen(s), NULL, NULL, &b, &err);
	ok(b.nevents == 2 && strlen(b.events[0].litellm_id) == LIMIT_ID_BYTES &&
	    memcmp(b.events[0].dedupe_key, b.events[1].dedupe_key,
	    EVENT_KEY_LEN) != 0, "long ids: stored cut, deduplicated whole");
	is_int(b.warned_events, 2, "long ids: both flagged");
	event_batch_release(&b);
	json_object_put(arr);

	/* Content is skipped unread, however it nests (within the limit). */
	body = malloc(4096);
	i = (size_t)snprintf(body, 4096, "[{\"id\":\"c\",\"messages\":");
	for (n = 0; n < 60; n++)
		body[i++] = '[';
	body[i++] = '1';
	for (n = 0; n < 60; n++)
		body[i++] = ']';
	snprintf(body + i, 4096 - i, ",\"model\":\"m\"}]");
	ok(parse(body, strlen(body), NULL, NULL, &b, &err) == 0 &&
	    b.nevents == 1 && b.events[0].model != NULL,
	    "60-deep content skipped, the event read");
	event_batch_release(&b);
	free(body);
	free(big);
}

/*
 * ev with parent.key (key at the top level when parent is NULL) set to
 * the JSON text json, or deleted when json is NULL; a missing or
 * non-object parent becomes an object first.
 */
static struct json_object *
with(struct json_object *ev, const char *parent, const char *key,
    const char *json)
{
	struct json_object	*o = ev;

	if (parent != NULL && (!json_object_object_get_ex(ev, parent, &o) ||
	    o == NULL || !json_object_is_type(o, json_type_object))) {
		o = json_object_new_object();
		json_object_object_add(ev, parent, o);
	}
	if (json == NULL)
		json_object_object_del(o, key);
	else
		json_object_object_add(o, key, json_tokener_parse(json));
	return ev;
}

/* Parses ev (consumed) into b: its one event, or NULL. */
static struct usage_event *
reduce(struct json_object *ev, struct event_batch *b)
{
	struct llmops_err	err;

	parse_obj(ev, NULL, b, &err);
	return b->nevents == 1 && b->nrejected == 0 ? &b->events[0] : NULL;
}

/* One warning, naming field. */
static int
warned_once(const struct event_batch *b, const char *field)
{
	return b->warnings == 1 && b->nwarn_notes == 1 &&
	    strstr(b->warn_notes[0].why, field) != NULL;
}

#define S(e, f)		((e) != NULL ? (e)->f : "(no event)")
#define N(e, f)		((e) != NULL ? NUM(e, f) : -2)

static void
test_cache_and_costs(void)
{
	static const struct {
		const char	*name, *parent, *key, *json, *warn;
		int		 num;
	} bad[] = {
		{ "saved_cache_cost as a string", NULL, "saved_cache_cost",
		    "\"0.1\"", "saved_cache_cost", EV_SAVED_CACHE_COST },
		{ "negative saved_cache_cost", NULL, "saved_cache_cost", "-0.5",
		    "saved_cache_cost", EV_SAVED_CACHE_COST },
		{ "saved_cache_cost past LIMIT_COST_USD_MAX", NULL,
		    "saved_cache_cost", "100000.01", "saved_cache_cost",
		    EV_SAVED_CACHE_COST },
		{ "cost_breakdown as a string", NULL, "cost_breakdown",
		    "\"0.1\"", "cost_breakdown", EV_CB_INPUT_COST },
		{ "cost_breakdown as an array", NULL, "cost_breakdown", "[1]",
		    "cost_breakdown", EV_CB_OUTPUT_COST },
		{ "negative input_cost", "cost_breakdown", "input_cost", "-0.1",
		    "cost_breakdown input_cost", EV_CB_INPUT_COST },
		{ "output_cost as a string", "cost_breakdown", "output_cost",
		    "\"1\"", "cost_breakdown output_cost", EV_CB_OUTPUT_COST },
		{ "tool_usage_cost past LIMIT_COST_USD_MAX", "cost_breakdown",
		    "tool_usage_cost", "100000.01",
		    "cost_breakdown tool_usage_cost", EV_CB_TOOL_COST },
		{ "cache_read_cost as an object", "cost_breakdown",
		    "cache_read_cost", "{}", "cost_breakdown cache_read_cost",
		    EV_CB_CACHE_READ_COST },
	};
	struct event_batch	 b;
	struct usage_event	*e;
	struct json_object	*ev;
	size_t			 i;

	/* A cache hit: true, the saving, and a breakdown of every part. */
	ev = with(base_event(), NULL, "cache_hit", "true");
	with(ev, NULL, "saved_cache_cost", "0.0123");
	with(ev, NULL, "cost_breakdown", "{\"input_cost\": 0.001, "
	    "\"output_cost\": 0.002, \"total_cost\": 0.0105, "
	    "\"cache_read_cost\": 0.003, \"cache_creation_cost\": 0.004, "
	    "\"reasoning_cost\": 0.0005, \"tool_usage_cost\": 1e-3, "
	    "\"original_cost\": 0.5, \"discount_amount\": -0.1, "
	    "\"additional_costs\": {\"x\": 1}}");
	e = reduce(ev, &b);
	is_int(e != NULL ? (int)e->cache_hit : -1, CACHE_HIT_YES, "cache_hit true");
	is_int(N(e, EV_SAVED_CACHE_COST), 12300000000LL, "saved_cache_cost "
	    "0.0123 of a hit");
	is_int(N(e, EV_CB_INPUT_COST), 1000000000LL, "cost_breakdown input_cost");
	is_int(N(e, EV_CB_OUTPUT_COST), 2000000000LL, "cost_breakdown "
	    "output_cost");
	is_int(N(e, EV_CB_CACHE_READ_COST), 3000000000LL, "cost_breakdown "
	    "cache_read_cost");
	is_int(N(e, EV_CB_CACHE_WRITE_COST), 4000000000LL, "cost_breakdown "
	    "cache_creation_cost");
	is_int(N(e, EV_CB_REASONING_COST), 500000000LL, "cost_breakdown "
	    "reasoning_cost");
	is_int(N(e, EV_CB_TOOL_COST), 1000000000LL, "cost_breakdown "
	    "tool_usage_cost 1e-3");
	is_int(b.warnings, 0, "a full breakdown: no warning (the members we do "
	    "not store, a negative discount among them, are not read)");
	event_batch_release(&b);

	/* 0 is a saving only on a hit. */
	ev = with(base_event(), NULL, "cache_hit", "true");
	e = reduce(with(ev, NULL, "saved_cache_cost", "0.0"), &b);
	is_int(N(e, EV_SAVED_CACHE_COST), 0, "a hit that saved 0.0: 0");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "cache_hit", "false");
	e = reduce(with(ev, NULL, "saved_cache_cost", "0"), &b);
	is_int(e != NULL ? (int)e->cache_hit : -1, CACHE_HIT_NO, "cache_hit false");
	is_int(N(e, EV_SAVED_CACHE_COST), -1, "a miss's saved_cache_cost 0: "
	    "absent");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "cache_hit", "false");
	e = reduce(with(ev, NULL, "saved_cache_cost", "0.25"), &b);
	is_int(N(e, EV_SAVED_CACHE_COST), 250000000000LL, "a saving reported "
	    "without a hit is kept as sent");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "cache_hit", NULL);
	e = reduce(with(ev, NULL, "saved_cache_cost", NULL), &b);
	ok(e != NULL && e->cache_hit == CACHE_HIT_UNKNOWN &&
	    !EVENT_HAS(e, EV_SAVED_CACHE_COST) && b.warnings == 0,
	    "cache_hit and saved_cache_cost absent: unknown, no warning");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "cache_hit", "true");
	e = reduce(with(ev, NULL, "saved_cache_cost", "NaN"), &b);
	ok(e != NULL && !EVENT_HAS(e, EV_SAVED_CACHE_COST) && b.warnings == 0,
	    "saved_cache_cost NaN: absent, no warning (as response_cost)");
	event_batch_release(&b);

	/* cache_hit of another type: unknown, warned, the event kept. */
	e = reduce(with(base_event(), NULL, "cache_hit", "\"yes\""), &b);
	ok(e != NULL && e->cache_hit == CACHE_HIT_UNKNOWN, "cache_hit "
	    "\"yes\": unknown, event kept");
	ok(warned_once(&b, "cache_hit"), "cache_hit \"yes\": warned");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "cache_hit", "1");
	e = reduce(with(ev, NULL, "saved_cache_cost", "0.0"), &b);
	ok(e != NULL && e->cache_hit == CACHE_HIT_UNKNOWN &&
	    !EVENT_HAS(e, EV_SAVED_CACHE_COST), "cache_hit 1: unknown, and its "
	    "saved_cache_cost 0.0 absent");
	ok(warned_once(&b, "cache_hit"), "cache_hit 1: warned");
	event_batch_release(&b);

	/* Each of the wrong ones alone: unknown, warned, nothing else lost. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ev = with(base_event(), NULL, "cache_hit", "true");
		with(ev, NULL, "saved_cache_cost", "0.01");
		e = reduce(with(ev, bad[i].parent, bad[i].key, bad[i].json),
		    &b);
		ok(e != NULL && !EVENT_HAS(e, bad[i].num), "%s: event kept, "
		    "field unknown", bad[i].name);
		ok(warned_once(&b, bad[i].warn), "%s: one warning naming it",
		    bad[i].name);
		/* Fixture 01 sends input, output and tool_usage costs. */
		if (e != NULL && bad[i].parent != NULL)
			is_int(EVENT_HAS(e, EV_CB_INPUT_COST) +
			    EVENT_HAS(e, EV_CB_OUTPUT_COST) +
			    EVENT_HAS(e, EV_CB_TOOL_COST),
			    bad[i].num == EV_CB_CACHE_READ_COST ? 3 : 2,
			    "%s: the other members kept", bad[i].name);
		event_batch_release(&b);
	}

	/* Members null or absent stay absent. */
	ev = with(base_event(), "cost_breakdown", "input_cost", "null");
	e = reduce(with(ev, "cost_breakdown", "output_cost", NULL), &b);
	ok(e != NULL && !EVENT_HAS(e, EV_CB_INPUT_COST) &&
	    !EVENT_HAS(e, EV_CB_OUTPUT_COST) && EVENT_HAS(e, EV_CB_TOOL_COST) &&
	    b.warnings == 0, "cost_breakdown members null or absent: absent, "
	    "no warning");
	event_batch_release(&b);
}

static void
test_routing_labels(void)
{
	char			 big[400], json[420], longer[103];
	struct litellm_limits	 l = lim;
	struct event_batch	 b;
	struct llmops_err	 err;
	struct usage_event	*e;
	struct json_object	*ev, *arr;
	const char		*s;

	/* model_id: top level, else hidden_params; "" is none. */
	e = reduce(with(base_event(), NULL, "model_id", NULL), &b);
	is_str(S(e, deployment), DEPLOY_01, "model_id absent: hidden_params."
	    "model_id");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "model_id", "\"\"");
	e = reduce(with(ev, "hidden_params", "model_id", "\"dep-hidden\""), &b);
	is_str(S(e, deployment), "dep-hidden", "model_id \"\": hidden_params."
	    "model_id");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "model_id", "\"\"");
	e = reduce(with(ev, "hidden_params", "model_id", "\"\""), &b);
	ok(e != NULL && e->deployment == NULL && b.warnings == 0,
	    "model_id \"\" everywhere: NULL, no warning");
	event_batch_release(&b);
	e = reduce(with(base_event(), NULL, "model_id", "12"), &b);
	is_str(S(e, deployment), DEPLOY_01, "model_id 12: warned, "
	    "hidden_params.model_id used");
	ok(warned_once(&b, "model_id"), "model_id 12: warned");
	event_batch_release(&b);
	memset(big, 'd', 300);
	big[300] = '\0';
	snprintf(json, sizeof(json), "\"%s\"", big);
	e = reduce(with(base_event(), NULL, "model_id", json), &b);
	ok(e != NULL && e->deployment != NULL &&
	    strlen(e->deployment) == LIMIT_MODEL_BYTES, "300-byte model_id: "
	    "cut to LIMIT_MODEL_BYTES");
	ok(warned_once(&b, "model_id"), "300-byte model_id: warned");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "model_id", NULL);
	e = reduce(with(ev, NULL, "hidden_params", "\"x\""), &b);
	ok(e != NULL && e->deployment == NULL && e->api_host != NULL,
	    "hidden_params a string: no deployment from it, api_base still "
	    "read");
	ok(warned_once(&b, "hidden_params"), "hidden_params a string: warned");
	event_batch_release(&b);

	/* model_map_information.model_map_key. */
	e = reduce(with(base_event(), "model_map_information", "model_map_key",
	    "null"), &b);
	ok(e != NULL && e->price_key == NULL && b.warnings == 0,
	    "model_map_key null: NULL, no warning");
	event_batch_release(&b);
	e = reduce(with(base_event(), NULL, "model_map_information", "null"),
	    &b);
	ok(e != NULL && e->price_key == NULL && b.warnings == 0,
	    "model_map_information null: NULL, no warning");
	event_batch_release(&b);
	e = reduce(with(base_event(), NULL, "model_map_information", "\"\""),
	    &b);
	ok(e != NULL && e->price_key == NULL, "model_map_information \"\": "
	    "NULL");
	ok(warned_once(&b, "model_map_information"), "model_map_information "
	    "not an object: warned");
	event_batch_release(&b);
	e = reduce(with(base_event(), "model_map_information", "model_map_key",
	    "[]"), &b);
	ok(e != NULL && e->price_key == NULL && warned_once(&b,
	    "model_map_key"), "model_map_key an array: NULL, warned");
	event_batch_release(&b);

	/* The aliases are labels: cleaned, cut to max_label_chars. */
	ev = with(base_event(), "metadata", "user_api_key_org_alias",
	    "\"acme-org\"");
	with(ev, "metadata", "user_api_key_team_alias",
	    "\"  ops\\tteam\\u0000 \"");
	e = reduce(ev, &b);
	is_str(S(e, org_alias), "acme-org", "org alias");
	is_str(S(e, team_alias), "ops team", "team alias cleaned like a "
	    "header label");
	is_int(b.warnings, 0, "aliases: no warning");
	event_batch_release(&b);
	e = reduce(with(base_event(), "metadata", "user_api_key_alias", "12"),
	    &b);
	ok(e != NULL && e->key_alias == NULL && e->team_alias != NULL,
	    "key alias 12: NULL, the others kept");
	ok(warned_once(&b, "user_api_key_alias"), "key alias 12: warned");
	event_batch_release(&b);
	e = reduce(with(base_event(), "metadata", "user_api_key_team_alias",
	    "\"   \""), &b);
	ok(e != NULL && e->team_alias == NULL && b.warnings == 0,
	    "a blank alias: NULL, no warning");
	event_batch_release(&b);
	l.max_label_chars = 4;
	ev = with(base_event(), "metadata", "user_api_key_alias",
	    "\"\\u00e9t\\u00e9-key\"");
	arr = json_object_new_array();
	json_object_array_add(arr, ev);
	s = json_object_to_json_string(arr);
	parse(s, strlen(s), NULL, &l, &b, &err);
	is_str(b.nevents ? b.events[0].key_alias : NULL, "\xc3\xa9t\xc3\xa9-",
	    "key alias cut to max_label_chars characters");
	ok(b.warnings >= 1 && strstr(b.warn_notes[0].why, "user_api_key_alias"),
	    "key alias cut: warned");
	event_batch_release(&b);
	json_object_put(arr);
	/* And to LIMIT_ALIAS_CHARS whatever max_label_chars allows. */
	l.max_label_chars = 128;
	memset(longer, 'a', sizeof(longer) - 1);
	longer[0] = longer[sizeof(longer) - 2] = '"';
	longer[sizeof(longer) - 1] = '\0';
	ev = with(base_event(), "metadata", "user_api_key_org_alias", longer);
	arr = json_object_new_array();
	json_object_array_add(arr, ev);
	s = json_object_to_json_string(arr);
	parse(s, strlen(s), NULL, &l, &b, &err);
	is_int(b.nevents && b.events[0].org_alias ?
	    strlen(b.events[0].org_alias) : 0, LIMIT_ALIAS_CHARS,
	    "an alias of 100 characters cut to %d with max_label_chars 128",
	    LIMIT_ALIAS_CHARS);
	event_batch_release(&b);
	json_object_put(arr);
}

static void
test_api_base(void)
{
	static const struct {
		const char	*name, *json, *host;
		int		 warned;
	} cases[] = {
		{ "IPv6 literal with a port", "\"http://[2001:DB8::1]:4000/v1\"",
		    "[2001:db8::1]:4000", 0 },
		{ "upper-case host", "\"HTTPS://API.OpenAI.COM/V1\"",
		    "api.openai.com", 0 },
		{ "a port", "\"http://LOCALHOST:4000\"", "localhost:4000", 0 },
		{ "a query and fragment", "\"https://r.openai.azure.com/openai?"
		    "api-version=1&key=CANARY-query#CANARY-frag\"",
		    "r.openai.azure.com", 0 },
		{ "no scheme", "\"api.openai.com/v1\"", NULL, 1 },
		{ "a port out of range", "\"http://h:70000/\"", NULL, 1 },
		{ "a user part with a '/'", "\"https://u:1/CANARY@h.example/v1\"",
		    NULL, 1 },
		{ "a number", "42", NULL, 1 },
		{ "an object", "{}", NULL, 1 },
	};
	struct event_batch	 b;
	struct usage_event	*e;
	struct json_object	*ev;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev = with(base_event(), NULL, "api_base", cases[i].json);
		e = reduce(with(ev, NULL, "hidden_params", NULL), &b);
		ok(e != NULL, "api_base %s: event kept", cases[i].name);
		is_str(e != NULL ? e->api_host : NULL, cases[i].host,
		    "api_base %s: api_host", cases[i].name);
		if (cases[i].warned)
			ok(warned_once(&b, "api_base"), "api_base %s: warned",
			    cases[i].name);
		else
			is_int(b.warnings, 0, "api_base %s: no warning",
			    cases[i].name);
		event_batch_release(&b);
	}

	/* Top level, else hidden_params; "" is none. */
	ev = with(base_event(), NULL, "api_base", "\"\"");
	e = reduce(with(ev, "hidden_params", "api_base",
	    "\"https://x:CANARY-pw@Hidden.Example:8443/v1\""), &b);
	is_str(S(e, api_host), "hidden.example:8443", "api_base \"\": "
	    "hidden_params.api_base, without its user part");
	is_int(b.warnings, 0, "api_base \"\": no warning");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "api_base", NULL);
	e = reduce(with(ev, "hidden_params", "api_base", "\"\""), &b);
	ok(e != NULL && e->api_host == NULL && b.warnings == 0,
	    "api_base absent, hidden \"\": NULL, no warning");
	event_batch_release(&b);
	ev = with(base_event(), NULL, "api_base", "\"not a url\"");
	e = reduce(with(ev, "hidden_params", "api_base", "null"), &b);
	ok(e != NULL && e->api_host == NULL && warned_once(&b, "api_base"),
	    "api_base not a URL, hidden null: NULL, warned");
	event_batch_release(&b);
}

/* The new fields are no part of an event's identity. */
static void
test_dedupe_unchanged(void)
{
	struct event_batch	 a, b;
	struct json_object	*ev;
	int			 same;

	reduce(base_event(), &a);
	ev = with(base_event(), NULL, "cache_hit", "true");
	with(ev, NULL, "saved_cache_cost", "1.5");
	with(ev, NULL, "cost_breakdown", "{\"input_cost\": 9}");
	with(ev, NULL, "model_id", "\"another\"");
	with(ev, NULL, "api_base", "\"https://elsewhere.example\"");
	with(ev, "metadata", "user_api_key_alias", "\"k2\"");
	with(ev, "metadata", "user_api_key_team_alias", "\"t2\"");
	with(ev, "metadata", "user_api_key_org_alias", "\"o2\"");
	with(ev, "model_map_information", "model_map_key", "\"gpt-x\"");
	reduce(ev, &b);
	same = a.nevents == 1 && b.nevents == 1 &&
	    strcmp(b.events[0].api_host, "elsewhere.example") == 0 &&
	    memcmp(a.events[0].dedupe_key, b.events[0].dedupe_key,
	    EVENT_KEY_LEN) == 0;
	ok(same, "cache, costs, deployment, host, aliases and price entry "
	    "leave the dedupe key as it was");
	event_batch_release(&a);
	event_batch_release(&b);
}

static void
test_elements(void)
{
	struct event_batch	b;
	struct llmops_err	err;
	const char		*s;

	s = "[1, \"x\", [], {\"test\": true}]";
	ok(parse(s, strlen(s), NULL, NULL, &b, &err) == 0, "odd elements parse");
	is_int(b.rejected[REJECT_NOT_EVENT], 4, "numbers, strings, arrays and a "
	    "ping inside a batch are not events");
	ok(!b.is_test, "a ping inside an array is no ping");
	event_batch_release(&b);

	s = "{\"test\": true}";
	ok(parse(s, strlen(s), NULL, NULL, &b, &err) == 0 && b.is_test &&
	    b.nevents == 0 && b.nrejected == 0, "{\"test\": true} is the ping");
	event_batch_release(&b);

	s = "{\"test\": true}\n{\"id\": \"a\"}";
	ok(parse(s, strlen(s), NULL, NULL, &b, &err) == 0 && !b.is_test &&
	    b.nevents == 1 && b.rejected[REJECT_NOT_EVENT] == 1,
	    "a ping followed by an event is a batch");
	event_batch_release(&b);

	s = "{\"test\": false}";
	ok(parse(s, strlen(s), NULL, NULL, &b, &err) == 0 && !b.is_test &&
	    b.rejected[REJECT_NO_IDENTITY] == 1, "{\"test\": false} is not a ping");
	event_batch_release(&b);

	s = "[{\"id\":\"a\"}, nul]";
	ok(parse(s, strlen(s), NULL, NULL, &b, &err) != 0 && err.status == 400 &&
	    strstr(err.msg, "byte") != NULL, "malformed JSON: 400 with offset (%s)",
	    err.msg);
	event_batch_release(&b);
}

static void
test_limits(void)
{
	struct litellm_limits	 l = lim;
	struct event_batch	 b;
	struct llmops_err	 err;
	char			 deep[200];
	size_t			 i;
	const char		*s = "[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}]";

	l.max_events = 2;
	ok(parse(s, strlen(s), NULL, &l, &b, &err) != 0 && err.status == 413 &&
	    strstr(err.msg, "max_events"), "max_events: 413 naming the limit");
	event_batch_release(&b);
	l.max_events = 3;
	ok(parse(s, strlen(s), NULL, &l, &b, &err) == 0 && b.nevents == 3,
	    "exactly max_events accepted");
	event_batch_release(&b);

	/* {"id":"x","a":[[[[...]]]]} nested past max_json_depth. */
	l = lim;
	l.max_json_depth = 10;
	i = (size_t)snprintf(deep, sizeof(deep), "{\"id\":\"x\",\"a\":");
	for (; i < 60; i++)
		deep[i] = '[';
	deep[i] = '\0';
	ok(parse(deep, strlen(deep), NULL, &l, &b, &err) != 0 &&
	    err.status == 400 && strstr(err.msg, "max_json_depth"),
	    "max_json_depth: 400 naming the limit");
	event_batch_release(&b);
}

/*
 * Every string a LiteLLM event can carry besides the tracked fields gets
 * a canary; none may reach the reduced event.
 */
static int
has_canary(const char *s)
{
	return s != NULL && strstr(s, "CANARY") != NULL;
}

/* A canary in any text of e, or in its spool record (every field). */
static int
event_has_canary(const struct usage_event *e)
{
	const char *const	 s[] = {
		e->litellm_id, e->trace_id, e->call_type, e->model,
		e->model_group, e->provider, e->department, e->team, e->agent,
		e->error_code, e->error_class, e->deployment, e->api_host,
		e->key_alias, e->team_alias, e->org_alias, e->price_key,
		e->token_prefix,
	};
	struct spool_buf	 buf;
	size_t			 i;
	int			 found = 0;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		found |= has_canary(s[i]);
	spool_buf_init(&buf);
	if (spool_event_put(&buf, e) != 0)
		found = 1;	/* cannot tell: count it */
	else
		found |= memmem(buf.p, buf.len, "CANARY", 6) != NULL;
	spool_buf_release(&buf);
	return found;
}

static void
test_privacy_canaries(void)
{
	struct event_batch	 b;
	struct llmops_err	 err;
	struct json_object	*ev = base_event(), *m, *h, *info;
	struct usage_event	*e;

	m = meta(ev);
	h = custom_headers(ev);
	json_object_object_add(ev, "messages", json_tokener_parse(
	    "[{\"role\":\"user\",\"content\":\"CANARY-prompt\"}]"));
	json_object_object_add(ev, "response", json_tokener_parse(
	    "{\"choices\":[{\"message\":{\"content\":\"CANARY-completion\"}}]}"));
	json_object_object_add(ev, "error_str", json_object_new_string(
	    "CANARY-error sk-CANARY"));
	json_object_object_add(m, "user_api_key_hash", json_object_new_string(
	    "CANARY-keyhash"));
	json_object_object_add(m, "user_api_key_user_email",
	    json_object_new_string("CANARY@example.com"));
	json_object_object_add(ev, "requester_ip_address",
	    json_object_new_string("CANARY-ip"));
	json_object_object_add(h, "x-secret", json_object_new_string("CANARY-hdr"));
	json_object_object_add(ev, "status", json_object_new_string("failure"));
	info = NULL;
	json_object_object_get_ex(ev, "error_information", &info);
	json_object_object_add(info, "error_message",
	    json_object_new_string("CANARY-message"));
	json_object_object_add(info, "traceback",
	    json_object_new_string("CANARY-traceback"));
	json_object_object_add(info, "error_code", json_object_new_string("500"));
	/* api_base: a key in the user part, the query, the fragment. */
	json_object_object_add(ev, "api_base", json_object_new_string(
	    "https://svc:sk-CANARY-pw@Api.Example.com:8443/CANARY-path?"
	    "api_key=CANARY-q#CANARY-f"));
	with(ev, "hidden_params", "api_base", "\"https://CANARY-user@"
	    "other.example/v1?key=CANARY\"");
	with(ev, "hidden_params", "cache_key", "\"CANARY-cache-key\"");
	json_object_object_add(m, "user_api_key", json_object_new_string(
	    "sk-CANARY-key"));
	json_object_object_add(m, "user_api_key_auth_metadata", json_tokener_parse(
	    "{\"secret\":\"CANARY-auth\"}"));
	parse_obj(ev, NULL, &b, &err);
	ok(b.nevents == 1, "canary event parses");
	if (b.nevents != 1)
		goto out;
	e = &b.events[0];
	ok(!has_canary(e->litellm_id) && !has_canary(e->trace_id) &&
	    !has_canary(e->call_type) && !has_canary(e->model) &&
	    !has_canary(e->model_group) && !has_canary(e->provider) &&
	    !has_canary(e->department) && !has_canary(e->team) &&
	    !has_canary(e->agent) && !has_canary(e->error_code) &&
	    !has_canary(e->error_class), "no canary in any stored field");
	ok(!event_has_canary(e), "no canary in the new fields, nor anywhere in "
	    "the event's spool record");
	is_str(e->api_host, "api.example.com:8443", "api_host: the host and "
	    "port only");
	is_str(e->key_alias, "cloudidr-prod-app", "the key's alias is kept, "
	    "never its hash");
	is_str(e->error_code, "500", "the error code itself is kept");
out:
	event_batch_release(&b);
}

int
main(void)
{
	test_fixture_01();
	test_fixture_02_stream();
	test_fixture_03_failure();
	test_fixture_04_embedding();
	test_fixture_06_caching();
	test_batches();
	test_real_captures();
	test_token_carriers();
	test_labels_capped();
	test_field_types();
	test_cut_and_flagged();
	test_cache_and_costs();
	test_routing_labels();
	test_api_base();
	test_dedupe_unchanged();
	test_elements();
	test_limits();
	test_privacy_canaries();
	return tap_done();
}
