/*
 * Reports over stored usage: totals grouped by a dimension or a time
 * bucket (from the hourly rollups, never from raw events), and raw events
 * for export. Rows are handed to a callback, so exports stream.
 */
#ifndef LLMOPS_REPORT_H
#define LLMOPS_REPORT_H

#include <stdint.h>

#include "db.h"
#include "llmops_limits.h"

enum report_group {
	GROUP_NONE,
	GROUP_DEPARTMENT,
	GROUP_TEAM,
	GROUP_AGENT,
	GROUP_MODEL,
	GROUP_PROVIDER,
	GROUP_STATUS,
	GROUP_DAY,
	GROUP_HOUR,
	GROUP__MAX
};

/* Cost text: DECIMAL(26,12) as MariaDB prints it. */
#define REPORT_DECIMAL_BYTES	48
#define REPORT_TEXT_BYTES	(255 * 4 + 1)

struct usage_row {
	char	 group[REPORT_TEXT_BYTES];
	int	 group_null;		/* untagged */
	int64_t	 requests, errors;
	int64_t	 prompt_tokens, completion_tokens, total_tokens;
	int64_t	 cache_read_tokens, cache_write_tokens, reasoning_tokens;
	char	 cost[REPORT_DECIMAL_BYTES];	/* the cost that counts */
	int64_t	 priced_requests;		/* the rest are unpriced */
	char	 our_cost[REPORT_DECIMAL_BYTES];
	int64_t	 our_cost_events;
	char	 litellm_cost[REPORT_DECIMAL_BYTES];
	int64_t	 litellm_cost_events;	/* requests LiteLLM gave a cost for */
	int64_t	 latency_us_sum, latency_count;
	int64_t	 ttft_us_sum, ttft_count;
};

/* How a column's text is to be read. */
enum col_type {
	COL_TEXT,
	COL_INT,
	COL_DECIMAL,		/* exact decimal text, e.g. USD */
	COL_TIME_US,		/* microseconds since the epoch */
	COL_DURATION_US,	/* microseconds */
	COL_BOOL,		/* 0 or 1 */
	COL_USD,		/* exact decimal text of US dollars */
};

struct report_col {
	const char	*name;
	enum col_type	 type;
};

/* The stored fields of a raw event, in export order. */
#define REPORT_EVENT_NCOLS	33
extern const struct report_col report_event_cols[REPORT_EVENT_NCOLS];

const char	*report_group_name(enum report_group);
int		 report_group_parse(const char *, enum report_group *);
int		 report_group_is_time(enum report_group);

/*
 * Usage of one organization in [since_us, until_us). Rollups are hourly:
 * the bounds are widened to whole hours (*since_us down, *until_us up) and
 * the caller is told by the updated values.
 */
int	report_usage(struct db *, uint32_t org_id, enum report_group,
	    int64_t *since_us, int64_t *until_us,
	    int (*cb)(const struct usage_row *, void *), void *arg,
	    struct llmops_err *);

/*
 * Per model, LiteLLM's cost total against ours where they differ by more
 * than threshold_pct (decimal text) percent, or where we could not price
 * requests: columns of check rows are model, requests, litellm cost, our
 * cost, difference, unpriced by us. Bounds widened to whole hours.
 */
int	report_cost_check(struct db *, uint32_t org_id, int64_t *since_us,
	    int64_t *until_us, const char *threshold_pct,
	    int (*cb)(const char *const *values, void *), void *arg,
	    struct llmops_err *);

/*
 * Raw events in [since_us, until_us) by time of the call, oldest first;
 * limit 0 = all. The callback gets REPORT_EVENT_NCOLS values as text (NULL
 * for SQL NULL), described by report_event_cols.
 */
int	report_events(struct db *, uint32_t org_id, int64_t since_us,
	    int64_t until_us, int64_t limit,
	    int (*cb)(const char *const *values, void *), void *arg,
	    struct llmops_err *);

#endif
