/*
 * Model Comparison: per model, side by side: the deployments that served
 * it (the hosts of their api_base with their shares of the requests, and
 * how many deployments LiteLLM's model_id told apart), cost, requests,
 * input, output and cache tokens, cost per 1k tokens, average and p95
 * latency, time to first token, error rate. Sums and deployments come from
 * the rollups, the p95s from their histograms (lib/db_usage.c says when
 * raw events answer instead).
 */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
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

/* Hosts named in a model's deployments cell; the others are counted. */
#define SERVED_HOSTS_SHOWN	3
#define SERVED_TEXT_BYTES	512

/* The models, and the p95s and deployments of each, found by key. */
struct models_ctx {
	struct ui_rows		 r;
	struct model_p95 {
		int64_t		 latency_us, ttft_us;	/* -1: none */
	}			*p95;	/* r.n of them, once the rows are read */
	struct model_served {
		char		 text[SERVED_TEXT_BYTES];
		size_t		 hosts, deployments;
		int64_t		 requests;	/* its share's whole */
	}			*served;	/* r.n of them */
	enum usage_serving	 serving;	/* being read */
};

/* The row of c's model of r, or -1. */
static ssize_t
model_row(const struct models_ctx *c, int key_null, const char *key)
{
	size_t	i;

	for (i = 0; i < c->r.n; i++)
		if (c->r.rows[i].key_null == key_null &&
		    (key_null || strcmp(c->r.rows[i].key, key) == 0))
			return (ssize_t)i;
	return -1;
}

/*
 * Adds a host (most requests first) with its share of the model's
 * requests to its cell, or counts a deployment. Values LiteLLM did not
 * report are neither.
 */
static int
served_cb(const struct usage_served *s, void *arg)
{
	struct models_ctx	*c = arg;
	struct model_served	*m;
	ssize_t			 i;
	char			 pct[32];
	size_t			 len;
	int64_t			 total;

	if ((i = model_row(c, s->model_null, s->model)) < 0 || s->value_null)
		return 0;
	m = &c->served[i];
	if (c->serving == SERVING_DEPLOYMENT) {
		m->deployments++;
		return 0;
	}
	if (m->hosts++ >= SERVED_HOSTS_SHOWN)
		return 0;
	total = m->requests;
	usage_ratio(s->requests, total, 100, 0, pct, sizeof(pct));
	len = strlen(m->text);
	snprintf(m->text + len, sizeof(m->text) - len, "%s%s %s%%",
	    len ? ", " : "", s->value, *pct ? pct : "0");
	return 0;
}

/* A model's requests in the whole organization (a db_usage_by callback). */
static int
whole_cb(const struct usage_row *r, void *arg)
{
	struct models_ctx	*c = arg;
	ssize_t			 i;

	if ((i = model_row(c, r->key_null, r->key)) >= 0)
		c->served[i].requests = r->s.requests;
	return 0;
}

/*
 * The deployments cell of each model: its hosts, then how many more and
 * how many deployments; NULL when LiteLLM reported none. Under a filter
 * that names more than the model, those of the whole organization, with
 * shares of the model's requests there (db_usage_served).
 */
static int
models_served(struct ui *ui, struct models_ctx *c, struct llmops_err *err)
{
	struct usage_filter	 whole = ui->f;
	struct model_served	*m;
	size_t			 i, len;
	int			 d;

	if ((c->served = calloc(c->r.n + 1, sizeof(*c->served))) == NULL) {
		c->r.oom = 1;
		return err_set(err, 500, "out of memory");
	}
	for (i = 0; i < c->r.n; i++)
		c->served[i].requests = c->r.rows[i].s.requests;
	for (d = 0; d < DIM__MAX; d++)
		if (d != DIM_MODEL)
			whole.set[d] = 0;
	if (usage_served_whole_org(&ui->f) &&
	    db_usage_by(ui->app->db, &whole, DIM_MODEL, DIM_NONE,
	    LIMIT_USAGE_GROUPS, whole_cb, c, err) != 0)
		return -1;
	c->serving = SERVING_API_HOST;
	if (db_usage_served(ui->app->db, &whole, SERVING_API_HOST, served_cb,
	    c, err) != 0)
		return -1;
	c->serving = SERVING_DEPLOYMENT;
	if (db_usage_served(ui->app->db, &whole, SERVING_DEPLOYMENT, served_cb,
	    c, err) != 0)
		return -1;
	for (i = 0; i < c->r.n; i++) {
		m = &c->served[i];
		len = strlen(m->text);
		if (m->hosts > SERVED_HOSTS_SHOWN)
			snprintf(m->text + len, sizeof(m->text) - len,
			    ", %zu more host%s", m->hosts - SERVED_HOSTS_SHOWN,
			    m->hosts - SERVED_HOSTS_SHOWN == 1 ? "" : "s");
		len = strlen(m->text);
		if (m->deployments > 0)
			snprintf(m->text + len, sizeof(m->text) - len,
			    "%s%zu deployment%s", len ? "; " : "",
			    m->deployments, m->deployments == 1 ? "" : "s");
	}
	return 0;
}

static int
p95_cb(const struct usage_pctl *p, void *arg)
{
	struct models_ctx	*c = arg;
	ssize_t			 i;

	if ((i = model_row(c, p->key_null, p->key)) >= 0) {
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
	static const struct report_col	 served = { "deployments", COL_TEXT };
	struct models_ctx		 c;
	struct ui_usage_table		 u;
	struct usage_pctl		 p95;
	struct llmops_err		 err;
	const char			*v[1], *text[1];
	size_t				 i;
	int				 csv;

	if (ui_scope(ui) != 0)
		return;
	csv = ui_wants_csv(ui);
	memset(&c, 0, sizeof(c));
	ui_usage_table_init(&u, "models", "Model comparison", &key, &key_label,
	    1, model_cols, sizeof(model_cols) / sizeof(model_cols[0]));
	ui_usage_table_text(&u, &served, usage_served_whole_org(&ui->f) ?
	    "Deployments (whole organization)" : "Deployments");
	err_clear(&err);
	if (db_usage_by(ui->app->db, &ui->f, DIM_MODEL, DIM_NONE,
	    LIMIT_USAGE_GROUPS, ui_rows_add, &c.r, &err) != 0 || c.r.oom ||
	    models_p95(ui, &c, &err) != 0 || models_served(ui, &c, &err) != 0) {
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
			text[0] = c.served[i].text[0] ? c.served[i].text : NULL;
			p95.latency_us = c.p95[i].latency_us;
			p95.ttft_us = c.p95[i].ttft_us;
			ui_usage_table_row(ui, &u, v, &c.r.rows[i].s, &p95,
			    text);
		}
		ui_table_end(ui, &u.t);
	}
	if (!csv)
		page_end(ui);
	ui_csv_done(ui);
out:
	free(c.r.rows);
	free(c.p95);
	free(c.served);
}
