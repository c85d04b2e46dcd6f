/*
 * Log lines: log_escape (CR, LF, tab, backslash, other C0 controls, DEL
 * and the UTF-8 C1 controls escaped; everything else kept as it is; the
 * output cut between escapes, always terminated, never written past its
 * size), and log_msg (one line whatever the input, the level threshold,
 * the tag, long messages cut with a marker).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "llmops_limits.h"
#include "log.h"
#include "tap.h"

static void
esc_is(const char *in, const char *want, const char *name)
{
	char	out[256];

	log_escape(out, sizeof(out), in);
	is_str(out, want, "%s", name);
}

static void
test_escape(void)
{
	esc_is("", "", "empty");
	esc_is("plain text: [LITELLM] 200 ok", "plain text: [LITELLM] 200 ok",
	    "printable ASCII is kept");
	esc_is("a\nb", "a\\nb", "LF");
	esc_is("a\rb", "a\\rb", "CR");
	esc_is("a\tb", "a\\tb", "tab");
	esc_is("a\\nb", "a\\\\nb", "a backslash is doubled, so '\\n' text is "
	    "not an escaped LF");
	esc_is("x\r\n2030-01-01T00:00:00Z llmops[1]: error: [AUTH] forged",
	    "x\\r\\n2030-01-01T00:00:00Z llmops[1]: error: [AUTH] forged",
	    "a forged line stays on this one");
	esc_is("\x01\x1b[31m\x1f", "\\x01\\x1b[31m\\x1f",
	    "other C0 controls as \\xNN (an ANSI colour)");
	esc_is("\x7f", "\\x7f", "DEL");
	esc_is("\x0b\x0c\x08", "\\x0b\\x0c\\x08", "VT, FF and BS");
	esc_is(" ~", " ~", "space and tilde are printable");

	/* C1 controls in UTF-8 (U+0080..U+009F): CSI and NEL steer terminals. */
	esc_is("a\xc2\x9b" "31mb", "a\\x9b31mb", "U+009B (CSI)");
	esc_is("\xc2\x85", "\\x85", "U+0085 (NEL)");
	esc_is("\xc2\x80\xc2\x9f", "\\x80\\x9f", "the C1 range's ends");
	esc_is("\xc2\xa0", "\xc2\xa0", "U+00A0 is kept");
	esc_is("\xc2\x7f", "\xc2\\x7f", "0xC2 then DEL: DEL escaped");
	esc_is("\xc2", "\xc2", "a lone 0xC2 at the end is kept");

	esc_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "UTF-8 text is kept");
	esc_is("\xe2\x80\xa8", "\xe2\x80\xa8",
	    "U+2028 is kept (not a line end for log readers)");
	/* Invalid UTF-8 is not repaired: the bytes are written as they are. */
	esc_is("\xff\xfe", "\xff\xfe", "bytes that are not UTF-8 are kept");
	esc_is("\x9b", "\x9b", "a raw C1 byte outside UTF-8 is kept");
}

/* No byte of any one- or two-byte input comes out as a control. */
static void
test_escape_all(void)
{
	char		in[3], out[16];
	unsigned	a, b;
	size_t		i;
	int		clean = 1, terminated = 1;

	for (a = 1; a < 256; a++)
		for (b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = '\0';
			memset(out, 'Z', sizeof(out));
			log_escape(out, sizeof(out), in);
			if (memchr(out, '\0', sizeof(out)) == NULL) {
				terminated = 0;
				continue;
			}
			for (i = 0; out[i] != '\0'; i++)
				if ((unsigned char)out[i] < 0x20 ||
				    (unsigned char)out[i] == 0x7f)
					clean = 0;
			if (a == 0xc2 && b >= 0x80 && b <= 0x9f &&
			    strchr(out, (char)0xc2) != NULL)
				clean = 0;
		}
	ok(clean, "no control byte (C0, DEL, UTF-8 C1) survives, for every "
	    "1- and 2-byte input");
	ok(terminated, "the output is always terminated");
}

/* log_escape(in) into a buffer of size sz, checking nothing is written past it. */
static void
cut_is(const char *in, size_t sz, const char *want, const char *name)
{
	char	buf[64];

	memset(buf, 'Z', sizeof(buf));
	log_escape(buf, sz, in);
	is_str(buf, want, "%s (size %zu)", name, sz);
	ok(buf[sz] == 'Z', "%s: nothing written past the size", name);
}

static void
test_truncation(void)
{
	char	buf[4] = "ZZZ";

	log_escape(buf, 0, "abc");
	is_str(buf, "ZZZ", "size 0: nothing written");
	cut_is("abc", 1, "", "size 1: empty");
	cut_is("abcdef", 4, "abc", "cut to size - 1");
	cut_is("abc", 4, "abc", "exactly fits");
	cut_is("ab\n", 4, "ab", "an escape that does not fit is left out "
	    "whole");
	cut_is("ab\n", 5, "ab\\n", "an escape that fits");
	cut_is("a\x01", 5, "a", "a \\xNN that does not fit is left out whole");
	cut_is("a\x01", 6, "a\\x01", "a \\xNN that fits");
	cut_is("a\xc2\x85", 5, "a", "a C1 escape that does not fit");
	cut_is("a\\", 3, "a", "a doubled backslash that does not fit");
	cut_is("a\nbcdef", 4, "a\\n", "cut right after an escape");
}

/* What log_msg wrote to stderr while fn ran; a static buffer. */
static const char *
captured(void (*fn)(void))
{
	static char	 text[16384];
	FILE		*f;
	int		 saved;
	size_t		 n;

	text[0] = '\0';
	fflush(stderr);
	if ((f = tmpfile()) == NULL || (saved = dup(STDERR_FILENO)) < 0)
		return text;
	dup2(fileno(f), STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static size_t
count_char(const char *s, char c)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

static void
log_forged(void)
{
	log_error(LOG_TAG_LITELLM, "id %s", "x\nFAKE: [AUTH] admin logged in");
}

static void
log_levels(void)
{
	log_debug(LOG_TAG_MAIN, "debug line");
	log_info(LOG_TAG_MAIN, "info line");
	log_warn(LOG_TAG_DB, "warn line");
}

static char	long_msg[LIMIT_LOG_LINE_BYTES * 3];

static void
log_long(void)
{
	log_info(LOG_TAG_HTTP, "%s", long_msg);
}

static void
test_log_msg(void)
{
	const char	*out, *p;
	enum log_level	 l;
	size_t		 i;

	ok(log_level_parse("WARN", &l) == 0 && l == LOG_LEVEL_WARN,
	    "log_level_parse: any case");
	ok(log_level_parse("verbose", &l) == -1, "log_level_parse: unknown");

	log_open("t_log", LOG_LEVEL_INFO, 0);
	out = captured(log_forged);
	is_int(count_char(out, '\n'), 1, "an LF in the message: one line");
	ok(strstr(out, " t_log[") != NULL && strstr(out, "]: error: [LITELLM] "
	    "id x\\nFAKE: [AUTH] admin logged in\n") != NULL,
	    "ident, level, tag, and the LF escaped");
	if (!ok(strncmp(out, "20", 2) == 0 && out[19] == 'Z',
	    "starts with a UTC time stamp"))
		tap_diag("%s", out);

	out = captured(log_levels);
	ok(strstr(out, "debug line") == NULL, "below the threshold: not written");
	ok(strstr(out, "[MAIN] info line\n") != NULL, "at the threshold: written");
	ok(strstr(out, "warn: [DB] warn line\n") != NULL, "above it: written");
	log_open("t_log", LOG_LEVEL_ERROR, 0);
	out = captured(log_levels);
	is_str(out, "", "threshold error: nothing below it");
	log_open("t_log", LOG_LEVEL_INFO, 0);

	/* Exactly the most that fits: not cut. */
	memset(long_msg, 'x', LIMIT_LOG_LINE_BYTES - 1);
	long_msg[LIMIT_LOG_LINE_BYTES - 1] = '\0';
	out = captured(log_long);
	p = strstr(out, "[HTTP] ");
	ok(p != NULL && strlen(p) == 7 + LIMIT_LOG_LINE_BYTES - 1 + 1 &&
	    strstr(out, "...") == NULL, "%d bytes: written whole",
	    LIMIT_LOG_LINE_BYTES - 1);

	/* One more: cut, with the marker. */
	memset(long_msg, 'x', LIMIT_LOG_LINE_BYTES);
	long_msg[LIMIT_LOG_LINE_BYTES] = '\0';
	out = captured(log_long);
	p = strstr(out, "[HTTP] ");
	ok(p != NULL && strlen(p) == 7 + LIMIT_LOG_LINE_BYTES - 1 + 1 &&
	    strcmp(p + strlen(p) - 4, "...\n") == 0, "%d bytes: cut, ending "
	    "in '...'", LIMIT_LOG_LINE_BYTES);

	/*
	 * Control bytes grow four times when escaped: a message that fits
	 * the limit is still written whole, and a longer one still ends in
	 * the marker.
	 */
	memset(long_msg, '\x01', LIMIT_LOG_LINE_BYTES - 1);
	long_msg[LIMIT_LOG_LINE_BYTES - 1] = '\0';
	out = captured(log_long);
	p = strstr(out, "[HTTP] ");
	if (!ok(p != NULL && strlen(p) == 7 + 4 * (LIMIT_LOG_LINE_BYTES - 1) + 1,
	    "%d control bytes: all written, escaped",
	    LIMIT_LOG_LINE_BYTES - 1))
		tap_diag("line of %zu bytes", p ? strlen(p) : 0);
	memset(long_msg, '\x01', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	out = captured(log_long);
	p = strstr(out, "[HTTP] ");
	ok(p != NULL && strlen(p) > 4 &&
	    strcmp(p + strlen(p) - 4, "...\n") == 0,
	    "%zu control bytes: cut, ending in '...'", sizeof(long_msg) - 1);
	for (i = 0, p = out; p != NULL && *p != '\0'; p++)
		i += (unsigned char)*p < 0x20 && *p != '\n';
	is_int(i, 0, "... and no raw control byte in the line");
	is_int(count_char(out, '\n'), 1, "... on one line");
	log_close();
}

int
main(void)
{
	test_escape();
	test_escape_all();
	test_truncation();
	test_log_msg();
	return tap_done();
}
