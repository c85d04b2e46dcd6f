/* The tracking_tokens table: see db_token.h. */
#include "config.h"

#include <string.h>

#include "db_token.h"

enum {
	STMT_TOKEN_LOOKUP,
	STMT_TOKEN_TOUCH,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_LIST,
	STMT_TOKEN_GET,
	STMT_TOKEN_REVOKE,
	STMT_TOKEN_ROTATE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_TOKEN_LOOKUP] = { "token.lookup",
	    "SELECT id, org_id, status = 'active', expires_us FROM "
	    "tracking_tokens WHERE token_hash = ?" },
	/* At most one write per token and interval. */
	[STMT_TOKEN_TOUCH] = { "token.touch",
	    "UPDATE tracking_tokens SET last_used_us = ? WHERE id = ? AND "
	    "(last_used_us IS NULL OR last_used_us < ?)" },
	[STMT_TOKEN_INSERT] = { "token.insert",
	    "INSERT INTO tracking_tokens (org_id, token_hash, prefix, label, "
	    "status, created_us, expires_us) VALUES (?, ?, ?, ?, 'active', ?, ?)" },
	[STMT_TOKEN_LIST] = { "token.list",
	    "SELECT id, prefix, label, status, created_us, last_used_us, "
	    "expires_us, revoked_us FROM tracking_tokens WHERE org_id = ? "
	    "ORDER BY id" },
	[STMT_TOKEN_GET] = { "token.get",
	    "SELECT id, org_id, status, label, expires_us, rotated_to FROM "
	    "tracking_tokens WHERE id = ?" },
	[STMT_TOKEN_REVOKE] = { "token.revoke",
	    "UPDATE tracking_tokens SET status = 'revoked', revoked_us = ? "
	    "WHERE id = ? AND status = 'active'" },
	/* The old token expires at the end of the grace, or before. */
	[STMT_TOKEN_ROTATE] = { "token.rotate",
	    "UPDATE tracking_tokens SET rotated_to = ?, expires_us = "
	    "LEAST(COALESCE(expires_us, ?), ?) WHERE id = ? AND "
	    "status = 'active' AND rotated_to IS NULL" },
};

/* The value of column i of the last row, 0 when it was NULL. */
static int64_t
or_zero(const struct db_q *q, unsigned i, int64_t v)
{
	return db_col_null(q, i) ? 0 : v;
}

int
db_token_lookup(struct db *db, const unsigned char hash[TOKEN_HASH_LEN],
    struct token_info *ti, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_TOKEN_LOOKUP], err);
	int64_t		 id = 0, org = 0, active = 0, expires = 0;
	int		 rc;

	memset(ti, 0, sizeof(*ti));
	db_bind_blob(q, hash, TOKEN_HASH_LEN);
	db_col_i64(q, &id);
	db_col_i64(q, &org);
	db_col_i64(q, &active);
	db_col_i64(q, &expires);
	if ((rc = db_one(q, err)) <= 0)
		return rc;
	ti->known = 1;
	ti->token_id = (uint32_t)id;
	ti->org_id = (uint32_t)org;
	ti->active = active != 0;
	ti->expires_us = or_zero(q, 3, expires);
	return 0;
}

int
db_token_touch(struct db *db, uint32_t id, int64_t now_us, int64_t interval_us,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_TOKEN_TOUCH], err);

	db_bind_i64(q, now_us);
	db_bind_i64(q, id);
	db_bind_i64(q, now_us - interval_us);
	return db_exec(q, NULL, NULL, err);
}

int
db_token_insert(struct db *db, uint32_t org_id,
    const unsigned char hash[TOKEN_HASH_LEN], const char *prefix,
    const char *label, int64_t created_us, int64_t expires_us, uint32_t *id,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_TOKEN_INSERT], err);
	uint64_t	 newid = 0;

	db_bind_i64(q, org_id);
	db_bind_blob(q, hash, TOKEN_HASH_LEN);
	db_bind_str(q, prefix);
	db_bind_str(q, label);
	db_bind_i64(q, created_us);
	db_bind_i64_opt(q, expires_us != 0, expires_us);
	if (db_exec(q, NULL, &newid, err) != 0)
		return -1;
	*id = (uint32_t)newid;
	return 0;
}

int
db_token_list(struct db *db, uint32_t org_id,
    int (*cb)(const struct token_row *, void *), void *arg,
    struct llmops_err *err)
{
	struct db_q		*q = db_q(db, &stmts[STMT_TOKEN_LIST], err);
	struct token_row	 t;
	int64_t			 id = 0, used = 0, expires = 0, revoked = 0;
	int			 rc;

	memset(&t, 0, sizeof(t));
	db_bind_i64(q, org_id);
	db_col_i64(q, &id);
	db_col_str(q, t.prefix, sizeof(t.prefix));
	db_col_str(q, t.label, sizeof(t.label));
	db_col_str(q, t.status, sizeof(t.status));
	db_col_i64(q, &t.created_us);
	db_col_i64(q, &used);
	db_col_i64(q, &expires);
	db_col_i64(q, &revoked);
	if (db_select(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		t.id = (uint32_t)id;
		t.has_label = !db_col_null(q, 2);
		t.last_used_us = or_zero(q, 5, used);
		t.expires_us = or_zero(q, 6, expires);
		t.revoked_us = or_zero(q, 7, revoked);
		if (cb(&t, arg) != 0)
			break;
	}
	db_end(q);
	return rc < 0 ? -1 : 0;
}

int
db_token_get(struct db *db, uint32_t id, struct token_row *t,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_TOKEN_GET], err);
	int64_t		 tid = 0, org = 0, expires = 0, rotated = 0;
	int		 rc;

	memset(t, 0, sizeof(*t));
	db_bind_i64(q, id);
	db_col_i64(q, &tid);
	db_col_i64(q, &org);
	db_col_str(q, t->status, sizeof(t->status));
	db_col_str(q, t->label, sizeof(t->label));
	db_col_i64(q, &expires);
	db_col_i64(q, &rotated);
	if ((rc = db_one(q, err)) != 1)
		return rc;
	t->id = (uint32_t)tid;
	t->org_id = (uint32_t)org;
	t->has_label = !db_col_null(q, 3);
	t->expires_us = or_zero(q, 4, expires);
	t->rotated_to = (uint32_t)or_zero(q, 5, rotated);
	return 1;
}

int
db_token_revoke(struct db *db, uint32_t id, int64_t now_us, int *done,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_TOKEN_REVOKE], err);
	uint64_t	 affected = 0;

	db_bind_i64(q, now_us);
	db_bind_i64(q, id);
	if (db_exec(q, &affected, NULL, err) != 0)
		return -1;
	*done = affected == 1;
	return 0;
}

int
db_token_rotate(struct db *db, uint32_t id, uint32_t new_id, int64_t until_us,
    int *done, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_TOKEN_ROTATE], err);
	uint64_t	 affected = 0;

	db_bind_i64(q, new_id);
	db_bind_i64(q, INT64_MAX);	/* no expiry: the grace decides */
	db_bind_i64(q, until_us);
	db_bind_i64(q, id);
	if (db_exec(q, &affected, NULL, err) != 0)
		return -1;
	*done = affected == 1;
	return 0;
}
