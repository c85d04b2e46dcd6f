/*
 * The query-string and form decoder (web_params_parse and friends): '&'
 * and '=' splitting, '+' and %XX, malformed escapes, invalid UTF-8 and NUL
 * bytes refused, the count and size limits at their boundaries, duplicate
 * and empty keys and values, the length given rather than the NUL, and a
 * refusal that leaves nothing behind (ASan watches the leaks).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "tap.h"
#include "web.h"

/* Parses s (strlen) and checks the result against want: "k=v" pairs, NULL-ended. */
static void
parses(const char *s, const char *const *want, const char *name)
{
	struct web_params	ps;
	struct llmops_err	err;
	size_t			i, n = 0;
	int			rc, same = 1;

	while (want[n] != NULL)
		n += 2;
	n /= 2;
	err_clear(&err);
	rc = web_params_parse(&ps, s, strlen(s), &err);
	is_int(rc, 0, "%s: accepted", name);
	if (rc != 0)
		tap_diag("refused: %d %s", err.status, err.msg);
	is_int(ps.n, n, "%s: %zu parameters", name, n);
	for (i = 0; i < ps.n && i < n; i++)
		if (strcmp(ps.p[i].key, want[2 * i]) != 0 ||
		    strcmp(ps.p[i].value, want[2 * i + 1]) != 0) {
			same = 0;
			tap_diag("parameter %zu: got '%s'='%s', expected "
			    "'%s'='%s'", i, ps.p[i].key, ps.p[i].value,
			    want[2 * i], want[2 * i + 1]);
		}
	ok(same, "%s: keys and values decoded", name);
	web_params_release(&ps);
}

/* s[0..len) is refused with 400, the message containing what, nothing kept. */
static void
refuses_len(const char *s, size_t len, const char *what, const char *name)
{
	struct web_params	ps;
	struct llmops_err	err;
	int			rc;

	err_clear(&err);
	rc = web_params_parse(&ps, s, len, &err);
	is_int(rc, -1, "%s: refused", name);
	is_int(err.status, 400, "%s: 400", name);
	if (!ok(strstr(err.msg, what) != NULL, "%s: the message says '%s'", name,
	    what))
		tap_diag("message: %s", err.msg);
	ok(ps.p == NULL && ps.n == 0, "%s: nothing is left in the params", name);
	web_params_release(&ps);
}

static void
refuses(const char *s, const char *what, const char *name)
{
	refuses_len(s, strlen(s), what, name);
}

static void
test_split(void)
{
	struct web_params	ps;
	struct llmops_err	err;

	ok(web_params_parse(&ps, NULL, 0, &err) == 0 && ps.n == 0 &&
	    ps.p == NULL, "NULL text: no parameters");
	ok(web_params_parse(&ps, "a=1", 0, &err) == 0 && ps.n == 0,
	    "length 0: no parameters");
	web_params_release(&ps);
	is_int(web_params_get(&ps, "a") == NULL, 1,
	    "web_params_get on no parameters: NULL");

	parses("a=1&b=2", (const char *const[]){ "a", "1", "b", "2", NULL },
	    "two pairs");
	parses("a=1", (const char *const[]){ "a", "1", NULL }, "one pair");
	parses("&&a=1&&b=2&&", (const char *const[]){ "a", "1", "b", "2",
	    NULL }, "empty segments skipped");
	parses("&", (const char *const[]){ NULL }, "only '&'");
	parses("&&&", (const char *const[]){ NULL }, "only '&&&'");
	parses("a=b=c", (const char *const[]){ "a", "b=c", NULL },
	    "the first '=' splits, the rest is value");
	parses("a;b=c", (const char *const[]){ "a;b", "c", NULL },
	    "';' is not a separator");
	parses("flag", (const char *const[]){ "flag", "", NULL },
	    "a key without '=': empty value");
	parses("k=", (const char *const[]){ "k", "", NULL }, "empty value");
	parses("=v", (const char *const[]){ "", "v", NULL }, "empty key");
	parses("=", (const char *const[]){ "", "", NULL },
	    "empty key and value");
	parses("a=1&a=2", (const char *const[]){ "a", "1", "a", "2", NULL },
	    "duplicate keys: both kept, in order");

	/* The length counts, not a NUL. */
	ok(web_params_parse(&ps, "a=1&b=2", 3, &err) == 0 && ps.n == 1 &&
	    strcmp(ps.p[0].value, "1") == 0, "only the given length is read");
	web_params_release(&ps);
	ok(web_params_parse(&ps, "a=12", 3, &err) == 0 && ps.n == 1 &&
	    strcmp(ps.p[0].value, "1") == 0,
	    "a value cut by the length ends there");
	web_params_release(&ps);
}

static void
test_decode(void)
{
	parses("a+b=c+d", (const char *const[]){ "a b", "c d", NULL },
	    "'+' is a space in keys and values");
	parses("%41%62=%7e%7E", (const char *const[]){ "Ab", "~~", NULL },
	    "%XX in keys and values, either case");
	parses("a=%2B", (const char *const[]){ "a", "+", NULL },
	    "%2B is '+', not a space");
	parses("a=%20+", (const char *const[]){ "a", "  ", NULL },
	    "%20 and '+' are both spaces");
	parses("a=%25", (const char *const[]){ "a", "%", NULL }, "%25 is '%'");
	parses("a=%2541", (const char *const[]){ "a", "%41", NULL },
	    "decoded once: %2541 is '%41'");
	parses("a=x%26b%3Dy&c=1", (const char *const[]){ "a", "x&b=y", "c", "1",
	    NULL }, "an escaped '&' or '=' does not split");
	parses("k%3Dx=v", (const char *const[]){ "k=x", "v", NULL },
	    "an escaped '=' in a key");
	parses("q=%C3%A9t%C3%A9", (const char *const[]){ "q", "\xc3\xa9t\xc3\xa9",
	    NULL }, "escaped UTF-8");
	parses("q=\xc3\xa9t\xc3\xa9", (const char *const[]){ "q",
	    "\xc3\xa9t\xc3\xa9", NULL }, "raw UTF-8");
	parses("e=%F0%9F%98%80", (const char *const[]){ "e", "\xf0\x9f\x98\x80",
	    NULL }, "a 4-byte character");
	parses("c=%0D%0A%09", (const char *const[]){ "c", "\r\n\t", NULL },
	    "control characters other than NUL are kept");
	parses("s=a%22%3Cb%3E'", (const char *const[]){ "s", "a\"<b>'", NULL },
	    "markup characters are kept (escaping is the output's job)");
}

static void
test_refused(void)
{
	refuses("%", "malformed", "a lone '%'");
	refuses("a=%", "malformed", "'%' at the end of a value");
	refuses("a=%4", "malformed", "'%' and one digit at the end");
	refuses("a=%4G", "malformed", "a non-hex second digit");
	refuses("a=%G4", "malformed", "a non-hex first digit");
	refuses("a=%%41", "malformed", "'%%' is not an escape");
	refuses("a=% 41", "malformed", "a space inside an escape");
	refuses("a=%-1", "malformed", "a sign inside an escape");
	refuses("%zz=1", "malformed", "a malformed escape in a key");
	refuses("a=1&b=%x", "malformed", "a malformed escape after a good pair");
	refuses("a=1&b=2&c=%", "malformed", "a malformed escape in the last pair");

	refuses("a=%FF", "UTF-8", "an escaped 0xFF");
	refuses("a=\xff", "UTF-8", "a raw 0xFF");
	refuses("a=%C3", "UTF-8", "a truncated sequence");
	refuses("a=%C3x", "UTF-8", "a lead byte without continuation");
	refuses("a=%80", "UTF-8", "a lone continuation byte");
	refuses("a=%C0%AF", "UTF-8", "an overlong '/'");
	refuses("a=%E0%80%AF", "UTF-8", "a 3-byte overlong '/'");
	refuses("a=%ED%A0%80", "UTF-8", "a UTF-16 surrogate");
	refuses("a=%F4%90%80%80", "UTF-8", "above U+10FFFF");
	refuses("%FF=1", "UTF-8", "invalid UTF-8 in a key");

	refuses("a=%00", "NUL", "an escaped NUL in a value");
	refuses("%00=1", "NUL", "an escaped NUL in a key");
	refuses("a=x%00y", "NUL", "an escaped NUL inside a value");
	refuses_len("a=x\0y", 5, "NUL", "a raw NUL inside the given length");
	refuses_len("a\0=1", 4, "NUL", "a raw NUL in a key");
}

static char *
repeat(char c, size_t n)
{
	char	*s = malloc(n + 1);

	if (s == NULL)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* "k=" + n bytes, each written as esc (e.g. "a" or "%41"). */
static char *
value_of(size_t n, const char *esc)
{
	size_t	 elen = strlen(esc), i;
	char	*s = malloc(2 + n * elen + 1);

	if (s == NULL)
		abort();
	memcpy(s, "k=", 2);
	for (i = 0; i < n; i++)
		memcpy(s + 2 + i * elen, esc, elen);
	s[2 + n * elen] = '\0';
	return s;
}

/* n pairs "pI=I" joined by sep. */
static char *
pairs(size_t n, const char *sep)
{
	size_t	 cap = n * (16 + strlen(sep)) + 1, len = 0, i;
	char	*s = malloc(cap);

	if (s == NULL)
		abort();
	s[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%sp%zu=%zu",
		    i ? sep : "", i, i);
	return s;
}

static void
test_limits(void)
{
	struct web_params	 ps;
	struct llmops_err	 err;
	char			*s, *k, msg[64];
	int			 rc;

	is_int(WEB_PARAMS_MAX, 64, "WEB_PARAMS_MAX is 64");
	is_int(WEB_PARAM_BYTES, 1024, "WEB_PARAM_BYTES is 1024");

	s = pairs(WEB_PARAMS_MAX, "&");
	rc = web_params_parse(&ps, s, strlen(s), &err);
	ok(rc == 0 && ps.n == WEB_PARAMS_MAX &&
	    strcmp(web_params_get(&ps, "p63"), "63") == 0,
	    "%d parameters: accepted, the last one readable", WEB_PARAMS_MAX);
	web_params_release(&ps);
	free(s);

	s = pairs(WEB_PARAMS_MAX, "&&&");
	rc = web_params_parse(&ps, s, strlen(s), &err);
	ok(rc == 0 && ps.n == WEB_PARAMS_MAX,
	    "%d parameters with empty segments between: accepted",
	    WEB_PARAMS_MAX);
	web_params_release(&ps);
	free(s);

	snprintf(msg, sizeof(msg), "more than %d parameters", WEB_PARAMS_MAX);
	s = pairs(WEB_PARAMS_MAX + 1, "&");
	refuses(s, msg, "65 parameters");
	free(s);
	s = pairs(WEB_PARAMS_MAX * 4, "&");
	refuses(s, msg, "256 parameters");
	free(s);

	/* Value and key sizes, counted decoded. */
	s = value_of(WEB_PARAM_BYTES, "a");
	rc = web_params_parse(&ps, s, strlen(s), &err);
	ok(rc == 0 && ps.n == 1 && strlen(ps.p[0].value) == WEB_PARAM_BYTES,
	    "a value of %d bytes: accepted", WEB_PARAM_BYTES);
	web_params_release(&ps);
	free(s);
	s = value_of(WEB_PARAM_BYTES + 1, "a");
	refuses(s, "too long", "a value of 1025 bytes");
	free(s);

	s = value_of(WEB_PARAM_BYTES, "%41");
	rc = web_params_parse(&ps, s, strlen(s), &err);
	ok(rc == 0 && ps.n == 1 && strlen(ps.p[0].value) == WEB_PARAM_BYTES &&
	    ps.p[0].value[0] == 'A',
	    "a value of %d escaped bytes (%d raw): accepted", WEB_PARAM_BYTES,
	    WEB_PARAM_BYTES * 3);
	web_params_release(&ps);
	free(s);
	s = value_of(WEB_PARAM_BYTES + 1, "%41");
	refuses(s, "longer than 1024 bytes", "a value of 1025 escaped bytes");
	free(s);

	s = value_of(WEB_PARAM_BYTES / 2, "%C3%A9");
	rc = web_params_parse(&ps, s, strlen(s), &err);
	ok(rc == 0 && ps.n == 1 && strlen(ps.p[0].value) == WEB_PARAM_BYTES,
	    "512 two-byte characters (1024 bytes): accepted");
	web_params_release(&ps);
	free(s);

	/* Raw input over three times the limit is refused before decoding. */
	s = value_of(WEB_PARAM_BYTES * 3 + 1, "+");
	refuses(s, "longer than 1024 bytes", "3073 raw bytes");
	free(s);

	k = repeat('k', WEB_PARAM_BYTES + 1);
	refuses(k, "too long", "a key of 1025 bytes");
	free(k);
	k = repeat('k', WEB_PARAM_BYTES);
	rc = web_params_parse(&ps, k, strlen(k), &err);
	ok(rc == 0 && ps.n == 1 && strlen(ps.p[0].key) == WEB_PARAM_BYTES,
	    "a key of %d bytes: accepted", WEB_PARAM_BYTES);
	web_params_release(&ps);
	free(k);

	/* A form body as large as WEB_FORM_BYTES, refused for its count. */
	s = pairs(WEB_FORM_BYTES / 8, "&");
	ok(strlen(s) > WEB_FORM_BYTES / 2, "a body of %zu bytes", strlen(s));
	refuses(s, msg, "a large body with many parameters");
	free(s);
}

static void
test_get(void)
{
	struct web_params	ps;
	struct llmops_err	err;
	const char		*s = "a=1&a=2&B=3&empty=&=anon&sp+ace=x";

	if (web_params_parse(&ps, s, strlen(s), &err) != 0) {
		ok(0, "parse for web_params_get: %s", err.msg);
		return;
	}
	is_str(web_params_get(&ps, "a"), "1", "duplicate key: the first value");
	is_str(web_params_get(&ps, "B"), "3", "B");
	ok(web_params_get(&ps, "b") == NULL, "keys are case-sensitive");
	is_str(web_params_get(&ps, "empty"), "", "an empty value is \"\"");
	is_str(web_params_get(&ps, ""), "anon", "the empty key can be asked for");
	is_str(web_params_get(&ps, "sp ace"), "x", "a key asked for decoded");
	ok(web_params_get(&ps, "sp+ace") == NULL, "... not encoded");
	ok(web_params_get(&ps, "missing") == NULL, "a missing key: NULL");
	web_params_release(&ps);
	ok(ps.p == NULL && ps.n == 0, "release empties the params");
	web_params_release(&ps);
	ok(1, "a second release is harmless");
}

/* web_arg treats "" as absent, web_form does not; both read the first value. */
static void
test_request(void)
{
	struct web_request	r;
	struct llmops_err	err;
	const char		*q = "org=&range=30d&range=7d";
	const char		*f = "csrf=&email=a%40b.example";

	memset(&r, 0, sizeof(r));
	if (web_params_parse(&r.query, q, strlen(q), &err) != 0 ||
	    web_params_parse(&r.form, f, strlen(f), &err) != 0) {
		ok(0, "parse for the request: %s", err.msg);
		web_request_release(&r);
		return;
	}
	ok(web_arg(&r, "org") == NULL, "web_arg: an empty value is absent");
	is_str(web_arg(&r, "range"), "30d", "web_arg: the first value");
	ok(web_arg(&r, "csrf") == NULL, "web_arg reads the query, not the form");
	is_str(web_form(&r, "csrf"), "", "web_form: an empty value is \"\"");
	is_str(web_form(&r, "email"), "a@b.example", "web_form: decoded");
	ok(web_form(&r, "range") == NULL, "web_form reads the form, not the query");
	web_request_release(&r);
	ok(r.query.p == NULL && r.form.p == NULL, "web_request_release frees both");
}

int
main(void)
{
	test_split();
	test_decode();
	test_refused();
	test_limits();
	test_get();
	test_request();
	return tap_done();
}
