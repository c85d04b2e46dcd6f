/*
 * Administration of tracking tokens, as `llmopsctl token` exposes it.
 * Tokens are created from the CSPRNG or registered from an existing value;
 * either way only the hash and a short prefix are stored. Every change is
 * one transaction with its audit row.
 */
#ifndef LLMOPS_TOKEN_ADMIN_H
#define LLMOPS_TOKEN_ADMIN_H

#include <stdint.h>

#include "db.h"
#include "db_token.h"
#include "token.h"

/*
 * Creates a new random token; `token` receives it (shown once, never
 * stored). expires_us 0: never expires.
 */
int	token_admin_create(struct db *, const char *actor, uint32_t org_id,
	    const char *label, int64_t expires_us,
	    char token[TOKEN_GENERATED_BYTES], uint32_t *id, struct llmops_err *);
/* Registers an existing token value (e.g. one clients already send). */
int	token_admin_add(struct db *, const char *actor, uint32_t org_id,
	    const char *token, const char *label, int64_t expires_us,
	    uint32_t *id, struct llmops_err *);
/*
 * Replaces token `id` by a new random one of the same organization and
 * label; the old one keeps working until now + grace_us (0: at once),
 * then is refused. The new token's id and value are returned.
 */
int	token_admin_rotate(struct db *, const char *actor, uint32_t id,
	    int64_t grace_us, char token[TOKEN_GENERATED_BYTES],
	    uint32_t *new_id, struct llmops_err *);
/* The tokens of an organization (never their values). */
int	token_admin_list(struct db *, uint32_t org_id,
	    int (*cb)(const struct token_row *, void *), void *arg,
	    struct llmops_err *);
int	token_admin_revoke(struct db *, const char *actor, uint32_t id,
	    struct llmops_err *);

#endif
