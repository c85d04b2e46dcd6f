/*
 * Model Comparison: per model, side by side: cost, requests, input,
 * output and cache tokens, cost per 1k tokens, average and p95 latency,
 * time to first token, error rate. Sums come from the rollups, the p95s
 * from the raw events.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "ui_chart.h"
#include "ui_pages.h"

/* The columns after the model's, in order. */
static const enum usage_col model_cols[] = {
	UCOL_COST, UCOL_REQUESTS, UCOL_PROMPT_TOKENS, UCOL_COMPLETION_TOKENS,
	UCOL_CACHE_READ_TOKENS, UCOL_CACHE_WRITE_TOKENS,
	UCOL_COST_PER_1K_TOKENS, UCOL_AVG_LATENCY, UCOL_P95_LATENCY,
	UCOL_AVG_TTFT, UCOL_P95_TTFT, UCOL_ERROR_RATE, UCOL_UNPRICED,
};

/* The models, and the p95s of each, found by key. */
struct models_ctx {
	struct ui_rows		 r;
	struct model_p95 {
		int64_t		 latency_us, ttft_us;	/* -1: none */
	}			*p95;	/* r.n of them, once the rows are read */
};

static int
p95_cb(const struct usage_pctl *p, void *arg)
{
	struct models_ctx	*c = arg;
	size_t			 i;

	for (i = 0; i < c->r.n; i++)
		if (c->r.rows[i].key_null == p->key_null &&
		    (p->key_null || strcmp(c->r.rows[i].key, p->key) == 0)) {
			c->p95[i].latency_us = p->latency_us;
			c->p95[i].ttft_us = p->ttft_us;
		}
	return 0;
}

/* The p95s of c's models, -1 until read. */
static int
models_p95(struct ui *ui, struct models_ctx *c, struct llmops_err *err)
{
	size_t	i;

	if ((c->p95 = calloc(c->r.n + 1, sizeof(*c->p95))) == NULL) {
		c->r.oom = 1;
		return err_set(err, 500, "out of memory");
	}
	for (i = 0; i < c->r.n; i++)
		c->p95[i].latency_us = c->p95[i].ttft_us = -1;
	return db_usage_percentiles(ui->app->db, &ui->f, DIM_MODEL, 95, p95_cb,
	    c, err);
}

void
ui_models(struct ui *ui)
{
	static const struct report_col	 key = { "model", COL_TEXT };
	static const char *const	 key_label = "Model";
	struct models_ctx		 c;
	struct ui_usage_table		 u;
	struct usage_pctl		 p95;
	struct llmops_err		 err;
	const char			*v[1];
	size_t				 i;
	int				 csv;

	if (ui_scope(ui) != 0)
		return;
	csv = ui_wants_csv(ui);
	memset(&c, 0, sizeof(c));
	ui_usage_table_init(&u, "models", "Model comparison", &key, &key_label,
	    1, model_cols, sizeof(model_cols) / sizeof(model_cols[0]));
	err_clear(&err);
	if (db_usage_by(ui->app->db, &ui->f, DIM_MODEL, DIM_NONE,
	    LIMIT_USAGE_GROUPS, ui_rows_add, &c.r, &err) != 0 || c.r.oom ||
	    models_p95(ui, &c, &err) != 0) {
		if (c.r.oom)
			ui_error(ui, 500, "out of memory");
		else
			ui_db_error(ui, "models", &err);
		goto out;
	}
	if (!csv) {
		page_begin(ui, PAGE_DASHBOARD, 200, "Model Comparison");
		ui_cost_chart(ui, &c.r, "models", "Cost by model",
		    "The table below compares every model.");
	}
	if (ui_table_begin(ui, &u.t) == 0) {
		for (i = 0; i < c.r.n; i++) {
			v[0] = c.r.rows[i].key_null ? NULL : c.r.rows[i].key;
			p95.latency_us = c.p95[i].latency_us;
			p95.ttft_us = c.p95[i].ttft_us;
			ui_usage_table_row(ui, &u, v, &c.r.rows[i].s, &p95);
		}
		ui_table_end(ui, &u.t);
	}
	if (!csv)
		page_end(ui);
	ui_csv_done(ui);
out:
	free(c.r.rows);
	free(c.p95);
}
