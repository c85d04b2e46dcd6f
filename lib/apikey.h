/*
 * Read-only API keys for machines: "Authorization: Bearer llk_...". A key
 * is "llk_" and 43 base64url characters (32 random bytes from the OpenSSL
 * CSPRNG). The server keeps only its SHA-256 and a display prefix; the key
 * itself is shown once, when created, and never logged.
 *
 * Why a plain SHA-256 and not the password KDF: a key carries 256 random
 * bits, so nobody can guess it from its hash however fast the hash is, and
 * a fast unsalted hash lets every request find its key with one indexed
 * equality lookup. A slow salted KDF only helps secrets people choose.
 */
#ifndef LLMOPS_APIKEY_H
#define LLMOPS_APIKEY_H
#include "llmops_limits.h"

#include <stddef.h>

#define APIKEY_SCHEME		"llk_"
#define APIKEY_SCHEME_LEN	4
#define APIKEY_RANDOM_BYTES	32
#define APIKEY_RANDOM_CHARS	43	/* base64url of 32 bytes, no padding */
#define APIKEY_CHARS		(APIKEY_SCHEME_LEN + APIKEY_RANDOM_CHARS)
#define APIKEY_GENERATED_BYTES	(APIKEY_CHARS + 1)
#define APIKEY_HASH_LEN		32	/* SHA-256 */
/* What may be shown and logged: "llk_" and 8 characters (48 of 256 bits). */
#define APIKEY_PREFIX_CHARS	12
#define APIKEY_PREFIX_BYTES	(APIKEY_PREFIX_CHARS + 1)

enum apikey_auth {
	APIKEY_AUTH_OK,
	APIKEY_AUTH_ABSENT,		/* no header, or only blanks */
	APIKEY_AUTH_OTHER_SCHEME,	/* "Basic ...", "Digest ...": not ours */
	APIKEY_AUTH_MALFORMED,		/* Bearer without a well-formed llk_ key */
	APIKEY_AUTH__MAX
};

/* A new key. Returns 0 or -1 (no randomness). */
int	apikey_generate(char out[APIKEY_GENERATED_BYTES]);
/* SHA-256 of the key's characters. Returns 0 or -1 (libcrypto failure). */
int	apikey_hash(const char *key, unsigned char out[APIKEY_HASH_LEN]);
/* Compares two hashes in constant time; 1 when equal. */
int	apikey_hash_equal(const unsigned char *, const unsigned char *);
/*
 * The displayable start of a key: at most APIKEY_PREFIX_CHARS characters
 * and never more than a third of the key (so a short garbage value is not
 * echoed whole).
 */
void	apikey_prefix(const char *key, char out[APIKEY_PREFIX_BYTES]);
/* 1 when key is exactly "llk_" and 43 base64url characters. */
int	apikey_format_ok(const char *key);
/*
 * Reads the key out of an Authorization header value: optional blanks,
 * the scheme "Bearer" in any case, one or more spaces, the key, optional
 * blanks (RFC 9110 OWS, which servers usually strip anyway), nothing
 * else. The key must pass apikey_format_ok; out (outsz >=
 * APIKEY_GENERATED_BYTES) gets it on APIKEY_AUTH_OK only.
 */
enum apikey_auth
	apikey_from_authorization(const char *header, char *out, size_t outsz);

#endif
