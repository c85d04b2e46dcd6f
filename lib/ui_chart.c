#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "decimal.h"
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

/* The columns every aggregate table shares after its key columns. */
#define SUMS_NCOLS	10
static const struct report_col sums_cols[SUMS_NCOLS] = {
	{ "cost_usd", COL_USD },
	{ "requests", COL_INT },
	{ "errors", COL_INT },
	{ "error_rate_pct", COL_DECIMAL },
	{ "prompt_tokens", COL_INT },
	{ "completion_tokens", COL_INT },
	{ "total_tokens", COL_INT },
	{ "avg_latency_ms", COL_DECIMAL },
	{ "cost_per_request_usd", COL_USD },
	{ "unpriced_requests", COL_INT },
};
static const char *const sums_labels[SUMS_NCOLS] = {
	"Cost", "Requests", "Errors", "Error rate %", "Input tokens",
	"Output tokens", "Total tokens", "Avg latency ms", "Cost / request",
	"Unpriced",
};

/* Text of every sums column, for one row. */
struct sums_text {
	char	n[7][24];
	char	rate[24], lat[24], per[48];
};

static void
sums_values(const struct dash_sums *s, struct sums_text *t, const char **v)
{
	int64_t	pico;

	snprintf(t->n[0], sizeof(t->n[0]), "%lld", (long long)s->requests);
	snprintf(t->n[1], sizeof(t->n[1]), "%lld", (long long)s->errors);
	snprintf(t->n[2], sizeof(t->n[2]), "%lld", (long long)s->prompt_tokens);
	snprintf(t->n[3], sizeof(t->n[3]), "%lld",
	    (long long)s->completion_tokens);
	snprintf(t->n[4], sizeof(t->n[4]), "%lld", (long long)s->total_tokens);
	snprintf(t->n[5], sizeof(t->n[5]), "%lld",
	    (long long)(s->requests - s->priced_requests));
	dash_ratio(s->errors, s->requests, 10000, 2, t->rate, sizeof(t->rate));
	dash_ratio(s->latency_us_sum, s->latency_count, 1, 3, t->lat,
	    sizeof(t->lat));
	t->per[0] = '\0';
	if (s->priced_requests > 0 && decimal_parse(s->cost, COST_SCALE_DIGITS,
	    INT64_MAX, &pico) == 0)
		dash_ratio(pico, s->priced_requests, 1, COST_SCALE_DIGITS, t->per,
		    sizeof(t->per));
	/* Nothing priced is "unpriced" (NULL), never $0. */
	v[0] = s->priced_requests > 0 ? s->cost : NULL;
	v[1] = t->n[0];
	v[2] = t->n[1];
	v[3] = *t->rate ? t->rate : NULL;
	v[4] = t->n[2];
	v[5] = t->n[3];
	v[6] = t->n[4];
	v[7] = *t->lat ? t->lat : NULL;
	v[8] = *t->per ? t->per : NULL;
	v[9] = t->n[5];
}

/* A table of one key column and the sums columns. */
struct keyed_table {
	struct report_col	 cols[2 + SUMS_NCOLS];
	const char		*labels[2 + SUMS_NCOLS];
	size_t			 nkeys;
};

static void
keyed_init(struct keyed_table *k, const struct report_col *keys,
    const char *const *key_labels, size_t nkeys)
{
	size_t	i;

	for (i = 0; i < nkeys; i++) {
		k->cols[i] = keys[i];
		k->labels[i] = key_labels[i];
	}
	for (i = 0; i < SUMS_NCOLS; i++) {
		k->cols[nkeys + i] = sums_cols[i];
		k->labels[nkeys + i] = sums_labels[i];
	}
	k->nkeys = nkeys;
}

struct ranked_ctx {
	struct dash_row	*rows;
	size_t		 n, cap;
	int		 oom;
};

static int
ranked_cb(const struct dash_row *r, void *arg)
{
	struct ranked_ctx	*c = arg;
	struct dash_row		*p;

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

static void
ranked_chart(struct ui *ui, const struct ranked_ctx *c, const char *id,
    const char *title)
{
	struct svg_bar		 bars[UI_BARS_SHOWN];
	struct svg_bar_chart	 chart;
	struct llmops_err	 err;
	char			 texts[UI_BARS_SHOWN][48], cid[40];
	size_t			 i, n = 0;

	for (i = 0; i < c->n && n < UI_BARS_SHOWN; i++) {
		const struct dash_row	*r = &c->rows[i];

		bars[n].label = r->key_null ? UI_UNTAGGED : r->key;
		bars[n].value = r->s.priced_requests ? strtod(r->s.cost, NULL) : 0;
		ui_usd(texts[n], sizeof(texts[n]), r->s.priced_requests ?
		    r->s.cost : NULL);
		bars[n].value_text = texts[n];
		n++;
	}
	snprintf(cid, sizeof(cid), "c-%s", id);
	memset(&chart, 0, sizeof(chart));
	chart.id = cid;
	chart.title = title;
	chart.desc = "Cost per group, highest first; the table below has "
	    "every number.";
	chart.bars = bars;
	chart.nbars = n;
	chart.unit = SVG_UNIT_USD;
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
	struct ranked_ctx	 c;
	struct keyed_table	 k;
	struct ui_table		 t;
	struct report_col	 key = { dim_name(d), COL_TEXT };
	struct llmops_err	 err;
	struct sums_text	 st;
	const char		*label = dim_name(d), *v[1 + SUMS_NCOLS];
	char			 heading[32];
	size_t			 i;

	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	snprintf(heading, sizeof(heading), "%c%s", label[0] - 'a' + 'A',
	    label + 1);
	label = heading;
	keyed_init(&k, &key, &label, 1);
	t.id = id;
	t.title = title;
	t.cols = k.cols;
	t.labels = k.labels;
	t.ncols = 1 + SUMS_NCOLS;
	t.link_dim = link_path != NULL ? d : DIM__MAX;
	t.link_path = link_path;
	if (ui_wants_csv(ui) && (web_arg(ui->req, "table") == NULL ||
	    strcmp(web_arg(ui->req, "table"), id) != 0))
		return;
	err_clear(&err);
	if (dash_by(ui->app->db, &ui->f, d, ranked_cb, &c, &err) != 0) {
		if (c.oom)
			ui_error(ui, 500, "out of memory");
		else
			ui_db_error(ui, id, &err);
		free(c.rows);
		return;
	}
	if (!ui_wants_csv(ui))
		ranked_chart(ui, &c, id, title);
	if (ui_table_begin(ui, &t) == 0) {
		for (i = 0; i < c.n; i++) {
			v[0] = c.rows[i].key_null ? NULL : c.rows[i].key;
			sums_values(&c.rows[i].s, &st, v + 1);
			ui_table_row(ui, &t, v);
		}
		ui_table_end(ui, &t);
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
	struct ui	*ui;
	struct ui_table	*t;
};

static double
metric_value(const struct dash_sums *s, enum ui_metric m)
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
series_key(struct series_ctx *c, const struct dash_row *r)
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
series_chart_cb(const struct dash_row *r, void *arg)
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
series_table_cb(const struct dash_row *r, void *arg)
{
	struct series_ctx	*c = arg;
	struct sums_text	 st;
	const char		*v[2 + SUMS_NCOLS];
	char			 bucket[24];

	snprintf(bucket, sizeof(bucket), "%lld", (long long)r->bucket_us);
	v[0] = bucket;
	if (c->split) {
		v[1] = r->key_null ? NULL : r->key;
		sums_values(&r->s, &st, v + 2);
	} else
		sums_values(&r->s, &st, v + 1);
	ui_table_row(c->ui, c->t, v);
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
	struct ui_table		 t;
	struct keyed_table	 k;
	struct llmops_err	 err;
	struct report_col	 keys[2] = {
		{ daily ? "day" : "hour", COL_TIME_US },
		{ split < DIM__MAX ? dim_name(split) : "", COL_TEXT },
	};
	char			 heading[32];
	const char		*labels[2] = { daily ? "Day" : "Hour", heading };
	size_t			 i;

	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
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
	c.t = &t;
	keys[0].name = daily ? "day" : "hour";
	labels[0] = daily ? "Day" : "Hour";
	keyed_init(&k, keys, labels, c.split ? 2 : 1);
	t.id = id;
	t.title = title;
	t.cols = k.cols;
	t.labels = k.labels;
	t.ncols = k.nkeys + SUMS_NCOLS;
	t.link_dim = DIM__MAX;
	err_clear(&err);
	if (!ui_wants_csv(ui)) {
		if (dash_series(ui->app->db, &ui->f, daily, split,
		    series_chart_cb, &c, &err) != 0 && !c.oom)
			goto fail;
		series_chart(ui, &c, id, title);
	}
	if (ui_table_begin(ui, &t) == 0) {
		if (dash_series(ui->app->db, &ui->f, daily, split,
		    series_table_cb, &c, &err) != 0)
			goto fail;
		ui_table_end(ui, &t);
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
