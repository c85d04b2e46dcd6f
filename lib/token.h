/*
 * Tracking tokens: the secret a LiteLLM client sends as X-Cloudidr-Token.
 * We keep only its SHA-256 and a short display prefix, generate new ones
 * from the OpenSSL CSPRNG, and never log or store the value itself.
 *
 * Everything about tracking tokens is in four files: token.c (the value:
 * hash, generation, prefix, format; a token's state), token_cache.c (how
 * the callback resolves tokens and records their last use), token_admin.c
 * (create, add, rotate, list, revoke, with their audit rows) and
 * db_token.c (the tracking_tokens table).
 */
#ifndef LLMOPS_TOKEN_H
#define LLMOPS_TOKEN_H

#include <stddef.h>
#include <stdint.h>

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

enum token_state {
	TOKEN_STATE_ACTIVE,
	TOKEN_STATE_UNKNOWN,
	TOKEN_STATE_REVOKED,
	TOKEN_STATE_EXPIRED,
};

/* A token as the database holds it; its state depends on the time. */
struct token_info {
	int			known;
	int			active;		/* not revoked */
	int64_t			expires_us;	/* 0: never */
	uint32_t		token_id;
	uint32_t		org_id;
};

/* Unknown, revoked, expired (at now_us) or active. */
enum token_state token_info_state(const struct token_info *, int64_t now_us);

/* Base64url without padding; dst must hold (n * 4 + 2) / 3 + 1 bytes. */
void	base64url_encode(const unsigned char *src, size_t n, char *dst);

#endif
