/*
 * Overview: total cost, requests, tokens, error rate, average and p95
 * latency, the share of spend that is untagged (no department, team or
 * agent), the top movers against the previous period of the same length,
 * and cost over time.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "log.h"
#include "page.h"
#include "ui_chart.h"
#include "ui_pages.h"

/* Agents listed as top movers. */
#define MOVERS_SHOWN	10

/* One card: a label and a value, the exact value in data-v. */
static void
card(struct ui *ui, const char *id, const char *label, const char *shown,
    const char *exact)
{
	struct writer	*w = ui->w;

	writer_puts(w, "<div class=\"card\" id=\"k-");
	html_attr(w, id);
	writer_puts(w, "\"><div class=\"k\">");
	html_text(w, label);
	writer_puts(w, "</div><div class=\"v\"");
	if (exact != NULL) {
		writer_puts(w, " data-v=\"");
		html_attr(w, exact);
		writer_puts(w, "\"");
	}
	writer_puts(w, ">");
	html_text(w, shown);
	writer_puts(w, "</div></div>\n");
}

/*
 * The priced spend without a value of dim (picodollars) within the page's
 * filter: total when the filter asks for untagged d, 0 when it names a
 * value of d, else the sum of the rollups where d is NULL.
 */
static int
untagged_pico(struct ui *ui, enum dim d, int64_t total, int64_t *pico,
    struct llmops_err *err)
{
	struct usage_filter	f = ui->f;
	struct usage_sums	s;

	*pico = 0;
	if (f.set[d]) {
		*pico = f.value[d] == NULL ? total : 0;
		return 0;
	}
	f.set[d] = 1;
	f.value[d] = NULL;
	if (db_usage_totals(ui->app->db, &f, &s, err) != 0)
		return -1;
	if (s.priced_requests > 0)
		decimal_parse(s.cost, COST_SCALE_DIGITS, INT64_MAX, pico);
	return 0;
}

static int
p95_cb(const struct usage_pctl *p, void *arg)
{
	*(struct usage_pctl *)arg = *p;
	return 0;
}

/* The values of the first cards, in order; the p95 is read in between. */
static const enum usage_col card_cols[] = {
	UCOL_COST, UCOL_REQUESTS, UCOL_TOTAL_TOKENS, UCOL_ERROR_RATE,
	UCOL_AVG_LATENCY, UCOL_P95_LATENCY,
};
#define CARD_NCOLS	(sizeof(card_cols) / sizeof(card_cols[0]))

static void
cards(struct ui *ui, const struct usage_sums *s)
{
	static const enum dim dims[3] = { DIM_DEPARTMENT, DIM_TEAM, DIM_AGENT };
	static const char *const ids[3] = {
		"untagged_department", "untagged_team", "untagged_agent",
	};
	static const char *const labels[3] = {
		"Spend without department", "Spend without team",
		"Spend without agent",
	};
	struct llmops_err	 err;
	struct usage_pctl	 p95;
	struct usage_text	 t, tp;
	const char		*v[CARD_NCOLS];
	char			 shown[96], exact[64], usd[48], hits[32];
	int64_t			 total = 0, pico;
	int			 i;

	usage_values(s, NULL, card_cols, CARD_NCOLS - 1, &t, v);
	writer_puts(ui->w, "<div class=\"cards\">\n");
	ui_usd(shown, sizeof(shown), v[0]);
	card(ui, "cost", "Total cost", shown, v[0]);
	ui_int(shown, sizeof(shown), s->requests);
	card(ui, "requests", "Requests", shown, v[1]);
	ui_int(shown, sizeof(shown), s->total_tokens);
	card(ui, "tokens", "Tokens", shown, v[2]);
	snprintf(shown, sizeof(shown), "%s%%", v[3] ? v[3] : "0.00");
	card(ui, "error_rate", "Error rate", shown, v[3]);
	snprintf(shown, sizeof(shown), "%s ms", v[4] ? v[4] : "-");
	card(ui, "latency_avg", "Average latency", shown, v[4]);
	memset(&p95, 0, sizeof(p95));
	p95.latency_us = p95.ttft_us = -1;
	err_clear(&err);
	if (db_usage_percentiles(ui->app->db, &ui->f, DIM_NONE, 95, p95_cb,
	    &p95, &err) != 0)
		ui_db_error(ui, "p95 latency", &err);
	usage_values(s, &p95, &card_cols[CARD_NCOLS - 1], 1, &tp,
	    &v[CARD_NCOLS - 1]);
	if (v[5] != NULL)
		snprintf(shown, sizeof(shown), "%s ms", v[5]);
	else
		snprintf(shown, sizeof(shown), "-");
	card(ui, "latency_p95", "p95 latency", shown, v[5]);
	/* What LiteLLM's cache saved (its saved_cache_cost), and on how many
	 * calls. */
	ui_usd(usd, sizeof(usd), s->saved_cache_cost);
	ui_int(hits, sizeof(hits), s->cache_hits);
	snprintf(shown, sizeof(shown), "%s (%s cache hit%s)", usd, hits,
	    s->cache_hits == 1 ? "" : "s");
	card(ui, "cache_savings", "Cache savings", shown, s->saved_cache_cost);
	/* Untagged shares of the priced spend. */
	if (s->priced_requests > 0)
		decimal_parse(s->cost, COST_SCALE_DIGITS, INT64_MAX, &total);
	for (i = 0; i < 3; i++) {
		err_clear(&err);
		if (untagged_pico(ui, dims[i], total, &pico, &err) != 0) {
			ui_db_error(ui, "untagged share", &err);
			break;
		}
		usage_ratio(pico, total, 10000, 2, exact, sizeof(exact));
		snprintf(shown, sizeof(shown), "%s%%", *exact ? exact : "0.00");
		card(ui, ids[i], labels[i], shown, *exact ? exact : NULL);
	}
	writer_puts(ui->w, "</div>\n");
}

/* Agents with their cost now and in the previous period. */
struct mover {
	char	key[LIMIT_TEXT_BYTES];
	int	key_null;
	int64_t	now, before;		/* picodollars */
};

struct movers_ctx {
	struct mover	*m;
	size_t		 n, cap;
	int		 before;		/* filling the previous period */
};

static int
movers_cb(const struct usage_row *r, void *arg)
{
	struct movers_ctx	*c = arg;
	struct mover		*m = NULL, *p;
	int64_t			 pico = 0;
	size_t			 i;

	if (r->s.priced_requests > 0)
		decimal_parse(r->s.cost, COST_SCALE_DIGITS, INT64_MAX, &pico);
	for (i = 0; i < c->n; i++)
		if (c->m[i].key_null == r->key_null &&
		    (r->key_null || strcmp(c->m[i].key, r->key) == 0))
			m = &c->m[i];
	if (m == NULL) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 32;
			if ((p = reallocarray(c->m, c->cap, sizeof(*p))) == NULL)
				return -1;
			c->m = p;
		}
		m = &c->m[c->n++];
		memset(m, 0, sizeof(*m));
		m->key_null = r->key_null;
		memcpy(m->key, r->key, sizeof(m->key));
	}
	if (c->before)
		m->before = pico;
	else
		m->now = pico;
	return 0;
}

static int
by_change(const void *a, const void *b)
{
	const struct mover	*x = a, *y = b;
	int64_t			 dx = llabs(x->now - x->before);
	int64_t			 dy = llabs(y->now - y->before);

	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->key, y->key);
}

static const struct report_col mover_cols[] = {
	{ "agent", COL_TEXT },
	{ "cost_usd", COL_USD },
	{ "previous_cost_usd", COL_USD },
	{ "change_usd", COL_USD },
	{ "change_pct", COL_DECIMAL },
};
static const char *const mover_labels[] = {
	"Agent", "Cost", "Previous period", "Change", "Change %",
};

static void
movers(struct ui *ui)
{
	struct movers_ctx	 c;
	struct usage_filter	 prev = ui->f;
	struct ui_table		 t;
	struct llmops_err	 err;
	const char		*v[5];
	char			 now[48], before[48], change[48], pct[24];
	int64_t			 len = ui->f.until_us - ui->f.since_us;
	size_t			 i;

	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	t.id = "movers";
	t.title = "Top movers against the previous period";
	t.cols = mover_cols;
	t.labels = mover_labels;
	t.ncols = 5;
	t.link_dim = DIM_AGENT;
	t.link_path = "/agents";
	if (ui_table_begin(ui, &t) != 0)
		return;
	prev.since_us = ui->f.since_us - len;
	prev.until_us = ui->f.since_us;
	err_clear(&err);
	if (db_usage_by(ui->app->db, &ui->f, DIM_AGENT, DIM_NONE,
	    LIMIT_USAGE_GROUPS, movers_cb, &c, &err) != 0)
		log_error(LOG_TAG_HTTP, "movers: %s", err.msg);
	c.before = 1;
	if (db_usage_by(ui->app->db, &prev, DIM_AGENT, DIM_NONE,
	    LIMIT_USAGE_GROUPS, movers_cb, &c, &err) != 0)
		log_error(LOG_TAG_HTTP, "movers, previous period: %s", err.msg);
	/* No agent at all: c.m is NULL, which qsort may not be given. */
	if (c.n > 0)
		qsort(c.m, c.n, sizeof(c.m[0]), by_change);
	for (i = 0; i < c.n && i < MOVERS_SHOWN; i++) {
		decimal_format(c.m[i].now, COST_SCALE_DIGITS, now, sizeof(now));
		decimal_format(c.m[i].before, COST_SCALE_DIGITS, before,
		    sizeof(before));
		decimal_format(c.m[i].now - c.m[i].before, COST_SCALE_DIGITS,
		    change, sizeof(change));
		usage_ratio(c.m[i].now - c.m[i].before, c.m[i].before, 10000, 2,
		    pct, sizeof(pct));
		v[0] = c.m[i].key_null ? NULL : c.m[i].key;
		v[1] = now;
		v[2] = before;
		v[3] = change;
		v[4] = *pct ? pct : NULL;
		ui_table_row(ui, &t, v);
	}
	ui_table_end(ui, &t);
	free(c.m);
}

void
ui_overview(struct ui *ui)
{
	struct usage_sums	s;
	struct llmops_err	err;
	int			csv;

	if (ui_scope(ui) != 0)
		return;
	csv = ui_wants_csv(ui);
	err_clear(&err);
	if (!csv) {
		if (db_usage_totals(ui->app->db, &ui->f, &s, &err) != 0) {
			ui_db_error(ui, "overview", &err);
			return;
		}
		page_begin(ui, PAGE_DASHBOARD, 200, "Overview");
		cards(ui, &s);
		if (s.requests > s.priced_requests)
			writer_printf(ui->w, "<p class=\"notice\">%lld requests "
			    "have no price: they are counted, not costed (see "
			    "llmopsctl cost-check).</p>\n",
			    (long long)(s.requests - s.priced_requests));
	}
	movers(ui);
	ui_series(ui, "cost_series", "Cost over time", METRIC_COST,
	    strcmp(ui->range, "24h") != 0, DIM_NONE);
	ui_ranked(ui, DIM_AGENT, "top_agents", "Cost by agent", "/agents");
	if (!csv)
		page_end(ui);
	ui_csv_done(ui);
}
