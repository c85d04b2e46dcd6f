/*
 * The questions the dashboard and the JSON API ask, always for one
 * organization (the org_id is a parameter of every statement, never a
 * filter the caller may drop), with the same filters everywhere: a time
 * range and any of source, department, team, agent, model, provider and
 * status (a value, or untagged). Everything is read from the hourly
 * rollups, except raw events and latency percentiles.
 */
#ifndef LLMOPS_DASH_H
#define LLMOPS_DASH_H

#include <stdint.h>

#include "db.h"
#include "report.h"

enum dim {
	DIM_SOURCE,
	DIM_DEPARTMENT,
	DIM_TEAM,
	DIM_AGENT,
	DIM_MODEL,
	DIM_PROVIDER,
	DIM_STATUS,
	DIM__MAX
};

/* Most groups listed in a ranked table. */
#define DASH_GROUPS_MAX		500
/* Most raw events on one page. */
#define DASH_EVENTS_PAGE_MAX	500

struct dash_filter {
	uint32_t	 org_id;
	int64_t		 since_us;	/* inclusive */
	int64_t		 until_us;	/* exclusive */
	int		 set[DIM__MAX];	/* filter on this dimension */
	const char	*value[DIM__MAX]; /* borrowed; NULL with set: untagged */
};

/* Sums of rollup rows. Costs are exact decimal text. */
struct dash_sums {
	int64_t	requests, errors;
	int64_t	prompt_tokens, completion_tokens, total_tokens;
	int64_t	cache_read_tokens, cache_write_tokens, reasoning_tokens;
	char	cost[REPORT_DECIMAL_BYTES];
	int64_t	priced_requests;
	char	litellm_cost[REPORT_DECIMAL_BYTES];
	char	our_cost[REPORT_DECIMAL_BYTES];
	int64_t	latency_us_sum, latency_count;
	int64_t	ttft_us_sum, ttft_count;
};

/* One row of a grouped or bucketed answer. */
struct dash_row {
	int64_t		 bucket_us;	/* time buckets */
	char		 key[REPORT_TEXT_BYTES];
	int		 key_null;	/* untagged */
	struct dash_sums s;
};

struct dash_error_row {
	int64_t	bucket_us;
	char	error_class[REPORT_TEXT_BYTES];
	int	class_null;
	char	error_code[64];
	int	code_null;
	char	model[REPORT_TEXT_BYTES];
	int	model_null;
	char	provider[REPORT_TEXT_BYTES];
	int	provider_null;
	int64_t	requests;
};

struct dash_pctl {
	char	key[REPORT_TEXT_BYTES];
	int	key_null;
	int64_t	latency_us, ttft_us;	/* -1 when there are none */
};

const char	*dim_name(enum dim);
int		 dim_parse(const char *, enum dim *);
void		 dash_filter_init(struct dash_filter *, uint32_t org_id,
		    int64_t since_us, int64_t until_us);

int	dash_totals(struct db *, const struct dash_filter *, struct dash_sums *,
	    struct llmops_err *);
/* Groups by dim, most expensive first (at most DASH_GROUPS_MAX). */
int	dash_by(struct db *, const struct dash_filter *, enum dim,
	    int (*cb)(const struct dash_row *, void *), void *arg,
	    struct llmops_err *);
/*
 * Hourly or daily buckets, oldest first; split by a dimension unless
 * split is DIM__MAX (then key is empty).
 */
int	dash_series(struct db *, const struct dash_filter *, int daily,
	    enum dim split, int (*cb)(const struct dash_row *, void *),
	    void *arg, struct llmops_err *);
/* Failures by class, code, model and provider, most frequent first. */
int	dash_errors(struct db *, const struct dash_filter *,
	    int (*cb)(const struct dash_error_row *, void *), void *arg,
	    struct llmops_err *);
/* Failures per bucket and class, oldest first. */
int	dash_errors_series(struct db *, const struct dash_filter *, int daily,
	    int (*cb)(const struct dash_error_row *, void *), void *arg,
	    struct llmops_err *);
/*
 * The pct-th percentile (1..99) of latency and time to first token from
 * the raw events, per group of dim (DIM__MAX: overall, one row).
 */
int	dash_percentiles(struct db *, const struct dash_filter *, enum dim,
	    int pct, int (*cb)(const struct dash_pctl *, void *), void *arg,
	    struct llmops_err *);
/*
 * Raw events, newest first, after the cursor (before_occurred_us,
 * before_id; 0, 0 for the first page): the columns of report_event_cols.
 */
int	dash_events(struct db *, const struct dash_filter *,
	    int64_t before_occurred_us, int64_t before_id, int limit,
	    int (*cb)(const char *const *values, void *), void *arg,
	    struct llmops_err *);
/*
 * A paging cursor as the pages and the API hand it out, "OCCURRED_US.ID":
 * two decimal numbers, nothing else, ID above 0. 0, or -1 if s is not one.
 */
int	dash_cursor_parse(const char *s, int64_t *occurred_us, int64_t *id);
/* 1 when org_id has seen value for dim (source and status: known values). */
int	dash_dim_exists(struct db *, uint32_t org_id, enum dim, const char *value,
	    struct llmops_err *);
/* The values org_id has seen for dim, sorted. */
int	dash_dim_values(struct db *, uint32_t org_id, enum dim,
	    int (*cb)(const char *, void *), void *arg, struct llmops_err *);

/*
 * a * mul / b as text, rounded half away from zero to an integer shown
 * with `digits` decimals; "" when b <= 0 (for pages and reports).
 */
void	dash_ratio(int64_t a, int64_t b, int64_t mul, int digits, char *buf,
	    size_t sz);

#endif
