/*
 * Model Comparison: per model, side by side: cost, requests, input,
 * output and cache tokens, cost per 1k tokens, average and p95 latency,
 * time to first token, error rate. Sums come from the rollups, the p95s
 * from the raw events.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "log.h"
#include "page.h"
#include "svg.h"
#include "ui_chart.h"
#include "ui_pages.h"

#define MODELS_NCOLS	14

static const struct report_col model_cols[MODELS_NCOLS] = {
	{ "model", COL_TEXT },
	{ "cost_usd", COL_USD },
	{ "requests", COL_INT },
	{ "prompt_tokens", COL_INT },
	{ "completion_tokens", COL_INT },
	{ "cache_read_tokens", COL_INT },
	{ "cache_write_tokens", COL_INT },
	{ "cost_per_1k_tokens_usd", COL_USD },
	{ "avg_latency_ms", COL_DECIMAL },
	{ "p95_latency_ms", COL_DECIMAL },
	{ "avg_ttft_ms", COL_DECIMAL },
	{ "p95_ttft_ms", COL_DECIMAL },
	{ "error_rate_pct", COL_DECIMAL },
	{ "unpriced_requests", COL_INT },
};
static const char *const model_labels[MODELS_NCOLS] = {
	"Model", "Cost", "Requests", "Input tokens", "Output tokens",
	"Cache read", "Cache write", "Cost / 1k tokens", "Avg latency ms",
	"p95 latency ms", "Avg TTFT ms", "p95 TTFT ms", "Error rate %",
	"Unpriced",
};

struct model_row {
	struct dash_row	r;
	int64_t		p95_latency, p95_ttft;	/* -1: none */
};

struct models_ctx {
	struct model_row	*m;
	size_t			 n, cap;
};

static int
model_cb(const struct dash_row *r, void *arg)
{
	struct models_ctx	*c = arg;
	struct model_row	*p;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		if ((p = reallocarray(c->m, c->cap, sizeof(*p))) == NULL)
			return -1;
		c->m = p;
	}
	c->m[c->n].r = *r;
	c->m[c->n].p95_latency = c->m[c->n].p95_ttft = -1;
	c->n++;
	return 0;
}

static int
p95_cb(const struct dash_pctl *p, void *arg)
{
	struct models_ctx	*c = arg;
	size_t			 i;

	for (i = 0; i < c->n; i++)
		if (c->m[i].r.key_null == p->key_null &&
		    (p->key_null || strcmp(c->m[i].r.key, p->key) == 0)) {
			c->m[i].p95_latency = p->latency_us;
			c->m[i].p95_ttft = p->ttft_us;
		}
	return 0;
}

static void
cost_chart(struct ui *ui, const struct models_ctx *c)
{
	struct svg_bar		 bars[UI_BARS_SHOWN];
	struct svg_bar_chart	 chart;
	struct llmops_err	 err;
	char			 texts[UI_BARS_SHOWN][48];
	size_t			 i, n = 0;

	for (i = 0; i < c->n && n < UI_BARS_SHOWN; i++, n++) {
		const struct dash_row	*r = &c->m[i].r;

		bars[n].label = r->key_null ? UI_UNTAGGED : r->key;
		bars[n].value = r->s.priced_requests ? strtod(r->s.cost, NULL) : 0;
		ui_usd(texts[n], sizeof(texts[n]), r->s.priced_requests ?
		    r->s.cost : NULL);
		bars[n].value_text = texts[n];
	}
	memset(&chart, 0, sizeof(chart));
	chart.id = "c-models";
	chart.title = "Cost by model";
	chart.desc = "The table below compares every model.";
	chart.bars = bars;
	chart.nbars = n;
	chart.unit = SVG_UNIT_USD;
	err_clear(&err);
	writer_puts(ui->w, "<section class=\"chart\">\n");
	if (svg_bar_chart(ui->w, &chart, &err) != 0)
		ui_notice(ui, err.msg);
	writer_puts(ui->w, "</section>\n");
}

static void
ms(int64_t us, char *buf, size_t sz)
{
	if (us < 0 || decimal_format(us, 3, buf, sz) != 0)
		buf[0] = '\0';
}

void
ui_models(struct ui *ui)
{
	struct models_ctx	 c;
	struct ui_table		 t;
	struct llmops_err	 err;
	const char		*v[MODELS_NCOLS];
	char			 n[6][24], per1k[48], lat[24], plat[24];
	char			 ttft[24], pttft[24], rate[24];
	int64_t			 pico;
	size_t			 i;
	int			 csv;

	if (ui_scope(ui) != 0)
		return;
	csv = ui_wants_csv(ui);
	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	t.id = "models";
	t.title = "Model comparison";
	t.cols = model_cols;
	t.labels = model_labels;
	t.ncols = MODELS_NCOLS;
	t.link_dim = DIM__MAX;
	err_clear(&err);
	if (dash_by(ui->app->db, &ui->f, DIM_MODEL, model_cb, &c, &err) != 0 ||
	    dash_percentiles(ui->app->db, &ui->f, DIM_MODEL, 95, p95_cb, &c,
	    &err) != 0) {
		ui_db_error(ui, "models", &err);
		free(c.m);
		return;
	}
	if (!csv) {
		page_begin(ui, PAGE_DASHBOARD, 200, "Model Comparison");
		cost_chart(ui, &c);
	}
	if (ui_table_begin(ui, &t) == 0) {
		for (i = 0; i < c.n; i++) {
			const struct dash_sums	*s = &c.m[i].r.s;

			snprintf(n[0], sizeof(n[0]), "%lld", (long long)s->requests);
			snprintf(n[1], sizeof(n[1]), "%lld",
			    (long long)s->prompt_tokens);
			snprintf(n[2], sizeof(n[2]), "%lld",
			    (long long)s->completion_tokens);
			snprintf(n[3], sizeof(n[3]), "%lld",
			    (long long)s->cache_read_tokens);
			snprintf(n[4], sizeof(n[4]), "%lld",
			    (long long)s->cache_write_tokens);
			snprintf(n[5], sizeof(n[5]), "%lld",
			    (long long)(s->requests - s->priced_requests));
			/* Cost per 1,000 tokens, in picodollars, rounded. */
			per1k[0] = '\0';
			if (s->priced_requests > 0 && decimal_parse(s->cost,
			    COST_SCALE_DIGITS, INT64_MAX, &pico) == 0)
				dash_ratio(pico, s->total_tokens, 1000,
				    COST_SCALE_DIGITS, per1k, sizeof(per1k));
			dash_ratio(s->latency_us_sum, s->latency_count, 1, 3, lat,
			    sizeof(lat));
			dash_ratio(s->ttft_us_sum, s->ttft_count, 1, 3, ttft,
			    sizeof(ttft));
			dash_ratio(s->errors, s->requests, 10000, 2, rate,
			    sizeof(rate));
			ms(c.m[i].p95_latency, plat, sizeof(plat));
			ms(c.m[i].p95_ttft, pttft, sizeof(pttft));
			v[0] = c.m[i].r.key_null ? NULL : c.m[i].r.key;
			v[1] = s->priced_requests > 0 ? s->cost : NULL;
			v[2] = n[0];
			v[3] = n[1];
			v[4] = n[2];
			v[5] = n[3];
			v[6] = n[4];
			v[7] = *per1k ? per1k : NULL;
			v[8] = *lat ? lat : NULL;
			v[9] = *plat ? plat : NULL;
			v[10] = *ttft ? ttft : NULL;
			v[11] = *pttft ? pttft : NULL;
			v[12] = *rate ? rate : NULL;
			v[13] = n[5];
			ui_table_row(ui, &t, v);
		}
		ui_table_end(ui, &t);
	}
	free(c.m);
	if (!csv)
		page_end(ui);
	ui_csv_done(ui);
}
