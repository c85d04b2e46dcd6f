/*
 * API keys: generation, hashing, display prefixes, the strict format, and
 * reading them from Authorization headers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"
#include "tap.h"

#define K	"llk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_generate(void)
{
	enum { N = 1000 };
	char	(*keys)[APIKEY_GENERATED_BYTES];
	size_t	i;
	int	fails = 0, bad = 0, dups = 0;

	is_int(APIKEY_GENERATED_BYTES, 4 + 43 + 1,
	    "APIKEY_GENERATED_BYTES is llk_ + 43 + NUL");
	if ((keys = calloc(N, sizeof(*keys))) == NULL) {
		ok(0, "calloc");
		return;
	}
	for (i = 0; i < N; i++) {
		if (apikey_generate(keys[i]) != 0)
			fails++;
		else if (!apikey_format_ok(keys[i]) || strlen(keys[i]) != 47 ||
		    strncmp(keys[i], "llk_", 4) != 0)
			bad++;
	}
	is_int(fails, 0, "apikey_generate succeeds %d times", N);
	is_int(bad, 0, "every key is llk_ and 43 base64url characters");
	qsort(keys, N, sizeof(*keys), cmp_keys);
	for (i = 1; i < N; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			dups++;
	is_int(dups, 0, "%d keys are all distinct", N);
	free(keys);
}

static void
test_hash(void)
{
	unsigned char	a[APIKEY_HASH_LEN], b[APIKEY_HASH_LEN];
	char		hex[65];
	size_t		i;

	is_int(apikey_hash("abc", a), 0, "apikey_hash");
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", a[i]);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", "SHA-256 of \"abc\"");
	apikey_hash(K, a);
	apikey_hash(K, b);
	is_int(apikey_hash_equal(a, b), 1, "the same key, the same hash");
	apikey_hash("llk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", b);
	is_int(apikey_hash_equal(a, b), 0, "another key, another hash");
	memcpy(b, a, sizeof(b));
	b[31] ^= 1;
	is_int(apikey_hash_equal(a, b), 0, "one bit of difference");
}

static void
prefix(const char *key, const char *want, const char *name)
{
	char	out[APIKEY_PREFIX_BYTES];

	memset(out, 'X', sizeof(out));
	apikey_prefix(key, out);
	is_str(out, want, "apikey_prefix %s", name);
}

static void
test_prefix(void)
{
	prefix(K, "llk_AAECAwQF", "a key: llk_ and 8 characters");
	prefix("llk_abc", "ll", "7 characters: 2");
	prefix("llk_abcdefghijklmnopqrstuvwxyz012345", "llk_abcdefgh",
	    "36 characters: 12");
	prefix("llk_abcdefghijklmnopqrstuvwxyz01234", "llk_abcdefg",
	    "35 characters: 11");
	prefix("", "", "empty");
}

static void
test_format(void)
{
	is_int(apikey_format_ok(K), 1, "a key");
	is_int(apikey_format_ok("llk_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_"
	    "-"), 1, "- and _");
	is_int(apikey_format_ok(K "A"), 0, "48 characters");
	is_int(apikey_format_ok("llk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh"),
	    0, "46 characters");
	is_int(apikey_format_ok("trk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"),
	    0, "a tracking token");
	is_int(apikey_format_ok("LLK_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"),
	    0, "LLK_");
	is_int(apikey_format_ok("llk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+"),
	    0, "a +");
	is_int(apikey_format_ok("llk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh/"),
	    0, "a /");
	is_int(apikey_format_ok("llk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh="),
	    0, "a =");
	is_int(apikey_format_ok("llk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd h8"),
	    0, "a space");
	is_int(apikey_format_ok(""), 0, "empty");
}

static const char *const auth_names[APIKEY_AUTH__MAX] = {
	"OK", "ABSENT", "OTHER_SCHEME", "MALFORMED",
};

static void
bearer(const char *h, enum apikey_auth want, const char *name)
{
	char			out[APIKEY_GENERATED_BYTES];
	enum apikey_auth	got;

	memset(out, 'X', sizeof(out));
	got = apikey_from_authorization(h, out, sizeof(out));
	if (!tap_ok(got == want, "Authorization %s: %s", name, auth_names[want]))
		tap_diag("got %s", got < APIKEY_AUTH__MAX ? auth_names[got] : "?");
	is_str(out, want == APIKEY_AUTH_OK ? K : "", "Authorization %s: %s", name,
	    want == APIKEY_AUTH_OK ? "the key" : "nothing copied");
}

static void
test_authorization(void)
{
	char	big[APIKEY_AUTH_HEADER_MAX + 2], out[APIKEY_GENERATED_BYTES];
	size_t	n;

	bearer("Bearer " K, APIKEY_AUTH_OK, "Bearer K");
	bearer("bearer " K, APIKEY_AUTH_OK, "bearer K");
	bearer("BEARER " K, APIKEY_AUTH_OK, "BEARER K");
	bearer("bEaReR " K, APIKEY_AUTH_OK, "bEaReR K");
	bearer("Bearer  " K, APIKEY_AUTH_OK, "two spaces");
	bearer("Bearer      " K, APIKEY_AUTH_OK, "six spaces");
	bearer("Bearer " K " ", APIKEY_AUTH_OK, "a trailing space");
	bearer("Bearer " K " \t ", APIKEY_AUTH_OK, "trailing blanks");
	bearer(" Bearer " K, APIKEY_AUTH_OK, "a leading space");
	bearer("Bearer\t" K, APIKEY_AUTH_MALFORMED, "a tab after Bearer");
	bearer("Bearer", APIKEY_AUTH_MALFORMED, "Bearer alone");
	bearer("Bearer ", APIKEY_AUTH_MALFORMED, "Bearer and a space");
	bearer("Bearer    ", APIKEY_AUTH_MALFORMED, "Bearer and spaces");
	bearer("Bearer " K " x", APIKEY_AUTH_MALFORMED, "a second word");
	bearer("Bearer " K ",x", APIKEY_AUTH_MALFORMED, "a comma");
	bearer("Bearer " K "\r\n", APIKEY_AUTH_MALFORMED, "a CR LF");
	bearer("Bearer " K "A", APIKEY_AUTH_MALFORMED, "one character more");
	bearer("Bearer llk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh",
	    APIKEY_AUTH_MALFORMED, "one character less");
	bearer("Bearer trk_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
	    APIKEY_AUTH_MALFORMED, "a tracking token");
	bearer("Bearer \"" K "\"", APIKEY_AUTH_MALFORMED, "quoted");
	bearer("Bearer=" K, APIKEY_AUTH_OTHER_SCHEME, "Bearer=");
	bearer("Bearer" K, APIKEY_AUTH_OTHER_SCHEME, "no space");
	bearer("Basic dXNlcjpwYXNz", APIKEY_AUTH_OTHER_SCHEME, "Basic");
	bearer("Basic " K, APIKEY_AUTH_OTHER_SCHEME, "Basic with a key");
	bearer("Bearerx " K, APIKEY_AUTH_OTHER_SCHEME, "Bearerx");
	bearer("Beare " K, APIKEY_AUTH_OTHER_SCHEME, "Beare");
	bearer(K, APIKEY_AUTH_OTHER_SCHEME, "a key without a scheme");
	bearer(NULL, APIKEY_AUTH_ABSENT, "NULL");
	bearer("", APIKEY_AUTH_ABSENT, "empty");
	bearer("  \t ", APIKEY_AUTH_ABSENT, "blanks");

	/* APIKEY_AUTH_HEADER_MAX bytes with trailing spaces: read; one more: not. */
	n = strlen("Bearer " K);
	memcpy(big, "Bearer " K, n);
	memset(big + n, ' ', APIKEY_AUTH_HEADER_MAX - n);
	big[APIKEY_AUTH_HEADER_MAX] = '\0';
	bearer(big, APIKEY_AUTH_OK, "1024 bytes");
	big[APIKEY_AUTH_HEADER_MAX] = ' ';
	big[APIKEY_AUTH_HEADER_MAX + 1] = '\0';
	bearer(big, APIKEY_AUTH_MALFORMED, "1025 bytes");

	is_int(apikey_from_authorization("Bearer " K, out, APIKEY_CHARS),
	    APIKEY_AUTH_MALFORMED, "an output buffer one byte short");
	is_str(out, "", "and left empty");
}

int
main(void)
{
	test_generate();
	test_hash();
	test_prefix();
	test_format();
	test_authorization();
	return tap_done();
}
