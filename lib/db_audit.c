/* The audit_log table: see db_audit.h. */
#include "config.h"

#include "db_audit.h"

enum {
	STMT_AUDIT_INSERT,
	STMT_AUDIT_LIST,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_AUDIT_INSERT] = { "audit.insert",
	    "INSERT INTO audit_log (at_us, actor, org_id, action, target, "
	    "details) VALUES (?, ?, ?, ?, ?, ?)" },
	/* The columns of audit_cols; org 0: every organization */
	[STMT_AUDIT_LIST] = { "audit.list",
	    "SELECT id, at_us, actor, org_id, action, target, details FROM "
	    "audit_log WHERE (? = 0 OR org_id = ?) AND at_us >= ? "
	    "ORDER BY id DESC LIMIT ?" },
};

const struct report_col audit_cols[AUDIT_NCOLS] = {
	{ "id", COL_INT },
	{ "at", COL_TIME_US },
	{ "actor", COL_TEXT },
	{ "org_id", COL_INT },
	{ "action", COL_TEXT },
	{ "target", COL_TEXT },
	{ "details", COL_TEXT },
};

int
db_audit_insert(struct db *db, int64_t at_us, const char *actor,
    uint32_t org_id, const char *action, const char *target,
    const char *details, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_AUDIT_INSERT], err);

	db_bind_i64(q, at_us);
	db_bind_str(q, actor);
	db_bind_i64_opt(q, org_id != 0, org_id);
	db_bind_str(q, action);
	db_bind_str(q, target);
	db_bind_str(q, details);
	return db_exec(q, NULL, NULL, err);
}

int
db_audit_list(struct db *db, uint32_t org_id, int64_t since_us, int64_t limit,
    db_text_row_fn cb, void *arg, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_AUDIT_LIST], err);

	db_bind_i64(q, org_id);
	db_bind_i64(q, org_id);
	db_bind_i64(q, since_us);
	db_bind_i64(q, limit > 0 ? limit : INT64_MAX);
	return db_rows_text(db, q, AUDIT_NCOLS, AUDIT_DETAILS_BYTES + 1, cb, arg,
	    err);
}
