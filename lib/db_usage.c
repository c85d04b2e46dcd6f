/*
 * Every read over usage: the statements and the C that binds them (see
 * db_usage.h). Sums and percentiles come from the rollups per dimension
 * (NARROW, bound by bind_narrow()) when narrow_of() says they answer the
 * filter, else from usage_hourly; raw events and the remaining
 * percentiles from usage_events; those two are filtered by FILTER, bound
 * by bind_filter(). HACKING lists which read takes which table.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_rows.h"
#include "db_usage.h"
#include "event.h"
#include "hist.h"
#include "rollup_dim.h"
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
	X(I64, ttft_count, "SUM(ttft_count)") \
	X(I64, cache_hits, "SUM(cache_hits)") \
	X(STR, saved_cache_cost, "CAST(SUM(saved_cache_cost) AS CHAR)")
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
/*
 * The 95th percentile from raw events, for the filters the histograms do
 * not cover: nearest rank (NULLs are ignored), the value the histograms
 * approximate.
 */
#define P95(col, partition) \
	"SELECT k, l, t FROM (SELECT DISTINCT " col " AS k, " \
	"PERCENTILE_DISC(0.95) WITHIN GROUP (ORDER BY latency_us) OVER (" \
	partition ") AS l, PERCENTILE_DISC(0.95) WITHIN GROUP (ORDER BY " \
	"ttft_us) OVER (" partition ") AS t" EVENTS ") q ORDER BY k"

/*
 * The rollups per dimension (schema/007_rollups.sql, lib/rollup_dim.h).
 * A read whose filter names at most the dimension it asks about (and no
 * status, and no source but "litellm", the source of every event) reads
 * the rows of that one dimension (or of none: the totals) instead of
 * usage_hourly: whole days from the day rows, the hours at either end from
 * the hour rows. A read filtered by a department or a team and grouped by
 * its teams or agents reads the drill-down rows of that parent value.
 * Bound by bind_narrow(): org_id, dim, the day range, the two hour ranges,
 * then a flag and the value of the dimension (untagged: ''), and (usage_
 * rollup only) the parent's value.
 */
#define NARROW_RANGE \
	" WHERE org_id = ? AND dim = ? AND ((grain = 1 AND bucket_us >= ? AND " \
	"bucket_us < ?) OR (grain = 0 AND (bucket_us >= ? AND bucket_us < ? OR " \
	"bucket_us >= ? AND bucket_us < ?))) AND (? = 0 OR value = ?)"
#define NARROW		" FROM usage_rollup" NARROW_RANGE " AND parent = ?"
#define N_DAY		"bucket_us - MOD(bucket_us, 86400000000)"
#define N_VALUE		"NULLIF(value, '')"
#define N_SERIES(bucket) \
	"SELECT " bucket " AS b, NULL" SUMS(SUM_SQL) NARROW \
	" GROUP BY b ORDER BY b"
#define N_SERIES_BY(bucket) \
	"SELECT " bucket " AS b, " N_VALUE SUMS(SUM_SQL) NARROW \
	" GROUP BY b, value ORDER BY b, value"
/* Histogram rows (value, metric, packed bins), a value's rows together. */
#define N_HIST \
	"SELECT " N_VALUE ", metric, bins FROM usage_rollup_hist" \
	NARROW_RANGE " AND parent = ? ORDER BY value"
/*
 * Failures from usage_errors, when the filter names nothing but a model,
 * a provider, or the status failure: org_id, the hours, then a flag and a
 * value each for the model and the provider.
 */
#define N_ERRORS \
	" FROM usage_errors WHERE org_id = ? AND hour_us >= ? AND hour_us < ? " \
	"AND (? = 0 OR model = ?) AND (? = 0 OR provider = ?)"
#define N_ERRORS_SERIES(bucket) \
	"SELECT " bucket " AS b, NULLIF(error_class, ''), NULL, NULL, NULL, " \
	"SUM(requests)" N_ERRORS " GROUP BY b, error_class ORDER BY b, " \
	"error_class"
#define N_HOUR_US	"hour_us - MOD(hour_us, 86400000000)"
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
#define EVENT_INDEX(e, name, type, sql)	UE_##e,
#define EVENT_COL(e, name, type, sql)	{ name, type },
#define EVENT_SQL(e, name, type, sql)	", " sql
#define EVENT_SELECT	"SELECT id" EVENT_FIELDS(EVENT_SQL)

enum { UE_ID, EVENT_FIELDS(EVENT_INDEX) UE__MAX };

const struct report_col usage_event_cols[USAGE_EVENT_NCOLS] = {
	{ "id", COL_INT },
	EVENT_FIELDS(EVENT_COL)
};

/* The columns of cost-check rows, in the order of STMT_COST_CHECK. */
const struct report_col usage_cost_check_cols[USAGE_COST_CHECK_NCOLS] = {
	{ "model", COL_TEXT },
	{ "requests", COL_INT },
	{ "compared", COL_INT },
	{ "litellm_cost_usd", COL_DECIMAL },
	{ "our_cost_usd", COL_DECIMAL },
	{ "difference_usd", COL_DECIMAL },
	{ "unpriced_by_us", COL_INT },
};
/* The calls cost-check compares, and those it counts as unpriced by us. */
#define BOTH_COSTS	"our_cost IS NOT NULL AND litellm_cost IS NOT NULL"
#define UNPRICED_BY_US	"our_cost IS NULL AND NOT status <=> 'failure'"

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
	STMT_N_TOTALS,
	STMT_N_BY,
	STMT_N_HOURLY,
	STMT_N_DAILY,
	STMT_N_HOURLY_BY,
	STMT_N_DAILY_BY,
	STMT_N_HIST,
	STMT_N_ERRORS,
	STMT_N_ERRORS_HOURLY,
	STMT_N_ERRORS_DAILY,
	STMT_N_SERVED,
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
	/*
	 * From raw events, the only place that knows which calls both
	 * LiteLLM and we priced: the costs are compared over those; calls we
	 * could not price are counted apart, failures (which cost nothing)
	 * not. The threshold is a percentage of the larger of the two sums.
	 */
	[STMT_COST_CHECK] = { "usage.cost_check",
	"SELECT model, COUNT(*), SUM(" BOTH_COSTS "), "
	"CAST(SUM(IF(" BOTH_COSTS ", litellm_cost, NULL)) AS CHAR), "
	"CAST(SUM(IF(" BOTH_COSTS ", our_cost, NULL)) AS CHAR), "
	"CAST(SUM(IF(" BOTH_COSTS ", our_cost - litellm_cost, NULL)) AS CHAR), "
	"SUM(" UNPRICED_BY_US ") FROM usage_events WHERE org_id = ? AND "
	"occurred_us >= ? AND occurred_us < ? GROUP BY model HAVING "
	"ABS(SUM(IF(" BOTH_COSTS ", our_cost - litellm_cost, 0))) > ? / 100 * "
	"GREATEST(ABS(SUM(IF(" BOTH_COSTS ", our_cost, 0))), "
	"ABS(SUM(IF(" BOTH_COSTS ", litellm_cost, 0)))) OR "
	"SUM(" UNPRICED_BY_US ") > 0 ORDER BY "
	"ABS(SUM(IF(" BOTH_COSTS ", our_cost - litellm_cost, 0))) DESC, model" },
	[STMT_DIM_EXISTS] = { "usage.dim_exists",
	"SELECT COUNT(*) FROM dimension_values WHERE org_id = ? AND dim = ? AND "
	"value = ?" },
	[STMT_DIM_VALUES] = { "usage.dim_values",
	"SELECT value FROM dimension_values WHERE org_id = ? AND dim = ? "
	"ORDER BY value LIMIT ?" },
	/* The rollups per dimension (NARROW above). */
	[STMT_N_TOTALS] = { "usage.n_totals",
	"SELECT 0, NULL" SUMS(SUM_SQL) NARROW },
	[STMT_N_BY] = { "usage.n_by",
	"SELECT 0, " N_VALUE SUMS(SUM_SQL) NARROW " GROUP BY value ORDER BY "
	"SUM(cost) DESC, SUM(requests) DESC, value LIMIT ?" },
	[STMT_N_HOURLY] = { "usage.n_hourly", N_SERIES("bucket_us") },
	[STMT_N_DAILY] = { "usage.n_daily", N_SERIES(N_DAY) },
	[STMT_N_HOURLY_BY] = { "usage.n_hourly_by", N_SERIES_BY("bucket_us") },
	[STMT_N_DAILY_BY] = { "usage.n_daily_by", N_SERIES_BY(N_DAY) },
	[STMT_N_HIST] = { "usage.n_hist", N_HIST },
	[STMT_N_ERRORS] = { "usage.n_errors",
	"SELECT 0, NULLIF(error_class, ''), NULLIF(error_code, ''), "
	"NULLIF(model, ''), NULLIF(provider, ''), SUM(requests)" N_ERRORS
	" GROUP BY error_class, error_code, model, provider ORDER BY "
	"SUM(requests) DESC, error_class, error_code, model, provider "
	"LIMIT ?" },
	[STMT_N_ERRORS_HOURLY] = { "usage.n_errors_hourly",
	N_ERRORS_SERIES("hour_us") },
	[STMT_N_ERRORS_DAILY] = { "usage.n_errors_daily",
	N_ERRORS_SERIES(N_HOUR_US) },
	/* What served each model: (model, value, requests), after
	 * NARROW_RANGE the parent (the model) flag and value. */
	[STMT_N_SERVED] = { "usage.n_served",
	"SELECT NULLIF(parent, ''), " N_VALUE ", SUM(requests) FROM usage_rollup"
	NARROW_RANGE " AND (? = 0 OR parent = ?) GROUP BY parent, value "
	"ORDER BY parent, SUM(requests) DESC, value" },
};

_Static_assert(UE__MAX == USAGE_EVENT_NCOLS,
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

int
usage_served_whole_org(const struct usage_filter *f)
{
	int	i;

	for (i = 0; i < DIM__MAX; i++)
		if (f->set[i] && i != DIM_MODEL)
			return 1;
	return 0;
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

/* How a read is answered from the rollups per dimension. */
struct narrow {
	int		 dim;		/* ROLLUP_DIM_NONE, enum dim, a pair */
	int		 filtered;	/* on the dimension's value */
	const char	*value;		/* "" untagged */
	const char	*parent;	/* of a drill-down; "" otherwise */
};

/* Which rows of the rollups per dimension a read takes. */
enum span {
	SPAN_MIXED,	/* whole days from day rows, the ends from hour rows */
	SPAN_HOURS,	/* hour rows only (hourly series) */
	SPAN_DAYS,	/* whole days, the range widened to them */
};

/*
 * 1 when the filter's source, if any, is that of every event: the rollups
 * per dimension and usage_errors, which have no source, answer it.
 */
static int
source_all(const struct usage_filter *f)
{
	return !f->set[DIM_SOURCE] || (f->value[DIM_SOURCE] != NULL &&
	    strcmp(f->value[DIM_SOURCE], EVENT_SOURCE_LITELLM) == 0);
}

/*
 * The rollups' dimension of a grouping: ROLLUP_DIM_NONE for none, the
 * label dimensions as they are, the status its own, -1 for the source
 * (not a rollup of its own; DIM_SOURCE is 0 like ROLLUP_DIM_NONE).
 */
static int
narrow_dim(enum dim d)
{
	if (d == DIM_NONE)
		return ROLLUP_DIM_NONE;
	if (d == DIM_STATUS)
		return ROLLUP_STATUS;
	return d >= DIM_DEPARTMENT && d <= DIM_PROVIDER ? (int)d : -1;
}

/*
 * The dimensions the filter names besides the range (labels and status),
 * as the rollups' dimensions in enum dim order, into d[0..1]: their number
 * (0 to 2), or -1 when the rollups per dimension cannot answer it: more
 * than two, or a source other than that of every event.
 */
static int
filter_dims(const struct usage_filter *f, int d[2])
{
	int	i, n = 0;

	if (!source_all(f))
		return -1;
	for (i = DIM_DEPARTMENT; i <= DIM_STATUS; i++)
		if (f->set[i]) {
			if (n == 2)
				return -1;
			d[n++] = narrow_dim((enum dim)i);
		}
	return n;
}

/* The filter's value of the rollups' dimension d ("" untagged). */
static const char *
filter_value(const struct usage_filter *f, int d)
{
	enum dim	e = d == ROLLUP_STATUS ? DIM_STATUS : (enum dim)d;

	return f->value[e] != NULL ? f->value[e] : "";
}


/*
 * The rows of dimension `want` (ROLLUP_DIM_NONE: the totals) that answer
 * a read with filter f: 0, or -1 when they cannot (usage_hourly does).
 */
static int
narrow_of(const struct usage_filter *f, int want, struct narrow *n)
{
	int	fd[2], nf = filter_dims(f, fd), p, c;

	if (nf < 0 || want < 0)
		return -1;
	n->parent = "";
	n->filtered = 0;
	n->value = "";
	if (nf == 0) {
		n->dim = want;
		return 0;
	}
	if (nf == 1 && (want == ROLLUP_DIM_NONE || want == fd[0])) {
		n->dim = fd[0];
		n->filtered = 1;
		n->value = filter_value(f, fd[0]);
		return 0;
	}
	if (nf == 1) {
		/* A drill-down: the rows of want within the filter's value. */
		if ((n->dim = rollup_pair_of(fd[0], want)) < 0)
			return -1;
		n->parent = filter_value(f, fd[0]);
		return 0;
	}
	/* Two: a drill-down's value within its parent's (a share of a
	 * department's spend without a team, say). */
	for (p = 0; p < 2; p++) {
		c = 1 - p;
		if ((want == ROLLUP_DIM_NONE || want == fd[c]) &&
		    (n->dim = rollup_pair_of(fd[p], fd[c])) >= 0) {
			n->parent = filter_value(f, fd[p]);
			n->filtered = 1;
			n->value = filter_value(f, fd[c]);
			return 0;
		}
	}
	return -1;
}

/* The start of the day of us, or of the next one when us is not one. */
static int64_t
day_ceil(int64_t us)
{
	int64_t	d = time_day_floor(us);

	return d == us ? d : d + TIME_US_PER_DAY;
}

/* NARROW_RANGE: org_id, dim, the days, two ranges of hours, the value. */
static void
bind_narrow(struct db_q *q, const struct usage_filter *f,
    const struct narrow *n, enum span span)
{
	int64_t	since = f->since_us, until = f->until_us, ds, de;
	int64_t	h[4];

	time_widen_to_hours(&since, &until);
	if (span == SPAN_DAYS) {
		ds = time_day_floor(since);
		de = day_ceil(until);
	} else {
		ds = day_ceil(since);
		de = time_day_floor(until);
	}
	if (span == SPAN_HOURS || ds >= de) {
		/* No whole day: every hour from the hour rows. */
		h[0] = since;
		h[1] = until;
		ds = de = h[2] = h[3] = 0;
	} else {
		h[0] = since;
		h[1] = ds;
		h[2] = de;
		h[3] = until;
	}
	db_bind_i64(q, f->org_id);
	db_bind_i64(q, n->dim);
	db_bind_i64(q, ds);
	db_bind_i64(q, de);
	db_bind_i64(q, h[0]);
	db_bind_i64(q, h[1]);
	db_bind_i64(q, h[2]);
	db_bind_i64(q, h[3]);
	db_bind_i64(q, n->filtered);
	db_bind_str(q, n->value);
}

/*
 * Runs a statement of (bucket, key, SUMS) rows, over the rollups per
 * dimension when n is not NULL (taking the span's rows), else over
 * usage_hourly, with a LIMIT unless limit < 0. NULL sums (the total of no
 * usage) are no row.
 */
static int
usage_rows(struct db *db, const struct db_stmt *st,
    const struct usage_filter *f, const struct narrow *n, enum span span,
    int64_t limit, usage_row_fn cb, void *arg, struct llmops_err *err)
{
	struct usage_row	 r;
	struct db_q		*q;
	int			 rc;

	memset(&r, 0, sizeof(r));
	q = db_q(db, st, err);
	if (n != NULL) {
		bind_narrow(q, f, n, span);
		db_bind_str(q, n->parent);
	} else
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
	strcpy(s->saved_cache_cost, "0");
	return db_usage_by(db, f, DIM_NONE, DIM_NONE, 0, copy_sums, s, err);
}

int
db_usage_by(struct db *db, const struct usage_filter *f, enum dim group,
    enum dim split, int64_t limit, usage_row_fn cb, void *arg,
    struct llmops_err *err)
{
	const struct db_stmt	*st;
	struct narrow		 n;
	int			 hourly = group == DIM_HOUR, narrow;

	if (split != DIM_NONE && (split >= DIM__MAX ||
	    (group != DIM_HOUR && group != DIM_DAY)))
		return err_set(err, 500, "usage: only time buckets are split, "
		    "and by a dimension");
	if (group < DIM__MAX) {
		limit = limit > 0 ? limit : INT64_MAX;
		if (narrow_of(f, narrow_dim(group), &n) == 0)
			return usage_rows(db, &stmts[STMT_N_BY], f, &n,
			    SPAN_MIXED, limit, cb, arg, err);
		return usage_rows(db, &by_stmts[group], f, NULL, SPAN_MIXED,
		    limit, cb, arg, err);
	}
	if (group != DIM_NONE && group != DIM_HOUR && group != DIM_DAY)
		return err_set(err, 500, "usage: no such grouping");
	narrow = narrow_of(f, narrow_dim(split), &n) == 0;
	if (narrow) {
		if (group == DIM_NONE)
			st = &stmts[STMT_N_TOTALS];
		else if (split == DIM_NONE)
			st = &stmts[hourly ? STMT_N_HOURLY : STMT_N_DAILY];
		else
			st = &stmts[hourly ? STMT_N_HOURLY_BY : STMT_N_DAILY_BY];
		return usage_rows(db, st, f, &n, hourly ? SPAN_HOURS :
		    SPAN_MIXED, -1, cb, arg, err);
	}
	if (group == DIM_NONE)
		st = &stmts[STMT_TOTALS];
	else if (split == DIM_NONE)
		st = &stmts[hourly ? STMT_HOURLY : STMT_DAILY];
	else
		st = hourly ? &hourly_by_stmts[split] : &daily_by_stmts[split];
	return usage_rows(db, st, f, NULL, SPAN_MIXED, -1, cb, arg, err);
}

/*
 * 1 when usage_errors answers failures with filter f: it names nothing
 * but a model, a provider, the status failure and the source of every
 * event.
 */
static int
errors_narrow(const struct usage_filter *f)
{
	if ((f->set[DIM_STATUS] && (f->value[DIM_STATUS] == NULL ||
	    strcmp(f->value[DIM_STATUS], "failure") != 0)) ||
	    f->set[DIM_DEPARTMENT] || f->set[DIM_TEAM] || f->set[DIM_AGENT])
		return 0;
	return source_all(f);
}

/* N_ERRORS: org_id, the hours, the model and the provider. */
static void
bind_errors(struct db_q *q, const struct usage_filter *f)
{
	int64_t	since = f->since_us, until = f->until_us;
	int	d;

	time_widen_to_hours(&since, &until);
	db_bind_i64(q, f->org_id);
	db_bind_i64(q, since);
	db_bind_i64(q, until);
	for (d = DIM_MODEL; d <= DIM_PROVIDER; d++) {
		db_bind_i64(q, f->set[d]);
		db_bind_str(q, f->set[d] && f->value[d] != NULL ? f->value[d] :
		    "");
	}
}

int
db_usage_served(struct db *db, const struct usage_filter *f,
    enum usage_serving what, usage_served_fn cb, void *arg,
    struct llmops_err *err)
{
	struct usage_served	 r;
	struct narrow		 n;
	struct db_q		*q;
	int			 rc;

	memset(&r, 0, sizeof(r));
	memset(&n, 0, sizeof(n));
	/* The rows within each model, or within the filter's. */
	n.dim = what == SERVING_DEPLOYMENT ? ROLLUP_DEPLOYMENT : ROLLUP_API_HOST;
	n.value = "";
	q = db_q(db, &stmts[STMT_N_SERVED], err);
	bind_narrow(q, f, &n, SPAN_MIXED);
	db_bind_i64(q, f->set[DIM_MODEL]);
	db_bind_str(q, f->set[DIM_MODEL] ? filter_value(f, DIM_MODEL) : "");
	db_col_str(q, r.model, sizeof(r.model));
	db_col_str(q, r.value, sizeof(r.value));
	db_col_i64(q, &r.requests);
	if (db_select(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		r.model_null = db_col_null(q, 0);
		r.value_null = db_col_null(q, 1);
		if (r.model_null)
			r.model[0] = '\0';
		if (r.value_null)
			r.value[0] = '\0';
		if (cb(&r, arg) != 0)
			break;
	}
	db_end(q);
	return rc < 0 ? -1 : 0;
}

int
db_usage_errors(struct db *db, const struct usage_filter *f, enum dim group,
    usage_error_fn cb, void *arg, struct llmops_err *err)
{
	struct usage_error_row	 r;
	struct db_q		*q;
	int			 rc, st, narrow = errors_narrow(f);

	if (group == DIM_NONE)
		st = narrow ? STMT_N_ERRORS : STMT_ERRORS;
	else if (group == DIM_HOUR)
		st = narrow ? STMT_N_ERRORS_HOURLY : STMT_ERRORS_HOURLY;
	else if (group == DIM_DAY)
		st = narrow ? STMT_N_ERRORS_DAILY : STMT_ERRORS_DAILY;
	else
		return err_set(err, 500, "usage: failures are not grouped by %s",
		    dim_name(group));
	memset(&r, 0, sizeof(r));
	q = db_q(db, &stmts[st], err);
	if (narrow)
		bind_errors(q, f);
	else
		bind_filter(q, f, 1);
	if (group == DIM_NONE)
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

/* What hist_rows() reads into, and gives to the callback per value. */
struct hist_read {
	struct hist	 h[ROLLUP_METRICS];
	struct usage_pctl r;
	int		 pct, any;
	usage_pctl_fn	 cb;
	void		*arg;
};

/* The percentiles of the value read so far; 1 when cb says stop. */
static int
hist_emit(struct hist_read *hr)
{
	int	rc;

	if (!hr->any)
		return 0;
	hr->r.latency_us = hist_percentile(&hr->h[ROLLUP_LATENCY], hr->pct);
	hr->r.ttft_us = hist_percentile(&hr->h[ROLLUP_TTFT], hr->pct);
	rc = hr->cb(&hr->r, hr->arg);
	hist_clear(&hr->h[ROLLUP_LATENCY]);
	hist_clear(&hr->h[ROLLUP_TTFT]);
	hr->any = 0;
	return rc != 0;
}

/*
 * Percentiles from the histograms of the rollups per dimension: the rows
 * come per value, metric and bin; each value's bins are added up and read
 * (lib/hist.h: within HIST_ERROR_PCT % of the exact nearest-rank value).
 * Dimensions with histograms by day only (departments, models within a
 * department) count whole days.
 */
static int
hist_rows(struct db *db, const struct usage_filter *f, const struct narrow *n,
    struct hist_read *hr, struct llmops_err *err)
{
	char		 key[LIMIT_TEXT_BYTES];
	unsigned char	*bins;
	int64_t		 metric = 0;
	size_t		 len = 0;
	struct db_q	*q;
	int		 rc, null, stop = 0;

	if ((bins = malloc(HIST_BLOB_MAX)) == NULL)
		return err_set(err, 500, "out of memory");
	q = db_q(db, &stmts[STMT_N_HIST], err);
	bind_narrow(q, f, n, rollup_dim_has_hist(ROLLUP_HOUR, n->dim) ?
	    SPAN_MIXED : SPAN_DAYS);
	db_bind_str(q, n->parent);
	db_col_str(q, key, sizeof(key));
	db_col_i64(q, &metric);
	db_col_blob(q, bins, HIST_BLOB_MAX, &len);
	if (db_select(q, err) != 0) {
		free(bins);
		return -1;
	}
	while (!stop && (rc = db_fetch(q, err)) == 1) {
		null = db_col_null(q, 0);
		if (hr->any && (null != hr->r.key_null ||
		    (!null && strcmp(key, hr->r.key) != 0)))
			stop = hist_emit(hr);
		if (stop)
			break;
		if (!hr->any) {
			hr->r.key_null = null;
			snprintf(hr->r.key, sizeof(hr->r.key), "%s",
			    null ? "" : key);
			hr->any = 1;
		}
		if (metric >= 0 && metric < ROLLUP_METRICS &&
		    hist_decode_add(&hr->h[metric], bins, len) != 0) {
			rc = err_set(err, 500, "usage: a stored histogram is "
			    "damaged; run llmopsctl rollups rebuild");
			break;
		}
	}
	db_end(q);
	free(bins);
	if (!stop && rc == 0)
		hist_emit(hr);
	return rc < 0 ? -1 : 0;
}

int
db_usage_percentiles(struct db *db, const struct usage_filter *f,
    enum dim group, int pct, usage_pctl_fn cb, void *arg,
    struct llmops_err *err)
{
	struct usage_pctl	 r;
	struct hist_read	*hr;
	struct narrow		 n;
	struct db_q		*q;
	int			 rc;

	if (group != DIM_NONE && group >= DIM__MAX)
		return err_set(err, 500, "usage: percentiles are not grouped by "
		    "%s", dim_name(group));
	if (pct < 1 || pct > 99)
		return err_set(err, 400, "a percentile is from 1 to 99");
	if (narrow_of(f, narrow_dim(group), &n) == 0 &&
	    rollup_dim_has_hist(ROLLUP_DAY, n.dim)) {
		if ((hr = calloc(1, sizeof(*hr))) == NULL)
			return err_set(err, 500, "out of memory");
		hr->pct = pct;
		hr->cb = cb;
		hr->arg = arg;
		rc = hist_rows(db, f, &n, hr, err);
		free(hr);
		return rc;
	}
	/* The raw events' statements compute the 95th only. */
	if (pct != 95)
		return err_set(err, 400, "with this filter only the 95th "
		    "percentile is available");
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
	t = v[UE_START] ? v[UE_START] : v[UE_END] ? v[UE_END] : v[UE_RECEIVED];
	snprintf(buf, USAGE_CURSOR_BYTES, "%s.%s", t ? t : "0",
	    v[UE_ID] ? v[UE_ID] : "0");
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
	db_bind_i64(q, f->org_id);
	db_bind_i64(q, f->since_us);
	db_bind_i64(q, f->until_us);
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
