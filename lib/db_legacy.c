/* TRANSITIONAL: see db_legacy.h. */
#include "config.h"

#include <string.h>

#include "db_legacy.h"

/* The metrics of the hourly rollup, summed by every usage report. */
#define USAGE_SUMS \
	"SUM(requests), SUM(errors), SUM(prompt_tokens), " \
	"SUM(completion_tokens), SUM(total_tokens), SUM(cache_read_tokens), " \
	"SUM(cache_write_tokens), SUM(reasoning_tokens), " \
	"CAST(SUM(cost) AS CHAR), SUM(priced_requests), " \
	"CAST(SUM(our_cost) AS CHAR), SUM(our_cost_events), " \
	"CAST(SUM(litellm_cost) AS CHAR), " \
	"SUM(litellm_cost_events), SUM(latency_us_sum), SUM(latency_count), " \
	"SUM(ttft_us_sum), SUM(ttft_count)"
#define USAGE_WHERE \
	" FROM usage_hourly WHERE org_id = ? AND hour_us >= ? AND hour_us < ?"
/* Ranked groups: most expensive first; NULL (untagged) sorts by cost too. */
#define USAGE_BY(col) \
	"SELECT " col ", " USAGE_SUMS USAGE_WHERE " GROUP BY " col \
	" ORDER BY SUM(cost) DESC, SUM(requests) DESC, " col
/* Time buckets: chronological. */
#define USAGE_BY_TIME(expr) \
	"SELECT CAST(" expr " AS CHAR), " USAGE_SUMS USAGE_WHERE \
	" GROUP BY 1 ORDER BY 1 + 0"

/*
 * The dashboard's filters: for each of source, department, team, agent,
 * model, provider, status a flag (0: any) and a value (NULL: untagged).
 */
#define DASH_FILTER \
	" AND (? = 0 OR source <=> ?) AND (? = 0 OR department <=> ?)" \
	" AND (? = 0 OR team <=> ?) AND (? = 0 OR agent <=> ?)" \
	" AND (? = 0 OR model <=> ?) AND (? = 0 OR provider <=> ?)" \
	" AND (? = 0 OR status <=> ?)"
#define DASH_ROLLUPS \
	" FROM usage_hourly WHERE org_id = ? AND hour_us >= ? AND hour_us < ?" \
	DASH_FILTER
#define DASH_HOUR	"hour_us"
#define DASH_DAY	"hour_us - MOD(hour_us, 86400000000)"
#define DASH_BY(col) \
	"SELECT 0, " col ", " USAGE_SUMS DASH_ROLLUPS " GROUP BY " col \
	" ORDER BY SUM(cost) DESC, SUM(requests) DESC, " col " LIMIT 500"
#define DASH_SERIES(bucket) \
	"SELECT " bucket " AS b, NULL, " USAGE_SUMS DASH_ROLLUPS \
	" GROUP BY b ORDER BY b"
#define DASH_SERIES_BY(bucket, col) \
	"SELECT " bucket " AS b, " col ", " USAGE_SUMS DASH_ROLLUPS \
	" GROUP BY b, " col " ORDER BY b, " col
#define DASH_ERRORS_SERIES(bucket) \
	"SELECT " bucket " AS b, error_class, NULL, NULL, NULL, SUM(requests)" \
	DASH_ROLLUPS " AND status = 'failure' GROUP BY b, error_class " \
	"ORDER BY b, error_class"
/* The 95th percentile from raw events (NULLs are ignored). */
#define DASH_P95(col, partition) \
	"SELECT k, ROUND(l), ROUND(t) FROM (SELECT DISTINCT " col " AS k, " \
	"PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY latency_us) OVER (" \
	partition ") AS l, PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY " \
	"ttft_us) OVER (" partition ") AS t FROM usage_events WHERE " \
	"org_id = ? AND occurred_us >= ? AND occurred_us < ?" DASH_FILTER \
	") q ORDER BY k"

/* The stored fields of an event, as report_event_cols lists them. */
#define EVENT_EXPORT_COLUMNS \
	"id, source, token_id, litellm_id, trace_id, call_type, status, " \
	"model, model_group, provider, department, team, agent, prompt_tokens, " \
	"completion_tokens, total_tokens, cache_read_tokens, cache_write_tokens, " \
	"cache_write_1h_tokens, reasoning_tokens, CAST(litellm_cost AS CHAR), " \
	"CAST(our_cost AS CHAR), CAST(cost AS CHAR), cost_source, price_id, " \
	"start_us, end_us, latency_us, ttft_us, stream, error_code, error_class, " \
	"received_us"

static const char *const legacy_sql[STMT__MAX] = {
	[STMT_USAGE_TOTAL] =
	"SELECT NULL, " USAGE_SUMS USAGE_WHERE,
	/* STMT_USAGE_BY_DEPARTMENT .. STMT_USAGE_BY_STATUS */
	[STMT_USAGE_BY_DEPARTMENT] = USAGE_BY("department"),
	[STMT_USAGE_BY_TEAM] = USAGE_BY("team"),
	[STMT_USAGE_BY_AGENT] = USAGE_BY("agent"),
	[STMT_USAGE_BY_MODEL] = USAGE_BY("model"),
	[STMT_USAGE_BY_PROVIDER] = USAGE_BY("provider"),
	[STMT_USAGE_BY_STATUS] = USAGE_BY("status"),
	/* STMT_USAGE_BY_DAY, STMT_USAGE_BY_HOUR: bucket start in microseconds */
	[STMT_USAGE_BY_DAY] = USAGE_BY_TIME("hour_us - MOD(hour_us, 86400000000)"),
	[STMT_USAGE_BY_HOUR] = USAGE_BY_TIME("hour_us"),
	/* STMT_EVENTS_LIST: the columns of report_event_cols, in order */
	[STMT_EVENTS_LIST] =
	"SELECT " EVENT_EXPORT_COLUMNS " FROM usage_events "
	"WHERE org_id = ? AND occurred_us >= ? AND occurred_us < ? "
	"ORDER BY occurred_us, id LIMIT ?",
	/*
	 * STMT_COST_CHECK: per model, LiteLLM's total against ours where they
	 * differ by more than ? percent of the larger (exact DECIMAL math).
	 */
	[STMT_COST_CHECK] =
	"SELECT model, SUM(requests), CAST(SUM(litellm_cost) AS CHAR), "
	"CAST(SUM(our_cost) AS CHAR), "
	"CAST(SUM(our_cost) - SUM(litellm_cost) AS CHAR), "
	"SUM(requests) - SUM(our_cost_events) "
	"FROM usage_hourly WHERE org_id = ? AND hour_us >= ? AND hour_us < ? "
	"GROUP BY model HAVING ABS(SUM(our_cost) - SUM(litellm_cost)) > "
	"? / 100 * GREATEST(ABS(SUM(our_cost)), ABS(SUM(litellm_cost))) "
	"OR SUM(requests) > SUM(our_cost_events) "
	"ORDER BY ABS(SUM(our_cost) - SUM(litellm_cost)) DESC, model",
	/* --- the dashboard (lib/dash.c): one organization, DASH_FILTER */
	[STMT_DASH_TOTALS] =
	"SELECT " USAGE_SUMS DASH_ROLLUPS,
	[STMT_DASH_BY_SOURCE] = DASH_BY("source"),
	[STMT_DASH_BY_DEPARTMENT] = DASH_BY("department"),
	[STMT_DASH_BY_TEAM] = DASH_BY("team"),
	[STMT_DASH_BY_AGENT] = DASH_BY("agent"),
	[STMT_DASH_BY_MODEL] = DASH_BY("model"),
	[STMT_DASH_BY_PROVIDER] = DASH_BY("provider"),
	[STMT_DASH_BY_STATUS] = DASH_BY("status"),
	[STMT_DASH_SERIES_HOUR] = DASH_SERIES(DASH_HOUR),
	[STMT_DASH_SERIES_DAY] = DASH_SERIES(DASH_DAY),
	[STMT_DASH_SERIES_HOUR_BY_SOURCE] = DASH_SERIES_BY(DASH_HOUR, "source"),
	[STMT_DASH_SERIES_HOUR_BY_DEPARTMENT] = DASH_SERIES_BY(DASH_HOUR, "department"),
	[STMT_DASH_SERIES_HOUR_BY_TEAM] = DASH_SERIES_BY(DASH_HOUR, "team"),
	[STMT_DASH_SERIES_HOUR_BY_AGENT] = DASH_SERIES_BY(DASH_HOUR, "agent"),
	[STMT_DASH_SERIES_HOUR_BY_MODEL] = DASH_SERIES_BY(DASH_HOUR, "model"),
	[STMT_DASH_SERIES_HOUR_BY_PROVIDER] = DASH_SERIES_BY(DASH_HOUR, "provider"),
	[STMT_DASH_SERIES_HOUR_BY_STATUS] = DASH_SERIES_BY(DASH_HOUR, "status"),
	[STMT_DASH_SERIES_DAY_BY_SOURCE] = DASH_SERIES_BY(DASH_DAY, "source"),
	[STMT_DASH_SERIES_DAY_BY_DEPARTMENT] = DASH_SERIES_BY(DASH_DAY, "department"),
	[STMT_DASH_SERIES_DAY_BY_TEAM] = DASH_SERIES_BY(DASH_DAY, "team"),
	[STMT_DASH_SERIES_DAY_BY_AGENT] = DASH_SERIES_BY(DASH_DAY, "agent"),
	[STMT_DASH_SERIES_DAY_BY_MODEL] = DASH_SERIES_BY(DASH_DAY, "model"),
	[STMT_DASH_SERIES_DAY_BY_PROVIDER] = DASH_SERIES_BY(DASH_DAY, "provider"),
	[STMT_DASH_SERIES_DAY_BY_STATUS] = DASH_SERIES_BY(DASH_DAY, "status"),
	[STMT_DASH_ERRORS] =
	"SELECT 0, error_class, error_code, model, provider, SUM(requests)"
	DASH_ROLLUPS " AND status = 'failure' GROUP BY error_class, error_code, "
	"model, provider ORDER BY SUM(requests) DESC, error_class, error_code, "
	"model, provider LIMIT 500",
	[STMT_DASH_ERRORS_HOUR] = DASH_ERRORS_SERIES(DASH_HOUR),
	[STMT_DASH_ERRORS_DAY] = DASH_ERRORS_SERIES(DASH_DAY),
	[STMT_DASH_P95] = DASH_P95("NULL", ""),
	[STMT_DASH_P95_BY_SOURCE] = DASH_P95("source", "PARTITION BY source"),
	[STMT_DASH_P95_BY_DEPARTMENT] = DASH_P95("department", "PARTITION BY department"),
	[STMT_DASH_P95_BY_TEAM] = DASH_P95("team", "PARTITION BY team"),
	[STMT_DASH_P95_BY_AGENT] = DASH_P95("agent", "PARTITION BY agent"),
	[STMT_DASH_P95_BY_MODEL] = DASH_P95("model", "PARTITION BY model"),
	[STMT_DASH_P95_BY_PROVIDER] = DASH_P95("provider", "PARTITION BY provider"),
	[STMT_DASH_P95_BY_STATUS] = DASH_P95("status", "PARTITION BY status"),
	[STMT_DASH_EVENTS] =
	"SELECT " EVENT_EXPORT_COLUMNS " FROM usage_events WHERE org_id = ? AND "
	"occurred_us >= ? AND occurred_us < ?" DASH_FILTER
	" AND (? = 0 OR occurred_us < ? OR (occurred_us = ? AND id < ?)) "
	"ORDER BY occurred_us DESC, id DESC LIMIT ?",
	[STMT_DASH_DIM_EXISTS] =
	"SELECT COUNT(*) FROM dimension_values WHERE org_id = ? AND dim = ? AND "
	"value = ?",
	[STMT_DASH_DIM_VALUES] =
	"SELECT value FROM dimension_values WHERE org_id = ? AND dim = ? "
	"ORDER BY value LIMIT 1000",
};


/* Names for log lines; the SQL is filled in from legacy_sql at first use. */
static struct db_stmt legacy[STMT__MAX] = {
	[STMT_USAGE_TOTAL] = { "usage_total", NULL },
	[STMT_USAGE_BY_DEPARTMENT] = { "usage_by_department", NULL },
	[STMT_USAGE_BY_TEAM] = { "usage_by_team", NULL },
	[STMT_USAGE_BY_AGENT] = { "usage_by_agent", NULL },
	[STMT_USAGE_BY_MODEL] = { "usage_by_model", NULL },
	[STMT_USAGE_BY_PROVIDER] = { "usage_by_provider", NULL },
	[STMT_USAGE_BY_STATUS] = { "usage_by_status", NULL },
	[STMT_USAGE_BY_DAY] = { "usage_by_day", NULL },
	[STMT_USAGE_BY_HOUR] = { "usage_by_hour", NULL },
	[STMT_EVENTS_LIST] = { "events_list", NULL },
	[STMT_COST_CHECK] = { "cost_check", NULL },
	[STMT_DASH_TOTALS] = { "dash_totals", NULL },
	[STMT_DASH_BY_SOURCE] = { "dash_by_source", NULL },
	[STMT_DASH_BY_DEPARTMENT] = { "dash_by_department", NULL },
	[STMT_DASH_BY_TEAM] = { "dash_by_team", NULL },
	[STMT_DASH_BY_AGENT] = { "dash_by_agent", NULL },
	[STMT_DASH_BY_MODEL] = { "dash_by_model", NULL },
	[STMT_DASH_BY_PROVIDER] = { "dash_by_provider", NULL },
	[STMT_DASH_BY_STATUS] = { "dash_by_status", NULL },
	[STMT_DASH_SERIES_HOUR] = { "dash_series_hour", NULL },
	[STMT_DASH_SERIES_DAY] = { "dash_series_day", NULL },
	[STMT_DASH_SERIES_HOUR_BY_SOURCE] = { "dash_series_hour_by_source", NULL },
	[STMT_DASH_SERIES_HOUR_BY_DEPARTMENT] = { "dash_series_hour_by_department", NULL },
	[STMT_DASH_SERIES_HOUR_BY_TEAM] = { "dash_series_hour_by_team", NULL },
	[STMT_DASH_SERIES_HOUR_BY_AGENT] = { "dash_series_hour_by_agent", NULL },
	[STMT_DASH_SERIES_HOUR_BY_MODEL] = { "dash_series_hour_by_model", NULL },
	[STMT_DASH_SERIES_HOUR_BY_PROVIDER] = { "dash_series_hour_by_provider", NULL },
	[STMT_DASH_SERIES_HOUR_BY_STATUS] = { "dash_series_hour_by_status", NULL },
	[STMT_DASH_SERIES_DAY_BY_SOURCE] = { "dash_series_day_by_source", NULL },
	[STMT_DASH_SERIES_DAY_BY_DEPARTMENT] = { "dash_series_day_by_department", NULL },
	[STMT_DASH_SERIES_DAY_BY_TEAM] = { "dash_series_day_by_team", NULL },
	[STMT_DASH_SERIES_DAY_BY_AGENT] = { "dash_series_day_by_agent", NULL },
	[STMT_DASH_SERIES_DAY_BY_MODEL] = { "dash_series_day_by_model", NULL },
	[STMT_DASH_SERIES_DAY_BY_PROVIDER] = { "dash_series_day_by_provider", NULL },
	[STMT_DASH_SERIES_DAY_BY_STATUS] = { "dash_series_day_by_status", NULL },
	[STMT_DASH_ERRORS] = { "dash_errors", NULL },
	[STMT_DASH_ERRORS_HOUR] = { "dash_errors_hour", NULL },
	[STMT_DASH_ERRORS_DAY] = { "dash_errors_day", NULL },
	[STMT_DASH_P95] = { "dash_p95", NULL },
	[STMT_DASH_P95_BY_SOURCE] = { "dash_p95_by_source", NULL },
	[STMT_DASH_P95_BY_DEPARTMENT] = { "dash_p95_by_department", NULL },
	[STMT_DASH_P95_BY_TEAM] = { "dash_p95_by_team", NULL },
	[STMT_DASH_P95_BY_AGENT] = { "dash_p95_by_agent", NULL },
	[STMT_DASH_P95_BY_MODEL] = { "dash_p95_by_model", NULL },
	[STMT_DASH_P95_BY_PROVIDER] = { "dash_p95_by_provider", NULL },
	[STMT_DASH_P95_BY_STATUS] = { "dash_p95_by_status", NULL },
	[STMT_DASH_EVENTS] = { "dash_events", NULL },
	[STMT_DASH_DIM_EXISTS] = { "dash_dim_exists", NULL },
	[STMT_DASH_DIM_VALUES] = { "dash_dim_values", NULL },
};

enum { V_I64, V_STR, V_BLOB, V_DEC };

static const struct db_stmt *
stmt_of(enum stmt s)
{
	legacy[s].sql = legacy_sql[s];
	return &legacy[s];
}

void
dbp_init(struct db_params *p)
{
	memset(p, 0, sizeof(*p));
}

static void
dbp_add(struct db_params *p, int type, int present, int64_t i,
    const void *ptr, size_t len, int scale)
{
	if (p->n >= DB_MAX_PARAMS)
		p->n = DB_MAX_PARAMS - 1;
	p->v[p->n].type = type;
	p->v[p->n].present = present;
	p->v[p->n].i = i;
	p->v[p->n].ptr = ptr;
	p->v[p->n].len = len;
	p->v[p->n].scale = scale;
	p->n++;
}

void
dbp_str(struct db_params *p, const char *s)
{
	dbp_add(p, V_STR, s != NULL, 0, s, 0, 0);
}

void
dbp_i64(struct db_params *p, int64_t v)
{
	dbp_add(p, V_I64, 1, v, NULL, 0, 0);
}

void
dbp_i64_opt(struct db_params *p, int present, int64_t v)
{
	dbp_add(p, V_I64, present, v, NULL, 0, 0);
}

void
dbp_blob(struct db_params *p, const void *v, size_t n)
{
	dbp_add(p, V_BLOB, 1, 0, v, n, 0);
}

void
dbp_decimal(struct db_params *p, int present, int64_t units, int scale)
{
	dbp_add(p, V_DEC, present, units, NULL, 0, scale);
}

void
dbc_init(struct db_cols *c)
{
	memset(c, 0, sizeof(*c));
}

static void
dbc_add(struct db_cols *c, int type, void *ptr, size_t sz)
{
	if (c->n >= DB_MAX_COLS)
		c->n = DB_MAX_COLS - 1;
	c->v[c->n].type = type;
	c->v[c->n].ptr = ptr;
	c->v[c->n].sz = sz;
	c->n++;
}

void
dbc_i64(struct db_cols *c, int64_t *v)
{
	dbc_add(c, V_I64, v, 0);
}

void
dbc_str(struct db_cols *c, char *buf, size_t bufsz)
{
	dbc_add(c, V_STR, buf, bufsz);
}

void
dbc_blob(struct db_cols *c, void *buf, size_t bufsz)
{
	dbc_add(c, V_BLOB, buf, bufsz);
}

int
dbc_null(const struct db_cols *c, unsigned i)
{
	return db_col_null(c->q, i);
}

static struct db_q *
bound(struct db *db, enum stmt s, struct db_params *p, struct db_cols *c,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, stmt_of(s), err);
	unsigned	 i;

	for (i = 0; p != NULL && i < p->n; i++)
		switch (p->v[i].type) {
		case V_I64:
			db_bind_i64_opt(q, p->v[i].present, p->v[i].i);
			break;
		case V_STR:
			db_bind_str(q, p->v[i].present ? p->v[i].ptr : NULL);
			break;
		case V_BLOB:
			db_bind_blob(q, p->v[i].ptr, p->v[i].len);
			break;
		default:
			db_bind_decimal(q, p->v[i].present, p->v[i].i,
			    p->v[i].scale);
			break;
		}
	for (i = 0; c != NULL && i < c->n; i++)
		switch (c->v[i].type) {
		case V_I64:
			db_col_i64(q, c->v[i].ptr);
			break;
		case V_STR:
			db_col_str(q, c->v[i].ptr, c->v[i].sz);
			break;
		default:
			db_col_blob(q, c->v[i].ptr, c->v[i].sz, NULL);
			break;
		}
	if (c != NULL)
		c->q = q;
	return q;
}

int
dbl_exec(struct db *db, enum stmt s, struct db_params *p, uint64_t *affected,
    uint64_t *insert_id, struct llmops_err *err)
{
	return db_exec(bound(db, s, p, NULL, err), affected, insert_id, err);
}

int
dbl_select(struct db *db, enum stmt s, struct db_params *p, struct db_cols *c,
    struct llmops_err *err)
{
	return db_select(bound(db, s, p, c, err), err);
}

int
dbl_select_stored(struct db *db, enum stmt s, struct db_params *p,
    struct db_cols *c, struct llmops_err *err)
{
	return db_select_stored(bound(db, s, p, c, err), err);
}

int
dbl_fetch(struct db *db, enum stmt s, struct db_cols *c, struct llmops_err *err)
{
	(void)db;
	(void)s;
	return db_fetch(c->q, err);
}

void
dbl_select_end(struct db *db, enum stmt s)
{
	db_end(db_q_cached(db, stmt_of(s)));
}
