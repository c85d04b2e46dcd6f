/*
 * Time Series: cost, requests or tokens over time, in hourly or daily
 * buckets, optionally stacked by a dimension. The choices are query
 * parameters (metric, bucket, split), so a view can be bookmarked.
 */
#include "config.h"

#include <string.h>

#include "page.h"
#include "ui_chart.h"
#include "ui_pages.h"

/* A <select> of the view's own settings, inside a small GET form. */
static void
choice(struct ui *ui, const char *name, const char *label,
    const char *const *values, const char *const *shown, size_t n,
    const char *current)
{
	struct writer	*w = ui->w;
	size_t		 i;

	writer_puts(w, "<label>");
	html_text(w, label);
	writer_puts(w, " <select name=\"");
	html_attr(w, name);
	writer_puts(w, "\">");
	for (i = 0; i < n; i++) {
		writer_puts(w, "<option value=\"");
		html_attr(w, values[i]);
		writer_puts(w, strcmp(values[i], current) == 0 ? "\" selected>" :
		    "\">");
		html_text(w, shown[i]);
		writer_puts(w, "</option>");
	}
	writer_puts(w, "</select></label>\n");
}

/* The form keeps every filter as a hidden field and changes the view's own. */
static void
settings_form(struct ui *ui, const char *metric, const char *bucket,
    const char *split)
{
	static const char *const metrics[] = { "cost", "requests", "tokens" };
	static const char *const metric_shown[] = { "Cost", "Requests", "Tokens" };
	static const char *const buckets[] = { "hour", "day" };
	static const char *const bucket_shown[] = { "Hourly", "Daily" };
	static const char *const splits[] = { "none", "source", "department",
	    "team", "agent", "model", "provider", "status" };
	static const char *const split_shown[] = { "Nothing", "Source",
	    "Department", "Team", "Agent", "Model", "Provider", "Status" };
	struct writer	*w = ui->w;
	size_t		 i;

	writer_puts(w, "<form class=\"filters\" method=\"get\" "
	    "action=\"/timeseries\">\n");
	for (i = 0; i < ui->req->query.n; i++) {
		const char	*k = ui->req->query.p[i].key;

		if (strcmp(k, "metric") == 0 || strcmp(k, "bucket") == 0 ||
		    strcmp(k, "split") == 0)
			continue;
		writer_puts(w, "<input type=\"hidden\" name=\"");
		html_attr(w, k);
		writer_puts(w, "\" value=\"");
		html_attr(w, ui->req->query.p[i].value);
		writer_puts(w, "\">\n");
	}
	choice(ui, "metric", "Show", metrics, metric_shown, 3, metric);
	choice(ui, "bucket", "Buckets", buckets, bucket_shown, 2, bucket);
	choice(ui, "split", "Stacked by", splits, split_shown, 8, split);
	writer_puts(w, "<button type=\"submit\">Show</button>\n</form>\n");
}

void
ui_timeseries(struct ui *ui)
{
	const char	*m = web_arg(ui->req, "metric");
	const char	*b = web_arg(ui->req, "bucket");
	const char	*s = web_arg(ui->req, "split");
	enum ui_metric	 metric = METRIC_COST;
	enum dim	 split = DIM_NONE;
	char		 title[64];
	int		 daily, csv, widened = 0;

	if (ui_scope(ui) != 0)
		return;
	if ((m != NULL && ui_metric_parse(m, &metric) != 0) ||
	    (b != NULL && strcmp(b, "hour") != 0 && strcmp(b, "day") != 0) ||
	    (s != NULL && strcmp(s, "none") != 0 && (dim_parse(s, &split) != 0 ||
	    split >= DIM__MAX))) {
		ui_error(ui, 400, "metric: cost, requests or tokens; bucket: hour "
		    "or day; split: none or a dimension");
		return;
	}
	daily = b != NULL ? strcmp(b, "day") == 0 : strcmp(ui->range, "24h") != 0;
	if (!daily && !ui_series_hourly_fits(ui))
		daily = widened = 1;
	csv = ui_wants_csv(ui);
	snprintf(title, sizeof(title), "%s over time", metric == METRIC_COST ?
	    "Cost" : metric == METRIC_REQUESTS ? "Requests" : "Tokens");
	if (!csv) {
		page_begin(ui, PAGE_DASHBOARD, 200, "Time Series");
		settings_form(ui, ui_metric_name(metric), daily ? "day" : "hour",
		    dim_name(split));
		if (widened)
			ui_notice(ui, "This range has too many hours for one "
			    "chart: showing daily buckets.");
	}
	ui_series(ui, "series", title, metric, daily, split);
	if (!csv)
		page_end(ui);
	ui_csv_done(ui);
}
