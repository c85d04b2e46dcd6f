/*
 * Every read over usage: the statements and the C that binds them (see
 * db_usage.h). Sums come from usage_hourly, raw events and percentiles
 * from usage_events; both are filtered by FILTER, bound by bind_filter().
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_rows.h"
#include "db_usage.h"
#include "timefmt.h"

/*
 * The dimensions as columns of usage_hourly and usage_events: each X names
 * its enum dim value and its column. The names and the statements that
 * group by a dimension are made from this list.
 */
#define DIMS(X) \
	X(SOURCE, "source") \
	X(DEPARTMENT, "department") \
	X(TEAM, "team") \
	X(AGENT, "agent") \
	X(MODEL, "model") \
	X(PROVIDER, "provider") \
	X(STATUS, "status")

/*
 * The filter of every read, after org_id and the range: for each
 * dimension, in the order of enum dim, a flag (0: any) and a value (NULL:
 * untagged), bound by bind_filter(). (Written out: DIMS cannot be used
 * within the statements made by DIMS.)
 */
#define FILTER \
	" AND (? = 0 OR source <=> ?) AND (? = 0 OR department <=> ?)" \
	" AND (? = 0 OR team <=> ?) AND (? = 0 OR agent <=> ?)" \
	" AND (? = 0 OR model <=> ?) AND (? = 0 OR provider <=> ?)" \
	" AND (? = 0 OR status <=> ?)"
#define ROLLUPS \
	" FROM usage_hourly WHERE org_id = ? AND hour_us >= ? AND hour_us < ?" \
	FILTER
#define EVENTS \
	" FROM usage_events WHERE org_id = ? AND occurred_us >= ? AND " \
	"occurred_us < ?" FILTER

/*
 * The sums of the hourly rollups, in the order they are selected and
 * read: the kind of value, the field of struct usage_sums, the SQL.
 */
#define SUMS(X) \
	X(I64, requests, "SUM(requests)") \
	X(I64, errors, "SUM(errors)") \
	X(I64, prompt_tokens, "SUM(prompt_tokens)") \
	X(I64, completion_tokens, "SUM(completion_tokens)") \
	X(I64, total_tokens, "SUM(total_tokens)") \
	X(I64, cache_read_tokens, "SUM(cache_read_tokens)") \
	X(I64, cache_write_tokens, "SUM(cache_write_tokens)") \
	X(I64, reasoning_tokens, "SUM(reasoning_tokens)") \
	X(STR, cost, "CAST(SUM(cost) AS CHAR)") \
	X(I64, priced_requests, "SUM(priced_requests)") \
	X(STR, our_cost, "CAST(SUM(our_cost) AS CHAR)") \
	X(I64, our_cost_events, "SUM(our_cost_events)") \
	X(STR, litellm_cost, "CAST(SUM(litellm_cost) AS CHAR)") \
	X(I64, litellm_cost_events, "SUM(litellm_cost_events)") \
	X(I64, latency_us_sum, "SUM(latency_us_sum)") \
	X(I64, latency_count, "SUM(latency_count)") \
	X(I64, ttft_us_sum, "SUM(ttft_us_sum)") \
	X(I64, ttft_count, "SUM(ttft_count)")
#define SUM_SQL(kind, field, sql)	", " sql
#define SUM_COL_I64(q, s, field)	db_col_i64(q, &(s)->field)
#define SUM_COL_STR(q, s, field)	db_col_str(q, (s)->field, sizeof((s)->field))
#define SUM_COL(kind, field, sql)	SUM_COL_##kind(q, s, field);

/* Rows of usage are (bucket, key, SUMS). */
#define HOUR	"hour_us"
#define DAY	"hour_us - MOD(hour_us, 86400000000)"
/* Ranked groups: most expensive first; NULL (untagged) sorts by cost too. */
#define BY(col) \
	"SELECT 0, " col SUMS(SUM_SQL) ROLLUPS " GROUP BY " col \
	" ORDER BY SUM(cost) DESC, SUM(requests) DESC, " col " LIMIT ?"
#define SERIES(bucket) \
	"SELECT " bucket " AS b, NULL" SUMS(SUM_SQL) ROLLUPS \
	" GROUP BY b ORDER BY b"
#define SERIES_BY(bucket, col) \
	"SELECT " bucket " AS b, " col SUMS(SUM_SQL) ROLLUPS \
	" GROUP BY b, " col " ORDER BY b, " col
/* Rows of failures are (bucket, class, code, model, provider, requests). */
#define ERRORS_SERIES(bucket) \
	"SELECT " bucket " AS b, error_class, NULL, NULL, NULL, SUM(requests)" \
	ROLLUPS " AND status = 'failure' GROUP BY b, error_class " \
	"ORDER BY b, error_class"
/* The 95th percentile from raw events (NULLs are ignored). */
#define P95(col, partition) \
	"SELECT k, ROUND(l), ROUND(t) FROM (SELECT DISTINCT " col " AS k, " \
	"PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY latency_us) OVER (" \
	partition ") AS l, PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY " \
	"ttft_us) OVER (" partition ") AS t" EVENTS ") q ORDER BY k"

/*
 * The stored fields of an event as exported, after its id: the index of
 * the column, its name, its type and its SQL. usage_event_cols is made
 * from the same list, so the names cannot drift from the SELECT.
 */
#define EVENT_FIELDS(X) \
	X(SOURCE, "source", COL_TEXT, "source") \
	X(TOKEN_ID, "token_id", COL_INT, "token_id") \
	X(LITELLM_ID, "litellm_id", COL_TEXT, "litellm_id") \
	X(TRACE_ID, "trace_id", COL_TEXT, "trace_id") \
	X(CALL_TYPE, "call_type", COL_TEXT, "call_type") \
	X(STATUS, "status", COL_TEXT, "status") \
	X(MODEL, "model", COL_TEXT, "model") \
	X(MODEL_GROUP, "model_group", COL_TEXT, "model_group") \
	X(PROVIDER, "provider", COL_TEXT, "provider") \
	X(DEPARTMENT, "department", COL_TEXT, "department") \
	X(TEAM, "team", COL_TEXT, "team") \
	X(AGENT, "agent", COL_TEXT, "agent") \
	X(PROMPT, "prompt_tokens", COL_INT, "prompt_tokens") \
	X(COMPLETION, "completion_tokens", COL_INT, "completion_tokens") \
	X(TOTAL, "total_tokens", COL_INT, "total_tokens") \
	X(CACHE_READ, "cache_read_tokens", COL_INT, "cache_read_tokens") \
	X(CACHE_WRITE, "cache_write_tokens", COL_INT, "cache_write_tokens") \
	X(CACHE_WRITE_1H, "cache_write_1h_tokens", COL_INT, \
	    "cache_write_1h_tokens") \
	X(REASONING, "reasoning_tokens", COL_INT, "reasoning_tokens") \
	X(LITELLM_COST, "litellm_cost", COL_DECIMAL, \
	    "CAST(litellm_cost AS CHAR)") \
	X(OUR_COST, "our_cost", COL_DECIMAL, "CAST(our_cost AS CHAR)") \
	X(COST, "cost", COL_DECIMAL, "CAST(cost AS CHAR)") \
	X(COST_SOURCE, "cost_source", COL_TEXT, "cost_source") \
	X(PRICE_ID, "price_id", COL_INT, "price_id") \
	X(START, "start_time", COL_TIME_US, "start_us") \
	X(END, "end_time", COL_TIME_US, "end_us") \
	X(LATENCY, "latency_ms", COL_DURATION_US, "latency_us") \
	X(TTFT, "ttft_ms", COL_DURATION_US, "ttft_us") \
	X(STREAM, "stream", COL_BOOL, "stream") \
	X(ERROR_CODE, "error_code", COL_TEXT, "error_code") \
	X(ERROR_CLASS, "error_class", COL_TEXT, "error_class") \
	X(RECEIVED, "received_at", COL_TIME_US, "received_us")
#define EVENT_INDEX(e, name, type, sql)	EV_##e,
#define EVENT_COL(e, name, type, sql)	{ name, type },
#define EVENT_SQL(e, name, type, sql)	", " sql
#define EVENT_SELECT	"SELECT id" EVENT_FIELDS(EVENT_SQL)

enum { EV_ID, EVENT_FIELDS(EVENT_INDEX) EV__MAX };

const struct report_col usage_event_cols[USAGE_EVENT_NCOLS] = {
	{ "id", COL_INT },
	EVENT_FIELDS(EVENT_COL)
};

/* The columns of cost-check rows, in the order of STMT_COST_CHECK. */
const struct report_col usage_cost_check_cols[USAGE_COST_CHECK_NCOLS] = {
	{ "model", COL_TEXT },
	{ "requests", COL_INT },
	{ "litellm_cost_usd", COL_DECIMAL },
	{ "our_cost_usd", COL_DECIMAL },
	{ "difference_usd", COL_DECIMAL },
	{ "unpriced_by_us", COL_INT },
};

#define E_BY(d, col)		[DIM_##d] = { "usage.by_" col, BY(col) },
#define E_HOURLY_BY(d, col) \
	[DIM_##d] = { "usage.hourly_by_" col, SERIES_BY(HOUR, col) },
#define E_DAILY_BY(d, col) \
	[DIM_##d] = { "usage.daily_by_" col, SERIES_BY(DAY, col) },
#define E_P95_BY(d, col) \
	[DIM_##d] = { "usage.p95_by_" col, P95(col, "PARTITION BY " col) },
#define DIM_NAME(d, col)	[DIM_##d] = col,

/* Groups of a dimension, ranked: LIMIT ? after FILTER. */
static const struct db_stmt by_stmts[DIM__MAX] = { DIMS(E_BY) };
/* Time buckets split by a dimension. */
static const struct db_stmt hourly_by_stmts[DIM__MAX] = {
	DIMS(E_HOURLY_BY)
};
static const struct db_stmt daily_by_stmts[DIM__MAX] = { DIMS(E_DAILY_BY) };
static const struct db_stmt p95_by_stmts[DIM__MAX] = { DIMS(E_P95_BY) };

/* The other statements. */
enum {
	STMT_TOTALS,
	STMT_HOURLY,
	STMT_DAILY,
	STMT_ERRORS,
	STMT_ERRORS_HOURLY,
	STMT_ERRORS_DAILY,
	STMT_P95,
	STMT_EVENTS_PAGE,
	STMT_EVENTS_EXPORT,
	STMT_COST_CHECK,
	STMT_DIM_EXISTS,
	STMT_DIM_VALUES,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* (0, NULL, SUMS): one row, of NULL sums when there is no usage */
	[STMT_TOTALS] = { "usage.totals", "SELECT 0, NULL" SUMS(SUM_SQL) ROLLUPS },
	[STMT_HOURLY] = { "usage.hourly", SERIES(HOUR) },
	[STMT_DAILY] = { "usage.daily", SERIES(DAY) },
	[STMT_ERRORS] = { "usage.errors",
	"SELECT 0, error_class, error_code, model, provider, SUM(requests)"
	ROLLUPS " AND status = 'failure' GROUP BY error_class, error_code, "
	"model, provider ORDER BY SUM(requests) DESC, error_class, error_code, "
	"model, provider LIMIT ?" },
	[STMT_ERRORS_HOURLY] = { "usage.errors_hourly", ERRORS_SERIES(HOUR) },
	[STMT_ERRORS_DAILY] = { "usage.errors_daily", ERRORS_SERIES(DAY) },
	[STMT_P95] = { "usage.p95", P95("NULL", "") },
	/* After the cursor (flag, occurred_us twice, id), newest first */
	[STMT_EVENTS_PAGE] = { "usage.events_page", EVENT_SELECT EVENTS
	" AND (? = 0 OR occurred_us < ? OR (occurred_us = ? AND id < ?)) "
	"ORDER BY occurred_us DESC, id DESC LIMIT ?" },
	[STMT_EVENTS_EXPORT] = { "usage.events_export", EVENT_SELECT EVENTS
	" ORDER BY occurred_us, id LIMIT ?" },
	/* The threshold is a percentage of the larger of the two costs */
	[STMT_COST_CHECK] = { "usage.cost_check",
	"SELECT model, SUM(requests), CAST(SUM(litellm_cost) AS CHAR), "
	"CAST(SUM(our_cost) AS CHAR), "
	"CAST(SUM(our_cost) - SUM(litellm_cost) AS CHAR), "
	"SUM(requests) - SUM(our_cost_events)" ROLLUPS
	" GROUP BY model HAVING ABS(SUM(our_cost) - SUM(litellm_cost)) > "
	"? / 100 * GREATEST(ABS(SUM(our_cost)), ABS(SUM(litellm_cost))) "
	"OR SUM(requests) > SUM(our_cost_events) "
	"ORDER BY ABS(SUM(our_cost) - SUM(litellm_cost)) DESC, model" },
	[STMT_DIM_EXISTS] = { "usage.dim_exists",
	"SELECT COUNT(*) FROM dimension_values WHERE org_id = ? AND dim = ? AND "
	"value = ?" },
	[STMT_DIM_VALUES] = { "usage.dim_values",
	"SELECT value FROM dimension_values WHERE org_id = ? AND dim = ? "
	"ORDER BY value LIMIT ?" },
};

_Static_assert(EV__MAX == USAGE_EVENT_NCOLS,
    "USAGE_EVENT_NCOLS counts EVENT_FIELDS and the id");

/* Also the dim of dimension_values. */
static const char *const dim_names[DIM__GROUPS_MAX] = {
	DIMS(DIM_NAME)
	[DIM_HOUR] = "hour",
	[DIM_DAY] = "day",
	[DIM_NONE] = "none",
};

const char *
dim_name(enum dim d)
{
	return d < DIM__GROUPS_MAX ? dim_names[d] : "?";
}

int
dim_parse(const char *s, enum dim *out)
{
	enum dim	d;

	/* DIM_NONE is no grouping, not a name one gives. */
	for (d = DIM_SOURCE; d < DIM_NONE; d++)
		if (strcmp(dim_names[d], s) == 0)
			break;
	if (d == DIM_NONE)
		return -1;
	*out = d;
	return 0;
}

void
usage_filter_init(struct usage_filter *f, uint32_t org_id, int64_t since_us,
    int64_t until_us)
{
	memset(f, 0, sizeof(*f));
	f->org_id = org_id;
	f->since_us = since_us;
	f->until_us = until_us;
}

/* org_id, the range and FILTER. */
static void
bind_filter(struct db_q *q, const struct usage_filter *f, int hourly)
{
	int64_t	since = f->since_us, until = f->until_us;
	int	i;

	/* Rollups have whole hours: the range is widened to them. */
	if (hourly)
		time_widen_to_hours(&since, &until);
	db_bind_i64(q, f->org_id);
	db_bind_i64(q, since);
	db_bind_i64(q, until);
	for (i = 0; i < DIM__MAX; i++) {
		db_bind_i64(q, f->set[i] ? 1 : 0);
		db_bind_str(q, f->set[i] ? f->value[i] : NULL);
	}
}

static void
col_sums(struct db_q *q, struct usage_sums *s)
{
	SUMS(SUM_COL)
}

/*
 * Runs a statement of (bucket, key, SUMS) rows over the rollups, with a
 * LIMIT unless limit < 0. NULL sums (the total of no usage) are no row.
 */
static int
usage_rows(struct db *db, const struct db_stmt *st,
    const struct usage_filter *f, int64_t limit, usage_row_fn cb, void *arg,
    struct llmops_err *err)
{
	struct usage_row	 r;
	struct db_q		*q;
	int			 rc;

	memset(&r, 0, sizeof(r));
	q = db_q(db, st, err);
	bind_filter(q, f, 1);
	if (limit >= 0)
		db_bind_i64(q, limit);
	db_col_i64(q, &r.bucket_us);
	db_col_str(q, r.key, sizeof(r.key));
	col_sums(q, &r.s);
	if ((rc = db_select(q, err)) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		if (db_col_null(q, 2))
			continue;
		r.key_null = db_col_null(q, 1);
		if (r.key_null)
			r.key[0] = '\0';
		if (cb(&r, arg) != 0)
			break;
	}
	db_end(q);
	return rc < 0 ? -1 : 0;
}

static int
copy_sums(const struct usage_row *r, void *arg)
{
	*(struct usage_sums *)arg = r->s;
	return 0;
}

int
db_usage_totals(struct db *db, const struct usage_filter *f,
    struct usage_sums *s, struct llmops_err *err)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->cost, "0");
	strcpy(s->our_cost, "0");
	strcpy(s->litellm_cost, "0");
	return usage_rows(db, &stmts[STMT_TOTALS], f, -1, copy_sums, s, err);
}

int
db_usage_by(struct db *db, const struct usage_filter *f, enum dim group,
    enum dim split, int64_t limit, usage_row_fn cb, void *arg,
    struct llmops_err *err)
{
	const struct db_stmt	*st;

	if (split != DIM_NONE && (split >= DIM__MAX ||
	    (group != DIM_HOUR && group != DIM_DAY)))
		return err_set(err, 500, "usage: only time buckets are split, "
		    "and by a dimension");
	if (group < DIM__MAX)
		return usage_rows(db, &by_stmts[group], f,
		    limit > 0 ? limit : INT64_MAX, cb, arg, err);
	switch (group) {
	case DIM_NONE:
		st = &stmts[STMT_TOTALS];
		break;
	case DIM_HOUR:
		st = split == DIM_NONE ? &stmts[STMT_HOURLY] :
		    &hourly_by_stmts[split];
		break;
	case DIM_DAY:
		st = split == DIM_NONE ? &stmts[STMT_DAILY] :
		    &daily_by_stmts[split];
		break;
	default:
		return err_set(err, 500, "usage: no such grouping");
	}
	return usage_rows(db, st, f, -1, cb, arg, err);
}

int
db_usage_errors(struct db *db, const struct usage_filter *f, enum dim group,
    usage_error_fn cb, void *arg, struct llmops_err *err)
{
	struct usage_error_row	 r;
	struct db_q		*q;
	int			 rc, st;

	if (group == DIM_NONE)
		st = STMT_ERRORS;
	else if (group == DIM_HOUR || group == DIM_DAY)
		st = group == DIM_HOUR ? STMT_ERRORS_HOURLY : STMT_ERRORS_DAILY;
	else
		return err_set(err, 500, "usage: failures are not grouped by %s",
		    dim_name(group));
	memset(&r, 0, sizeof(r));
	q = db_q(db, &stmts[st], err);
	bind_filter(q, f, 1);
	if (st == STMT_ERRORS)
		db_bind_i64(q, LIMIT_USAGE_GROUPS);
	db_col_i64(q, &r.bucket_us);
	db_col_str(q, r.error_class, sizeof(r.error_class));
	db_col_str(q, r.error_code, sizeof(r.error_code));
	db_col_str(q, r.model, sizeof(r.model));
	db_col_str(q, r.provider, sizeof(r.provider));
	db_col_i64(q, &r.requests);
	if (db_select(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		r.class_null = db_col_null(q, 1);
		r.code_null = db_col_null(q, 2);
		r.model_null = db_col_null(q, 3);
		r.provider_null = db_col_null(q, 4);
		if (cb(&r, arg) != 0)
			break;
	}
	db_end(q);
	return rc < 0 ? -1 : 0;
}

int
db_usage_percentiles(struct db *db, const struct usage_filter *f,
    enum dim group, int pct, usage_pctl_fn cb, void *arg,
    struct llmops_err *err)
{
	struct usage_pctl	 r;
	struct db_q		*q;
	int			 rc;

	/* The statements compute the 95th; other percentiles would need their own. */
	if (pct != 95)
		return err_set(err, 400, "only the 95th percentile is available");
	if (group != DIM_NONE && group >= DIM__MAX)
		return err_set(err, 500, "usage: percentiles are not grouped by "
		    "%s", dim_name(group));
	memset(&r, 0, sizeof(r));
	q = db_q(db, group == DIM_NONE ? &stmts[STMT_P95] :
	    &p95_by_stmts[group], err);
	bind_filter(q, f, 0);
	db_col_str(q, r.key, sizeof(r.key));
	db_col_i64(q, &r.latency_us);
	db_col_i64(q, &r.ttft_us);
	if (db_select(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		r.key_null = db_col_null(q, 0);
		if (r.key_null)
			r.key[0] = '\0';
		if (db_col_null(q, 1))
			r.latency_us = -1;
		if (db_col_null(q, 2))
			r.ttft_us = -1;
		if (cb(&r, arg) != 0)
			break;
	}
	db_end(q);
	return rc < 0 ? -1 : 0;
}

void
usage_event_cursor(const char *const *v, char buf[USAGE_CURSOR_BYTES])
{
	const char	*t;

	/* When the call happened (occurred_us, as stored), then the id. */
	t = v[EV_START] ? v[EV_START] : v[EV_END] ? v[EV_END] : v[EV_RECEIVED];
	snprintf(buf, USAGE_CURSOR_BYTES, "%s.%s", t ? t : "0",
	    v[EV_ID] ? v[EV_ID] : "0");
}

/* A decimal number that fits an int64_t at *s; advances *s past it. */
static int
cursor_number(const char **s, int64_t *v)
{
	const char	*p = *s;
	int64_t		 n = 0;
	int		 d;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		d = *p - '0';
		if (n > (INT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	*s = p;
	return 0;
}

int
usage_cursor_parse(const char *s, int64_t *occurred_us, int64_t *id)
{
	if (cursor_number(&s, occurred_us) != 0 || *s++ != '.' ||
	    cursor_number(&s, id) != 0 || *s != '\0' || *id <= 0)
		return -1;
	return 0;
}

int
db_usage_events_page(struct db *db, const struct usage_filter *f,
    int64_t before_occ, int64_t before_id, int limit, usage_values_fn cb,
    void *arg, struct llmops_err *err)
{
	struct db_q	*q;

	if (limit < 1 || limit > LIMIT_EVENTS_PAGE)
		limit = LIMIT_EVENTS_PAGE;
	q = db_q(db, &stmts[STMT_EVENTS_PAGE], err);
	bind_filter(q, f, 0);
	db_bind_i64(q, before_id > 0 ? 1 : 0);
	db_bind_i64(q, before_occ);
	db_bind_i64(q, before_occ);
	db_bind_i64(q, before_id);
	db_bind_i64(q, limit);
	return db_rows_text(db, q, USAGE_EVENT_NCOLS, LIMIT_TEXT_BYTES, cb,
	    arg, err);
}

int
db_usage_events_export(struct db *db, const struct usage_filter *f,
    int64_t limit, usage_values_fn cb, void *arg, struct llmops_err *err)
{
	struct db_q	*q;

	q = db_q(db, &stmts[STMT_EVENTS_EXPORT], err);
	bind_filter(q, f, 0);
	db_bind_i64(q, limit > 0 ? limit : INT64_MAX);
	return db_rows_text(db, q, USAGE_EVENT_NCOLS, LIMIT_TEXT_BYTES, cb,
	    arg, err);
}

int
db_usage_cost_check(struct db *db, const struct usage_filter *f,
    const char *threshold_pct, usage_values_fn cb, void *arg,
    struct llmops_err *err)
{
	struct db_q	*q;

	q = db_q(db, &stmts[STMT_COST_CHECK], err);
	bind_filter(q, f, 1);
	db_bind_str(q, threshold_pct);
	return db_rows_text(db, q, USAGE_COST_CHECK_NCOLS, LIMIT_TEXT_BYTES, cb,
	    arg, err);
}

/* The values source and status can take (not in dimension_values), or NULL. */
static const char *const *
fixed_values(enum dim d)
{
	static const char *const sources[] = { "litellm", NULL };
	static const char *const statuses[] = { "success", "failure", NULL };

	return d == DIM_SOURCE ? sources : d == DIM_STATUS ? statuses : NULL;
}

/* A statement over dimension_values, its first parameters bound. */
static struct db_q *
dim_q(struct db *db, int st, uint32_t org_id, enum dim d,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[st], err);

	db_bind_i64(q, org_id);
	db_bind_str(q, dim_names[d]);
	return q;
}

int
db_usage_dim_exists(struct db *db, uint32_t org_id, enum dim d,
    const char *value, struct llmops_err *err)
{
	const char *const	*fixed = fixed_values(d);
	struct db_q		*q;
	int64_t			 n = 0;

	if (fixed != NULL) {
		for (; *fixed != NULL; fixed++)
			if (strcmp(*fixed, value) == 0)
				return 1;
		return 0;
	}
	if (d >= DIM__MAX)
		return 0;
	q = dim_q(db, STMT_DIM_EXISTS, org_id, d, err);
	db_bind_str(q, value);
	db_col_i64(q, &n);
	if (db_one(q, err) < 0)
		return -1;
	return n > 0;
}

/* A callback of one text value, as db_rows_text calls it. */
struct value_cb {
	int	(*cb)(const char *, void *);
	void	*arg;
};

static int
value_row(const char *const *v, void *arg)
{
	const struct value_cb	*c = arg;

	return c->cb(v[0] != NULL ? v[0] : "", c->arg);
}

int
db_usage_dim_values(struct db *db, uint32_t org_id, enum dim d,
    int (*cb)(const char *, void *), void *arg, struct llmops_err *err)
{
	const char *const	*fixed = fixed_values(d);
	struct value_cb		 c = { cb, arg };
	struct db_q		*q;

	for (; fixed != NULL && *fixed != NULL; fixed++)
		if (cb(*fixed, arg) != 0)
			return 0;
	if (fixed != NULL || d >= DIM__MAX)
		return 0;
	q = dim_q(db, STMT_DIM_VALUES, org_id, d, err);
	db_bind_i64(q, LIMIT_DIM_VALUES);
	return db_rows_text(db, q, 1, LIMIT_TEXT_BYTES, value_row,
	    &c, err);
}
