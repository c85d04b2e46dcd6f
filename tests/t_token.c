/*
 * Tracking tokens: SHA-256 against the FIPS 180-2 vectors, base64url
 * against RFC 4648, generated tokens, display prefixes and the format
 * accepted by `token add`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "token.h"
#include "tap.h"

static void
hex(const unsigned char *b, size_t n, char *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void
hashes(const char *in, size_t len, const char *want, const char *name)
{
	unsigned char	md[TOKEN_HASH_LEN];
	char		got[2 * TOKEN_HASH_LEN + 1];
	int		rc;

	rc = token_hash(in, len, md);
	is_int(rc, 0, "token_hash %s: ok", name);
	hex(md, sizeof(md), got);
	is_str(rc == 0 ? got : NULL, want, "token_hash %s: SHA-256", name);
}

static void
test_hash(void)
{
	unsigned char	a[TOKEN_HASH_LEN], b[TOKEN_HASH_LEN];

	hashes("abc", 3,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "\"abc\"");
	hashes("", 0,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "\"\"");
	hashes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "the 448-bit FIPS vector");
	/* The length is honoured: the first three bytes of "abcdef". */
	hashes("abcdef", 3,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "\"abcdef\" with len 3");

	token_hash("trk_one", 7, a);
	token_hash("trk_one", 7, b);
	is_int(token_hash_equal(a, b), 1, "token_hash_equal: same token");
	token_hash("trk_two", 7, b);
	is_int(token_hash_equal(a, b), 0, "token_hash_equal: other token");
	memcpy(b, a, sizeof(b));
	b[TOKEN_HASH_LEN - 1] ^= 1;
	is_int(token_hash_equal(a, b), 0,
	    "token_hash_equal: last byte differs by one bit");
	memcpy(b, a, sizeof(b));
	b[0] ^= 0x80;
	is_int(token_hash_equal(a, b), 0, "token_hash_equal: first byte differs");
}

static void
encodes(const char *in, size_t n, const char *want, const char *name)
{
	char	out[64];

	memset(out, 'X', sizeof(out));
	base64url_encode((const unsigned char *)in, n, out);
	is_str(out, want, "base64url %s", name);
}

static void
test_base64url(void)
{
	/* RFC 4648 section 10, padding removed. */
	encodes("", 0, "", "\"\" -> \"\"");
	encodes("f", 1, "Zg", "\"f\" -> Zg");
	encodes("fo", 2, "Zm8", "\"fo\" -> Zm8");
	encodes("foo", 3, "Zm9v", "\"foo\" -> Zm9v");
	encodes("foob", 4, "Zm9vYg", "\"foob\" -> Zm9vYg");
	encodes("fooba", 5, "Zm9vYmE", "\"fooba\" -> Zm9vYmE");
	encodes("foobar", 6, "Zm9vYmFy", "\"foobar\" -> Zm9vYmFy");
	/* The two URL-safe letters: 0xfb 0xff 0xbf is 62 63 62 63, which
	 * standard base64 writes "+/+/". */
	encodes("\xfb\xff\xbf", 3, "-_-_", "fb ff bf -> -_-_ (not +/+/)");
	/* 0xff alone: 111111 11(0000) -> 63 48 -> "_w" (standard "/w=="). */
	encodes("\xff", 1, "_w", "ff -> _w");
	encodes("\x00\x00\x00", 3, "AAAA", "three zero bytes -> AAAA");
	/* 0xf8 = 111110 00(0000) -> 62 0 -> "-A" */
	encodes("\xf8", 1, "-A", "f8 -> -A");
	/* 0xfb 0xf0 = 111110 111111 0000(00) -> 62 63 0 -> "-_A" */
	encodes("\xfb\xf0", 2, "-_A", "fb f0 -> -_A");
	{
		char	out[(3 * 4 + 2) / 3 + 1];

		/* The documented size for n = 3 is 5 bytes: exactly used. */
		base64url_encode((const unsigned char *)"foo", 3, out);
		is_int(strlen(out), 4, "base64url fits the documented buffer");
	}
}

static int
cmp_tokens(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_generate(void)
{
	enum { N = 1000 };
	char	(*toks)[TOKEN_GENERATED_BYTES];
	size_t	i, j, badlen = 0, badchar = 0, badscheme = 0, dups = 0;
	int	fails = 0;

	is_int(TOKEN_GENERATED_BYTES, 4 + 32 + 1,
	    "TOKEN_GENERATED_BYTES is trk_ + 32 + NUL");
	if ((toks = calloc(N, sizeof(*toks))) == NULL) {
		ok(0, "calloc");
		return;
	}
	for (i = 0; i < N; i++) {
		if (token_generate(toks[i]) != 0) {
			fails++;
			continue;
		}
		if (strncmp(toks[i], "trk_", 4) != 0)
			badscheme++;
		if (strlen(toks[i]) != 36)
			badlen++;
		for (j = 4; toks[i][j] != '\0'; j++)
			if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789-_",
			    toks[i][j]) == NULL)
				badchar++;
	}
	is_int(fails, 0, "token_generate succeeds %d times", N);
	is_int(badscheme, 0, "every token starts with trk_");
	is_int(badlen, 0, "every token is 36 characters");
	is_int(badchar, 0, "every token is base64url after trk_");
	qsort(toks, N, sizeof(*toks), cmp_tokens);
	for (i = 1; i < N; i++)
		if (strcmp(toks[i - 1], toks[i]) == 0)
			dups++;
	is_int(dups, 0, "%d generated tokens are all distinct", N);
	{
		const char	*why = NULL;

		ok(token_format_ok(toks[0], &why),
		    "a generated token passes token_format_ok");
	}
	free(toks);
}

static void
prefix(const char *tok, const char *want, const char *name)
{
	char	out[TOKEN_PREFIX_BYTES];

	memset(out, 'X', sizeof(out));
	token_prefix(tok, out);
	is_str(out, want, "token_prefix %s", name);
}

static void
test_prefix(void)
{
	/* 11 characters: a third is 3. */
	prefix("trk_test123", "trk", "trk_test123 -> trk (a third of 11)");
	/* 36 characters: a third is 12, capped at 8. */
	prefix("trk_abcdefghijklmnopqrstuvwxyz012345", "trk_abcd",
	    "36 characters -> first 8");
	prefix("", "", "empty -> empty");
	prefix("ab", "", "2 characters -> nothing (a third is 0)");
	prefix("abc", "a", "3 characters -> 1");
	prefix("abcdefgh", "ab", "8 characters -> 2");
	prefix("abcdefghijklmnopqrstuvw", "abcdefg", "23 characters -> 7");
	prefix("abcdefghijklmnopqrstuvwx", "abcdefgh", "24 characters -> 8");
	prefix("abcdefghijklmnopqrstuvwxyz", "abcdefgh", "26 characters -> 8");
}

static void
format_ok(const char *tok, int want, const char *name)
{
	const char	*why = NULL;
	int		 got;

	got = token_format_ok(tok, &why);
	is_int(got, want, "token_format_ok %s: %s", name,
	    want ? "accepted" : "refused");
	if (!want)
		ok(why != NULL && *why != '\0', "token_format_ok %s: says why",
		    name);
}

static void
test_format(void)
{
	char	buf[300];

	format_ok("12345678", 1, "8 characters (the minimum)");
	format_ok("1234567", 0, "7 characters");
	format_ok("", 0, "empty");
	memset(buf, 'a', 256);
	buf[256] = '\0';
	format_ok(buf, 1, "256 characters (the maximum)");
	buf[256] = 'a';
	buf[257] = '\0';
	format_ok(buf, 0, "257 characters");
	format_ok("trk_abcdefghijklmnopqrstuvwxyz012345", 1, "a trk_ token");
	format_ok("!#$%&'()*+,-./:;<=>?@[]^_`{|}~", 1, "printable punctuation");
	format_ok("abcd efgh", 0, "inner space");
	format_ok(" abcdefgh", 0, "leading space");
	format_ok("abcdefgh ", 0, "trailing space");
	format_ok("abcdefgh\t", 0, "tab");
	format_ok("abcdefgh\n", 0, "newline");
	format_ok("abcd\x01" "efgh", 0, "\\x01");
	format_ok("abcdefgh\x7f", 0, "DEL");
	format_ok("abcd\xc3\xa9" "fgh", 0, "é (non-ASCII)");
	format_ok("abcdefgh\xff", 0, "byte ff");
}

int
main(void)
{
	test_hash();
	test_base64url();
	test_generate();
	test_prefix();
	test_format();
	return tap_done();
}
