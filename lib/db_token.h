/*
 * The tracking_tokens table: its SQL and the typed functions that bind it
 * (lib/db_token.c). Each runs in the caller's transaction (db_txn); what a
 * token may be, its cache and its audit rows are in lib/token*.c.
 */
#ifndef LLMOPS_DB_TOKEN_H
#define LLMOPS_DB_TOKEN_H

#include <stdint.h>

#include "db.h"
#include "llmops_limits.h"
#include "token.h"

/*
 * A row of tracking_tokens (never its hash). token.list fills every field
 * but org_id and rotated_to; token.get fills id, org_id, label, status,
 * expires_us and rotated_to. NULL columns read as 0 (no stored time or id
 * is 0).
 */
struct token_row {
	uint32_t	id;
	uint32_t	org_id;
	char		prefix[TOKEN_PREFIX_BYTES + 8];
	char		label[LIMIT_TOKEN_LABEL_BYTES * 4 + 1];
	int		has_label;
	char		status[16];
	int64_t		created_us;
	int64_t		last_used_us;	/* 0: never */
	int64_t		expires_us;	/* 0: never */
	int64_t		revoked_us;	/* 0: not revoked */
	uint32_t	rotated_to;	/* 0: not rotated */
};

/* The token of hash as ingest needs it (ti->known 0 when there is none). */
int	db_token_lookup(struct db *, const unsigned char hash[TOKEN_HASH_LEN],
	    struct token_info *ti, struct llmops_err *);
/* Records last use at now_us, unless recorded after now_us - interval_us. */
int	db_token_touch(struct db *, uint32_t id, int64_t now_us,
	    int64_t interval_us, struct llmops_err *);
/* A new active token; -1 on failure, db_duplicate() when the hash exists. */
int	db_token_insert(struct db *, uint32_t org_id,
	    const unsigned char hash[TOKEN_HASH_LEN], const char *prefix,
	    const char *label, int64_t created_us, int64_t expires_us,
	    uint32_t *id, struct llmops_err *);
/* The tokens of an organization in id order; cb returns non-zero to stop. */
int	db_token_list(struct db *, uint32_t org_id,
	    int (*cb)(const struct token_row *, void *), void *arg,
	    struct llmops_err *);
/* 1 with the row, 0 when there is no token id, -1 on failure. */
int	db_token_get(struct db *, uint32_t id, struct token_row *,
	    struct llmops_err *);
/* Revokes token id if active; *done 1 when it did. */
int	db_token_revoke(struct db *, uint32_t id, int64_t now_us, int *done,
	    struct llmops_err *);
/*
 * Marks active, not yet rotated token id as replaced by new_id, expiring
 * at until_us or at its own earlier expiry; *done 1 when it did.
 */
int	db_token_rotate(struct db *, uint32_t id, uint32_t new_id,
	    int64_t until_us, int *done, struct llmops_err *);

#endif
