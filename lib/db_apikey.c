/* The api_keys table: see db_apikey.h. */
#include "config.h"

#include <string.h>

#include "db_apikey.h"
#include "llmops_limits.h"

enum {
	STMT_APIKEY_INSERT,
	STMT_APIKEY_LOOKUP,
	STMT_APIKEY_GET,
	STMT_APIKEY_TOUCH,
	STMT_APIKEY_REVOKE,
	STMT_APIKEY_LIST,
	STMT__MAX
};

/* The columns key_row() binds, in its order. */
#define APIKEY_COLUMNS \
	"SELECT id, org_id, status, last_used_us FROM api_keys "

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_APIKEY_INSERT] = { "apikey.insert",
	    "INSERT INTO api_keys (org_id, key_hash, prefix, label, status, "
	    "created_us) VALUES (?, ?, ?, ?, 'active', ?)" },
	[STMT_APIKEY_LOOKUP] = { "apikey.lookup",
	    APIKEY_COLUMNS "WHERE key_hash = ?" },
	[STMT_APIKEY_GET] = { "apikey.get",
	    APIKEY_COLUMNS "WHERE id = ?" },
	[STMT_APIKEY_TOUCH] = { "apikey.touch",
	    "UPDATE api_keys SET last_used_us = ? WHERE id = ?" },
	[STMT_APIKEY_REVOKE] = { "apikey.revoke",
	    "UPDATE api_keys SET status = 'revoked', revoked_us = ? WHERE "
	    "id = ? AND status = 'active'" },
	/* The columns of apikey_cols */
	[STMT_APIKEY_LIST] = { "apikey.list",
	    "SELECT id, prefix, label, status, created_us, last_used_us, "
	    "revoked_us FROM api_keys WHERE org_id = ? ORDER BY id" },
};

const struct report_col apikey_cols[APIKEY_NCOLS] = {
	REPORT_CREDENTIAL_COLS,
	{ "revoked", COL_TIME_US },
};

int
db_apikey_insert(struct db *db, uint32_t org_id,
    const unsigned char hash[APIKEY_HASH_LEN], const char *prefix,
    const char *label, int64_t created_us, uint32_t *id,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_APIKEY_INSERT], err);

	db_bind_i64(q, org_id);
	db_bind_blob(q, hash, APIKEY_HASH_LEN);
	db_bind_str(q, prefix);
	db_bind_str(q, label);
	db_bind_i64(q, created_us);
	return db_exec_id(q, id, err);
}

/* The columns of APIKEY_COLUMNS into *k, for a statement already bound. */
static int
key_row(struct db_q *q, struct apikey_row *k, struct llmops_err *err)
{
	int64_t	id = 0, org = 0;
	int	rc;

	memset(k, 0, sizeof(*k));
	db_col_i64(q, &id);
	db_col_i64(q, &org);
	db_col_str(q, k->status, sizeof(k->status));
	db_col_i64(q, &k->last_used_us);
	if ((rc = db_one(q, err)) != 1)
		return rc;
	k->id = (uint32_t)id;
	k->org_id = (uint32_t)org;
	if (db_col_null(q, 3))
		k->last_used_us = 0;
	return 1;
}

int
db_apikey_lookup(struct db *db, const unsigned char hash[APIKEY_HASH_LEN],
    struct apikey_row *k, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_APIKEY_LOOKUP], err);

	db_bind_blob(q, hash, APIKEY_HASH_LEN);
	return key_row(q, k, err);
}

int
db_apikey_get(struct db *db, uint32_t id, struct apikey_row *k,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_APIKEY_GET], err);

	db_bind_i64(q, id);
	return key_row(q, k, err);
}

int
db_apikey_touch(struct db *db, uint32_t id, int64_t now_us,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_APIKEY_TOUCH], err);

	db_bind_i64(q, now_us);
	db_bind_i64(q, id);
	return db_exec(q, NULL, NULL, err);
}

int
db_apikey_revoke(struct db *db, uint32_t id, int64_t now_us,
    uint64_t *affected, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_APIKEY_REVOKE], err);

	db_bind_i64(q, now_us);
	db_bind_i64(q, id);
	return db_exec(q, affected, NULL, err);
}

int
db_apikey_list(struct db *db, uint32_t org_id, db_text_row_fn cb, void *arg,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_APIKEY_LIST], err);

	db_bind_i64(q, org_id);
	return db_rows_text(db, q, APIKEY_NCOLS, LIMIT_TOKEN_LABEL_BYTES * 4 + 1,
	    cb, arg, err);
}
