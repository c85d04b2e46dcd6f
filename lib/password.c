#include "config.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "encode.h"
#include "password.h"
#include "token.h"

#define YESCRYPT_PREFIX		"$y$"
/* yescrypt's hash part: 256 bits in crypt's base64, 43 characters. */
#define YESCRYPT_HASH_CHARS	43
/* Random bytes of a fresh salt (libxcrypt's own choice for "$y$"). */
#define YESCRYPT_SALT_BYTES	16

#if PASSWORD_MAX_BYTES >= CRYPT_MAX_PASSPHRASE_SIZE
#error "PASSWORD_MAX_BYTES must stay below CRYPT_MAX_PASSPHRASE_SIZE"
#endif
#if PASSWORD_HASH_BYTES < CRYPT_OUTPUT_SIZE
#error "PASSWORD_HASH_BYTES must hold any crypt_r output"
#endif

/* The fixed salt password_verify_none hashes with: not secret, never stored. */
static const unsigned char none_rbytes[YESCRYPT_SALT_BYTES] = {
	0x6c, 0x6c, 0x6d, 0x6f, 0x70, 0x73, 0x2d, 0x6e,
	0x6f, 0x2d, 0x73, 0x75, 0x63, 0x68, 0x2d, 0x75,
};

static int
crypt64_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '/';
}

/* Length of the run of crypt base64 characters at s. */
static size_t
crypt64_span(const char *s)
{
	size_t	n = 0;

	while (crypt64_char((unsigned char)s[n]))
		n++;
	return n;
}

/*
 * A complete yescrypt hash, "$y$" params "$" salt "$" hash: anything else
 * would make crypt_r pick another method (DES for "ab...") or hash with
 * an empty salt ("$y$j9T$$...").
 */
static int
yescrypt_hash_ok(const char *s)
{
	size_t	n;

	if (strnlen(s, PASSWORD_HASH_BYTES) >= PASSWORD_HASH_BYTES ||
	    strncmp(s, YESCRYPT_PREFIX, 3) != 0)
		return 0;
	s += 3;
	if ((n = crypt64_span(s)) == 0 || s[n] != '$')
		return 0;
	s += n + 1;
	if ((n = crypt64_span(s)) == 0 || s[n] != '$')
		return 0;
	s += n + 1;
	return crypt64_span(s) == YESCRYPT_HASH_CHARS &&
	    s[YESCRYPT_HASH_CHARS] == '\0';
}

/* The "$y$<params>$" part of s, or 0 when s has none. */
static size_t
params_len(const char *s)
{
	size_t	n;

	if (strncmp(s, YESCRYPT_PREFIX, 3) != 0 ||
	    (n = crypt64_span(s + 3)) == 0 || s[3 + n] != '$')
		return 0;
	return 3 + n + 1;
}

/* Code points of a UTF-8 string: every byte that does not continue one. */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Runs crypt_r(pw, setting) and copies a well-formed yescrypt result to
 * out. The 32 KiB crypt_data is allocated, not on the stack, and wiped.
 */
static int
run_crypt(const char *pw, const char *setting, char *out, size_t outsz)
{
	struct crypt_data	*cd;
	const char		*h;
	size_t			 len;
	int			 rc = -1;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	h = crypt_r(pw, setting, cd);
	if (h == NULL || !yescrypt_hash_ok(h) || (len = strlen(h)) >= outsz)
		goto out;
	memcpy(out, h, len + 1);
	rc = 0;
out:
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return rc;
}

int
password_hash(const char *pw, char *out, size_t outsz, struct llmops_err *err)
{
	char	setting[CRYPT_GENSALT_OUTPUT_SIZE];
	size_t	len;
	int	rc = -1;

	if (outsz < PASSWORD_HASH_BYTES)
		return err_set(err, 500, "password_hash: output buffer of %zu "
		    "bytes (need %d)", outsz, PASSWORD_HASH_BYTES);
	if ((len = strnlen(pw, PASSWORD_MAX_BYTES + 1)) > PASSWORD_MAX_BYTES)
		return err_set(err, 400, "the password is longer than %d bytes",
		    PASSWORD_MAX_BYTES);
	if (utf8_chars(pw, len) < PASSWORD_MIN_CHARS)
		return err_set(err, 400, "the password is shorter than %d "
		    "characters", PASSWORD_MIN_CHARS);
	/* NULL, 0: the salt comes from the library's own random source. */
	if (crypt_gensalt_rn(YESCRYPT_PREFIX, PASSWORD_COST, NULL, 0, setting,
	    sizeof(setting)) == NULL) {
		err_set(err, 500, "crypt_gensalt_rn: cannot make a yescrypt salt");
		goto out;
	}
	if (run_crypt(pw, setting, out, outsz) != 0) {
		err_set(err, 500, "crypt_r: yescrypt failed");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(setting, sizeof(setting));
	return rc;
}

int
password_verify(const char *pw, const char *stored)
{
	char	h[PASSWORD_HASH_BYTES];
	size_t	len;
	int	ok = 0;

	if (!yescrypt_hash_ok(stored) ||
	    strnlen(pw, PASSWORD_MAX_BYTES + 1) > PASSWORD_MAX_BYTES)
		return 0;
	if (run_crypt(pw, stored, h, sizeof(h)) != 0)
		goto out;
	/* Lengths are not secret: the stored hash's is public in its format. */
	len = strlen(stored);
	ok = strlen(h) == len && CRYPTO_memcmp(h, stored, len) == 0;
out:
	OPENSSL_cleanse(h, sizeof(h));
	return ok;
}

/* The setting password_verify_none and password_needs_rehash compare to. */
static int
none_setting(char *out, size_t outsz)
{
	return crypt_gensalt_rn(YESCRYPT_PREFIX, PASSWORD_COST,
	    (const char *)none_rbytes, sizeof(none_rbytes), out,
	    (int)outsz) == NULL ? -1 : 0;
}

int
password_verify_none(const char *pw)
{
	char	setting[CRYPT_GENSALT_OUTPUT_SIZE], h[PASSWORD_HASH_BYTES];

	if (strnlen(pw, PASSWORD_MAX_BYTES + 1) <= PASSWORD_MAX_BYTES &&
	    none_setting(setting, sizeof(setting)) == 0)
		(void)run_crypt(pw, setting, h, sizeof(h));
	OPENSSL_cleanse(h, sizeof(h));
	return 0;
}

int
password_needs_rehash(const char *stored)
{
	char	setting[CRYPT_GENSALT_OUTPUT_SIZE];
	size_t	n;

	if (!yescrypt_hash_ok(stored) ||
	    none_setting(setting, sizeof(setting)) != 0)
		return 1;
	n = params_len(setting);
	return n == 0 || params_len(stored) != n ||
	    memcmp(stored, setting, n) != 0;
}

int
password_generate(char *out, size_t outsz)
{
	/* n characters of 6 bits need (3n + 3) / 4 random bytes. */
	unsigned char	rnd[(3 * PASSWORD_MAX_BYTES + 3) / 4];
	char		enc[(sizeof(rnd) * 4 + 2) / 3 + 1];
	size_t		n, nb;
	int		rc = -1;

	if (outsz < PASSWORD_MIN_CHARS + 1 || outsz > PASSWORD_MAX_BYTES + 1)
		return -1;
	n = outsz - 1;
	nb = (3 * n + 3) / 4;
	if (RAND_bytes(rnd, (int)nb) != 1)
		goto out;
	base64url_encode(rnd, nb, enc);
	memcpy(out, enc, n);
	out[n] = '\0';
	rc = 0;
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	OPENSSL_cleanse(enc, sizeof(enc));
	return rc;
}
