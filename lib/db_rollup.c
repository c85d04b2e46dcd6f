/* The rollups per dimension, in SQL: see db_rollup.h. */
#include "config.h"

#include <string.h>

#include "db_event.h"
#include "db_rollup.h"
#include "db_rows.h"
#include "db_sums.h"
#include "decimal.h"
#include "hist.h"

/* The key columns of usage_rollup, and of usage_rollup_hist's start. */
#define DIM_KEY		"org_id, grain, dim, bucket_us, value"
/* The events' sums as the responder keeps them (rollup_sums_of), in the
 * order of DB_SUMS_COLUMNS, saturated like the upserts. */
#define EVENT_SUMS \
	"COUNT(*), SUM(status <=> 'failure'), " \
	"LEAST(SUM(COALESCE(prompt_tokens, 0)), " UMAX "), " \
	"LEAST(SUM(COALESCE(completion_tokens, 0)), " UMAX "), " \
	"LEAST(SUM(COALESCE(total_tokens, 0)), " UMAX "), " \
	"LEAST(SUM(COALESCE(cache_read_tokens, 0)), " UMAX "), " \
	"LEAST(SUM(COALESCE(cache_write_tokens, 0)), " UMAX "), " \
	"LEAST(SUM(COALESCE(reasoning_tokens, 0)), " UMAX "), " \
	"LEAST(COALESCE(SUM(litellm_cost), 0), " DMAX "), COUNT(litellm_cost), " \
	"LEAST(COALESCE(SUM(cost), 0), " DMAX "), COUNT(cost), " \
	"LEAST(COALESCE(SUM(our_cost), 0), " DMAX "), COUNT(our_cost), " \
	"LEAST(SUM(COALESCE(latency_us, 0)), " UMAX "), COUNT(latency_us), " \
	"LEAST(SUM(COALESCE(ttft_us, 0)), " UMAX "), COUNT(ttft_us)"
/* Sums of rollup rows (hours into days), in the same order. */
#define S(col, max)	"LEAST(SUM(" col "), " max ")"
#define ROW_SUMS \
	S("requests", UMAX) ", " S("errors", UMAX) ", " \
	S("prompt_tokens", UMAX) ", " S("completion_tokens", UMAX) ", " \
	S("total_tokens", UMAX) ", " S("cache_read_tokens", UMAX) ", " \
	S("cache_write_tokens", UMAX) ", " S("reasoning_tokens", UMAX) ", " \
	S("litellm_cost", DMAX) ", " S("litellm_cost_events", UMAX) ", " \
	S("cost", DMAX) ", " S("priced_requests", UMAX) ", " \
	S("our_cost", DMAX) ", " S("our_cost_events", UMAX) ", " \
	S("latency_us_sum", UMAX) ", " S("latency_count", UMAX) ", " \
	S("ttft_us_sum", UMAX) ", " S("ttft_count", UMAX)
#define HOUR_OF		"occurred_us - MOD(occurred_us, 3600000000)"
#define DAY_OF		"occurred_us - MOD(occurred_us, 86400000000)"
#define FROM_EVENTS	" FROM usage_events WHERE org_id = ? AND occurred_us >= ?"

/* The hourly sums of one dimension (code, its column or '') from events. */
#define REBUILD_HOURS(code, col) \
	"INSERT INTO usage_rollup (" DIM_KEY ", " DB_SUMS_COLUMNS ") " \
	"SELECT org_id, 0, " code ", " HOUR_OF " AS b, COALESCE(" col ", '') " \
	"AS v, " EVENT_SUMS FROM_EVENTS " GROUP BY b, v"
/* One metric's bins of a dimension at a grain (bucket SQL), from events. */
#define HIST_OF(grain, code, col, bucket, metric, mcol) \
	"SELECT org_id, " grain ", " code ", " bucket " AS b, COALESCE(" col \
	", '') AS v, " metric ", " HIST_BIN_SQL(mcol) " AS h, COUNT(*)" \
	FROM_EVENTS " AND " mcol " IS NOT NULL GROUP BY b, v, h"
#define REBUILD_HIST(grain, code, col, bucket) \
	"INSERT INTO usage_rollup_hist (" DIM_KEY ", metric, bin, n) " \
	HIST_OF(grain, code, col, bucket, "0", "latency_us") " UNION ALL " \
	HIST_OF(grain, code, col, bucket, "1", "ttft_us")

enum {
	STMT_DIM_UPSERT,
	STMT_HIST_UPSERT,
	STMT_ERRORS_UPSERT,
	STMT_DIM_RECOST,
	STMT_CLEAR_DIM,
	STMT_CLEAR_HIST,
	STMT_CLEAR_ERRORS,
	/* The rebuild, in this order (each binds org_id, from_us [twice]). */
	STMT_REBUILD_NONE,
	STMT_REBUILD_DEPARTMENT,
	STMT_REBUILD_TEAM,
	STMT_REBUILD_AGENT,
	STMT_REBUILD_MODEL,
	STMT_REBUILD_PROVIDER,
	STMT_REBUILD_DAYS,
	STMT_REBUILD_HIST_NONE,
	STMT_REBUILD_HIST_MODEL,
	STMT_REBUILD_HIST_DAYS,
	STMT_REBUILD_HIST_DEPARTMENT,
	STMT_REBUILD_ERRORS,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* One row of each; db_multi makes the statements of many. */
	[STMT_DIM_UPSERT] = { "rollup_dim.upsert",
	    "INSERT INTO usage_rollup (" DIM_KEY ", " DB_SUMS_COLUMNS ") "
	    "VALUES (?, ?, ?, ?, ?, " DB_SUMS_VALUES ")" DB_SUMS_UPSERT },
	[STMT_HIST_UPSERT] = { "rollup_dim.hist_upsert",
	    "INSERT INTO usage_rollup_hist (" DIM_KEY ", metric, bin, n) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
	    DB_SAT("n", UMAX) },
	[STMT_ERRORS_UPSERT] = { "rollup_dim.errors_upsert",
	    "INSERT INTO usage_errors (org_id, hour_us, error_class, "
	    "error_code, model, provider, requests) VALUES (?, ?, ?, ?, ?, ?, "
	    "?) ON DUPLICATE KEY UPDATE " DB_SAT("requests", UMAX) },
	[STMT_DIM_RECOST] = { "rollup_dim.recost",
	    "UPDATE usage_rollup SET " DB_SUMS_RECOST " WHERE org_id = ? AND "
	    "grain = ? AND dim = ? AND bucket_us = ? AND value = ?" },
	[STMT_CLEAR_DIM] = { "rollup_dim.clear",
	    "DELETE FROM usage_rollup WHERE org_id = ? AND bucket_us >= ?" },
	[STMT_CLEAR_HIST] = { "rollup_dim.clear_hist",
	    "DELETE FROM usage_rollup_hist WHERE org_id = ? AND bucket_us >= ?" },
	[STMT_CLEAR_ERRORS] = { "rollup_dim.clear_errors",
	    "DELETE FROM usage_errors WHERE org_id = ? AND hour_us >= ?" },
	[STMT_REBUILD_NONE] = { "rollup_dim.rebuild_none",
	    REBUILD_HOURS("0", "NULL") },
	[STMT_REBUILD_DEPARTMENT] = { "rollup_dim.rebuild_department",
	    REBUILD_HOURS("1", "department") },
	[STMT_REBUILD_TEAM] = { "rollup_dim.rebuild_team",
	    REBUILD_HOURS("2", "team") },
	[STMT_REBUILD_AGENT] = { "rollup_dim.rebuild_agent",
	    REBUILD_HOURS("3", "agent") },
	[STMT_REBUILD_MODEL] = { "rollup_dim.rebuild_model",
	    REBUILD_HOURS("4", "model") },
	[STMT_REBUILD_PROVIDER] = { "rollup_dim.rebuild_provider",
	    REBUILD_HOURS("5", "provider") },
	/* Days are the sums of their hours. */
	[STMT_REBUILD_DAYS] = { "rollup_dim.rebuild_days",
	    "INSERT INTO usage_rollup (" DIM_KEY ", " DB_SUMS_COLUMNS ") "
	    "SELECT org_id, 1, dim, bucket_us - MOD(bucket_us, 86400000000) "
	    "AS b, value, " ROW_SUMS " FROM usage_rollup WHERE org_id = ? AND "
	    "grain = 0 AND bucket_us >= ? GROUP BY dim, b, value" },
	/* By hour: the totals and the models (rollup_dim_has_hist). */
	[STMT_REBUILD_HIST_NONE] = { "rollup_dim.rebuild_hist_none",
	    REBUILD_HIST("0", "0", "NULL", HOUR_OF) },
	[STMT_REBUILD_HIST_MODEL] = { "rollup_dim.rebuild_hist_model",
	    REBUILD_HIST("0", "4", "model", HOUR_OF) },
	/* Their days from their hours; the departments by day only. */
	[STMT_REBUILD_HIST_DAYS] = { "rollup_dim.rebuild_hist_days",
	    "INSERT INTO usage_rollup_hist (" DIM_KEY ", metric, bin, n) "
	    "SELECT org_id, 1, dim, bucket_us - MOD(bucket_us, 86400000000) "
	    "AS b, value, metric, bin, " S("n", UMAX) " FROM "
	    "usage_rollup_hist WHERE org_id = ? AND grain = 0 AND bucket_us >= ? "
	    "GROUP BY dim, b, value, metric, bin" },
	[STMT_REBUILD_HIST_DEPARTMENT] = { "rollup_dim.rebuild_hist_department",
	    REBUILD_HIST("1", "1", "department", DAY_OF) },
	[STMT_REBUILD_ERRORS] = { "rollup_dim.rebuild_errors",
	    "INSERT INTO usage_errors (org_id, hour_us, error_class, "
	    "error_code, model, provider, requests) SELECT org_id, " HOUR_OF
	    " AS b, COALESCE(error_class, '') AS c, COALESCE(error_code, '') "
	    "AS e, COALESCE(model, '') AS m, COALESCE(provider, '') AS p, "
	    "COUNT(*)" FROM_EVENTS " AND status = 'failure' GROUP BY b, c, e, "
	    "m, p" },
};

static struct db_multi	dim_upsert = { &stmts[STMT_DIM_UPSERT], { { 0 } },
    { { 0 } } };
static struct db_multi	hist_upsert = { &stmts[STMT_HIST_UPSERT], { { 0 } },
    { { 0 } } };
static struct db_multi	errors_upsert = { &stmts[STMT_ERRORS_UPSERT],
    { { 0 } }, { { 0 } } };

static void
bind_key(struct db_q *q, const struct rollup_dim_key *k)
{
	db_bind_i64(q, k->org_id);
	db_bind_i64(q, k->grain);
	db_bind_i64(q, k->dim);
	db_bind_i64(q, k->bucket_us);
	db_bind_str(q, k->value);
}

static void
bind_dim_row(void *arg, size_t i, struct db_q *q)
{
	const struct rollup_dim_row	*r = (const struct rollup_dim_row *)arg + i;

	bind_key(q, &r->k);
	db_bind_sums(q, &r->s);
}

static void
bind_hist_row(void *arg, size_t i, struct db_q *q)
{
	const struct rollup_dim_hist	*h =
	    (const struct rollup_dim_hist *)arg + i;

	bind_key(q, &h->k);
	db_bind_i64(q, h->metric);
	db_bind_i64(q, h->bin);
	db_bind_i64(q, h->n);
}

static void
bind_error_row(void *arg, size_t i, struct db_q *q)
{
	const struct rollup_dim_error	*e =
	    (const struct rollup_dim_error *)arg + i;

	db_bind_i64(q, e->org_id);
	db_bind_i64(q, e->hour_us);
	db_bind_str(q, e->cls);
	db_bind_str(q, e->code);
	db_bind_str(q, e->model);
	db_bind_str(q, e->provider);
	db_bind_i64(q, e->n);
}

int
db_rollup_dim_upsert(struct db *db, const struct rollup_dim_row *r, size_t n,
    struct llmops_err *err)
{
	return db_multi_exec(db, &dim_upsert, n, bind_dim_row, (void *)r, err);
}

int
db_rollup_hist_upsert(struct db *db, const struct rollup_dim_hist *h,
    size_t n, struct llmops_err *err)
{
	return db_multi_exec(db, &hist_upsert, n, bind_hist_row, (void *)h,
	    err);
}

int
db_rollup_errors_upsert(struct db *db, const struct rollup_dim_error *e,
    size_t n, struct llmops_err *err)
{
	return db_multi_exec(db, &errors_upsert, n, bind_error_row, (void *)e,
	    err);
}

int
db_rollup_dim_recost(struct db *db, const struct rollup_dim_row *r,
    struct llmops_err *err)
{
	struct db_q		*q = db_q(db, &stmts[STMT_DIM_RECOST], err);
	struct rollup_recost	 c;

	memset(&c, 0, sizeof(c));
	c.cost = r->s.cost;
	c.priced = r->s.priced;
	c.our = r->s.our_cost;
	c.our_events = r->s.our_cost_events;
	db_bind_recost(q, &c);
	bind_key(q, &r->k);
	return db_exec(q, NULL, NULL, err);
}

int
db_rollup_dim_rebuild(struct db *db, uint32_t org_id, int64_t from_us,
    uint64_t *rows, struct llmops_err *err)
{
	struct db_q	*q;
	uint64_t	 n;
	int		 s, k, times;

	*rows = 0;
	for (s = STMT_CLEAR_DIM; s < STMT__MAX; s++) {
		q = db_q(db, &stmts[s], err);
		/* A statement of two SELECTs binds its range twice. */
		times = strstr(stmts[s].sql, "UNION ALL") != NULL ? 2 : 1;
		for (k = 0; k < times; k++) {
			db_bind_i64(q, org_id);
			db_bind_i64(q, from_us);
		}
		n = 0;
		if (db_exec(q, &n, NULL, err) != 0)
			return -1;
		if (s >= STMT_REBUILD_NONE)
			*rows += n;
	}
	return 0;
}
