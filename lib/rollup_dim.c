/* The rollups per dimension: see rollup_dim.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_event.h"
#include "db_usage.h"
#include "db_rollup.h"
#include "hist.h"
#include "rollup_dim.h"
#include "timefmt.h"

/* Rows of each table one event adds to at most. */
#define ROWS_PER_EVENT		(ROLLUP_GRAINS * ROLLUP_KEYS)
#define HIST_PER_EVENT		(ROLLUP_GRAINS * ROLLUP_KEYS * ROLLUP_METRICS)

/* The drill-downs: parent and child of each pair code, in code order. */
static const int pairs[ROLLUP_PAIRS][2] = {
	{ DIM_DEPARTMENT, DIM_TEAM },
	{ DIM_DEPARTMENT, DIM_AGENT },
	{ DIM_TEAM, DIM_AGENT },
	{ DIM_DEPARTMENT, DIM_MODEL },	/* ROLLUP_MODEL_IN_DEPARTMENT */
};

int
rollup_pair_of(int parent, int child)
{
	int	i;

	for (i = 0; i < ROLLUP_PAIRS; i++)
		if (pairs[i][0] == parent && pairs[i][1] == child)
			return ROLLUP_DIMS + i;
	return -1;
}

int
rollup_dim_has_hist(enum rollup_grain g, int dim)
{
	/*
	 * What the views ask: the Overview's totals (also of one department)
	 * and Model Comparison's models. Histograms of the agents and teams
	 * would cost more rows than the events have (hundreds of values, each
	 * with dozens of bins per day): percentiles filtered by them are
	 * computed from raw events.
	 */
	if (dim == ROLLUP_DIM_NONE || dim == DIM_MODEL)
		return 1;
	return g == ROLLUP_DAY && (dim == DIM_DEPARTMENT ||
	    dim == ROLLUP_MODEL_IN_DEPARTMENT);
}

_Static_assert(DIM_DEPARTMENT == 1 && DIM_TEAM == 2 && DIM_AGENT == 3 &&
    DIM_MODEL == 4 && DIM_PROVIDER == 5 && ROLLUP_DIMS == DIM_PROVIDER + 1,
    "the rollups' dim codes are those of enum dim (schema/007_rollups.sql)");

int
rollup_dim_batch_init(struct rollup_dim_batch *b, size_t events)
{
	memset(b, 0, sizeof(*b));
	b->rows = calloc(events * ROWS_PER_EVENT, sizeof(*b->rows));
	b->hist = calloc(events * HIST_PER_EVENT, sizeof(*b->hist));
	b->errs = calloc(events, sizeof(*b->errs));
	if (b->rows == NULL || b->hist == NULL || b->errs == NULL) {
		rollup_dim_batch_release(b);
		return -1;
	}
	b->cap = events;
	return 0;
}

void
rollup_dim_batch_clear(struct rollup_dim_batch *b)
{
	b->nrows = b->nhist = b->nerrs = b->nevents = 0;
}

void
rollup_dim_batch_release(struct rollup_dim_batch *b)
{
	free(b->rows);
	free(b->hist);
	free(b->errs);
	memset(b, 0, sizeof(*b));
}

static const char *
or_none(const char *s)
{
	return s != NULL ? s : "";
}

/* The value of the event's dimension d (ROLLUP_DIM_NONE: ""). */
static const char *
dim_value(const struct usage_event *ev, int d)
{
	const char	*v[ROLLUP_DIMS] = {
		"", ev->department, ev->team, ev->agent, ev->model, ev->provider,
	};

	return or_none(v[d]);
}

/* 1 when the event counts in the row of key k: in every row but those of
 * what served the model when LiteLLM did not say. */
static int
counts_in(const struct rollup_dim_key *k)
{
	return k->dim < ROLLUP_DEPLOYMENT || *k->value != '\0';
}

/* The keys of the event's rows: grain x (dimension, then drill-down). */
static void
event_keys(const struct usage_event *ev, struct rollup_dim_key *k)
{
	int64_t	hour = usage_event_hour(ev);
	int	g, d;

	for (g = 0; g < ROLLUP_GRAINS; g++)
		for (d = 0; d < ROLLUP_KEYS; d++, k++) {
			k->org_id = ev->org_id;
			k->grain = (uint8_t)g;
			k->dim = (uint8_t)d;
			k->bucket_us = g == ROLLUP_HOUR ? hour :
			    time_day_floor(hour);
			if (d < ROLLUP_DIMS) {
				k->parent = "";
				k->value = dim_value(ev, d);
			} else if (d == ROLLUP_STATUS) {
				k->parent = "";
				k->value = or_none(event_status_name(ev->status));
			} else if (d == ROLLUP_DEPLOYMENT) {
				k->parent = or_none(ev->model);
				k->value = or_none(ev->deployment);
			} else if (d == ROLLUP_API_HOST) {
				k->parent = or_none(ev->model);
				k->value = or_none(ev->api_host);
			} else {
				k->parent = dim_value(ev,
				    pairs[d - ROLLUP_DIMS][0]);
				k->value = dim_value(ev,
				    pairs[d - ROLLUP_DIMS][1]);
			}
		}
}

int
rollup_dim_add_event(struct rollup_dim_batch *b, const struct usage_event *ev)
{
	static const enum event_num	metric_of[ROLLUP_METRICS] = {
		EV_LATENCY_US, EV_TTFT_US,
	};
	struct rollup_dim_key		k[ROWS_PER_EVENT];
	struct rollup_sums		s;
	struct rollup_dim_hist		*h;
	struct rollup_dim_error		*e;
	int				i, m;

	if (b->nevents == b->cap)
		return -1;
	b->nevents++;
	rollup_sums_of(&s, ev);
	event_keys(ev, k);
	for (i = 0; i < ROWS_PER_EVENT; i++) {
		if (!counts_in(&k[i]))
			continue;
		b->rows[b->nrows].k = k[i];
		b->rows[b->nrows++].s = s;
		if (!rollup_dim_has_hist(k[i].grain, k[i].dim))
			continue;
		for (m = 0; m < ROLLUP_METRICS; m++) {
			if (!EVENT_HAS(ev, metric_of[m]))
				continue;
			h = &b->hist[b->nhist++];
			h->k = k[i];
			h->metric = (uint8_t)m;
			h->bin = (uint16_t)hist_bin(ev->num[metric_of[m]]);
			h->n = 1;
		}
	}
	if (ev->status == EVENT_STATUS_FAILURE) {
		e = &b->errs[b->nerrs++];
		e->org_id = ev->org_id;
		e->hour_us = usage_event_hour(ev);
		e->cls = or_none(ev->error_class);
		e->code = or_none(ev->error_code);
		e->model = or_none(ev->model);
		e->provider = or_none(ev->provider);
		e->n = 1;
	}
	return 0;
}

int
rollup_dim_add_recost(struct rollup_dim_batch *b, const struct usage_event *ev,
    const struct rollup_recost *c)
{
	struct rollup_dim_key	k[ROWS_PER_EVENT];
	struct rollup_dim_row	*r;
	int			i;

	if (b->nevents == b->cap)
		return -1;
	b->nevents++;
	event_keys(ev, k);
	for (i = 0; i < ROWS_PER_EVENT; i++) {
		if (!counts_in(&k[i]))
			continue;
		r = &b->rows[b->nrows++];
		memset(r, 0, sizeof(*r));
		r->k = k[i];
		r->s.cost = c->cost;
		r->s.priced = c->priced;
		r->s.our_cost = c->our;
		r->s.our_cost_events = c->our_events;
	}
	return 0;
}

/* Key order: the order of the tables' primary keys (utf8mb4_bin is the
 * order of the bytes). */
static int
key_cmp(const struct rollup_dim_key *x, const struct rollup_dim_key *y)
{
	int	c;

	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	if (x->grain != y->grain)
		return x->grain < y->grain ? -1 : 1;
	if (x->dim != y->dim)
		return x->dim < y->dim ? -1 : 1;
	if (x->bucket_us != y->bucket_us)
		return x->bucket_us < y->bucket_us ? -1 : 1;
	if ((c = strcmp(x->parent, y->parent)) != 0)
		return c;
	return strcmp(x->value, y->value);
}

static int
row_cmp(const void *a, const void *b)
{
	return key_cmp(&((const struct rollup_dim_row *)a)->k,
	    &((const struct rollup_dim_row *)b)->k);
}

static int
hist_cmp(const void *a, const void *b)
{
	const struct rollup_dim_hist	*x = a, *y = b;
	int				 c = key_cmp(&x->k, &y->k);

	if (c != 0)
		return c;
	if (x->metric != y->metric)
		return x->metric < y->metric ? -1 : 1;
	return x->bin < y->bin ? -1 : x->bin > y->bin;
}

static int
err_cmp(const void *a, const void *b)
{
	const struct rollup_dim_error	*x = a, *y = b;
	int				 c;

	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	if (x->hour_us != y->hour_us)
		return x->hour_us < y->hour_us ? -1 : 1;
	if ((c = strcmp(x->cls, y->cls)) != 0 ||
	    (c = strcmp(x->code, y->code)) != 0 ||
	    (c = strcmp(x->model, y->model)) != 0)
		return c;
	return strcmp(x->provider, y->provider);
}

/* A count that saturates like the columns it is added to. */
static void
count_add(int64_t *a, int64_t b)
{
	if (__builtin_add_overflow(*a, b, a))
		*a = INT64_MAX;
}

void
rollup_dim_merge(struct rollup_dim_batch *b)
{
	size_t	i, out;

	qsort(b->rows, b->nrows, sizeof(*b->rows), row_cmp);
	for (i = out = 0; i < b->nrows; i++) {
		/* A row whose sums would overflow is written in two parts. */
		if (out > 0 && row_cmp(&b->rows[out - 1], &b->rows[i]) == 0 &&
		    rollup_sums_add(&b->rows[out - 1].s, &b->rows[i].s) == 0)
			continue;
		b->rows[out++] = b->rows[i];
	}
	b->nrows = out;
	qsort(b->hist, b->nhist, sizeof(*b->hist), hist_cmp);
	for (i = out = 0; i < b->nhist; i++) {
		if (out > 0 && hist_cmp(&b->hist[out - 1], &b->hist[i]) == 0)
			count_add(&b->hist[out - 1].n, b->hist[i].n);
		else
			b->hist[out++] = b->hist[i];
	}
	b->nhist = out;
	qsort(b->errs, b->nerrs, sizeof(*b->errs), err_cmp);
	for (i = out = 0; i < b->nerrs; i++) {
		if (out > 0 && err_cmp(&b->errs[out - 1], &b->errs[i]) == 0)
			count_add(&b->errs[out - 1].n, b->errs[i].n);
		else
			b->errs[out++] = b->errs[i];
	}
	b->nerrs = out;
}

int
rollup_dim_write(struct db *db, struct rollup_dim_batch *b,
    struct llmops_err *err)
{
	rollup_dim_merge(b);
	if (db_rollup_dim_upsert(db, b->rows, b->nrows, err) != 0 ||
	    db_rollup_hist_merge(db, b->hist, b->nhist, err) != 0 ||
	    db_rollup_errors_upsert(db, b->errs, b->nerrs, err) != 0)
		return -1;
	return 0;
}

int
rollup_dim_write_recost(struct db *db, struct rollup_dim_batch *b,
    struct llmops_err *err)
{
	size_t	i;

	rollup_dim_merge(b);
	for (i = 0; i < b->nrows; i++)
		if (db_rollup_dim_recost(db, &b->rows[i], err) != 0)
			return -1;
	return 0;
}
