/*
 * Every read over usage, for the dashboard, the JSON API and llmopsctl
 * (usage, events, cost-check): always for one organization (its id is a
 * parameter of every statement, never a filter a caller may drop), with
 * the same filter everywhere: a time range and any of source, department,
 * team, agent, model, provider and status (a value, or untagged). Sums
 * and percentiles come from the rollups (the rollups per dimension when
 * the filter allows, else usage_hourly; HACKING says which read takes
 * which table), raw events from the events. The statements are in
 * db_usage.c; lib/usage.c turns the rows into text.
 *
 * The functions only run statements: they neither connect nor retry, so
 * they may be called inside a db_txn() callback (DB_READ), which reconnects
 * and runs the whole callback again after a lost connection.
 */
#ifndef LLMOPS_DB_USAGE_H
#define LLMOPS_DB_USAGE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "llmops_limits.h"
#include "report.h"

/*
 * What usage can be grouped by. The dimensions (up to DIM__MAX) are
 * labels of each call: a filter may name them, a report may group by
 * them. The time buckets (UTC) and DIM_NONE are groupings only.
 */
enum dim {
	DIM_SOURCE,
	DIM_DEPARTMENT,
	DIM_TEAM,
	DIM_AGENT,
	DIM_MODEL,
	DIM_PROVIDER,
	DIM_STATUS,
	DIM__MAX,
	DIM_HOUR = DIM__MAX,
	DIM_DAY,
	DIM_NONE,		/* not grouped: one total */
	DIM__GROUPS_MAX
};

/* "agent", "hour", "none", ... */
const char	*dim_name(enum dim);
/* A dimension or a time bucket by its name (not "none"); 0 or -1. */
int		 dim_parse(const char *, enum dim *);

/* Which usage a read counts. */
struct usage_filter {
	uint32_t	 org_id;
	int64_t		 since_us;	/* inclusive */
	int64_t		 until_us;	/* exclusive */
	int		 set[DIM__MAX];	/* filter on this dimension */
	const char	*value[DIM__MAX]; /* borrowed; NULL with set: untagged */
};

void	usage_filter_init(struct usage_filter *, uint32_t org_id,
	    int64_t since_us, int64_t until_us);

/* Sums of rollup rows. Costs are exact decimal text. */
struct usage_sums {
	int64_t	requests, errors;
	int64_t	prompt_tokens, completion_tokens, total_tokens;
	int64_t	cache_read_tokens, cache_write_tokens, reasoning_tokens;
	char	cost[LIMIT_DECIMAL_BYTES];	/* the cost that counts */
	int64_t	priced_requests;		/* the rest are unpriced */
	char	our_cost[LIMIT_DECIMAL_BYTES];
	int64_t	our_cost_events;
	char	litellm_cost[LIMIT_DECIMAL_BYTES];
	int64_t	litellm_cost_events;	/* requests LiteLLM gave a cost for */
	int64_t	latency_us_sum, latency_count;
	int64_t	ttft_us_sum, ttft_count;
	int64_t	cache_hits;			/* LiteLLM's cache hits */
	char	saved_cache_cost[LIMIT_DECIMAL_BYTES];	/* what they saved */
};

/* One row of a grouped answer. */
struct usage_row {
	int64_t			 bucket_us;	/* DIM_HOUR, DIM_DAY: its start */
	char			 key[LIMIT_TEXT_BYTES];	/* a dimension's value */
	int			 key_null;	/* untagged, or no dimension */
	struct usage_sums	 s;
};

struct usage_error_row {
	int64_t	bucket_us;
	char	error_class[LIMIT_TEXT_BYTES];
	int	class_null;
	char	error_code[64];
	int	code_null;
	char	model[LIMIT_TEXT_BYTES];
	int	model_null;
	char	provider[LIMIT_TEXT_BYTES];
	int	provider_null;
	int64_t	requests;
};

struct usage_pctl {
	char	key[LIMIT_TEXT_BYTES];
	int	key_null;
	int64_t	latency_us, ttft_us;	/* -1 when there are none */
};

/* What served a model: one of its deployments, or of their hosts. */
enum usage_serving {
	SERVING_DEPLOYMENT,	/* LiteLLM's model_id */
	SERVING_API_HOST,	/* the host of its api_base */
};

struct usage_served {
	char	model[LIMIT_TEXT_BYTES];
	int	model_null;
	char	value[LIMIT_TEXT_BYTES];
	int	value_null;		/* LiteLLM did not say */
	int64_t	requests;
};

typedef int	(*usage_row_fn)(const struct usage_row *, void *);
typedef int	(*usage_served_fn)(const struct usage_served *, void *);
typedef int	(*usage_error_fn)(const struct usage_error_row *, void *);
typedef int	(*usage_pctl_fn)(const struct usage_pctl *, void *);
/* A row of text values (NULL for SQL NULL), as out_row_cb takes them. */
typedef int	(*usage_values_fn)(const char *const *, void *);

/* The totals of the filter (zeros when there is no usage). */
int	db_usage_totals(struct db *, const struct usage_filter *,
	    struct usage_sums *, struct llmops_err *);
/*
 * Usage grouped by `group`:
 * - a dimension: most expensive first, at most `limit` groups (0: all);
 * - DIM_HOUR or DIM_DAY: oldest first, each bucket split by the dimension
 *   `split` unless that is DIM_NONE;
 * - DIM_NONE: one row of totals, none when there is no usage.
 * The rollups are hourly: the range is widened to whole hours.
 */
int	db_usage_by(struct db *, const struct usage_filter *, enum dim group,
	    enum dim split, int64_t limit, usage_row_fn, void *arg,
	    struct llmops_err *);
/*
 * Failures: group DIM_NONE by class, code, model and provider, most
 * frequent first (at most LIMIT_USAGE_GROUPS); DIM_HOUR or DIM_DAY per
 * bucket and class, oldest first.
 */
int	db_usage_errors(struct db *, const struct usage_filter *, enum dim group,
	    usage_error_fn, void *arg, struct llmops_err *);
/*
 * The deployments (or their hosts) that served each model, by model, then
 * most requests first, from the rollups, which hold them within the model
 * alone: of the filter only its range and its model count (a department's
 * share of a deployment would be read from raw events, seconds at 10
 * million events). usage_served_whole_org() says whether f names more.
 */
int	db_usage_served(struct db *, const struct usage_filter *,
	    enum usage_serving, usage_served_fn, void *arg,
	    struct llmops_err *);
/* Whether f names anything but a model: then db_usage_served counts what
 * served the models in the whole organization, not within f. */
int	usage_served_whole_org(const struct usage_filter *f);
/*
 * The pct-th percentile (1..99, nearest rank) of latency and time to first
 * token, per group of a dimension, or overall (DIM_NONE: one row): from
 * the histograms of the rollups (within HIST_ERROR_PCT %, lib/hist.h) when
 * they cover the filter, else exactly from raw events (then only the 95th).
 */
int	db_usage_percentiles(struct db *, const struct usage_filter *,
	    enum dim group, int pct, usage_pctl_fn, void *arg,
	    struct llmops_err *);

/* The stored fields of a raw event, in the order rows of events give them. */
#define USAGE_EVENT_NCOLS	33
extern const struct report_col usage_event_cols[USAGE_EVENT_NCOLS];
/* The paging cursor after an event row, "OCCURRED_US.ID". */
#define USAGE_CURSOR_BYTES	48
void	usage_event_cursor(const char *const *values,
	    char buf[USAGE_CURSOR_BYTES]);

/*
 * A cursor as usage_event_cursor makes it and the pages and the API hand
 * it out: two decimal numbers, nothing else, ID above 0. 0, or -1.
 */
int	usage_cursor_parse(const char *, int64_t *occurred_us, int64_t *id);

/*
 * Raw events, newest first, after the cursor (before_occurred_us,
 * before_id; 0, 0 for the first page), at most limit (1 to
 * LIMIT_EVENTS_PAGE, else LIMIT_EVENTS_PAGE).
 */
int	db_usage_events_page(struct db *, const struct usage_filter *,
	    int64_t before_occurred_us, int64_t before_id, int limit,
	    usage_values_fn, void *arg, struct llmops_err *);
/*
 * Raw events by the time of the call, oldest first, for export; limit 0:
 * all. The range is not widened.
 */
int	db_usage_events_export(struct db *, const struct usage_filter *,
	    int64_t limit, usage_values_fn, void *arg, struct llmops_err *);

/*
 * Per model, from the raw events of the range: LiteLLM's cost against ours
 * over the calls both priced ("compared"; NULL sums when none), where they
 * differ by more than threshold_pct (decimal text) percent, or where we
 * could not price calls that did not fail, in the columns
 * usage_cost_check_cols.
 */
#define USAGE_COST_CHECK_NCOLS	7
extern const struct report_col usage_cost_check_cols[USAGE_COST_CHECK_NCOLS];
int	db_usage_cost_check(struct db *, const struct usage_filter *,
	    const char *threshold_pct, usage_values_fn, void *arg,
	    struct llmops_err *);

/* 1 when org_id has seen value for dim (source and status: known values). */
int	db_usage_dim_exists(struct db *, uint32_t org_id, enum dim,
	    const char *value, struct llmops_err *);
/* The values org_id has seen for dim, sorted (at most LIMIT_DIM_VALUES). */
int	db_usage_dim_values(struct db *, uint32_t org_id, enum dim,
	    int (*cb)(const char *, void *), void *arg, struct llmops_err *);

#endif
