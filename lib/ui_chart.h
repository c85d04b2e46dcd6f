/*
 * Charts with the table behind them, as the views use them: a ranked
 * table of one dimension (bar chart of its cost, then the table), and a
 * time series of cost, requests or tokens, optionally stacked by a
 * dimension (chart, then a table of the same numbers).
 */
#ifndef LLMOPS_UI_CHART_H
#define LLMOPS_UI_CHART_H

#include "ui.h"

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
 * would not fit a chart), stacked by split unless DIM__MAX.
 */
void	ui_series(struct ui *, const char *id, const char *title,
	    enum ui_metric, int daily, enum dim split);

#endif
