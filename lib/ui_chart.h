/*
 * Charts with the table behind them, as the views use them: a ranked
 * table of one dimension (bar chart of its cost, then the table), and a
 * time series of cost, requests or tokens, optionally stacked by a
 * dimension (chart, then a table of the same numbers).
 */
#ifndef LLMOPS_UI_CHART_H
#define LLMOPS_UI_CHART_H

#include "ui.h"
#include "usage.h"

enum ui_metric {
	METRIC_COST,
	METRIC_REQUESTS,
	METRIC_TOKENS,
	METRIC__MAX
};

/* Series shown stacked; the rest is summed into "other". */
#define UI_SERIES_SHOWN		8
/* Bars of a ranked chart (the table has every group). */
#define UI_BARS_SHOWN		20

const char	*ui_metric_name(enum ui_metric);
int		 ui_metric_parse(const char *, enum ui_metric *);

/*
 * A dashboard table of usage (HTML on the page or a CSV export): key
 * columns, then usage columns computed by usage_values(). Set t.link_dim
 * and t.link_path after init for a drill-down; never copy it (t points
 * into it).
 */
struct ui_usage_table {
	struct ui_table		 t;
	struct report_col	 cols[UI_TABLE_COLS_MAX];
	const char		*labels[UI_TABLE_COLS_MAX];
	size_t			 nkeys;
	const enum usage_col	*ucols;
	size_t			 nucols;
	size_t			 ntexts;	/* text columns after the sums */
};

void	ui_usage_table_init(struct ui_usage_table *, const char *id,
	    const char *title, const struct report_col *keys,
	    const char *const *key_labels, size_t nkeys,
	    const enum usage_col *, size_t);
/* Adds a text column after the sums (and after those added before). */
void	ui_usage_table_text(struct ui_usage_table *, const struct report_col *,
	    const char *label);
/*
 * One row: the keys' values (NULL: untagged), the sums, pctl or NULL,
 * then the values of the text columns (texts: NULL when there are none;
 * a NULL value shows as none).
 */
void	ui_usage_table_row(struct ui *, struct ui_usage_table *,
	    const char *const *keys, const struct usage_sums *,
	    const struct usage_pctl *, const char *const *texts);

/* Rows of db_usage_by kept in memory, for a chart and the table below it. */
struct ui_rows {
	struct usage_row	*rows;		/* owned */
	size_t			 n, cap;
	int			 oom;
};

/* The row callback that keeps each row (arg: the struct ui_rows). */
int	ui_rows_add(const struct usage_row *, void *);
/* A bar chart (id "c-<id>") of the cost of the first UI_BARS_SHOWN rows. */
void	ui_cost_chart(struct ui *, const struct ui_rows *, const char *id,
	    const char *title, const char *desc);

/*
 * A ranked table of dim under the current filters: cost, requests, errors,
 * error rate, tokens, latency, cost per request, unpriced requests; each
 * name drills down to link_path filtered by it. With a chart unless CSV.
 */
void	ui_ranked(struct ui *, enum dim, const char *id, const char *title,
	    const char *link_path);

/* Would hourly buckets of the page's range fit a chart? */
int	ui_series_hourly_fits(const struct ui *);

/*
 * A time series of metric, hourly or daily (daily when hourly buckets
 * would not fit a chart), stacked by split unless DIM_NONE.
 */
void	ui_series(struct ui *, const char *id, const char *title,
	    enum ui_metric, int daily, enum dim split);

#endif
