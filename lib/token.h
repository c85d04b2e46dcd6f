/*
 * Tracking tokens: the secret a LiteLLM client sends as X-Cloudidr-Token.
 * We keep only its SHA-256 and a short display prefix, generate new ones
 * from the OpenSSL CSPRNG, and never log or store the value itself.
 */
#ifndef LLMOPS_TOKEN_H
#define LLMOPS_TOKEN_H

#include <stddef.h>

#include "llmops_limits.h"

#define TOKEN_HASH_LEN		32	/* SHA-256 */
#define TOKEN_SCHEME		"trk_"
/* "trk_" + base64url of TOKEN_RANDOM_BYTES + NUL */
#define TOKEN_GENERATED_BYTES	(4 + (TOKEN_RANDOM_BYTES * 4 + 2) / 3 + 1)
#define TOKEN_PREFIX_BYTES	(TOKEN_PREFIX_MAX + 1)

/* SHA-256 of the token's bytes. Returns 0 or -1 (libcrypto failure). */
int	token_hash(const char *token, size_t len, unsigned char out[TOKEN_HASH_LEN]);
/* A new random "trk_..." token. Returns 0 or -1 (no randomness). */
int	token_generate(char out[TOKEN_GENERATED_BYTES]);
/*
 * The part of a token that may be shown and logged: at most
 * TOKEN_PREFIX_MAX characters and never more than a third of the token.
 */
void	token_prefix(const char *token, char out[TOKEN_PREFIX_BYTES]);
/* What `token add` accepts: printable ASCII, no spaces, within the limits. */
int	token_format_ok(const char *token, const char **why);
/* Compares two hashes in constant time; 1 when equal. */
int	token_hash_equal(const unsigned char *, const unsigned char *);

/* Base64url without padding; dst must hold (n * 4 + 2) / 3 + 1 bytes. */
void	base64url_encode(const unsigned char *src, size_t n, char *dst);

#endif
