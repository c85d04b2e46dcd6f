/*
 * label_clean, label_repair_mojibake and utf8_valid. UTF-8 is written as
 * explicit bytes so the expected values do not depend on how this file
 * is encoded.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "label.h"
#include "tap.h"

/* "é" U+00E9, "日" U+65E5, "本" U+672C, "😀" U+1F600, "Ã" U+00C3, "©" U+00A9 */
#define E_ACUTE		"\xc3\xa9"
#define NICHI		"\xe6\x97\xa5"
#define HON		"\xe6\x9c\xac"
#define GRIN		"\xf0\x9f\x98\x80"
#define A_TILDE		"\xc3\x83"
#define COPYRIGHT	"\xc2\xa9"

/* Runs label_clean and compares the result and the truncated flag. */
static void
cleans(const char *raw, size_t max, const char *want, int want_trunc,
    const char *name)
{
	char	*got;
	int	 trunc = -1, oom = -1;

	got = label_clean(raw, max, &trunc, &oom);
	is_str(got, want, "clean: %s", name);
	is_int(trunc, want_trunc, "clean: %s: truncated is %d", name, want_trunc);
	is_int(oom, 0, "clean: %s: not out of memory", name);
	free(got);
}

static void
test_blank(void)
{
	cleans(NULL, 128, NULL, 0, "NULL is untagged");
	cleans("", 128, NULL, 0, "empty is untagged");
	cleans("   ", 128, NULL, 0, "blanks only are untagged");
	cleans("\t\n\r ", 128, NULL, 0, "tab, newline, CR only are untagged");
	cleans("\x01\x7f", 128, NULL, 0, "control characters only are untagged");
	cleans("  Sales  ", 128, "Sales", 0, "leading and trailing blanks trimmed");
	cleans("Sales", 128, "Sales", 0, "plain ASCII unchanged");
	cleans("R&D / Paris", 128, "R&D / Paris", 0,
	    "punctuation and inner blanks kept");
}

static void
test_control(void)
{
	cleans("a\tb", 128, "a b", 0, "tab inside becomes a space");
	cleans("a\nb", 128, "a b", 0, "newline inside becomes a space");
	cleans("a\x01" "b", 128, "a b", 0, "\\x01 becomes a space");
	cleans("a\x7f" "b", 128, "a b", 0, "DEL becomes a space");
	cleans("a\x1b[31mb", 128, "a [31mb", 0, "ESC becomes a space");
	cleans("a\r\nb", 128, "a  b", 0, "CR LF become two spaces, not one");
	cleans("\nFinance\n", 128, "Finance", 0, "newlines at the ends trimmed");
	cleans("Ops\x7f", 128, "Ops", 0, "trailing DEL trimmed");
	cleans("\x01Ops", 128, "Ops", 0, "leading \\x01 trimmed");
	cleans("a\xc2\x9b" "31mb", 128, "a 31mb", 0,
	    "C1 CSI (U+009B) becomes one space");
	cleans("a\xc2\x85" "b", 128, "a b", 0, "C1 NEL (U+0085) becomes one space");
	cleans("\xc2\x80" "Ops" "\xc2\x9f", 128, "Ops", 0,
	    "C1 controls at the ends trimmed");
	cleans("a" COPYRIGHT "b", 128, "a" COPYRIGHT "b", 0,
	    "U+00A9 right after the C1 range is kept");
}

static void
test_truncate(void)
{
	cleans("Hello World", 5, "Hello", 1, "cut at 5 characters");
	cleans("Hello", 5, "Hello", 0, "exactly 5 characters is not cut");
	cleans("  Hello  ", 5, "Hello", 0, "trimmed before counting");
	cleans("ab cd", 3, "ab", 1, "blank exposed by the cut is trimmed");
	cleans("abcdef", 1, "a", 1, "cut at 1 character");

	/* Code points, not bytes: four "é" are eight bytes. */
	cleans(E_ACUTE E_ACUTE E_ACUTE E_ACUTE, 2, E_ACUTE E_ACUTE, 1,
	    "cut after 2 of 4 two-byte characters");
	cleans(E_ACUTE E_ACUTE, 2, E_ACUTE E_ACUTE, 0,
	    "2 two-byte characters fit in 2");
	cleans("a" E_ACUTE "b", 2, "a" E_ACUTE, 1,
	    "two-byte character at the boundary kept whole");
	cleans("ab" E_ACUTE, 2, "ab", 1,
	    "two-byte character after the boundary dropped whole");
	cleans("a" GRIN, 2, "a" GRIN, 0, "4-byte emoji as the last character");
	cleans("a" GRIN "b", 2, "a" GRIN, 1, "4-byte emoji at the boundary kept");
	cleans("a" GRIN, 1, "a", 1, "4-byte emoji after the boundary dropped");
	cleans(GRIN GRIN GRIN, 1, GRIN, 1, "one of three emoji");
	cleans(NICHI HON, 1, NICHI, 1, "3-byte characters cut at 1");
	{
		char	 raw[300];
		char	*got;
		int	 trunc, oom;

		memset(raw, 'x', 299);
		raw[299] = '\0';
		got = label_clean(raw, 255, &trunc, &oom);
		is_int(got ? strlen(got) : 0, 255, "299 x cut to 255");
		is_int(trunc, 1, "299 x: truncated");
		free(got);
	}
}

static void
test_mojibake(void)
{
	/* "Développement" decoded as Latin-1: é (C3 A9) became
	 * Ã (U+00C3, C3 83) © (U+00A9, C2 A9). */
	cleans("Recherche & D" A_TILDE COPYRIGHT "veloppement", 128,
	    "Recherche & D" E_ACUTE "veloppement", 0,
	    "mojibake repaired to Développement");
	cleans("Caf" E_ACUTE, 128, "Caf" E_ACUTE, 0,
	    "genuine Latin-1 é (U+00E9) stays");
	cleans(NICHI HON, 128, NICHI HON, 0, "code points above 0xFF stay");
	cleans("Engineering", 128, "Engineering", 0, "ASCII stays");
	/* Repair first, then count: "DÃ©v" is 4 code points but the
	 * repaired "Dév" is 3. */
	cleans("D" A_TILDE COPYRIGHT "v", 3, "D" E_ACUTE "v", 0,
	    "characters counted after the repair");
	cleans("  D" A_TILDE COPYRIGHT "v  ", 128, "D" E_ACUTE "v", 0,
	    "repaired and trimmed");
}

static void
repairs(const char *in, int want_rc, const char *want, const char *name)
{
	char	*s = strdup(in);

	if (s == NULL) {
		ok(0, "strdup");
		return;
	}
	is_int(label_repair_mojibake(s), want_rc, "repair: %s returns %d", name,
	    want_rc);
	is_str(s, want, "repair: %s gives the expected text", name);
	free(s);
}

static void
test_repair(void)
{
	repairs("D" A_TILDE COPYRIGHT "veloppement", 1, "D" E_ACUTE "veloppement",
	    "DÃ©veloppement");
	/* Three characters of mojibake: "日" E6 97 A5 read as Latin-1 is
	 * æ (C3 A6), U+0097 (C2 97), ¥ (C2 A5). */
	repairs("\xc3\xa6\xc2\x97\xc2\xa5", 1, NICHI, "mojibake of 日");
	/* The emoji F0 9F 98 80 as Latin-1: ð (C3 B0), U+009F, U+0098,
	 * U+0080. */
	repairs("\xc3\xb0\xc2\x9f\xc2\x98\xc2\x80", 1, GRIN, "mojibake of 😀");
	repairs("Caf" E_ACUTE, 0, "Caf" E_ACUTE, "Café (E9 alone is not UTF-8)");
	repairs("plain", 0, "plain", "ASCII");
	repairs("", 0, "", "empty string");
	repairs(NICHI HON, 0, NICHI HON, "日本 (above 0xFF)");
	repairs(A_TILDE COPYRIGHT " " NICHI, 0, A_TILDE COPYRIGHT " " NICHI,
	    "mojibake next to a code point above 0xFF");
	repairs(A_TILDE, 0, A_TILDE, "lone Ã (C3 alone is not UTF-8)");
	repairs(A_TILDE COPYRIGHT A_TILDE, 0, A_TILDE COPYRIGHT A_TILDE,
	    "repaired bytes would end in a truncated sequence");
}

static void
valid(const char *bytes, size_t len, int want, const char *name)
{
	is_int(utf8_valid((const unsigned char *)bytes, len), want,
	    "utf8_valid: %s is %s", name, want ? "valid" : "invalid");
}

static void
test_utf8(void)
{
	valid("", 0, 1, "empty");
	valid("abc", 3, 1, "ASCII");
	valid("\x00", 1, 1, "NUL byte (U+0000)");
	valid("\x7f", 1, 1, "DEL");
	valid("\xc2\x80", 2, 1, "U+0080, smallest 2-byte");
	valid(E_ACUTE, 2, 1, "é");
	valid("\xdf\xbf", 2, 1, "U+07FF, largest 2-byte");
	valid("\xe0\xa0\x80", 3, 1, "U+0800, smallest 3-byte");
	valid("\xe2\x82\xac", 3, 1, "€");
	valid("\xed\x9f\xbf", 3, 1, "U+D7FF, below the surrogates");
	valid("\xee\x80\x80", 3, 1, "U+E000, above the surrogates");
	valid("\xef\xbf\xbf", 3, 1, "U+FFFF");
	valid("\xf0\x90\x80\x80", 4, 1, "U+10000, smallest 4-byte");
	valid(GRIN, 4, 1, "😀");
	valid("\xf4\x8f\xbf\xbf", 4, 1, "U+10FFFF, the last code point");
	valid("a" E_ACUTE NICHI GRIN "z", 11, 1, "1, 2, 3 and 4 bytes mixed");

	valid("\xc0\x80", 2, 0, "overlong NUL C0 80");
	valid("\xc1\xbf", 2, 0, "overlong C1 BF");
	valid("\xe0\x80\x80", 3, 0, "overlong E0 80 80");
	valid("\xe0\x9f\xbf", 3, 0, "overlong U+07FF in 3 bytes");
	valid("\xf0\x80\x80\x80", 4, 0, "overlong F0 80 80 80");
	valid("\xf0\x8f\xbf\xbf", 4, 0, "overlong U+FFFF in 4 bytes");
	valid("\xed\xa0\x80", 3, 0, "surrogate U+D800");
	valid("\xed\xbf\xbf", 3, 0, "surrogate U+DFFF");
	valid("\xf4\x90\x80\x80", 4, 0, "U+110000, past U+10FFFF");
	valid("\xf5\x80\x80\x80", 4, 0, "F5 lead byte");
	valid("\xff", 1, 0, "FF");
	valid("\xfe", 1, 0, "FE");
	valid("\x80", 1, 0, "lone continuation byte");
	valid("a\xbf", 2, 0, "continuation byte after ASCII");
	valid("\xc3", 1, 0, "truncated 2-byte sequence");
	valid("\xe2\x82", 2, 0, "truncated 3-byte sequence");
	valid("\xf0\x9f\x98", 3, 0, "truncated 4-byte sequence");
	valid("\xc3\x28", 2, 0, "2-byte lead followed by ASCII");
	valid("\xe2\x28\xa1", 3, 0, "3-byte lead, bad second byte");
	valid("\xf0\x9f\x98\x28", 4, 0, "4-byte lead, bad last byte");
	/* The length is honoured: é cut after its first byte. */
	valid(E_ACUTE, 1, 0, "é cut to its first byte by len");
	valid("ab\xff", 2, 1, "bad byte beyond len not looked at");
}

/* label_clean_len: NUL bytes (a JSON "\u0000") are control characters. */
static void
test_nul(void)
{
	char	*got;
	int	 trunc, oom;

	got = label_clean_len("Sa\0les\0", 7, 128, &trunc, &oom);
	is_str(got, "Sa les", "a NUL inside is a space, a NUL at the end "
	    "trimmed");
	free(got);
	got = label_clean_len("\0\0", 2, 128, &trunc, &oom);
	ok(got == NULL && !oom, "NULs only: untagged");
	free(got);
	got = label_clean_len("abcdef", 3, 128, &trunc, &oom);
	is_str(got, "abc", "only rawlen bytes are read");
	free(got);
	got = label_clean_len("a\0" "bcdef", 7, 4, &trunc, &oom);
	is_str(got, "a bc", "cut after the NUL became a space");
	is_int(trunc, 1, "and flagged as cut");
	free(got);
}

int
main(void)
{
	test_blank();
	test_nul();
	test_control();
	test_truncate();
	test_mojibake();
	test_repair();
	test_utf8();
	return tap_done();
}
