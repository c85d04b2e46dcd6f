/* The retention_state table and the deletes of raw events: see db_retention.h. */
#include "config.h"

#include <string.h>

#include "db_retention.h"

enum {
	STMT_RETENTION_GET,
	STMT_RETENTION_HOLD,
	STMT_RETENTION_ADVANCE,
	STMT_RETENTION_COUNT,
	STMT_RETENTION_DELETE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_RETENTION_GET] = { "retention.get",
	    "SELECT raw_before_us, raw_days FROM retention_state WHERE id = 1" },
	[STMT_RETENTION_HOLD] = { "retention.hold",
	    "SELECT raw_before_us, raw_days FROM retention_state WHERE id = 1 "
	    "LOCK IN SHARE MODE" },
	/* raw_days first: it is assigned while raw_before_us is the old one. */
	[STMT_RETENTION_ADVANCE] = { "retention.advance",
	    "INSERT INTO retention_state (id, raw_before_us, raw_days) "
	    "VALUES (1, ?, ?) ON DUPLICATE KEY UPDATE "
	    "raw_days = IF(VALUES(raw_before_us) > raw_before_us, "
	    "VALUES(raw_days), raw_days), "
	    "raw_before_us = GREATEST(raw_before_us, VALUES(raw_before_us))" },
	[STMT_RETENTION_COUNT] = { "retention.count",
	    "SELECT COUNT(*) FROM usage_event_rows WHERE org_id = ? AND "
	    "occurred_us < ?" },
	/* (occurred_us, id) is the order of ix_event_org_time within org_id. */
	[STMT_RETENTION_DELETE] = { "retention.delete",
	    "DELETE FROM usage_event_rows WHERE org_id = ? AND occurred_us < ? "
	    "ORDER BY occurred_us, id LIMIT ?" },
};

static int
state_of(struct db *db, int st, struct retention_state *s,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[st], err);
	int64_t		 before = 0, days = 0;
	int		 rc;

	memset(s, 0, sizeof(*s));
	db_col_i64(q, &before);
	db_col_i64(q, &days);
	/* No row (deleted by hand): nothing is known to be pruned. */
	if ((rc = db_one(q, err)) < 0)
		return -1;
	if (rc == 1) {
		s->raw_before_us = before;
		s->raw_days = (int)days;
	}
	return 0;
}

int
db_retention_get(struct db *db, struct retention_state *s,
    struct llmops_err *err)
{
	return state_of(db, STMT_RETENTION_GET, s, err);
}

/* The horizon alone, read by statement st. */
static int
horizon_of(struct db *db, int st, int64_t *horizon_us, struct llmops_err *err)
{
	struct retention_state	s;

	*horizon_us = 0;
	if (state_of(db, st, &s, err) != 0)
		return -1;
	*horizon_us = s.raw_before_us;
	return 0;
}

int
db_retention_horizon(struct db *db, int64_t *horizon_us,
    struct llmops_err *err)
{
	return horizon_of(db, STMT_RETENTION_GET, horizon_us, err);
}

int
db_retention_hold(struct db *db, int64_t *horizon_us, struct llmops_err *err)
{
	return horizon_of(db, STMT_RETENTION_HOLD, horizon_us, err);
}

int
db_retention_advance(struct db *db, int64_t horizon_us, int raw_days,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_RETENTION_ADVANCE], err);

	db_bind_i64(q, horizon_us);
	db_bind_i64(q, raw_days);
	return db_exec(q, NULL, NULL, err);
}

int
db_retention_count(struct db *db, uint32_t org_id, int64_t before_us,
    int64_t *n, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_RETENTION_COUNT], err);

	*n = 0;
	db_bind_i64(q, org_id);
	db_bind_i64(q, before_us);
	db_col_i64(q, n);
	return db_one(q, err) < 0 ? -1 : 0;
}

int
db_retention_delete(struct db *db, uint32_t org_id, int64_t before_us,
    int64_t limit, int64_t *deleted, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_RETENTION_DELETE], err);
	uint64_t	 n = 0;

	*deleted = 0;
	db_bind_i64(q, org_id);
	db_bind_i64(q, before_us);
	db_bind_i64(q, limit);
	if (db_exec(q, &n, NULL, err) != 0)
		return -1;
	*deleted = (int64_t)n;
	return 0;
}
