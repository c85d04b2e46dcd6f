/*
 * Administration of organizations and tracking tokens, as `llmopsctl`
 * exposes it. Tokens are created from the CSPRNG or registered from an
 * existing value; either way only the hash and a short prefix are stored.
 */
#ifndef LLMOPS_ADMIN_H
#define LLMOPS_ADMIN_H

#include <stdint.h>

#include "db.h"
#include "db_org.h"
#include "llmops_limits.h"
#include "token.h"

struct token_row {
	uint32_t	id;
	char		prefix[TOKEN_PREFIX_BYTES + 8];
	char		label[LIMIT_TOKEN_LABEL_BYTES * 4 + 1];
	int		has_label;
	char		status[16];
	int64_t		created_us;
	int64_t		last_used_us;	/* 0: never */
	int64_t		expires_us;	/* 0: never */
	int64_t		revoked_us;	/* 0: not revoked */
};

/*
 * Organizations: each function below runs its own db_txn (never call one
 * inside another transaction).
 */
/* Name rules: 1..128 characters, valid UTF-8, no control characters, not all digits. */
int	admin_org_name_ok(const char *name, const char **why);
/* The organization and its audit row, in one transaction. */
int	admin_org_create(struct db *, const char *actor, const char *name,
	    uint32_t *id, struct llmops_err *);
/* Finds an organization by name, or by id when `ref` is all digits. */
int	admin_org_find(struct db *, const char *ref, struct org *,
	    struct llmops_err *);
int	admin_org_list(struct db *, int (*cb)(const struct org *, void *),
	    void *arg, struct llmops_err *);

/*
 * Creates a new random token; `token` receives it (shown once, never
 * stored). expires_us 0: never expires.
 */
int	admin_token_create(struct db *, const char *actor, uint32_t org_id,
	    const char *label, int64_t expires_us,
	    char token[TOKEN_GENERATED_BYTES], uint32_t *id, struct llmops_err *);
/* Registers an existing token value (e.g. one clients already send). */
int	admin_token_add(struct db *, const char *actor, uint32_t org_id,
	    const char *token, const char *label, int64_t expires_us,
	    uint32_t *id, struct llmops_err *);
/*
 * Replaces token `id` by a new random one of the same organization and
 * label; the old one keeps working until now + grace_us (0: at once),
 * then is refused. The new token's id and value are returned.
 */
int	admin_token_rotate(struct db *, const char *actor, uint32_t id,
	    int64_t grace_us, char token[TOKEN_GENERATED_BYTES],
	    uint32_t *new_id, struct llmops_err *);
int	admin_token_list(struct db *, uint32_t org_id,
	    int (*cb)(const struct token_row *, void *), void *arg,
	    struct llmops_err *);
int	admin_token_revoke(struct db *, const char *actor, uint32_t id,
	    struct llmops_err *);

#endif
