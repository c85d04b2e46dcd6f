/*
 * json_batch_parse: array, NDJSON and single-object framing, the
 * elements and offsets handed to the callback, and every error with its
 * status and the byte offset (counted by hand in the comments).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json_batch.h"
#include "json_skim.h"
#include "tap.h"

#define MAX_SEEN	16

/* What the callback saw. */
struct seen {
	size_t	n;
	int	type[MAX_SEEN];		/* json_type, or -1 for NULL */
	size_t	index[MAX_SEEN];
	size_t	offset[MAX_SEEN];
	long	stop_at;		/* index at which to fail, or -1 */
	int	nan_ok;			/* the NaN/Infinity object read right */
};

static int	seen_cb(struct json_object *, size_t, size_t, struct seen *,
		    struct llmops_err *);

static int
count_cb(struct json_skim *sk, int level, size_t index, size_t offset,
    void *arg, struct llmops_err *err)
{
	struct seen		*s = arg;
	struct json_object	*obj;
	int			 rc;

	/* The test builds each element whole, to look at it. */
	if (json_skim_tree(sk, level, &obj) != 0)
		return json_skim_error(sk, err);
	rc = seen_cb(obj, index, offset, s, err);
	json_object_put(obj);
	return rc;
}

static int
seen_cb(struct json_object *obj, size_t index, size_t offset, struct seen *s,
    struct llmops_err *err)
{
	struct json_object	*v;

	if (s->n < MAX_SEEN) {
		s->type[s->n] = obj == NULL ? -1 : (int)json_object_get_type(obj);
		s->index[s->n] = index;
		s->offset[s->n] = offset;
	}
	s->n++;
	if (obj != NULL && json_object_object_get_ex(obj, "nan", &v)) {
		struct json_object	*pi, *ni;

		s->nan_ok = json_object_is_type(v, json_type_double) &&
		    isnan(json_object_get_double(v)) &&
		    json_object_object_get_ex(obj, "pinf", &pi) &&
		    isinf(json_object_get_double(pi)) &&
		    json_object_get_double(pi) > 0 &&
		    json_object_object_get_ex(obj, "ninf", &ni) &&
		    isinf(json_object_get_double(ni)) &&
		    json_object_get_double(ni) < 0;
	}
	if (s->stop_at >= 0 && index == (size_t)s->stop_at)
		return err_set(err, 422, "callback stops at element %zu", index);
	return 0;
}

static int
run(const char *body, size_t len, int max_depth, size_t max_elements,
    struct seen *s, enum json_framing *framing, size_t *n,
    struct llmops_err *err)
{
	memset(s, 0, sizeof(*s));
	s->stop_at = -1;
	err_clear(err);
	*n = 12345;
	return json_batch_parse(body, len, max_depth, max_elements, count_cb, s,
	    framing, n, err);
}

/* Parses body (a C string) and expects success with nelem elements. */
static void
accepts(const char *name, const char *body, enum json_framing want_framing,
    size_t nelem, struct seen *s)
{
	struct llmops_err	err;
	enum json_framing	framing = (enum json_framing)-1;
	size_t			n;
	int			rc;

	rc = run(body, strlen(body), 64, 100, s, &framing, &n, &err);
	is_int(rc, 0, "%s: accepted", name);
	if (rc != 0)
		tap_diag("%s: %d %s", name, err.status, err.msg);
	is_int(framing, want_framing, "%s: framing %s", name,
	    want_framing == JSON_FRAMING_ARRAY ? "array" : "sequence");
	is_int(n, nelem, "%s: %zu elements reported", name, nelem);
	is_int(s->n, nelem, "%s: callback called %zu times", name, nelem);
}

/* "byte N" followed by a non-digit appears in msg. */
static int
has_offset(const char *msg, size_t off)
{
	char		 needle[32];
	const char	*p = msg;
	size_t		 len;

	len = (size_t)snprintf(needle, sizeof(needle), "byte %zu", off);
	while ((p = strstr(p, needle)) != NULL) {
		if (p[len] < '0' || p[len] > '9')
			return 1;
		p += len;
	}
	return 0;
}

/*
 * Parses len bytes of body and expects an error with status; when off is
 * not -1, the message names that byte offset; when word is not NULL, it
 * holds that word.
 */
static void
refuses_n(const char *name, const char *body, size_t len, int max_depth,
    size_t max_elements, int status, long off, const char *word)
{
	struct llmops_err	err;
	struct seen		s;
	enum json_framing	framing;
	size_t			n;
	int			rc;

	rc = run(body, len, max_depth, max_elements, &s, &framing, &n, &err);
	is_int(rc, -1, "%s: refused", name);
	is_int(err.status, status, "%s: status %d", name, status);
	if (off >= 0)
		ok(has_offset(err.msg, (size_t)off), "%s: message names byte %ld",
		    name, off);
	if (word != NULL)
		ok(strstr(err.msg, word) != NULL, "%s: message mentions \"%s\"",
		    name, word);
	tap_diag("%s: %s", name, err.msg);
}

static void
refuses(const char *name, const char *body, int status, long off,
    const char *word)
{
	refuses_n(name, body, strlen(body), 64, 100, status, off, word);
}

static void
test_array(void)
{
	struct seen	s;

	accepts("[]", "[]", JSON_FRAMING_ARRAY, 0, &s);
	accepts("[ ] with blanks", " \n[ \t\r\n]\n", JSON_FRAMING_ARRAY, 0, &s);
	accepts("[{},{}]", "[{},{}]", JSON_FRAMING_ARRAY, 2, &s);
	is_int(s.offset[0], 1, "[{},{}]: first element at byte 1");
	is_int(s.offset[1], 4, "[{},{}]: second element at byte 4");
	is_int(s.index[0], 0, "[{},{}]: first index 0");
	is_int(s.index[1], 1, "[{},{}]: second index 1");
	is_int(s.type[0], json_type_object, "[{},{}]: first is an object");

	/* " \n\t[ \r\n{ } ,\n { \"a\" : 1 } ]\n " : '[' at 3, '{' at 7,
	 * second '{' at 14. */
	accepts("whitespace everywhere",
	    " \n\t[ \r\n{ } ,\n { \"a\" : 1 } ]\n ", JSON_FRAMING_ARRAY, 2, &s);
	is_int(s.offset[0], 7, "whitespace everywhere: first element at byte 7");
	is_int(s.offset[1], 14,
	    "whitespace everywhere: second element at byte 14");

	/* "[null, {}]": null at 1, {} at 7 */
	accepts("[null, {}]", "[null, {}]", JSON_FRAMING_ARRAY, 2, &s);
	is_int(s.type[0], -1, "[null, {}]: callback gets NULL first");
	is_int(s.type[1], json_type_object, "[null, {}]: then an object");
	is_int(s.offset[1], 7, "[null, {}]: object at byte 7");

	/* Elements that are not objects still reach the callback, which
	 * decides what to reject. */
	accepts("[1,\"s\",true,[],{}]", "[1,\"s\",true,[],{}]",
	    JSON_FRAMING_ARRAY, 5, &s);
	is_int(s.type[0], json_type_int, "scalars: 1 is an int");
	is_int(s.type[1], json_type_string, "scalars: \"s\" is a string");
	is_int(s.type[2], json_type_boolean, "scalars: true is a boolean");
	is_int(s.type[3], json_type_array, "scalars: [] is an array");
	is_int(s.type[4], json_type_object, "scalars: {} is an object");
	/* offsets: 1 at 1, "s" at 3, true at 7, [] at 12, {} at 15 */
	is_int(s.offset[2], 7, "scalars: true at byte 7");
	is_int(s.offset[4], 15, "scalars: {} at byte 15");

	accepts("[{\"a\":[1,{\"b\":\"]\"}]}]", "[{\"a\":[1,{\"b\":\"]\"}]}]",
	    JSON_FRAMING_ARRAY, 1, &s);
}

static void
test_sequence(void)
{
	struct seen	s;

	accepts("single object", "{\"a\":1}", JSON_FRAMING_SEQUENCE, 1, &s);
	is_int(s.offset[0], 0, "single object at byte 0");
	accepts("single object with blanks", "\n  {\"a\":1}  \n",
	    JSON_FRAMING_SEQUENCE, 1, &s);
	is_int(s.offset[0], 3, "single object after blanks at byte 3");
	accepts("NDJSON", "{}\n{}\n", JSON_FRAMING_SEQUENCE, 2, &s);
	is_int(s.offset[1], 3, "NDJSON: second object at byte 3");
	is_int(s.index[1], 1, "NDJSON: second index 1");
	accepts("NDJSON with CR LF", "{\"a\":1}\r\n{\"b\":2}\r\n",
	    JSON_FRAMING_SEQUENCE, 2, &s);
	is_int(s.offset[1], 9, "NDJSON with CR LF: second object at byte 9");
	accepts("objects separated by a blank", "{} {}", JSON_FRAMING_SEQUENCE,
	    2, &s);
	is_int(s.offset[1], 3, "{} {}: second object at byte 3");
	accepts("objects back to back", "{}{}{}", JSON_FRAMING_SEQUENCE, 3, &s);
	is_int(s.offset[2], 4, "{}{}{}: third object at byte 4");
}

static void
test_values(void)
{
	struct seen	s;

	accepts("NaN and Infinity values",
	    "[{\"nan\":NaN,\"pinf\":Infinity,\"ninf\":-Infinity}]",
	    JSON_FRAMING_ARRAY, 1, &s);
	ok(s.nan_ok, "NaN, Infinity and -Infinity read as such");
	accepts("NaN in NDJSON", "{\"nan\":NaN,\"pinf\":Infinity,"
	    "\"ninf\":-Infinity}\n", JSON_FRAMING_SEQUENCE, 1, &s);
	ok(s.nan_ok, "NDJSON: NaN, Infinity and -Infinity read as such");
	accepts("valid UTF-8 in strings",
	    "[{\"dept\":\"D\xc3\xa9veloppement \xe6\x97\xa5 \xf0\x9f\x98\x80\"}]",
	    JSON_FRAMING_ARRAY, 1, &s);
	accepts("escaped characters", "[{\"a\":\"\\u00e9\\n\\\"\\\\\"}]",
	    JSON_FRAMING_ARRAY, 1, &s);
}

static void
test_errors(void)
{
	static const char	bad_utf8[] = "[{\"a\":\"\xc3\x28\"}]";

	/* "[{},]": the ']' after the comma is at 4. */
	refuses("[{},] trailing comma", "[{},]", 400, 4, NULL);
	/* "[{} {}]": the second '{' at 4 where ',' or ']' belongs. */
	refuses("[{} {}] missing comma", "[{} {}]", 400, 4, NULL);
	/* "[{}": the body ends at 3. */
	refuses("[{} unexpected end", "[{}", 400, 3, NULL);
	refuses("[ unexpected end", "[", 400, 1, NULL);
	refuses("[{}, unexpected end", "[{},", 400, 4, NULL);
	/* "{\"a\":": 5 bytes, ends inside the object. */
	refuses("{\"a\": unexpected end", "{\"a\":", 400, 5, NULL);
	/* "[{}] x": 'x' at 5. */
	refuses("[{}] x data after the array", "[{}] x", 400, 5, NULL);
	refuses("[][] second array", "[][]", 400, 2, NULL);
	refuses("\"string\" (legacy double-encoded)", "\"[{}]\"", 400, -1,
	    "1.68");
	refuses("5 at top level", "5", 400, 0, NULL);
	refuses("null at top level", "null", 400, 0, NULL);
	refuses("junk after blanks", "  x", 400, 2, NULL);
	refuses("empty body", "", 400, -1, NULL);
	refuses("blank body", " \r\n\t ", 400, -1, NULL);
	/* "[{\"a\" 1}]": the '1' at 6 where ':' belongs. */
	refuses("missing colon", "[{\"a\" 1}]", 400, 6, NULL);
	/* "{\"a\":1}\n{\"b\":}": the '}' at 13 where a value belongs. */
	refuses("NDJSON second object broken", "{\"a\":1}\n{\"b\":}", 400, 13,
	    NULL);
	/* "{}x": 'x' at 2 where the next object or the end belongs. */
	refuses("NDJSON junk after an object", "{}x", 400, 2, NULL);
	refuses("NDJSON array after an object", "{}\n[]", 400, 3, NULL);
	/* bad_utf8: [0 {1 "2 a3 "4 :5 "6 C3 at 7, 28 at 8. The sequence
	 * starting at 7 is broken by the byte at 8. */
	{
		struct llmops_err	err;
		struct seen		s;
		enum json_framing	framing;
		size_t			n;
		int			rc;

		rc = run(bad_utf8, sizeof(bad_utf8) - 1, 64, 100, &s, &framing,
		    &n, &err);
		is_int(rc, -1, "invalid UTF-8 in a string: refused");
		is_int(err.status, 400, "invalid UTF-8 in a string: status 400");
		ok(has_offset(err.msg, 7) || has_offset(err.msg, 8),
		    "invalid UTF-8 in a string: message names byte 7 or 8");
		tap_diag("invalid UTF-8: %s", err.msg);
	}
	refuses_n("NUL byte inside the body", "[{\"a\":\"x\0\"}]", 12, 64, 100,
	    400, -1, NULL);
}

/* Builds depth nested objects {"a":{"a":...}} around leaf, in an array if wrap. */
static char *
nested(int depth, int wrap, const char *leaf)
{
	size_t	cap = (size_t)depth * 6 + strlen(leaf) + 8, o = 0;
	char	*b;
	int	 i;

	if ((b = malloc(cap)) == NULL)
		return NULL;
	if (wrap)
		b[o++] = '[';
	for (i = 0; i < depth; i++) {
		memcpy(b + o, i + 1 < depth ? "{\"a\":" : "{", i + 1 < depth ? 5 : 1);
		o += i + 1 < depth ? 5 : 1;
	}
	memcpy(b + o, leaf, strlen(leaf));
	o += strlen(leaf);
	for (i = 0; i < depth; i++)
		b[o++] = '}';
	if (wrap)
		b[o++] = ']';
	b[o] = '\0';
	return b;
}

static void
depth_case(const char *name, int objects, int wrap, const char *leaf,
    int max_depth, int want_ok)
{
	struct llmops_err	 err;
	struct seen		 s;
	enum json_framing	 framing;
	size_t			 n;
	char			*body;
	int			 rc;

	if ((body = nested(objects, wrap, leaf)) == NULL) {
		ok(0, "%s: malloc", name);
		return;
	}
	rc = run(body, strlen(body), max_depth, 100, &s, &framing, &n, &err);
	if (want_ok) {
		is_int(rc, 0, "%s: accepted", name);
		if (rc != 0)
			tap_diag("%s: %s", name, err.msg);
	} else {
		is_int(rc, -1, "%s: refused", name);
		is_int(err.status, 400, "%s: status 400", name);
		ok(strstr(err.msg, "depth") != NULL,
		    "%s: message names the depth limit", name);
	}
	free(body);
}

static void
test_depth(void)
{
	/*
	 * Nesting counts values as json-c does (lib/llmops_limits.h): {} is 1
	 * deep, [{}] and {"a":{}} are 2 deep, and a scalar inside a
	 * container is one level deeper ({"b":1} is 2). With max_depth 8:
	 */
	depth_case("sequence, 8 objects, max 8", 8, 0, "", 8, 1);
	depth_case("sequence, 7 objects with a scalar leaf, max 8", 7, 0,
	    "\"b\":1", 8, 1);
	depth_case("sequence, 8 objects with a scalar leaf, max 8", 8, 0,
	    "\"b\":1", 8, 0);
	depth_case("sequence, 9 objects, max 8", 9, 0, "", 8, 0);
	depth_case("array + 7 objects, max 8", 7, 1, "", 8, 1);
	depth_case("array + 6 objects with a scalar leaf, max 8", 6, 1,
	    "\"b\":1", 8, 1);
	depth_case("array + 7 objects with a scalar leaf, max 8", 7, 1,
	    "\"b\":1", 8, 0);
	depth_case("array + 8 objects, max 8", 8, 1, "", 8, 0);
	depth_case("sequence, 64 objects, max 64", 64, 0, "", 64, 1);
	depth_case("sequence, 65 objects, max 64", 65, 0, "", 64, 0);
	depth_case("array + 63 objects, max 64", 63, 1, "", 64, 1);
	depth_case("array + 64 objects, max 64", 64, 1, "", 64, 0);
	depth_case("sequence, 1000 objects, max 1000", 1000, 0, "", 1000, 1);
	depth_case("sequence, 1001 objects, max 1000", 1001, 0, "", 1000, 0);
}

static void
test_max_elements(void)
{
	struct llmops_err	err;
	struct seen		s;
	enum json_framing	framing;
	size_t			n;
	int			rc;

	rc = run("[{},{}]", 7, 64, 2, &s, &framing, &n, &err);
	is_int(rc, 0, "array of 2 with max 2: accepted");
	is_int(n, 2, "array of 2 with max 2: 2 elements");
	refuses_n("array of 3 with max 2", "[{},{},{}]", 10, 64, 2, 413, -1,
	    NULL);
	refuses_n("array of 3 nulls with max 2", "[null,null,null]", 16, 64, 2,
	    413, -1, NULL);
	rc = run("{}\n{}\n", 6, 64, 2, &s, &framing, &n, &err);
	is_int(rc, 0, "NDJSON of 2 with max 2: accepted");
	is_int(n, 2, "NDJSON of 2 with max 2: 2 elements");
	refuses_n("NDJSON of 3 with max 2", "{}\n{}\n{}\n", 9, 64, 2, 413, -1,
	    NULL);
	rc = run("{}", 2, 64, 1, &s, &framing, &n, &err);
	is_int(rc, 0, "single object with max 1: accepted");
	refuses_n("NDJSON of 2 with max 1", "{} {}", 5, 64, 1, 413, -1, NULL);
}

static void
test_callback_stop(void)
{
	struct llmops_err	err;
	struct seen		s;
	enum json_framing	framing;
	size_t			n;
	int			rc;

	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	err_clear(&err);
	rc = json_batch_parse("[{},{},{}]", 10, 64, 100, count_cb, &s, &framing,
	    &n, &err);
	is_int(rc, -1, "callback -1 at index 1: parse fails");
	is_int(err.status, 422, "callback -1: its status is returned");
	is_str(err.msg, "callback stops at element 1",
	    "callback -1: its message is returned");
	is_int(s.n, 2, "callback -1 at index 1: not called again");

	memset(&s, 0, sizeof(s));
	s.stop_at = 0;
	err_clear(&err);
	rc = json_batch_parse("{}\n{}\n", 6, 64, 100, count_cb, &s, &framing, &n,
	    &err);
	is_int(rc, -1, "NDJSON, callback -1 at index 0: parse fails");
	is_int(err.status, 422, "NDJSON, callback -1: its status is returned");
	is_int(s.n, 1, "NDJSON, callback -1 at index 0: called once");
}

static void
test_length(void)
{
	struct llmops_err	err;
	struct seen		s;
	enum json_framing	framing;
	size_t			n;
	int			rc;

	/* Only len bytes are read: what follows is not part of the body. */
	rc = run("[{}]garbage", 4, 64, 100, &s, &framing, &n, &err);
	is_int(rc, 0, "len stops before trailing garbage");
	is_int(n, 1, "len: one element");
	rc = run("{}{}", 2, 64, 100, &s, &framing, &n, &err);
	is_int(rc, 0, "len covers only the first object");
	is_int(n, 1, "len: the second object is not read");
}

int
main(void)
{
	test_array();
	test_sequence();
	test_values();
	test_errors();
	test_depth();
	test_max_elements();
	test_callback_stop();
	test_length();
	return tap_done();
}
