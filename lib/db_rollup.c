/* The rollups per dimension, in SQL: see db_rollup.h. */
#include "config.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "db_event.h"
#include "db_rollup.h"
#include "db_rows.h"
#include "db_sums.h"
#include "decimal.h"
#include "db_usage.h"
#include "hist.h"
#include "timefmt.h"

/* The key columns of usage_rollup, and of usage_rollup_hist. */
#define DIM_KEY		"org_id, grain, dim, bucket_us, parent, value"
#define HIST_KEY	"org_id, grain, dim, bucket_us, parent, value, metric"
/*
 * The rebuild reads the events once: usage_event_rows grouped by hour and
 * every label id into the temporary table rebuild_fine (the organization's
 * events from the rebuild's start), which each dimension's hourly sums
 * and usage_hourly's rows (db_event.c) are then grouped from. Texts are
 * joined to grouped rows, never to events (through the usage_events view
 * the same sums took ten times longer). A label's id and its text are one
 * to one within a kind; an empty label and none both become '', and the
 * upserts add such rows together.
 *
 * The events' sums as the responder keeps them (rollup_sums_of), in the
 * order of DB_SUMS_COLUMNS, saturated like the upserts, named s0..s19.
 */
#define EVENT_SUMS \
	"COUNT(*) AS s0, SUM(status <=> 'failure') AS s1, " \
	"LEAST(SUM(COALESCE(prompt_tokens, 0)), " UMAX ") AS s2, " \
	"LEAST(SUM(COALESCE(completion_tokens, 0)), " UMAX ") AS s3, " \
	"LEAST(SUM(COALESCE(total_tokens, 0)), " UMAX ") AS s4, " \
	"LEAST(SUM(COALESCE(cache_read_tokens, 0)), " UMAX ") AS s5, " \
	"LEAST(SUM(COALESCE(cache_write_tokens, 0)), " UMAX ") AS s6, " \
	"LEAST(SUM(COALESCE(reasoning_tokens, 0)), " UMAX ") AS s7, " \
	"LEAST(COALESCE(SUM(litellm_cost), 0), " DMAX ") AS s8, " \
	"COUNT(litellm_cost) AS s9, " \
	"LEAST(COALESCE(SUM(cost), 0), " DMAX ") AS s10, COUNT(cost) AS s11, " \
	"LEAST(COALESCE(SUM(our_cost), 0), " DMAX ") AS s12, " \
	"COUNT(our_cost) AS s13, " \
	"LEAST(SUM(COALESCE(latency_us, 0)), " UMAX ") AS s14, " \
	"COUNT(latency_us) AS s15, " \
	"LEAST(SUM(COALESCE(ttft_us, 0)), " UMAX ") AS s16, " \
	"COUNT(ttft_us) AS s17, SUM(cache_hit <=> 1) AS s18, " \
	"LEAST(COALESCE(SUM(saved_cache_cost), 0), " DMAX ") AS s19"
/* The same sums over rows of rebuild_fine (saturating a sum of saturated
 * parts gives the saturated sum: they are never negative). */
#define F(k, max)	"LEAST(SUM(s" #k "), " max ") AS s" #k
#define FINE_SUMS \
	F(0, UMAX) ", " F(1, UMAX) ", " F(2, UMAX) ", " F(3, UMAX) ", " \
	F(4, UMAX) ", " F(5, UMAX) ", " F(6, UMAX) ", " F(7, UMAX) ", " \
	F(8, DMAX) ", " F(9, UMAX) ", " F(10, DMAX) ", " F(11, UMAX) ", " \
	F(12, DMAX) ", " F(13, UMAX) ", " F(14, UMAX) ", " F(15, UMAX) ", " \
	F(16, UMAX) ", " F(17, UMAX) ", " F(18, UMAX) ", " F(19, DMAX)
#define GROUPED_SUMS \
	"s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, " \
	"s15, s16, s17, s18, s19"
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
	S("ttft_us_sum", UMAX) ", " S("ttft_count", UMAX) ", " \
	S("cache_hits", UMAX) ", " S("saved_cache_cost", DMAX)
#define HOUR_OF		"occurred_us - MOD(occurred_us, 3600000000)"
#define FROM_ROWS	" FROM usage_event_rows WHERE org_id = ? AND " \
			"occurred_us >= ?"
/* What rebuild_fine groups by, besides the hour b. */
#define FINE_KEYS \
	"department_id, team_id, agent_id, model_id, provider_id, status, " \
	"error_class_id, error_code_id, deployment_id, api_host_id"
/* The texts of a grouped row's label ids p and v, '' for none. */
#define JOIN_P		" LEFT JOIN labels lp ON lp.id = g.p"
#define JOIN_V		" LEFT JOIN labels lv ON lv.id = g.v"
#define TEXT_P		"COALESCE(lp.value, '')"
#define TEXT_V		"COALESCE(lv.value, '')"

/* The hourly sums of one dimension (code; its column of rebuild_fine or
 * NULL, and its text vtext) within its parent's values (pcol, a column or
 * NULL), of the rows that pass the condition cond. */
#define REBUILD_GROUPED(code, pcol, col, vtext, vjoin, cond) \
	"INSERT INTO usage_rollup (" DIM_KEY ", " DB_SUMS_COLUMNS ") " \
	"SELECT g.org_id, 0, " code ", g.b, " TEXT_P ", " vtext ", " \
	GROUPED_SUMS " FROM (SELECT org_id, b, " pcol " AS p, " col " AS v, " \
	FINE_SUMS " FROM rebuild_fine WHERE " cond " GROUP BY b, p, v) g" \
	JOIN_P vjoin DB_SUMS_UPSERT
#define REBUILD_HOURS(code, pcol, col) \
	REBUILD_GROUPED(code, pcol, col, TEXT_V, JOIN_V, "TRUE")
/* The hourly sums of what served each model, of the events that say. */
#define REBUILD_SERVED(code, col) \
	REBUILD_GROUPED(code, "model_id", col, TEXT_V, JOIN_V, \
	    col " IS NOT NULL")
/*
 * The histograms, a day at a time: the day's events' bins per hour,
 * department and model into the temporary table rebuild_bins, then each
 * histogram's (bucket, parent, value, metric, bin, count) rows from it in
 * key order, which db_rollup_hist_merge() packs into usage_rollup_hist.
 */
#define BINS_OF(metric, mcol) \
	"SELECT " HOUR_OF " AS b, department_id, model_id, " metric " AS m, " \
	HIST_BIN_SQL(mcol) " AS h, COUNT(*) AS c FROM usage_event_rows " \
	"WHERE org_id = ? AND occurred_us >= ? AND occurred_us < ? AND " \
	mcol " IS NOT NULL GROUP BY b, department_id, model_id, h"
#define HOUR_B		"b"
#define DAY_B		"b - MOD(b, 86400000000)"
#define REBUILD_HIST(pcol, col, bucket) \
	"SELECT g.b, " TEXT_P " AS pt, " TEXT_V " AS vt, g.m, g.h, SUM(g.c) " \
	"FROM (SELECT " bucket " AS b, " pcol " AS p, " col " AS v, m, h, " \
	"SUM(c) AS c FROM rebuild_bins GROUP BY b, p, v, m, h) g" JOIN_P \
	JOIN_V " GROUP BY g.b, pt, vt, g.m, g.h ORDER BY g.b, pt, vt, g.m, g.h"

enum {
	STMT_DIM_UPSERT,
	STMT_HIST_PUT,
	STMT_ERRORS_UPSERT,
	STMT_DIM_RECOST,
	STMT_REBUILD_MEMORY,
	STMT_DEFAULT_MEMORY,
	STMT_FINE_DROP,
	STMT_FINE_MAKE,
	/* The rebuild, in this order (db_rollup_dim_rebuild runs them in
	 * turn: the clears and the days bind org_id and from_us). */
	STMT_CLEAR_DIM,
	STMT_CLEAR_HIST,
	STMT_CLEAR_ERRORS,
	STMT_REBUILD_NONE,
	STMT_REBUILD_DEPARTMENT,
	STMT_REBUILD_TEAM,
	STMT_REBUILD_AGENT,
	STMT_REBUILD_MODEL,
	STMT_REBUILD_PROVIDER,
	STMT_REBUILD_TEAM_IN_DEPARTMENT,
	STMT_REBUILD_AGENT_IN_DEPARTMENT,
	STMT_REBUILD_AGENT_IN_TEAM,
	STMT_REBUILD_MODEL_IN_DEPARTMENT,
	STMT_REBUILD_STATUS,
	STMT_REBUILD_DEPLOYMENT,
	STMT_REBUILD_API_HOST,
	STMT_REBUILD_ERRORS,
	STMT_REBUILD_DAYS,
	/* Then the histograms, a day of events at a time. */
	STMT_NEXT_DAY,
	STMT_BINS_DROP,
	STMT_BINS_MAKE,
	STMT_HIST_HOURS_NONE,
	STMT_HIST_HOURS_MODEL,
	STMT_HIST_DAYS_NONE,
	STMT_HIST_DAYS_MODEL,
	STMT_HIST_DAYS_DEPARTMENT,
	STMT_HIST_DAYS_MODEL_IN_DEPARTMENT,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* One row of each; db_multi makes the statements of many. */
	[STMT_DIM_UPSERT] = { "rollup_dim.upsert",
	    "INSERT INTO usage_rollup (" DIM_KEY ", " DB_SUMS_COLUMNS ") "
	    "VALUES (?, ?, ?, ?, ?, ?, " DB_SUMS_VALUES ")" DB_SUMS_UPSERT },
	[STMT_HIST_PUT] = { "rollup_dim.hist_put",
	    "INSERT INTO usage_rollup_hist (" HIST_KEY ", bins, n) VALUES (?, ?, "
	    "?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE bins = VALUES(bins), "
	    "n = VALUES(n)" },
	[STMT_ERRORS_UPSERT] = { "rollup_dim.errors_upsert",
	    "INSERT INTO usage_errors (org_id, hour_us, error_class, "
	    "error_code, model, provider, requests) VALUES (?, ?, ?, ?, ?, ?, "
	    "?) ON DUPLICATE KEY UPDATE " DB_SAT("requests", UMAX) },
	[STMT_DIM_RECOST] = { "rollup_dim.recost",
	    "UPDATE usage_rollup SET " DB_SUMS_RECOST " WHERE org_id = ? AND "
	    "grain = ? AND dim = ? AND bucket_us = ? AND parent = ? AND "
	    "value = ?" },
	[STMT_REBUILD_MEMORY] = { "rollup_dim.rebuild_memory",
	    "SET SESSION tmp_table_size = ?, max_heap_table_size = ?" },
	[STMT_DEFAULT_MEMORY] = { "rollup_dim.default_memory",
	    "SET SESSION tmp_table_size = DEFAULT, max_heap_table_size = "
	    "DEFAULT" },
	/* Made by db_rollup_fine_make; read by db_event.c's rollup.recompute. */
	[STMT_FINE_DROP] = { "rollup_dim.fine_drop",
	    "DROP TEMPORARY TABLE IF EXISTS rebuild_fine" },
	[STMT_FINE_MAKE] = { "rollup_dim.fine_make",
	    "CREATE TEMPORARY TABLE rebuild_fine AS SELECT org_id, " HOUR_OF
	    " AS b, " FINE_KEYS ", " EVENT_SUMS FROM_ROWS " GROUP BY b, "
	    FINE_KEYS },
	[STMT_CLEAR_DIM] = { "rollup_dim.clear",
	    "DELETE FROM usage_rollup WHERE org_id = ? AND bucket_us >= ?" },
	[STMT_CLEAR_HIST] = { "rollup_dim.clear_hist",
	    "DELETE FROM usage_rollup_hist WHERE org_id = ? AND bucket_us >= ?" },
	[STMT_CLEAR_ERRORS] = { "rollup_dim.clear_errors",
	    "DELETE FROM usage_errors WHERE org_id = ? AND hour_us >= ?" },
	[STMT_REBUILD_NONE] = { "rollup_dim.rebuild_none",
	    REBUILD_HOURS("0", "NULL", "NULL") },
	[STMT_REBUILD_DEPARTMENT] = { "rollup_dim.rebuild_department",
	    REBUILD_HOURS("1", "NULL", "department_id") },
	[STMT_REBUILD_TEAM] = { "rollup_dim.rebuild_team",
	    REBUILD_HOURS("2", "NULL", "team_id") },
	[STMT_REBUILD_AGENT] = { "rollup_dim.rebuild_agent",
	    REBUILD_HOURS("3", "NULL", "agent_id") },
	[STMT_REBUILD_MODEL] = { "rollup_dim.rebuild_model",
	    REBUILD_HOURS("4", "NULL", "model_id") },
	[STMT_REBUILD_PROVIDER] = { "rollup_dim.rebuild_provider",
	    REBUILD_HOURS("5", "NULL", "provider_id") },
	[STMT_REBUILD_TEAM_IN_DEPARTMENT] = {
	    "rollup_dim.rebuild_team_in_department",
	    REBUILD_HOURS("6", "department_id", "team_id") },
	[STMT_REBUILD_AGENT_IN_DEPARTMENT] = {
	    "rollup_dim.rebuild_agent_in_department",
	    REBUILD_HOURS("7", "department_id", "agent_id") },
	[STMT_REBUILD_AGENT_IN_TEAM] = { "rollup_dim.rebuild_agent_in_team",
	    REBUILD_HOURS("8", "team_id", "agent_id") },
	[STMT_REBUILD_MODEL_IN_DEPARTMENT] = {
	    "rollup_dim.rebuild_model_in_department",
	    REBUILD_HOURS("9", "department_id", "model_id") },
	[STMT_REBUILD_STATUS] = { "rollup_dim.rebuild_status",
	    REBUILD_GROUPED("10", "NULL", "status", "COALESCE(g.v, '')",
	    "", "TRUE") },
	/* Only the events whose deployment LiteLLM named (rollup_dim.h). */
	[STMT_REBUILD_DEPLOYMENT] = { "rollup_dim.rebuild_deployment",
	    REBUILD_SERVED("11", "deployment_id") },
	[STMT_REBUILD_API_HOST] = { "rollup_dim.rebuild_api_host",
	    REBUILD_SERVED("12", "api_host_id") },
	[STMT_REBUILD_ERRORS] = { "rollup_dim.rebuild_errors",
	    "INSERT INTO usage_errors (org_id, hour_us, error_class, "
	    "error_code, model, provider, requests) SELECT g.org_id, g.b, "
	    "COALESCE(lc.value, ''), COALESCE(le.value, ''), "
	    "COALESCE(lm.value, ''), COALESCE(lr.value, ''), g.n FROM (SELECT "
	    "org_id, b, error_class_id AS c, error_code_id AS e, model_id AS m, "
	    "provider_id AS r, SUM(s0) AS n FROM rebuild_fine WHERE status = "
	    "'failure' GROUP BY b, c, e, m, r) g LEFT JOIN labels lc ON lc.id = "
	    "g.c LEFT JOIN labels le ON le.id = g.e LEFT JOIN labels lm ON "
	    "lm.id = g.m LEFT JOIN labels lr ON lr.id = g.r "
	    "ON DUPLICATE KEY UPDATE " DB_SAT("requests", UMAX) },
	/* Days are the sums of their hours. */
	[STMT_REBUILD_DAYS] = { "rollup_dim.rebuild_days",
	    "INSERT INTO usage_rollup (" DIM_KEY ", " DB_SUMS_COLUMNS ") "
	    "SELECT org_id, 1, dim, bucket_us - MOD(bucket_us, 86400000000) "
	    "AS b, parent, value, " ROW_SUMS " FROM usage_rollup WHERE "
	    "org_id = ? AND grain = 0 AND bucket_us >= ? GROUP BY dim, b, "
	    "parent, value" },
	/* The first event at or after a time: the next day to count. */
	[STMT_NEXT_DAY] = { "rollup_dim.next_day",
	    "SELECT MIN(occurred_us)" FROM_ROWS },
	[STMT_BINS_DROP] = { "rollup_dim.bins_drop",
	    "DROP TEMPORARY TABLE IF EXISTS rebuild_bins" },
	[STMT_BINS_MAKE] = { "rollup_dim.bins_make",
	    "CREATE TEMPORARY TABLE rebuild_bins AS " BINS_OF("0", "latency_us")
	    " UNION ALL " BINS_OF("1", "ttft_us") },
	/* By hour the totals and the models, by day also the departments
	 * (rollup_dim_has_hist). */
	[STMT_HIST_HOURS_NONE] = { "rollup_dim.hist_hours_none",
	    REBUILD_HIST("NULL", "NULL", HOUR_B) },
	[STMT_HIST_HOURS_MODEL] = { "rollup_dim.hist_hours_model",
	    REBUILD_HIST("NULL", "model_id", HOUR_B) },
	[STMT_HIST_DAYS_NONE] = { "rollup_dim.hist_days_none",
	    REBUILD_HIST("NULL", "NULL", DAY_B) },
	[STMT_HIST_DAYS_MODEL] = { "rollup_dim.hist_days_model",
	    REBUILD_HIST("NULL", "model_id", DAY_B) },
	[STMT_HIST_DAYS_DEPARTMENT] = { "rollup_dim.hist_days_department",
	    REBUILD_HIST("NULL", "department_id", DAY_B) },
	[STMT_HIST_DAYS_MODEL_IN_DEPARTMENT] = {
	    "rollup_dim.hist_days_model_in_department",
	    REBUILD_HIST("department_id", "model_id", DAY_B) },
};

/* The grain and dim of each histogram statement of the rebuild. */
static const struct {
	int	stmt;
	uint8_t	grain, dim;
} hist_stmts[] = {
	{ STMT_HIST_HOURS_NONE, ROLLUP_HOUR, ROLLUP_DIM_NONE },
	{ STMT_HIST_HOURS_MODEL, ROLLUP_HOUR, DIM_MODEL },
	{ STMT_HIST_DAYS_NONE, ROLLUP_DAY, ROLLUP_DIM_NONE },
	{ STMT_HIST_DAYS_MODEL, ROLLUP_DAY, DIM_MODEL },
	{ STMT_HIST_DAYS_DEPARTMENT, ROLLUP_DAY, DIM_DEPARTMENT },
	{ STMT_HIST_DAYS_MODEL_IN_DEPARTMENT, ROLLUP_DAY,
	    ROLLUP_MODEL_IN_DEPARTMENT },
};

static struct db_multi	dim_upsert = { &stmts[STMT_DIM_UPSERT], { { 0 } },
    { { 0 } } };
static struct db_multi	hist_put = { &stmts[STMT_HIST_PUT], { { 0 } },
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
	db_bind_str(q, k->parent);
	db_bind_str(q, k->value);
}

/* The key of a histogram's row: the row's, and the metric. */
static void
bind_hist_key(struct db_q *q, const struct rollup_dim_key *k, int metric)
{
	bind_key(q, k);
	db_bind_i64(q, metric);
}

static void
bind_dim_row(void *arg, size_t i, struct db_q *q)
{
	const struct rollup_dim_row	*r = (const struct rollup_dim_row *)arg + i;

	bind_key(q, &r->k);
	db_bind_sums(q, &r->s);
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
db_rollup_errors_upsert(struct db *db, const struct rollup_dim_error *e,
    size_t n, struct llmops_err *err)
{
	return db_multi_exec(db, &errors_upsert, n, bind_error_row, (void *)e,
	    err);
}

/*
 * The histogram rows of a chunk are read and written HIST_BATCH at a
 * time: one locked SELECT of their stored bins (rows of any key, an OR of
 * primary keys), the bins added in C, one multi-row upsert.
 */
#define HIST_BATCH	64
struct hist_batch {
	const struct rollup_dim_hist	*first[HIST_BATCH];	/* bins of */
	const struct rollup_dim_hist	*end[HIST_BATCH];	/* one row */
	struct hist			*h;		/* HIST_BATCH */
	unsigned char			*blob;		/* HIST_BATCH * MAX */
	size_t				 len[HIST_BATCH];
	uint64_t			 total[HIST_BATCH];
	size_t				 n;
};

/* The locked reads of 1, 8, 64 or 256 rows (db_multi_rows): an OR of
 * primary keys, a range on PRIMARY. */
static struct db_repeat	hist_get = { "rollup_dim.hist_get",
    "SELECT org_id, grain, dim, bucket_us, parent, value, metric, bins "
    "FROM usage_rollup_hist WHERE ",
    "(org_id = ? AND grain = ? AND dim = ? AND bucket_us = ? AND "
    "parent = ? AND value = ? AND metric = ?)", " OR ", " FOR UPDATE",
    { { 0 } }, { { 0 } } };

/* Equal as the tables' collation compares (PAD SPACE: trailing spaces
 * do not count). */
static int
pad_eq(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);

	while (la > 0 && a[la - 1] == ' ')
		la--;
	while (lb > 0 && b[lb - 1] == ' ')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

/* The row of the batch a stored row is, or -1. */
static int
batch_find(const struct hist_batch *hb, int64_t org, int64_t grain,
    int64_t dim, int64_t bucket, const char *parent, const char *value,
    int64_t metric)
{
	const struct rollup_dim_hist	*d;
	size_t				 i;

	for (i = 0; i < hb->n; i++) {
		d = hb->first[i];
		if (d->k.org_id == org && d->k.grain == grain &&
		    d->k.dim == dim && d->k.bucket_us == bucket &&
		    d->metric == metric && pad_eq(d->k.parent, parent) &&
		    pad_eq(d->k.value, value))
			return (int)i;
	}
	return -1;
}

/* The stored bins of the batch's rows into their histograms, locked. */
static int
batch_read(struct db *db, struct hist_batch *hb, struct llmops_err *err)
{
	char			 parent[LIMIT_TEXT_BYTES], value[LIMIT_TEXT_BYTES];
	int64_t			 org = 0, grain = 0, dim = 0, bucket = 0, metric = 0;
	const struct db_stmt	*st;
	struct db_q		*q;
	size_t			 a, i, len = 0;
	int			 rc, at;

	/* The smallest arity that holds the batch; unused places repeat. */
	for (a = DB_MULTI_ARITIES - 1; a > 0 && db_multi_rows[a] < hb->n; a--)
		;
	if ((st = db_repeat_stmt(&hist_get, a)) == NULL)
		return err_set(err, 500, "out of memory");
	q = db_q(db, st, err);
	for (i = 0; i < db_multi_rows[a]; i++)
		bind_hist_key(q, &hb->first[i < hb->n ? i : hb->n - 1]->k,
		    hb->first[i < hb->n ? i : hb->n - 1]->metric);
	db_col_i64(q, &org);
	db_col_i64(q, &grain);
	db_col_i64(q, &dim);
	db_col_i64(q, &bucket);
	db_col_str(q, parent, sizeof(parent));
	db_col_str(q, value, sizeof(value));
	db_col_i64(q, &metric);
	db_col_blob(q, hb->blob, HIST_BLOB_MAX, &len);
	if (db_select(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		at = batch_find(hb, org, grain, dim, bucket, parent, value,
		    metric);
		if (at >= 0 && hist_decode_add(&hb->h[at], hb->blob, len) != 0) {
			rc = err_set(err, 500, "rollups: a stored histogram of "
			    "organization %u is damaged; run llmopsctl rollups "
			    "rebuild", (unsigned)org);
			break;
		}
	}
	db_end(q);
	return rc < 0 ? -1 : 0;
}

static void
bind_hist_put(void *arg, size_t i, struct db_q *q)
{
	const struct hist_batch	*hb = arg;

	bind_hist_key(q, &hb->first[i]->k, hb->first[i]->metric);
	db_bind_blob(q, hb->blob + i * HIST_BLOB_MAX, hb->len[i]);
	db_bind_i64(q, (int64_t)(hb->total[i] > INT64_MAX ? INT64_MAX :
	    hb->total[i]));
}

/* Reads the batch's rows, adds its bins, writes them back. */
static int
batch_flush(struct db *db, struct hist_batch *hb, struct llmops_err *err)
{
	const struct rollup_dim_hist	*d;
	size_t				 i;
	int				 rc = -1;

	for (i = 0; i < hb->n; i++)
		hist_clear(&hb->h[i]);
	if (batch_read(db, hb, err) != 0)
		goto out;
	for (i = 0; i < hb->n; i++) {
		for (d = hb->first[i]; d < hb->end[i]; d++)
			hist_add(&hb->h[i], d->bin, (uint64_t)d->n);
		hb->len[i] = hist_encode(&hb->h[i], hb->blob + i * HIST_BLOB_MAX);
		hb->total[i] = hb->h[i].total;
	}
	rc = db_multi_exec(db, &hist_put, hb->n, bind_hist_put, hb, err);
out:
	hb->n = 0;
	return rc;
}

/* 1 when a and b are bins of the same histogram row. */
static int
same_row(const struct rollup_dim_hist *a, const struct rollup_dim_hist *b)
{
	return a->k.org_id == b->k.org_id && a->k.grain == b->k.grain &&
	    a->k.dim == b->k.dim && a->k.bucket_us == b->k.bucket_us &&
	    a->metric == b->metric && strcmp(a->k.parent, b->k.parent) == 0 &&
	    strcmp(a->k.value, b->k.value) == 0;
}

int
db_rollup_hist_merge(struct db *db, const struct rollup_dim_hist *d, size_t n,
    struct llmops_err *err)
{
	struct hist_batch	*hb = NULL;
	size_t			 i, j;
	int			 rc = -1;

	if (n == 0)
		return 0;
	if ((hb = calloc(1, sizeof(*hb))) == NULL ||
	    (hb->h = calloc(HIST_BATCH, sizeof(*hb->h))) == NULL ||
	    (hb->blob = malloc(HIST_BATCH * HIST_BLOB_MAX)) == NULL) {
		err_set(err, 500, "out of memory");
		goto out;
	}
	/* d is in key order: each run of one row's bins is one histogram. */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && same_row(&d[i], &d[j]); j++)
			;
		hb->first[hb->n] = &d[i];
		hb->end[hb->n++] = &d[j];
		if (hb->n == HIST_BATCH && batch_flush(db, hb, err) != 0)
			goto out;
	}
	if (hb->n > 0 && batch_flush(db, hb, err) != 0)
		goto out;
	rc = 0;
out:
	if (hb != NULL) {
		free(hb->blob);
		free(hb->h);
	}
	free(hb);
	return rc;
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

/* The rows of a histogram statement of the rebuild, read whole. */
struct hist_rows {
	struct rollup_dim_hist	*d;
	char			*values;	/* 2 * LIMIT_TEXT_BYTES each */
	size_t			 n, cap;
};

static void
hist_rows_release(struct hist_rows *r)
{
	free(r->d);
	free(r->values);
	memset(r, 0, sizeof(*r));
}

/* Room for one more row; -1 when out of memory. */
static int
hist_rows_grow(struct hist_rows *r)
{
	struct rollup_dim_hist	*d;
	char			*v;
	size_t			 cap, i;

	if (r->n < r->cap)
		return 0;
	cap = r->cap ? r->cap * 2 : 1024;
	if ((d = reallocarray(r->d, cap, sizeof(*d))) == NULL)
		return -1;
	r->d = d;
	if ((v = reallocarray(r->values, cap, 2 * LIMIT_TEXT_BYTES)) == NULL)
		return -1;
	r->values = v;
	/* The values moved: point the keys at them again. */
	for (i = 0; i < r->n; i++) {
		r->d[i].k.parent = r->values + 2 * i * LIMIT_TEXT_BYTES;
		r->d[i].k.value = r->d[i].k.parent + LIMIT_TEXT_BYTES;
	}
	r->cap = cap;
	return 0;
}

/*
 * One histogram statement of the rebuild over the day's bins in
 * rebuild_bins: its (bucket, value, metric, bin, count) rows become bins
 * of rows, packed and written like the loader's.
 */
static int
hist_rebuild(struct db *db, uint32_t org_id, int which, struct hist_rows *r,
    uint64_t *rows, struct llmops_err *err)
{
	char			 parent[LIMIT_TEXT_BYTES], value[LIMIT_TEXT_BYTES];
	int64_t			 bucket = 0, metric = 0, bin = 0, count = 0;
	struct rollup_dim_hist	*d;
	struct db_q		*q;
	size_t			 i;
	int			 rc;

	r->n = 0;
	q = db_q(db, &stmts[hist_stmts[which].stmt], err);
	db_col_i64(q, &bucket);
	db_col_str(q, parent, sizeof(parent));
	db_col_str(q, value, sizeof(value));
	db_col_i64(q, &metric);
	db_col_i64(q, &bin);
	db_col_i64(q, &count);
	/* Stored: the rows are written while they are read. */
	if (db_select_stored(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		if (hist_rows_grow(r) != 0) {
			db_end(q);
			return err_set(err, 500, "out of memory");
		}
		d = &r->d[r->n];
		memset(d, 0, sizeof(*d));
		d->k.parent = r->values + 2 * r->n * LIMIT_TEXT_BYTES;
		d->k.value = d->k.parent + LIMIT_TEXT_BYTES;
		memcpy((char *)d->k.parent, parent, sizeof(parent));
		memcpy((char *)d->k.value, value, sizeof(value));
		d->k.org_id = org_id;
		d->k.grain = hist_stmts[which].grain;
		d->k.dim = hist_stmts[which].dim;
		d->k.bucket_us = bucket;
		d->metric = (uint8_t)metric;
		d->bin = (uint16_t)bin;
		d->n = count;
		r->n++;
	}
	db_end(q);
	if (rc < 0)
		return -1;
	for (i = 0; i < r->n; i++)
		if (i == 0 || !same_row(&r->d[i - 1], &r->d[i]))
			(*rows)++;
	return db_rollup_hist_merge(db, r->d, r->n, err);
}

/* The start of the first day at or after from that has events; 0 none. */
static int
next_day(struct db *db, uint32_t org_id, int64_t from, int64_t *day,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_NEXT_DAY], err);
	int64_t		 first = 0;

	db_bind_i64(q, org_id);
	db_bind_i64(q, from);
	db_col_i64(q, &first);
	if (db_one(q, err) < 0)
		return -1;
	*day = db_col_null(q, 0) ? 0 : time_day_floor(first);
	return 0;
}

int
db_rollup_rebuild_memory(struct db *db, int on, struct llmops_err *err)
{
	struct db_q	*q;

	q = db_q(db, &stmts[on ? STMT_REBUILD_MEMORY : STMT_DEFAULT_MEMORY],
	    err);
	if (on) {
		db_bind_i64(q, LIMIT_REBUILD_TMP_BYTES);
		db_bind_i64(q, LIMIT_REBUILD_TMP_BYTES);
	}
	return db_exec(q, NULL, NULL, err);
}

/* Runs statement s, binding org_id and from_us first when binds. */
static int
rebuild_exec(struct db *db, int s, int binds, uint32_t org_id,
    int64_t from_us, uint64_t *n, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[s], err);

	if (binds) {
		db_bind_i64(q, org_id);
		db_bind_i64(q, from_us);
	}
	return db_exec(q, n, NULL, err);
}

int
db_rollup_fine_make(struct db *db, uint32_t org_id, int64_t from_us,
    struct llmops_err *err)
{
	if (rebuild_exec(db, STMT_FINE_DROP, 0, 0, 0, NULL, err) != 0)
		return -1;
	return rebuild_exec(db, STMT_FINE_MAKE, 1, org_id, from_us, NULL, err);
}

int
db_rollup_fine_drop(struct db *db, struct llmops_err *err)
{
	if (rebuild_exec(db, STMT_BINS_DROP, 0, 0, 0, NULL, err) != 0)
		return -1;
	return rebuild_exec(db, STMT_FINE_DROP, 0, 0, 0, NULL, err);
}

/* A day's bins into rebuild_bins. */
static int
bins_make(struct db *db, uint32_t org_id, int64_t day,
    struct llmops_err *err)
{
	struct db_q	*q;
	int		 k;

	if (rebuild_exec(db, STMT_BINS_DROP, 0, 0, 0, NULL, err) != 0)
		return -1;
	q = db_q(db, &stmts[STMT_BINS_MAKE], err);
	for (k = 0; k < 2; k++) {
		db_bind_i64(q, org_id);
		db_bind_i64(q, day);
		db_bind_i64(q, day + TIME_US_PER_DAY);
	}
	return db_exec(q, NULL, NULL, err);
}

int
db_rollup_dim_rebuild(struct db *db, uint32_t org_id, int64_t from_us,
    uint64_t *rows, struct llmops_err *err)
{
	struct hist_rows	 r;
	uint64_t		 n;
	int64_t			 day, from = from_us;
	size_t			 w;
	int			 s, rc = -1;

	*rows = 0;
	memset(&r, 0, sizeof(r));
	for (s = STMT_CLEAR_DIM; s <= STMT_REBUILD_DAYS; s++) {
		n = 0;
		/* The sums of hours read rebuild_fine, bound to neither. */
		if (rebuild_exec(db, s, s < STMT_REBUILD_NONE ||
		    s == STMT_REBUILD_DAYS, org_id, from_us, &n, err) != 0)
			goto out;
		if (s >= STMT_REBUILD_NONE)
			*rows += n;
	}
	/* The histograms a day at a time: the bins of a day fit in memory. */
	for (;;) {
		if (next_day(db, org_id, from, &day, err) != 0)
			goto out;
		if (day == 0)
			break;
		if (bins_make(db, org_id, day, err) != 0)
			goto out;
		for (w = 0; w < sizeof(hist_stmts) / sizeof(hist_stmts[0]);
		    w++)
			if (hist_rebuild(db, org_id, (int)w, &r, rows, err) != 0)
				goto out;
		from = day + TIME_US_PER_DAY;
	}
	rc = 0;
out:
	hist_rows_release(&r);
	return rc;
}
