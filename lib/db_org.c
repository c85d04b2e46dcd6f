/* The organizations table: see db_org.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_org.h"
#include "db_rows.h"

enum {
	STMT_ORG_INSERT,
	STMT_ORG_BY_ID,
	STMT_ORG_BY_NAME,
	STMT_ORG_LIST,
	STMT_ORG_IDS,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_ORG_INSERT] = { "org.insert",
	    "INSERT INTO organizations (name, created_us) VALUES (?, ?)" },
	[STMT_ORG_BY_ID] = { "org.by_id",
	    "SELECT id, name FROM organizations WHERE id = ?" },
	[STMT_ORG_BY_NAME] = { "org.by_name",
	    "SELECT id, name FROM organizations WHERE name = ?" },
	[STMT_ORG_LIST] = { "org.list",
	    "SELECT o.id, o.name, o.created_us, (SELECT COUNT(*) FROM "
	    "tracking_tokens t WHERE t.org_id = o.id AND t.status = 'active') "
	    "FROM organizations o ORDER BY o.id" },
	[STMT_ORG_IDS] = { "org.ids",
	    "SELECT id FROM organizations ORDER BY id" },
};

int
db_org_insert(struct db *db, const char *name, int64_t created_us,
    uint32_t *id, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_ORG_INSERT], err);

	db_bind_str(q, name);
	db_bind_i64(q, created_us);
	return db_exec_id(q, id, err);
}

/* The id and name columns of org.by_id and org.by_name. */
static int
org_one(struct db_q *q, struct org *o, struct llmops_err *err)
{
	int64_t	id = 0;
	int	rc;

	memset(o, 0, sizeof(*o));
	db_col_i64(q, &id);
	db_col_str(q, o->name, sizeof(o->name));
	if ((rc = db_one(q, err)) == 1)
		o->id = (uint32_t)id;
	return rc;
}

int
db_org_by_id(struct db *db, uint32_t id, struct org *o, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_ORG_BY_ID], err);

	db_bind_i64(q, id);
	return org_one(q, o, err);
}

int
db_org_by_name(struct db *db, const char *name, struct org *o,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_ORG_BY_NAME], err);

	db_bind_str(q, name);
	return org_one(q, o, err);
}

int
db_org_list(struct db *db, int (*cb)(const struct org *, void *), void *arg,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_ORG_LIST], err);
	struct org	 o;
	int64_t		 id = 0;
	int		 rc;

	memset(&o, 0, sizeof(o));
	db_col_i64(q, &id);
	db_col_str(q, o.name, sizeof(o.name));
	db_col_i64(q, &o.created_us);
	db_col_i64(q, &o.active_tokens);
	if (db_select(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		o.id = (uint32_t)id;
		/* cb may write the row out: no rerun from here on. */
		db_txn_final(db);
		if (cb(&o, arg) != 0)
			break;
	}
	db_end(q);
	return rc < 0 ? -1 : 0;
}

int
db_org_ids(struct db *db, uint32_t **ids, size_t *n, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_ORG_IDS], err);
	uint32_t	*more;
	int64_t		 id = 0;
	int		 rc;

	*ids = NULL;
	*n = 0;
	db_col_i64(q, &id);
	if (db_select(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		if ((more = reallocarray(*ids, *n + 1, sizeof(**ids))) == NULL) {
			rc = err_set(err, 500, "out of memory");
			break;
		}
		*ids = more;
		(*ids)[(*n)++] = (uint32_t)id;
	}
	db_end(q);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}
