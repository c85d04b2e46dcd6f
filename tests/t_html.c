/*
 * Escaping: every special character in text and attributes, the hostile
 * labels of the dashboard, invalid UTF-8 (one U+FFFD per maximal invalid
 * subpart, the WHATWG decoder's rule, cases from Unicode's table 3-8),
 * control characters and noncharacters, query parameters, numbers, and a
 * sweep of pseudo-random byte strings whose output must be safe.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "html.h"
#include "tap.h"
#include "writer.h"

#define R	"\xef\xbf\xbd"	/* U+FFFD */

enum fn {
	FN_TEXT,
	FN_ATTR,
	FN_URL,
	FN_DECIMAL,
};

static const char *const fn_names[] = { "text", "attr", "url_arg", "decimal" };

/* Runs one escaper on s into a static buffer. */
static const char *
run(enum fn fn, const char *s)
{
	static char	 out[4096];
	struct writer	 w;
	struct membuf	 mb;
	int		 rc = -1;

	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	switch (fn) {
	case FN_TEXT:
		rc = html_text(&w, s);
		break;
	case FN_ATTR:
		rc = html_attr(&w, s);
		break;
	case FN_URL:
		rc = html_url_arg(&w, s);
		break;
	case FN_DECIMAL:
		rc = html_decimal_text(&w, s);
		break;
	}
	if (writer_flush(&w) != 0)
		rc = -1;
	snprintf(out, sizeof(out), "%s", rc == 0 ? membuf_str(&mb) : "(failed)");
	membuf_release(&mb);
	return out;
}

static void
esc(enum fn fn, const char *in, const char *want, const char *why)
{
	is_str(run(fn, in), want, "%s: %s", fn_names[fn], why);
}

static void
test_specials(void)
{
	esc(FN_TEXT, "&<>\"'", "&amp;&lt;&gt;&quot;&#39;", "the five specials");
	esc(FN_ATTR, "&<>\"'", "&amp;&lt;&gt;&quot;&#39;", "the five specials");
	esc(FN_TEXT, "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;", "a script tag is text");
	esc(FN_ATTR, "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;", "a script tag is text");
	esc(FN_TEXT, "\"><img src=x>", "&quot;&gt;&lt;img src=x&gt;",
	    "an attribute breakout is text");
	esc(FN_ATTR, "\"><img src=x onerror=alert(1)>",
	    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
	    "an attribute breakout stays in the value");
	esc(FN_ATTR, "' onmouseover='x", "&#39; onmouseover=&#39;x",
	    "single quotes too");
	esc(FN_TEXT, "&amp;", "&amp;amp;", "an entity is escaped again");
	esc(FN_TEXT, "plain text, 100% ok", "plain text, 100% ok", "plain text");
	esc(FN_TEXT, "", "", "empty");
	esc(FN_TEXT, NULL, "", "NULL writes nothing");
	esc(FN_ATTR, NULL, "", "NULL writes nothing");
}

static void
test_controls(void)
{
	esc(FN_TEXT, "a\tb\nc\rd", "a\tb\nc\rd", "tab, newline, CR stay in text");
	esc(FN_ATTR, "a\tb\nc\rd", "a&#9;b&#10;c&#13;d",
	    "tab, newline, CR as references in attributes");
	esc(FN_TEXT, "\x01x\x08\x0b\x0c\x1b[31m\x1f\x7f", R "x" R R R R "[31m" R R,
	    "C0 controls and DEL replaced");
	esc(FN_ATTR, "\x01\x1f\x7f", R R R, "C0 and DEL replaced");
	/* U+0085 (NEL) and U+009B (CSI) */
	esc(FN_TEXT, "a\xc2\x85" "b\xc2\x9b" "c", "a" R "b" R "c", "C1 replaced");
	/* U+00A0 is the first code point after C1 */
	esc(FN_TEXT, "\xc2\xa0", "\xc2\xa0", "U+00A0 stays");
	esc(FN_TEXT, "\xef\xbf\xbe\xef\xbf\xbf", R R, "U+FFFE, U+FFFF replaced");
	esc(FN_TEXT, "\xef\xb7\x90\xef\xb7\xaf", R R,
	    "U+FDD0, U+FDEF replaced");
	esc(FN_TEXT, "\xef\xb7\x8f\xef\xb7\xb0", "\xef\xb7\x8f\xef\xb7\xb0",
	    "U+FDCF, U+FDF0 stay");
	esc(FN_TEXT, "\xf0\x9f\xbf\xbe\xf4\x8f\xbf\xbf", R R,
	    "U+1FFFE, U+10FFFF replaced");
	esc(FN_TEXT, "\xf4\x8f\xbf\xbd", "\xf4\x8f\xbf\xbd", "U+10FFFD stays");
	esc(FN_TEXT, R, R, "U+FFFD itself stays");
}

static void
test_utf8(void)
{
	esc(FN_TEXT, "D\xc3\xa9veloppement \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xe9\x96\x8b\xe7\x99\xba",
	    "D\xc3\xa9veloppement \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xe9\x96\x8b\xe7\x99\xba", "valid UTF-8 passes");
	esc(FN_TEXT, "\x80", R, "lone continuation byte");
	esc(FN_TEXT, "\x80\xbf\x80", R R R, "three continuation bytes: three");
	esc(FN_TEXT, "\xc3", R, "truncated at the end");
	esc(FN_TEXT, "\xc3(", R "(", "truncated before ASCII");
	esc(FN_TEXT, "\xe2\x82x", R "x", "3-byte cut after 2: one");
	esc(FN_TEXT, "\xf0\x9f\x98!", R "!", "4-byte cut after 3: one");
	esc(FN_TEXT, "\xf0\x9f\x98<", R "&lt;",
	    "a cut sequence does not swallow a '<'");
	esc(FN_TEXT, "\xc0\x80", R R, "overlong NUL: C0 is never a lead");
	esc(FN_TEXT, "\xc1\xbf", R R, "C1 lead byte");
	esc(FN_TEXT, "\xe0\x80\x80", R R R, "overlong 3-byte: E0 80 fails at once");
	esc(FN_TEXT, "\xe0\x9f\xbf", R R R, "overlong U+07FF");
	esc(FN_TEXT, "\xe0\xa0\x80", "\xe0\xa0\x80", "U+0800 is fine");
	esc(FN_TEXT, "\xed\xa0\x80", R R R, "surrogate U+D800");
	esc(FN_TEXT, "\xed\xbf\xbf", R R R, "surrogate U+DFFF");
	esc(FN_TEXT, "\xed\x9f\xbf", "\xed\x9f\xbf", "U+D7FF is fine");
	esc(FN_TEXT, "\xf0\x80\x80\x80", R R R R, "overlong 4-byte");
	esc(FN_TEXT, "\xf4\x90\x80\x80", R R R R, "above U+10FFFF");
	esc(FN_TEXT, "\xf5\x80\x80\x80", R R R R, "F5 is never a lead");
	esc(FN_TEXT, "\xfe\xff", R R, "FE FF");
	esc(FN_TEXT, "a\xff<b", "a" R "&lt;b", "invalid byte next to a special");
	/* Unicode 15, table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 */
	esc(FN_TEXT, "\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64",
	    "a" R R R "b" R "c" R R "d", "Unicode table 3-8");
	esc(FN_ATTR, "\xc3\"", R "&quot;", "attr: a cut sequence before a quote");
}

static void
test_ntext(void)
{
	struct writer	w;
	struct membuf	mb;

	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	html_ntext(&w, "ab<cd", 3);
	html_ntext(&w, "|", 1);
	/* Cutting "é" after its first byte leaves an invalid sequence. */
	html_ntext(&w, "\xc3\xa9", 1);
	html_ntext(&w, "|", 1);
	/* An embedded NUL within len is a control character. */
	html_ntext(&w, "x\0y", 3);
	html_ntext(&w, "zzz", 0);
	writer_flush(&w);
	is_str(membuf_str(&mb), "ab&lt;|" R "|x" R "y",
	    "ntext: prefix, cut sequence, embedded NUL, empty");
	membuf_release(&mb);
}

static void
test_decode(void)
{
	uint32_t	cp = 0;

	is_int(html_utf8_decode("A", 1, &cp), 1, "decode A: 1 byte");
	is_int(cp, 0x41, "decode A: U+0041");
	is_int(html_utf8_decode("\xc3\xa9", 2, &cp), 2, "decode e-acute: 2 bytes");
	is_int(cp, 0xe9, "decode e-acute: U+00E9");
	is_int(html_utf8_decode("\xe2\x82\xac", 3, &cp), 3, "decode euro: 3");
	is_int(cp, 0x20ac, "decode euro: U+20AC");
	is_int(html_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4, "decode emoji: 4");
	is_int(cp, 0x1f600, "decode emoji: U+1F600");
	is_int(html_utf8_decode("\xf0\x9f\x98\x80", 2, &cp), 2,
	    "decode emoji cut by len 2: 2 bytes consumed");
	is_int(cp, HTML_REPLACEMENT_CHAR, "decode emoji cut: U+FFFD");
	is_int(html_utf8_decode("\xed\xa0\x80", 3, &cp), 1, "surrogate: 1 byte");
	is_int(cp, HTML_REPLACEMENT_CHAR, "surrogate: U+FFFD");
}

static void
test_url(void)
{
	esc(FN_URL, "AZaz09-._~", "AZaz09-._~", "unreserved kept");
	esc(FN_URL, "a b", "a%20b", "space is %20, not +");
	esc(FN_URL, "!#$&'()*+,/:;=?@[]", "%21%23%24%26%27%28%29%2A%2B%2C%2F%3A"
	    "%3B%3D%3F%40%5B%5D", "every reserved character");
	esc(FN_URL, "%\"<>\\^`{|}", "%25%22%3C%3E%5C%5E%60%7B%7C%7D",
	    "percent and the unsafe characters");
	esc(FN_URL, "\n\t\x7f", "%0A%09%7F", "controls encoded");
	esc(FN_URL, "D\xc3\xa9v", "D%C3%A9v", "e-acute");
	esc(FN_URL, "\xe2\x82\xac", "%E2%82%AC", "euro");
	esc(FN_URL, "\xf0\x9f\x98\x80", "%F0%9F%98%80", "emoji");
	esc(FN_URL, "\xe9\x96\x8b", "%E9%96%8B", "CJK");
	esc(FN_URL, "a\xffz", "a%EF%BF%BDz", "invalid byte: U+FFFD encoded");
	esc(FN_URL, "\xe2\x82", "%EF%BF%BD", "cut sequence: one U+FFFD");
	esc(FN_URL, "<script>alert(1)</script>",
	    "%3Cscript%3Ealert%281%29%3C%2Fscript%3E", "script tag");
	esc(FN_URL, "\"><img src=x>", "%22%3E%3Cimg%20src%3Dx%3E", "img breakout");
	esc(FN_URL, "", "", "empty");
	esc(FN_URL, NULL, "", "NULL");
}

static void
test_numbers(void)
{
	struct writer	w;
	struct membuf	mb;

	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	html_num(&w, 0);
	writer_puts(&w, " ");
	html_num(&w, -1);
	writer_puts(&w, " ");
	html_num(&w, INT64_MAX);
	writer_puts(&w, " ");
	html_num(&w, INT64_MIN);
	writer_flush(&w);
	is_str(membuf_str(&mb), "0 -1 9223372036854775807 -9223372036854775808",
	    "html_num");
	membuf_release(&mb);

	esc(FN_DECIMAL, "12", "12", "integer");
	esc(FN_DECIMAL, "-12.500", "-12.500", "negative with fraction");
	esc(FN_DECIMAL, "0.000960000000", "0.000960000000", "money text");
	esc(FN_DECIMAL, "1<2", "1&lt;2", "not a number: escaped");
	esc(FN_DECIMAL, "12\"><img src=x>", "12&quot;&gt;&lt;img src=x&gt;",
	    "a number followed by markup: escaped");
	esc(FN_DECIMAL, "\xff" "1", R "1", "invalid UTF-8: replaced");
	esc(FN_DECIMAL, "1e5", "1e5", "exponent: written as text");
	esc(FN_DECIMAL, NULL, "", "NULL writes nothing");
}

static const char *
query(const struct html_param *p, size_t n, int attr)
{
	static char	 out[1024];
	struct writer	 w;
	struct membuf	 mb;
	int		 rc;

	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	rc = attr ? html_query_attr(&w, p, n) : html_query(&w, p, n);
	writer_flush(&w);
	snprintf(out, sizeof(out), "%s", rc == 0 ? membuf_str(&mb) : "(failed)");
	membuf_release(&mb);
	return out;
}

static void
test_query(void)
{
	static const struct html_param	p[] = {
		{ "org", "Acme & Co" },
		{ "from", "2026-11-01" },
		{ "skip", NULL },
		{ NULL, "skipped too" },
		{ "dept", "<script>alert(1)</script>" },
		{ "q", "" },
	};
	static const struct html_param	odd[] = {
		{ "a b", "=&?" },
	};
	static const struct html_param	none[] = {
		{ "x", NULL },
	};

	is_str(query(p, 6, 0), "?org=Acme%20%26%20Co&from=2026-11-01"
	    "&dept=%3Cscript%3Ealert%281%29%3C%2Fscript%3E&q=",
	    "query: plain separators, NULLs skipped, empty value kept");
	is_str(query(p, 6, 1), "?org=Acme%20%26%20Co&amp;from=2026-11-01"
	    "&amp;dept=%3Cscript%3Ealert%281%29%3C%2Fscript%3E&amp;q=",
	    "query_attr: &amp; separators");
	is_str(query(p, 1, 1), "?org=Acme%20%26%20Co", "one parameter");
	is_str(query(odd, 1, 0), "?a%20b=%3D%26%3F", "keys are encoded too");
	is_str(query(none, 1, 0), "", "no parameter left: nothing");
	is_str(query(p, 0, 0), "", "none at all: nothing");
}

static void
test_failed_writer(void)
{
	struct writer	w;
	struct membuf	mb;

	membuf_init(&mb);
	mb.max = 0;
	writer_init_membuf(&w, &mb);
	writer_puts(&w, "x");
	writer_flush(&w);
	is_int(html_text(&w, "a"), -1, "html_text on a failed writer");
	is_int(html_attr(&w, "a"), -1, "html_attr on a failed writer");
	is_int(html_url_arg(&w, "a"), -1, "html_url_arg on a failed writer");
	is_int(html_num(&w, 1), -1, "html_num on a failed writer");
	is_int(html_decimal_text(&w, "1"), -1, "html_decimal_text on a failed writer");
	is_int(html_query(&w, NULL, 0), -1, "html_query on a failed writer");
	is_int(html_text(&w, NULL), -1, "html_text(NULL) on a failed writer");
	membuf_release(&mb);
}

/* xorshift32: the same bytes on every run. */
static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Whether every '&' in s starts one of the references we write. */
static int
refs_ok(const char *s)
{
	static const char *const refs[] = {
		"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#9;", "&#10;",
		"&#13;",
	};
	size_t	i;

	for (; (s = strchr(s, '&')) != NULL; s++) {
		for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
			if (strncmp(s, refs[i], strlen(refs[i])) == 0)
				break;
		if (i == sizeof(refs) / sizeof(refs[0]))
			return 0;
	}
	return 1;
}

/* Whether s holds only code points cp_allowed lets through. */
static int
cps_ok(const char *s, int attr)
{
	size_t		len = strlen(s), i, n;
	uint32_t	cp;

	for (i = 0; i < len; i += n) {
		n = html_utf8_decode(s + i, len - i, &cp);
		if (cp == HTML_REPLACEMENT_CHAR && memcmp(s + i, R, 3) != 0)
			return 0;
		if ((cp < 0x20 && (attr || (cp != '\t' && cp != '\n' &&
		    cp != '\r'))) || (cp >= 0x7f && cp <= 0x9f) ||
		    (cp & 0xfffe) == 0xfffe || (cp >= 0xfdd0 && cp <= 0xfdef))
			return 0;
	}
	return 1;
}

static void
test_sweep(void)
{
	char		 in[64];
	const char	*out;
	uint32_t	 seed = 2463534242U;
	size_t		 i, j, len;
	int		 bad_text = 0, bad_attr = 0, bad_url = 0;

	for (i = 0; i < 20000; i++) {
		len = next_rand(&seed) % (sizeof(in) - 1);
		for (j = 0; j < len; j++) {
			/* Bias towards the interesting bytes. */
			switch (next_rand(&seed) % 4) {
			case 0:
				in[j] = "<>&\"'\t\n\r\x01\x7f"[next_rand(&seed) % 10];
				break;
			case 1:
				in[j] = (char)(0x80 | (next_rand(&seed) % 0x80));
				break;
			default:
				in[j] = (char)(1 + next_rand(&seed) % 255);
				break;
			}
		}
		in[len] = '\0';
		out = run(FN_TEXT, in);
		if (strpbrk(out, "<>\"'") != NULL || !refs_ok(out) ||
		    !utf8_valid((const unsigned char *)out, strlen(out)) ||
		    !cps_ok(out, 0))
			bad_text++;
		out = run(FN_ATTR, in);
		if (strpbrk(out, "<>\"'\t\n\r") != NULL || !refs_ok(out) ||
		    !utf8_valid((const unsigned char *)out, strlen(out)) ||
		    !cps_ok(out, 1))
			bad_attr++;
		out = run(FN_URL, in);
		if (strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-._~%") != strlen(out))
			bad_url++;
	}
	is_int(bad_text, 0, "sweep: 20000 random strings, text output safe");
	is_int(bad_attr, 0, "sweep: attribute output safe");
	is_int(bad_url, 0, "sweep: url output only unreserved and %%XX");
}

int
main(void)
{
	test_specials();
	test_controls();
	test_utf8();
	test_ntext();
	test_decode();
	test_url();
	test_numbers();
	test_query();
	test_failed_writer();
	test_sweep();
	return tap_done();
}
