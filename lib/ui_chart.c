#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "svg.h"
#include "timefmt.h"
#include "ui_chart.h"

#define HOUR_US		(3600 * TIME_US_PER_SEC)
#define DAY_US		(24 * HOUR_US)
/* Distinct keys a series chart keeps apart before lumping into "other". */
#define UI_SERIES_KEYS_MAX	256

static const char *const metric_names[METRIC__MAX] = {
	"cost", "requests", "tokens",
};

const char *
ui_metric_name(enum ui_metric m)
{
	return m < METRIC__MAX ? metric_names[m] : "?";
}

int
ui_metric_parse(const char *s, enum ui_metric *out)
{
	int	i;

	for (i = 0; i < METRIC__MAX; i++)
		if (strcmp(s, metric_names[i]) == 0) {
			*out = (enum ui_metric)i;
			return 0;
		}
	return -1;
}

/* The columns of a ranked table and of a series after their keys. */
static const enum usage_col sums_cols[] = {
	UCOL_COST, UCOL_REQUESTS, UCOL_ERRORS, UCOL_ERROR_RATE,
	UCOL_PROMPT_TOKENS, UCOL_COMPLETION_TOKENS, UCOL_TOTAL_TOKENS,
	UCOL_AVG_LATENCY, UCOL_COST_PER_REQUEST, UCOL_UNPRICED,
};
#define SUMS_NCOLS	(sizeof(sums_cols) / sizeof(sums_cols[0]))

void
ui_usage_table_init(struct ui_usage_table *u, const char *id,
    const char *title, const struct report_col *keys,
    const char *const *key_labels, size_t nkeys, const enum usage_col *cols,
    size_t ncols)
{
	size_t	i;

	memset(u, 0, sizeof(*u));
	if (nkeys > UI_TABLE_COLS_MAX)
		nkeys = UI_TABLE_COLS_MAX;
	if (ncols > UI_TABLE_COLS_MAX - nkeys)
		ncols = UI_TABLE_COLS_MAX - nkeys;
	for (i = 0; i < nkeys; i++) {
		u->cols[i] = keys[i];
		u->labels[i] = key_labels[i];
	}
	for (i = 0; i < ncols; i++) {
		u->cols[nkeys + i] = *usage_col(cols[i]);
		u->labels[nkeys + i] = usage_col_label(cols[i]);
	}
	u->nkeys = nkeys;
	u->ucols = cols;
	u->nucols = ncols;
	u->t.id = id;
	u->t.title = title;
	u->t.cols = u->cols;
	u->t.labels = u->labels;
	u->t.ncols = nkeys + ncols;
	u->t.link_dim = DIM_NONE;
}

void
ui_usage_table_text(struct ui_usage_table *u, const struct report_col *col,
    const char *label)
{
	if (u->t.ncols == UI_TABLE_COLS_MAX)
		return;
	u->cols[u->t.ncols] = *col;
	u->labels[u->t.ncols] = label;
	u->t.ncols++;
	u->ntexts++;
}

void
ui_usage_table_row(struct ui *ui, struct ui_usage_table *u,
    const char *const *keys, const struct usage_sums *s,
    const struct usage_pctl *pctl, const char *const *texts)
{
	struct usage_text	 t;
	const char		*v[UI_TABLE_COLS_MAX];
	size_t			 i, at;

	for (i = 0; i < u->nkeys; i++)
		v[i] = keys[i];
	usage_values(s, pctl, u->ucols, u->nucols, &t, v + u->nkeys);
	at = u->nkeys + u->nucols;
	for (i = 0; i < u->ntexts; i++)
		v[at + i] = texts != NULL ? texts[i] : NULL;
	ui_table_row(ui, &u->t, v);
}

int
ui_rows_add(const struct usage_row *r, void *arg)
{
	struct ui_rows		*c = arg;
	struct usage_row	*p;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		if ((p = reallocarray(c->rows, c->cap, sizeof(*p))) == NULL) {
			c->oom = 1;
			return -1;
		}
		c->rows = p;
	}
	c->rows[c->n++] = *r;
	return 0;
}

void
ui_cost_chart(struct ui *ui, const struct ui_rows *c, const char *id,
    const char *title, const char *desc)
{
	struct svg_bar		 bars[UI_BARS_SHOWN];
	struct svg_bar_chart	 chart;
	struct llmops_err	 err;
	char			 texts[UI_BARS_SHOWN][48], cid[40];
	size_t			 i, n = 0;

	for (i = 0; i < c->n && n < UI_BARS_SHOWN; i++) {
		const struct usage_row	*r = &c->rows[i];

		bars[n].label = r->key_null ? UI_UNTAGGED : r->key;
		bars[n].value = r->s.priced_requests ? strtod(r->s.cost, NULL) : 0;
		ui_usd(texts[n], sizeof(texts[n]), r->s.priced_requests ?
		    r->s.cost : NULL);
		bars[n].value_text = texts[n];
		n++;
	}
	snprintf(cid, sizeof(cid), "c-%s", id);
	chart = (struct svg_bar_chart){
		.id = cid, .title = title, .desc = desc, .bars = bars,
		.nbars = n, .unit = SVG_UNIT_USD,
	};
	err_clear(&err);
	writer_puts(ui->w, "<section class=\"chart\">\n");
	if (svg_bar_chart(ui->w, &chart, &err) != 0)
		ui_notice(ui, err.msg);
	writer_puts(ui->w, "</section>\n");
}

void
ui_ranked(struct ui *ui, enum dim d, const char *id, const char *title,
    const char *link_path)
{
	struct ui_rows		 c;
	struct ui_usage_table	 u;
	struct report_col	 key = { dim_name(d), COL_TEXT };
	struct llmops_err	 err;
	const char		*label = dim_name(d), *v[1];
	char			 heading[32];
	size_t			 i;

	memset(&c, 0, sizeof(c));
	snprintf(heading, sizeof(heading), "%c%s", label[0] - 'a' + 'A',
	    label + 1);
	label = heading;
	ui_usage_table_init(&u, id, title, &key, &label, 1, sums_cols,
	    SUMS_NCOLS);
	u.t.link_dim = link_path != NULL ? d : DIM_NONE;
	u.t.link_path = link_path;
	if (ui_wants_csv(ui) && (web_arg(ui->req, "table") == NULL ||
	    strcmp(web_arg(ui->req, "table"), id) != 0))
		return;
	err_clear(&err);
	if (db_usage_by(ui->app->db, &ui->f, d, DIM_NONE, LIMIT_USAGE_GROUPS,
	    ui_rows_add, &c, &err) != 0 || c.oom) {
		if (c.oom)
			ui_error(ui, 500, "out of memory");
		else
			ui_db_error(ui, id, &err);
		free(c.rows);
		return;
	}
	if (!ui_wants_csv(ui))
		ui_cost_chart(ui, &c, id, title, "Cost per group, highest first; "
		    "the table below has every number.");
	if (ui_table_begin(ui, &u.t) == 0) {
		for (i = 0; i < c.n; i++) {
			v[0] = c.rows[i].key_null ? NULL : c.rows[i].key;
			ui_usage_table_row(ui, &u, v, &c.rows[i].s, NULL,
			    NULL);
		}
		ui_table_end(ui, &u.t);
	}
	free(c.rows);
}

/* The chart side of a series: a values matrix of the top keys. */
struct series_ctx {
	int64_t		 start, bucket;
	size_t		 nb;
	enum ui_metric	 metric;
	int		 split;
	char		*keys[UI_SERIES_KEYS_MAX];	/* owned; NULL key: untagged */
	int		 key_null[UI_SERIES_KEYS_MAX];
	double		*vals[UI_SERIES_KEYS_MAX];	/* nb each, owned */
	double		 total[UI_SERIES_KEYS_MAX];
	size_t		 nkeys;
	int		 oom;
	/* the table side */
	struct ui		*ui;
	struct ui_usage_table	*u;
};

static double
metric_value(const struct usage_sums *s, enum ui_metric m)
{
	switch (m) {
	case METRIC_COST:
		return s->priced_requests ? strtod(s->cost, NULL) : 0;
	case METRIC_REQUESTS:
		return (double)s->requests;
	default:
		return (double)s->total_tokens;
	}
}

static int
series_key(struct series_ctx *c, const struct usage_row *r)
{
	size_t	i;

	for (i = 0; i < c->nkeys; i++)
		if (c->key_null[i] == r->key_null &&
		    (r->key_null || strcmp(c->keys[i], r->key) == 0))
			return (int)i;
	if (c->nkeys == UI_SERIES_KEYS_MAX)
		return UI_SERIES_KEYS_MAX - 1;	/* the last one gathers the rest */
	i = c->nkeys;
	c->key_null[i] = r->key_null;
	if ((c->keys[i] = strdup(r->key_null ? "" : r->key)) == NULL ||
	    (c->vals[i] = calloc(c->nb, sizeof(double))) == NULL) {
		free(c->keys[i]);
		c->keys[i] = NULL;
		c->oom = 1;
		return -1;
	}
	c->nkeys++;
	return (int)i;
}

static int
series_chart_cb(const struct usage_row *r, void *arg)
{
	struct series_ctx	*c = arg;
	int64_t			 b = (r->bucket_us - c->start) / c->bucket;
	int			 k = series_key(c, r);
	double			 v;

	if (k < 0)
		return -1;
	if (b < 0 || (size_t)b >= c->nb)
		return 0;
	v = metric_value(&r->s, c->metric);
	c->vals[k][b] += v;
	c->total[k] += v;
	return 0;
}

static int
series_table_cb(const struct usage_row *r, void *arg)
{
	struct series_ctx	*c = arg;
	const char		*v[2];
	char			 bucket[24];

	snprintf(bucket, sizeof(bucket), "%lld", (long long)r->bucket_us);
	v[0] = bucket;
	v[1] = r->key_null ? NULL : r->key;
	ui_usage_table_row(c->ui, c->u, v, &r->s, NULL, NULL);
	return 0;
}

static int
by_total_desc(const void *a, const void *b, void *arg)
{
	const struct series_ctx	*c = arg;
	size_t			 x = *(const size_t *)a, y = *(const size_t *)b;

	if (c->total[x] != c->total[y])
		return c->total[x] < c->total[y] ? 1 : -1;
	return x < y ? -1 : x > y;
}

static void
series_chart(struct ui *ui, struct series_ctx *c, const char *id,
    const char *title)
{
	struct svg_series	 series[UI_SERIES_SHOWN + 1];
	struct svg_time_chart	 chart;
	struct llmops_err	 err;
	size_t			 order[UI_SERIES_KEYS_MAX], i, j, n = 0;
	double			*other = NULL;
	char			 cid[40];

	for (i = 0; i < c->nkeys; i++)
		order[i] = i;
	qsort_r(order, c->nkeys, sizeof(order[0]), by_total_desc, c);
	for (i = 0; i < c->nkeys; i++) {
		if (n < UI_SERIES_SHOWN || c->nkeys == UI_SERIES_SHOWN + 1) {
			series[n].name = !c->split ? title :
			    c->key_null[order[i]] ? UI_UNTAGGED : c->keys[order[i]];
			series[n].values = c->vals[order[i]];
			series[n].value_texts = NULL;
			n++;
			continue;
		}
		if (other == NULL && (other = calloc(c->nb, sizeof(double))) == NULL)
			break;
		for (j = 0; j < c->nb; j++)
			other[j] += c->vals[order[i]][j];
	}
	if (other != NULL) {
		series[n].name = "other";
		series[n].values = other;
		series[n].value_texts = NULL;
		n++;
	}
	snprintf(cid, sizeof(cid), "c-%s", id);
	memset(&chart, 0, sizeof(chart));
	chart.id = cid;
	chart.title = title;
	chart.desc = "Stacked per time bucket (UTC); the table below has every "
	    "number.";
	chart.start_us = c->start;
	chart.bucket_us = c->bucket;
	chart.nbuckets = c->nkeys ? c->nb : 0;
	chart.series = series;
	chart.nseries = n;
	chart.unit = c->metric == METRIC_COST ? SVG_UNIT_USD : SVG_UNIT_NUMBER;
	err_clear(&err);
	writer_puts(ui->w, "<section class=\"chart\">\n");
	if (svg_time_chart(ui->w, &chart, &err) != 0)
		ui_notice(ui, err.msg);
	writer_puts(ui->w, "</section>\n");
	free(other);
}

int
ui_series_hourly_fits(const struct ui *ui)
{
	return (ui->f.until_us - ui->f.since_us) / HOUR_US < SVG_BUCKETS_MAX;
}

void
ui_series(struct ui *ui, const char *id, const char *title,
    enum ui_metric metric, int daily, enum dim split)
{
	struct series_ctx	 c;
	struct ui_usage_table	 u;
	struct llmops_err	 err;
	struct report_col	 keys[2] = {
		{ "hour", COL_TIME_US },
		{ split < DIM__MAX ? dim_name(split) : "", COL_TEXT },
	};
	char			 heading[32];
	const char		*labels[2] = { "Hour", heading };
	size_t			 i;

	memset(&c, 0, sizeof(c));
	heading[0] = '\0';
	if (split < DIM__MAX)
		snprintf(heading, sizeof(heading), "%c%s",
		    dim_name(split)[0] - 'a' + 'A', dim_name(split) + 1);
	/* Hourly buckets that would not fit a chart become daily ones. */
	if (!daily && !ui_series_hourly_fits(ui))
		daily = 1;
	c.bucket = daily ? DAY_US : HOUR_US;
	c.start = ui->f.since_us - ((ui->f.since_us % c.bucket) + c.bucket) %
	    c.bucket;
	c.nb = (size_t)((ui->f.until_us - c.start + c.bucket - 1) / c.bucket);
	if (c.nb > SVG_BUCKETS_MAX)
		c.nb = SVG_BUCKETS_MAX;
	c.metric = metric;
	c.split = split < DIM__MAX;
	c.ui = ui;
	c.u = &u;
	keys[0].name = daily ? "day" : "hour";
	labels[0] = daily ? "Day" : "Hour";
	ui_usage_table_init(&u, id, title, keys, labels, c.split ? 2 : 1,
	    sums_cols, SUMS_NCOLS);
	err_clear(&err);
	if (!ui_wants_csv(ui)) {
		if (db_usage_by(ui->app->db, &ui->f, daily ? DIM_DAY : DIM_HOUR,
		    split, 0, series_chart_cb, &c, &err) != 0 && !c.oom)
			goto fail;
		series_chart(ui, &c, id, title);
	}
	if (ui_table_begin(ui, &u.t) == 0) {
		if (db_usage_by(ui->app->db, &ui->f, daily ? DIM_DAY : DIM_HOUR,
		    split, 0, series_table_cb, &c, &err) != 0)
			goto fail;
		ui_table_end(ui, &u.t);
	}
	goto out;
fail:
	ui_db_error(ui, id, &err);
out:
	for (i = 0; i < c.nkeys; i++) {
		free(c.keys[i]);
		free(c.vals[i]);
	}
}
