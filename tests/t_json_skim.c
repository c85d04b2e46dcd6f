/*
 * json_skim: the verdict on hand-picked documents, each checked against
 * json-c's on the same bytes (STRICT | VALIDATE_UTF8, as the skimmer
 * promises), depth handled without recursion, and json_skim_keep keeping
 * exactly the listed members, decoded as json-c decodes them, with its
 * bounds (cut strings, long numbers, header keys, tags).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "json_skim.h"
#include "tap.h"

static struct json_skim	sk;

/* json-c's verdict on a whole document of len bytes. */
static int
jsonc_accepts(const char *doc, size_t len, int depth)
{
	struct json_tokener	*tok = json_tokener_new_ex(depth);
	struct json_object	*o;
	char			*b = malloc(len + 1);
	int			 ok;

	memcpy(b, doc, len);
	b[len] = '\0';
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, b, (int)len + 1);
	ok = json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len;
	json_object_put(o);
	json_tokener_free(tok);
	free(b);
	return ok;
}

static int
skim_accepts(const char *doc, size_t len, int depth)
{
	enum json_skim_kind	kind;

	json_skim_init(&sk, doc, len, depth);
	return json_skim_value(&sk, 0, &kind) == 0 && json_skim_peek(&sk) < 0;
}

static void
verdict_n(const char *doc, size_t len, int want)
{
	int	got = skim_accepts(doc, len, 32);

	is_int(got, want, "%s: %s", doc, want ? "accepted" : "refused");
	is_int(jsonc_accepts(doc, len, 32), want, "%s: json-c agrees", doc);
}

static void
verdict(const char *doc, int want)
{
	verdict_n(doc, strlen(doc), want);
}

static void
test_grammar(void)
{
	/* Numbers, json-c strict's way. */
	verdict("0", 1);
	verdict("-0", 1);
	verdict("00", 1);		/* json-c: all zeros pass */
	verdict("01", 0);		/* leading zero */
	verdict("-01", 1);		/* json-c checks only non-negatives */
	verdict("1.", 1);		/* strtod reads "1." */
	verdict("-.5", 1);
	verdict("1.5e+10", 1);
	verdict("1E-2", 1);
	verdict("1e", 0);
	verdict("1e+", 0);
	verdict("-", 0);
	verdict("--1", 0);
	verdict("1.2.3", 0);
	verdict("+1", 0);
	verdict(".5", 0);
	verdict("1e999", 1);		/* Infinity */
	verdict("99999999999999999999999", 1);	/* clamped */
	verdict("[1,2 ,3]", 1);
	verdict("[1x]", 0);
	/* Literals, case-sensitive. */
	verdict("true", 1);
	verdict("True", 0);
	verdict("nul", 0);
	verdict("NaN", 1);
	verdict("nan", 0);
	verdict("Infinity", 1);
	verdict("-Infinity", 1);
	verdict("-infinity", 0);
	verdict("[NaN,-Infinity,null,false]", 1);
	/* Containers: no trailing commas, no comments, no single quotes. */
	verdict("[1,]", 0);
	verdict("{\"a\":1,}", 0);
	verdict("{,}", 0);
	verdict("[,1]", 0);
	verdict("{\"a\" 1}", 0);
	verdict("{\"a\":}", 0);
	verdict("{1:1}", 0);
	verdict("['a']", 0);
	verdict("/* c */ 1", 0);
	verdict("[1] // c", 0);
	verdict(" \t\r\n{ \"a\" : [ ] , \"b\" : { } } \n", 1);
	verdict("{}{}", 0);
	verdict("[", 0);
	verdict("{\"a\":[1,{\"b\":\"]\"}]}", 1);
	/* Strings. */
	verdict("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"", 1);
	verdict("\"\\x\"", 0);
	verdict("\"\\u12\"", 0);
	verdict("\"\\u12g4\"", 0);
	verdict("\"\\ud800\"", 1);	/* lone surrogate: U+FFFD */
	verdict("\"tab\tand\x01raw\"", 1);	/* json-c allows raw controls */
	verdict("\"unterminated", 0);
	verdict_n("\"a\0b\"", 5, 0);	/* NUL ends json-c's input */
	verdict("\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", 1);
	verdict("\"\xc3\x28\"", 0);
	verdict("\"\xc0\x80\"", 1);	/* overlong: json-c's check is loose */
	verdict("\"\xf8\x80\x80\x80\x80\"", 0);
	verdict("\"\xe6\x97\"", 0);
	verdict("\xef\xbb\xbf{}", 0);	/* a BOM is not JSON */
}

/* n nested arrays. */
static char *
nest(size_t n)
{
	char	*b = malloc(2 * n + 1);

	memset(b, '[', n);
	memset(b + n, ']', n);
	b[2 * n] = '\0';
	return b;
}

static void
test_depth(void)
{
	struct llmops_err	 err;
	enum json_skim_kind	 kind;
	clock_t			 t0;
	char			*b;

	b = nest(8);
	ok(skim_accepts(b, 16, 8), "8 nested arrays at max_depth 8: accepted");
	ok(jsonc_accepts(b, 16, 8), "json-c agrees");
	ok(!skim_accepts(b, 16, 7), "8 nested arrays at max_depth 7: refused");
	ok(!jsonc_accepts(b, 16, 7), "json-c agrees");
	ok(skim_accepts("[[1]]", 5, 3) && !skim_accepts("[[1]]", 5, 2),
	    "a scalar counts one level, as in json-c");
	free(b);

	/* 100,000 levels: refused at the limit, without recursion. */
	b = nest(100000);
	t0 = clock();
	json_skim_init(&sk, b, 200000, 64);
	is_int(json_skim_value(&sk, 0, &kind), -1, "100,000-deep: refused");
	json_skim_error(&sk, &err);
	is_int(err.status, 400, "100,000-deep: 400");
	ok(strstr(err.msg, "max_json_depth limit (64) at byte 64") != NULL,
	    "100,000-deep: the limit and the byte named");
	tap_diag("100,000-deep: %s (%.1f ms)", err.msg,
	    (double)(clock() - t0) * 1000 / CLOCKS_PER_SEC);
	/* LIMIT_JSON_DEPTH_MAX levels pass at that limit (no recursion). */
	b[LIMIT_JSON_DEPTH_MAX] = '\0';
	memset(b + LIMIT_JSON_DEPTH_MAX / 2, ']', LIMIT_JSON_DEPTH_MAX / 2);
	ok(skim_accepts(b, LIMIT_JSON_DEPTH_MAX, LIMIT_JSON_DEPTH_MAX),
	    "%d nested arrays at max_depth %d: accepted",
	    LIMIT_JSON_DEPTH_MAX / 2, LIMIT_JSON_DEPTH_MAX);
	free(b);
}

static void
test_errors(void)
{
	struct llmops_err	err;
	enum json_skim_kind	kind;

	json_skim_init(&sk, "[1,]", 4, 32);
	json_skim_value(&sk, 0, &kind);
	json_skim_error(&sk, &err);
	ok(strstr(err.msg, "byte 3") != NULL && strstr(err.msg, "trailing"),
	    "trailing comma: byte 3 named (%s)", err.msg);
	json_skim_init(&sk, "{\"a\":", 5, 32);
	json_skim_value(&sk, 0, &kind);
	json_skim_error(&sk, &err);
	ok(strstr(err.msg, "unexpected end of body at byte 5") != NULL,
	    "truncated: the end named (%s)", err.msg);
	json_skim_init(&sk, "[\"\xc3\x28\"]", 6, 32);
	json_skim_value(&sk, 0, &kind);
	json_skim_error(&sk, &err);
	ok(strstr(err.msg, "byte 3") != NULL && strstr(err.msg, "UTF-8"),
	    "bad UTF-8: byte named (%s)", err.msg);
	json_skim_init(&sk, "[1, 2.5, \"s\", true, null, {}, []]", 32, 32);
	ok(json_skim_peek(&sk) == '[', "peek sees the array");
}

static const char *const names[] = { "x-team", "x-cloudidr-token", NULL };

static const struct json_keep inner[] = {
	{ "n", JSON_KEEP_VALUE, NULL, NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep[] = {
	{ "s", JSON_KEEP_VALUE, NULL, NULL },
	{ "n", JSON_KEEP_VALUE, NULL, NULL },
	{ "d", JSON_KEEP_VALUE, NULL, NULL },
	{ "c", JSON_KEEP_VALUE, NULL, NULL },
	{ "o", JSON_KEEP_OBJECT, inner, NULL },
	{ "h", JSON_KEEP_HEADERS, NULL, names },
	{ "t", JSON_KEEP_TAGS, NULL, names },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static struct json_object *
kept(const char *doc, size_t *unlisted)
{
	struct json_object	*o = NULL;

	json_skim_init(&sk, doc, strlen(doc), 32);
	if (json_skim_keep(&sk, 0, keep, &o, unlisted) != 0 ||
	    json_skim_peek(&sk) >= 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static const char *
str_of(struct json_object *o, const char *k)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

static void
test_keep(void)
{
	struct json_object	*o, *v;
	size_t			 unlisted, i;
	char			*big;

	o = kept("{\"messages\":[{\"content\":\"secret\"}],\"s\":\"a\\u00e9\","
	    "\"response\":{\"x\":[1,2,3]},\"n\":42,\"d\":0.5,\"z\":null}",
	    &unlisted);
	ok(o != NULL, "keep: accepted");
	is_int(json_object_object_length(o), 3, "keep: only s, n and d kept");
	is_int(unlisted, 3, "keep: three members not listed");
	is_str(str_of(o, "s"), "a\xc3\xa9", "keep: string decoded");
	is_str(str_of(o, "n"), "42", "keep: int kept");
	is_str(str_of(o, "d"), "0.5", "keep: double kept as written");
	ok(strstr(json_object_to_json_string(o), "secret") == NULL,
	    "keep: content never reaches the object");
	json_object_put(o);

	o = kept("{\"s\":\"first\",\"s\":\"last\",\"c\":{\"big\":[1,2]},"
	    "\"n\":123456789012345678901234567890}", &unlisted);
	is_str(str_of(o, "s"), "last", "duplicate keys: the last wins, as json-c");
	ok(json_object_object_get_ex(o, "c", &v) &&
	    json_object_is_type(v, json_type_object) &&
	    json_object_object_length(v) == 0,
	    "a container where a scalar is read: an empty one of its type");
	ok(json_object_object_get_ex(o, "n", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_uint64(v) == UINT64_MAX,
	    "an integer past 2^64: clamped as json-c does");
	json_object_put(o);

	/* A number longer than JSON_SKIM_NUMBER_BYTES: a wrong type. */
	big = malloc(JSON_SKIM_STRING_BYTES * 2 + 64);
	i = (size_t)snprintf(big, 16, "{\"n\":1");
	memset(big + i, '0', JSON_SKIM_NUMBER_BYTES);
	strcpy(big + i + JSON_SKIM_NUMBER_BYTES, "}");
	o = kept(big, &unlisted);
	ok(o != NULL && json_object_object_get_ex(o, "n", &v) &&
	    json_object_is_type(v, json_type_array),
	    "a number of %d characters is not read", JSON_SKIM_NUMBER_BYTES + 1);
	json_object_put(o);

	/* A string longer than JSON_SKIM_STRING_BYTES: cut, not inside é. */
	i = (size_t)snprintf(big, 16, "{\"s\":\"a");
	for (; i + 2 < JSON_SKIM_STRING_BYTES * 2; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	strcpy(big + i, "\"}");
	o = kept(big, &unlisted);
	ok(o != NULL, "long string: accepted");
	ok(o != NULL && json_object_object_get_ex(o, "s", &v) &&
	    json_object_get_string_len(v) == JSON_SKIM_STRING_BYTES - 1,
	    "long string: cut to %d bytes, on a character boundary",
	    JSON_SKIM_STRING_BYTES - 1);
	json_object_put(o);
	free(big);

	/* Surrogates and NUL, decoded as json-c does. */
	o = kept("{\"s\":\"\\ud83d\\ude00|\\ud800|\\udc00|\\ud800\\n|a\\u0000b\"}",
	    &unlisted);
	ok(o != NULL && json_object_object_get_ex(o, "s", &v) &&
	    json_object_get_string_len(v) == 4 + 1 + 3 + 1 + 3 + 1 + 3 + 1 + 1 +
	    3 && memcmp(json_object_get_string(v),
	    "\xf0\x9f\x98\x80|\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd\n|a\0b",
	    4 + 1 + 3 + 1 + 3 + 1 + 4 + 1 + 3) == 0,
	    "surrogate pair, lone surrogates and \\u0000 decoded as json-c");
	json_object_put(o);

	/* Nested tables, headers in any case, the first tag per name. */
	o = kept("{\"o\":{\"n\":1,\"m\":2},\"h\":{\"X-Team\":\"a\",\"cookie\":\"c\","
	    "\"X-CLOUDIDR-TOKEN\":\"tok\"},\"t\":[1,\"x-team:one\",\"other\","
	    "\"X-Team:two\",\"x-cloudidr-token:t\"]}", &unlisted);
	ok(o != NULL && json_object_object_get_ex(o, "o", &v) &&
	    json_object_object_length(v) == 1, "nested: only o.n kept");
	ok(json_object_object_get_ex(o, "h", &v) &&
	    json_object_object_length(v) == 2 && str_of(v, "cookie") == NULL &&
	    str_of(v, "X-Team") != NULL, "headers: tracked names in any case, "
	    "no other header");
	ok(json_object_object_get_ex(o, "t", &v) &&
	    json_object_array_length(v) == 2 &&
	    strcmp(json_object_get_string(json_object_array_get_idx(v, 0)),
	    "x-team:one") == 0, "tags: the first per name, nothing else");
	json_object_put(o);

	/* Header keys are bounded (JSON_SKIM_HEADER_KEYS distinct ones). */
	{
		char	doc[4096];
		size_t	n = 0;
		int	k;

		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "{\"h\":{");
		for (k = 0; k < 64; k++)
			n += (size_t)snprintf(doc + n, sizeof(doc) - n,
			    "%s\"%c-%c%c%c%c\":\"v\"", k ? "," : "",
			    k & 1 ? 'X' : 'x', k & 2 ? 'T' : 't',
			    k & 4 ? 'E' : 'e', k & 8 ? 'A' : 'a',
			    k & 16 ? 'M' : 'm');
		snprintf(doc + n, sizeof(doc) - n, "}}");
		o = kept(doc, &unlisted);
		ok(o != NULL && json_object_object_get_ex(o, "h", &v) &&
		    json_object_object_length(v) == JSON_SKIM_HEADER_KEYS,
		    "32 spellings of x-team: %d kept", JSON_SKIM_HEADER_KEYS);
		json_object_put(o);
	}

	/* Malformed anywhere, skipped or kept: refused. */
	ok(kept("{\"messages\":[1,]}", &unlisted) == NULL,
	    "keep: malformed skipped value refused");
	ok(kept("{\"s\":\"\\q\"}", &unlisted) == NULL,
	    "keep: malformed kept value refused");
	ok(kept("{\"h\":{\"x-team\":\"a\",}}", &unlisted) == NULL,
	    "keep: trailing comma in headers refused");
	ok(kept("{\"t\":[\"x-team:a\",]}", &unlisted) == NULL,
	    "keep: trailing comma in tags refused");
}

/* Every fixture: skim and json-c agree (they are all valid JSON). */
static void
test_fixtures(void)
{
	static const char *const files[] = {
		"01_success_openai_gpt4_nonstream.json",
		"05_batch_json_array.json",
		"06_success_anthropic_prompt_caching.json",
		"09_batch_with_null_entry.json",
		"real-1.81.13/batch1.json",
		"real-1.81.13/batch2.json",
	};
	const char	*dir = getenv("LLMOPS_SRCDIR");
	char		 path[1024], *b;
	size_t		 i, n;
	FILE		*f;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/fixtures/litellm/%s",
		    dir ? dir : "..", files[i]);
		if ((f = fopen(path, "rb")) == NULL) {
			ok(0, "%s: opened", files[i]);
			continue;
		}
		b = malloc(1 << 20);
		n = fread(b, 1, 1 << 20, f);
		fclose(f);
		ok(skim_accepts(b, n, 64) && jsonc_accepts(b, n, 64),
		    "%s: skim and json-c accept it", files[i]);
		free(b);
	}
}

int
main(void)
{
	test_grammar();
	test_depth();
	test_errors();
	test_keep();
	test_fixtures();
	return tap_done();
}
