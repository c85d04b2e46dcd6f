/*
 * Errors: failed calls by error class and code, model and provider, and
 * failures over time stacked by class, all from the hourly rollups.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "page.h"
#include "svg.h"
#include "timefmt.h"
#include "ui_chart.h"
#include "ui_pages.h"

#define ERRORS_NCOLS	5
/* Classes stacked in the chart; the rest is "other". */
#define ERRORS_CLASSES	8
#define HOUR_US		(3600 * TIME_US_PER_SEC)

static const struct report_col error_cols[ERRORS_NCOLS] = {
	{ "error_class", COL_TEXT },
	{ "error_code", COL_TEXT },
	{ "model", COL_TEXT },
	{ "provider", COL_TEXT },
	{ "failures", COL_INT },
};
static const char *const error_labels[ERRORS_NCOLS] = {
	"Error class", "Code", "Model", "Provider", "Failures",
};

static const struct report_col series_cols[3] = {
	{ "bucket", COL_TIME_US },
	{ "error_class", COL_TEXT },
	{ "failures", COL_INT },
};
static const char *const series_labels[3] = {
	"Time", "Error class", "Failures",
};

struct table_ctx {
	struct ui	*ui;
	struct ui_table	*t;
};

static int
error_cb(const struct usage_error_row *r, void *arg)
{
	struct table_ctx	*c = arg;
	const char		*v[ERRORS_NCOLS];
	char			 n[24];

	snprintf(n, sizeof(n), "%lld", (long long)r->requests);
	v[0] = r->class_null ? NULL : r->error_class;
	v[1] = r->code_null ? NULL : r->error_code;
	v[2] = r->model_null ? NULL : r->model;
	v[3] = r->provider_null ? NULL : r->provider;
	v[4] = n;
	ui_table_row(c->ui, c->t, v);
	return 0;
}

static int
series_row_cb(const struct usage_error_row *r, void *arg)
{
	struct table_ctx	*c = arg;
	const char		*v[3];
	char			 b[24], n[24];

	snprintf(b, sizeof(b), "%lld", (long long)r->bucket_us);
	snprintf(n, sizeof(n), "%lld", (long long)r->requests);
	v[0] = b;
	v[1] = r->class_null ? NULL : r->error_class;
	v[2] = n;
	ui_table_row(c->ui, c->t, v);
	return 0;
}

/* The chart: failures per bucket, by class. */
struct chart_ctx {
	int64_t	 start, bucket;
	size_t	 nb;
	char	*names[ERRORS_CLASSES + 1];
	double	*vals[ERRORS_CLASSES + 1];
	size_t	 n;
	int	 oom;
};

/* Slot i, allocated on first use; -1 when out of memory. */
static int
chart_slot(struct chart_ctx *c, size_t i, const char *name)
{
	if (c->names[i] != NULL)
		return 0;
	if ((c->names[i] = strdup(name)) == NULL ||
	    (c->vals[i] = calloc(c->nb, sizeof(double))) == NULL) {
		c->oom = 1;
		return -1;
	}
	return 0;
}

static int
chart_cb(const struct usage_error_row *r, void *arg)
{
	struct chart_ctx	*c = arg;
	const char		*name = r->class_null ? "(none)" : r->error_class;
	int64_t			 b = (r->bucket_us - c->start) / c->bucket;
	size_t			 i;

	for (i = 0; i < c->n && strcmp(c->names[i], name) != 0; i++)
		;
	if (i == c->n) {
		/* A new class, or "other" once ERRORS_CLASSES are shown. */
		if (c->n < ERRORS_CLASSES) {
			if (chart_slot(c, i, name) != 0)
				return -1;
			c->n++;
		} else {
			i = ERRORS_CLASSES;
			if (chart_slot(c, i, "other") != 0)
				return -1;
		}
	}
	if (b >= 0 && (size_t)b < c->nb)
		c->vals[i][b] += (double)r->requests;
	return 0;
}

static void
errors_chart(struct ui *ui, int daily)
{
	struct chart_ctx	 c;
	struct svg_series	 series[ERRORS_CLASSES + 1];
	struct svg_time_chart	 chart;
	struct llmops_err	 err;
	size_t			 i, n = 0;

	memset(&c, 0, sizeof(c));
	c.bucket = daily ? 24 * HOUR_US : HOUR_US;
	c.start = ui->f.since_us - ((ui->f.since_us % c.bucket) + c.bucket) %
	    c.bucket;
	c.nb = (size_t)((ui->f.until_us - c.start + c.bucket - 1) / c.bucket);
	if (c.nb > SVG_BUCKETS_MAX)
		c.nb = SVG_BUCKETS_MAX;
	err_clear(&err);
	if (db_usage_errors(ui->app->db, &ui->f, daily ? DIM_DAY : DIM_HOUR,
	    chart_cb, &c, &err) != 0 && !c.oom)
		log_error(LOG_TAG_HTTP, "errors chart: %s", err.msg);
	for (i = 0; i <= ERRORS_CLASSES; i++)
		if (c.names[i] != NULL) {
			series[n].name = c.names[i];
			series[n].values = c.vals[i];
			series[n].value_texts = NULL;
			n++;
		}
	memset(&chart, 0, sizeof(chart));
	chart.id = "c-errors";
	chart.title = "Failures over time by error class";
	chart.desc = "Stacked per time bucket (UTC); the tables below have "
	    "every number.";
	chart.start_us = c.start;
	chart.bucket_us = c.bucket;
	chart.nbuckets = n ? c.nb : 0;
	chart.series = series;
	chart.nseries = n;
	chart.unit = SVG_UNIT_NUMBER;
	writer_puts(ui->w, "<section class=\"chart\">\n");
	if (svg_time_chart(ui->w, &chart, &err) != 0)
		ui_notice(ui, err.msg);
	writer_puts(ui->w, "</section>\n");
	for (i = 0; i <= ERRORS_CLASSES; i++) {
		free(c.names[i]);
		free(c.vals[i]);
	}
}

void
ui_errors(struct ui *ui)
{
	struct ui_table		 t, st;
	struct table_ctx	 c;
	struct llmops_err	 err;
	int			 csv, daily;

	if (ui_scope(ui) != 0)
		return;
	csv = ui_wants_csv(ui);
	daily = strcmp(ui->range, "24h") != 0;
	if ((ui->f.until_us - ui->f.since_us) / HOUR_US >= SVG_BUCKETS_MAX)
		daily = 1;
	t = (struct ui_table){
		.id = "errors",
		.title = "Failures by class, code, model and provider",
		.cols = error_cols, .labels = error_labels,
		.ncols = ERRORS_NCOLS, .link_dim = DIM_NONE,
	};
	st = (struct ui_table){
		.id = "errors_series", .title = "Failures over time",
		.cols = series_cols, .labels = series_labels, .ncols = 3,
		.link_dim = DIM_NONE,
	};
	if (!csv) {
		page_begin(ui, PAGE_DASHBOARD, 200, "Errors");
		errors_chart(ui, daily);
	}
	err_clear(&err);
	c.ui = ui;
	c.t = &t;
	if (ui_table_begin(ui, &t) == 0) {
		if (db_usage_errors(ui->app->db, &ui->f, DIM_NONE, error_cb, &c,
		    &err) != 0)
			ui_db_error(ui, "errors", &err);
		ui_table_end(ui, &t);
	}
	c.t = &st;
	if (ui_table_begin(ui, &st) == 0) {
		if (db_usage_errors(ui->app->db, &ui->f, daily ? DIM_DAY :
		    DIM_HOUR, series_row_cb, &c, &err) != 0)
			ui_db_error(ui, "error series", &err);
		ui_table_end(ui, &st);
	}
	if (!csv)
		page_end(ui);
	ui_csv_done(ui);
}
