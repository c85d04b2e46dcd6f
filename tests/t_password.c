/*
 * Passwords: yescrypt hashes with random salts, constant-time verification,
 * every stored value that is not a well-formed "$y$" hash refused (legacy
 * methods crypt_r would still accept included), length limits, rehash
 * detection and one-time passwords.
 */
#include "config.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "password.h"
#include "tap.h"

#define PW	"correct horse battery staple"

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The "$y$<params>$" a fresh salt of cost has. */
static void
params_of_cost(unsigned long cost, char *out, size_t outsz)
{
	char	setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char	*d;

	out[0] = '\0';
	if (crypt_gensalt_rn("$y$", cost, NULL, 0, setting, sizeof(setting)) ==
	    NULL || (d = strchr(setting + 3, '$')) == NULL ||
	    (size_t)(d - setting + 1) >= outsz)
		return;
	memcpy(out, setting, (size_t)(d - setting + 1));
	out[d - setting + 1] = '\0';
}

static void
test_hash_verify(void)
{
	struct llmops_err	err;
	char			h1[PASSWORD_HASH_BYTES], h2[PASSWORD_HASH_BYTES];
	char			params[64], bad[PASSWORD_HASH_BYTES];
	size_t			len;

	err_clear(&err);
	is_int(password_hash(PW, h1, sizeof(h1), &err), 0, "password_hash ok");
	is_str(err.msg, "", "password_hash: no error message");
	ok(strncmp(h1, "$y$", 3) == 0, "the hash is yescrypt ($y$): %s", h1);
	params_of_cost(PASSWORD_COST, params, sizeof(params));
	ok(*params != '\0' && strncmp(h1, params, strlen(params)) == 0,
	    "the hash has PASSWORD_COST's parameters (%s)", params);
	is_int(PASSWORD_COST, 5, "PASSWORD_COST is 5 (libxcrypt's default)");
	is_int(password_verify(PW, h1), 1, "verify: right password");
	is_int(password_verify("correct horse battery stapl", h1), 0,
	    "verify: one character short");
	is_int(password_verify("correct horse battery staplf", h1), 0,
	    "verify: last character differs");
	is_int(password_verify("Correct horse battery staple", h1), 0,
	    "verify: case of the first character");
	is_int(password_verify("", h1), 0, "verify: empty password");
	is_int(password_needs_rehash(h1), 0, "a fresh hash needs no rehash");

	is_int(password_hash(PW, h2, sizeof(h2), &err), 0, "password_hash again");
	ok(strcmp(h1, h2) != 0, "same password, different salts and hashes");
	ok(strchr(h1 + 3, '$') != NULL && strchr(h2 + 3, '$') != NULL &&
	    strncmp(h1, h2, (size_t)(strrchr(h1, '$') - h1)) != 0,
	    "the salts differ");
	is_int(password_verify(PW, h2), 1, "the second hash verifies too");

	/* Tampered hashes: one hash character, the salt, the parameters. */
	len = strlen(h1);
	memcpy(bad, h1, len + 1);
	bad[len - 5] = bad[len - 5] == 'a' ? 'b' : 'a';
	is_int(password_verify(PW, bad), 0, "verify: a hash character changed");
	memcpy(bad, h1, len + 1);
	bad[10] = bad[10] == 'a' ? 'b' : 'a';
	is_int(password_verify(PW, bad), 0, "verify: a salt character changed");
	memcpy(bad, h1, len + 1);
	bad[len - 1] = '\0';
	is_int(password_verify(PW, bad), 0, "verify: hash one character short");
	memcpy(bad, h1, len + 1);
	bad[len] = 'a';
	bad[len + 1] = '\0';
	is_int(password_verify(PW, bad), 0, "verify: one character appended");
}

/* A hash of PW with another cost, made with libcrypt directly. */
static int
hash_with_cost(unsigned long cost, char *out, size_t outsz)
{
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data	*cd;
	const char		*h;
	int			 rc = -1;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	if (crypt_gensalt_rn("$y$", cost, NULL, 0, setting, sizeof(setting)) &&
	    (h = crypt_r(PW, setting, cd)) != NULL && *h == '$' &&
	    strlen(h) < outsz) {
		strcpy(out, h);
		rc = 0;
	}
	free(cd);
	return rc;
}

static void
test_rehash(void)
{
	char	h[PASSWORD_HASH_BYTES];

	if (hash_with_cost(PASSWORD_COST - 1, h, sizeof(h)) != 0) {
		ok(0, "libcrypt makes a cheaper yescrypt hash");
		return;
	}
	is_int(password_verify(PW, h), 1, "an older, cheaper hash still verifies");
	is_int(password_needs_rehash(h), 1, "and needs a rehash");
	is_int(password_needs_rehash(""), 1, "garbage needs a rehash");
	is_int(password_needs_rehash("$6$salt$xyz"), 1, "$6$ needs a rehash");
}

static void
garbage(const char *stored, const char *pw, const char *name)
{
	is_int(password_verify(pw, stored), 0, "verify refuses %s", name);
}

static void
test_garbage(void)
{
	char	*big;

	garbage("", PW, "\"\"");
	garbage("*0", PW, "\"*0\" (a failure token)");
	garbage("*1", PW, "\"*1\"");
	garbage("!", PW, "\"!\" (a locked account)");
	garbage("$y$", PW, "\"$y$\"");
	garbage("$y$j9T$", PW, "\"$y$j9T$\" (a setting, no salt)");
	garbage("$y$j9T$salt", PW, "a setting without a hash");
	garbage("$y$j9T$$8GphBPUYahATxqgj0nfonf6iSyOHvCy5v.9VnYW6c15", PW,
	    "a hash with an empty salt");
	garbage("$y$$salt$8GphBPUYahATxqgj0nfonf6iSyOHvCy5v.9VnYW6c15", PW,
	    "a hash without parameters");
	/* What crypt_r returns for "password" with these settings: crypt_r
	 * itself would accept them, password_verify must not. */
	garbage("abJnggxhB/yWI", "password", "a DES hash of the password");
	garbage("$1$abc$BXBqpb9BZcZhXLgbee.0s/", "password",
	    "an MD5-crypt hash of the password");
	garbage("$6$x$.7KcIn5.ZfkbYAJ0eR5aiXX.9cAoOEk.kCx3w6xY1EaxFjgMWuH6WyPufo"
	    "idBlBiQ9OVWpzaDWwKtTA8cs5FF.", "password",
	    "a SHA-512-crypt hash of the password");
	garbage("$2b$05$xxxxxxxxxxxxxxxxxxxxxuYVqpyFdjryLQ1QN2pvvnXJGnQ0OjcKK",
	    "password", "a bcrypt hash of the password");
	garbage("$y$j9T$0XIR/dF3XbPYNm72YUv1i/$oS8XcwTZkPJEdVVeWfD5WRvpWg85cjPYM"
	    "CXANvi5DA.\n", PW, "a hash with a trailing newline");
	garbage(" $y$j9T$0XIR/dF3XbPYNm72YUv1i/$oS8XcwTZkPJEdVVeWfD5WRvpWg85cjPY"
	    "MCXANvi5DA.", PW, "a hash with a leading space");
	garbage("$y$j9T$0XIR/dF3XbPYNm72YUv1i/$oS8XcwTZkPJEdVVeWfD5WRvpWg85cjPYM"
	    "CXANvi5D\xc3\xa9", PW, "a hash with a non-ASCII character");
	garbage("$y$j9T$0XIR/dF3XbPYNm72YUv1i/$oS8XcwTZkPJEdVVeWfD5WRvpWg85cjPYM"
	    "CXANvi5DA.$", PW, "a hash with a fourth $");
	if ((big = malloc(100001)) != NULL) {
		memcpy(big, "$y$j9T$", 7);
		memset(big + 7, 'a', 100000 - 7);
		big[100000] = '\0';
		garbage(big, PW, "100000 bytes");
		free(big);
	}
}

static void
refused(const char *pw, const char *want_msg, const char *name)
{
	struct llmops_err	err;
	char			h[PASSWORD_HASH_BYTES];

	err_clear(&err);
	is_int(password_hash(pw, h, sizeof(h), &err), -1, "password_hash "
	    "refuses %s", name);
	is_str(err.msg, want_msg, "password_hash %s: message", name);
	is_int(err.status, 400, "password_hash %s: status 400", name);
}

static void
accepted(const char *pw, const char *name)
{
	struct llmops_err	err;
	char			h[PASSWORD_HASH_BYTES];

	err_clear(&err);
	is_int(password_hash(pw, h, sizeof(h), &err), 0, "password_hash "
	    "accepts %s", name);
	is_int(password_verify(pw, h), 1, "%s verifies", name);
}

static void
test_limits(void)
{
	struct llmops_err	err;
	char			pw[PASSWORD_MAX_BYTES + 2], h[PASSWORD_HASH_BYTES];
	char			e[64];
	int			i;

	is_int(PASSWORD_MIN_CHARS, 12, "PASSWORD_MIN_CHARS is 12");
	is_int(PASSWORD_MAX_BYTES, 256, "PASSWORD_MAX_BYTES is 256");
	ok(PASSWORD_MAX_BYTES < CRYPT_MAX_PASSPHRASE_SIZE,
	    "PASSWORD_MAX_BYTES is below what crypt_r accepts");
	refused("", "the password is shorter than 12 characters", "\"\"");
	refused("12345678901", "the password is shorter than 12 characters",
	    "11 characters");
	accepted("123456789012", "12 characters");
	/* 11 x é: 22 bytes but 11 characters. */
	for (i = 0; i < 11; i++)
		memcpy(e + 2 * i, "\xc3\xa9", 2);
	e[22] = '\0';
	refused(e, "the password is shorter than 12 characters",
	    "11 two-byte characters (22 bytes)");
	memcpy(e + 22, "\xc3\xa9", 3);
	accepted(e, "12 two-byte characters");

	memset(pw, 'x', PASSWORD_MAX_BYTES);
	pw[PASSWORD_MAX_BYTES] = '\0';
	accepted(pw, "256 bytes");
	pw[PASSWORD_MAX_BYTES] = 'x';
	pw[PASSWORD_MAX_BYTES + 1] = '\0';
	refused(pw, "the password is longer than 256 bytes", "257 bytes");

	/* A 257-byte password never verifies (the KDF is not even run). */
	memset(pw, 'x', PASSWORD_MAX_BYTES);
	pw[PASSWORD_MAX_BYTES] = '\0';
	if (password_hash(pw, h, sizeof(h), &err) == 0) {
		pw[PASSWORD_MAX_BYTES] = 'x';
		pw[PASSWORD_MAX_BYTES + 1] = '\0';
		is_int(password_verify(pw, h), 0,
		    "verify: 257 bytes against the hash of their first 256");
	} else
		ok(0, "password_hash of 256 bytes");

	err_clear(&err);
	is_int(password_hash(PW, h, PASSWORD_HASH_BYTES - 1, &err), -1,
	    "password_hash: output buffer too small");
	ok(strstr(err.msg, "output buffer") != NULL,
	    "password_hash: says why (%s)", err.msg);
}

static void
test_verify_none(void)
{
	char	h[PASSWORD_HASH_BYTES];
	double	t0, real, none;
	int	i;

	if (password_hash(PW, h, sizeof(h), NULL) != 0) {
		ok(0, "password_hash");
		return;
	}
	t0 = now_ms();
	for (i = 0; i < 3; i++)
		password_verify("not the password", h);
	real = now_ms() - t0;
	t0 = now_ms();
	for (i = 0; i < 3; i++)
		is_int(password_verify_none(PW), 0, "password_verify_none is 0");
	none = now_ms() - t0;
	tap_diag("verify %.1f ms, verify_none %.1f ms (3 runs each)", real, none);
	ok(none > real / 4 && none < real * 4,
	    "password_verify_none costs about as much as password_verify");
}

static int
cmp_pw(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_generate(void)
{
	enum { N = 1000 };
	static const char	alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char			(*pws)[PASSWORD_GENERATED_BYTES];
	char			buf[PASSWORD_MAX_BYTES + 2], h[PASSWORD_HASH_BYTES];
	int			seen[64], fails = 0, badlen = 0, badchar = 0;
	int			dups = 0, unseen = 0;
	size_t			i, j;
	const char		*c;

	is_int(PASSWORD_GENERATED_BYTES, 21, "PASSWORD_GENERATED_BYTES is 20 + NUL");
	if ((pws = calloc(N, sizeof(*pws))) == NULL) {
		ok(0, "calloc");
		return;
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < N; i++) {
		if (password_generate(pws[i], sizeof(pws[i])) != 0) {
			fails++;
			continue;
		}
		if (strlen(pws[i]) != PASSWORD_GENERATED_CHARS)
			badlen++;
		for (j = 0; pws[i][j] != '\0'; j++)
			if ((c = strchr(alphabet, pws[i][j])) == NULL)
				badchar++;
			else
				seen[c - alphabet]++;
	}
	is_int(fails, 0, "password_generate succeeds %d times", N);
	is_int(badlen, 0, "every password has %d characters",
	    PASSWORD_GENERATED_CHARS);
	is_int(badchar, 0, "every character is base64url");
	for (i = 0; i < 64; i++)
		if (seen[i] == 0)
			unseen++;
	is_int(unseen, 0, "all 64 characters appear in %d passwords", N);
	qsort(pws, N, sizeof(*pws), cmp_pw);
	for (i = 1; i < N; i++)
		if (strcmp(pws[i - 1], pws[i]) == 0)
			dups++;
	is_int(dups, 0, "%d generated passwords are all distinct", N);
	accepted(pws[0], "a generated password");
	free(pws);

	is_int(password_generate(buf, PASSWORD_MIN_CHARS), -1,
	    "password_generate: 11 characters refused");
	is_int(password_generate(buf, PASSWORD_MIN_CHARS + 1), 0,
	    "password_generate: 12 characters");
	is_int(strlen(buf), 12, "password_generate: 12 characters long");
	is_int(password_generate(buf, PASSWORD_MAX_BYTES + 1), 0,
	    "password_generate: 256 characters");
	is_int(strlen(buf), 256, "password_generate: 256 characters long");
	is_int(password_hash(buf, h, sizeof(h), NULL), 0,
	    "a 256-character generated password can be hashed");
	is_int(password_generate(buf, PASSWORD_MAX_BYTES + 2), -1,
	    "password_generate: 257 characters refused");
	is_int(password_generate(buf, 0), -1, "password_generate: size 0 refused");
	for (i = 13; i <= 24; i++) {
		memset(buf, 'X', sizeof(buf));
		if (password_generate(buf, i) != 0 || strlen(buf) != i - 1 ||
		    strspn(buf, alphabet) != i - 1)
			break;
	}
	ok(i > 24, "password_generate fills sizes 13 to 24 exactly");
}

int
main(void)
{
	test_hash_verify();
	test_rehash();
	test_garbage();
	test_limits();
	test_verify_none();
	test_generate();
	return tap_done();
}
