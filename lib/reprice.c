#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_event.h"
#include "event_key.h"
#include "reprice.h"
#include "rollup_dim.h"

/* One chunk being repriced: where it starts, and what an attempt found. */
struct chunk {
	const struct price_set	*set;
	enum cost_prefer	 prefer;
	struct event_cost_query	 q;
	struct event_cost_row	*rows;		/* REPRICE_CHUNK */
	size_t			 n;
	struct rollup_recost	*d;		/* REPRICE_CHUNK */
	struct rollup_dim_batch	 dims;		/* REPRICE_CHUNK events */
	size_t			 nchanged;
};

static int
changed(const struct event_cost_row *r)
{
	const struct usage_event	*e = &r->ev;

	return (int)EVENT_HAS(e, EV_COST) != r->old_has_cost ||
	    (r->old_has_cost && e->num[EV_COST] != r->old_cost) ||
	    (int)EVENT_HAS(e, EV_OUR_COST) != r->old_has_our ||
	    (r->old_has_our && e->num[EV_OUR_COST] != r->old_our) ||
	    e->cost_source != r->old_source || e->price_id != r->old_price ||
	    e->discount_id != r->old_discount;
}

static int
recost_cmp(const void *a, const void *b)
{
	const struct rollup_recost	*x = a, *y = b;

	if (x->hour_us != y->hour_us)
		return x->hour_us < y->hour_us ? -1 : 1;
	return memcmp(x->key, y->key, ROLLUP_KEY_LEN);
}

static int
apply_recosts(struct db *db, uint32_t org_id, struct rollup_recost *d,
    size_t n, struct llmops_err *err)
{
	size_t	i, out = 0;

	/* Merged per row and sorted, as ingest locks rollup rows. */
	qsort(d, n, sizeof(*d), recost_cmp);
	for (i = 0; i < n; i++) {
		if (out > 0 && recost_cmp(&d[out - 1], &d[i]) == 0) {
			d[out - 1].cost += d[i].cost;
			d[out - 1].priced += d[i].priced;
			d[out - 1].our += d[i].our;
			d[out - 1].our_events += d[i].our_events;
			continue;
		}
		d[out++] = d[i];
	}
	for (i = 0; i < out; i++)
		if (db_rollup_recost(db, org_id, &d[i], err) != 0)
			return -1;
	return 0;
}

/* One chunk in one transaction (a db_txn fn). */
static int
reprice_chunk(struct db *db, void *arg, struct llmops_err *err)
{
	struct chunk		*c = arg;
	struct rollup_recost	*d;
	struct usage_event	*e;
	struct event_cost_row	*r;
	size_t			 i, nd = 0;

	event_cost_rows_release(c->rows, c->n);
	c->n = c->nchanged = 0;
	rollup_dim_batch_clear(&c->dims);
	if (db_event_cost_read(db, &c->q, c->rows, &c->n, err) != 0)
		return -1;
	for (i = 0; i < c->n; i++) {
		r = &c->rows[i];
		e = &r->ev;
		pricing_apply(c->set, c->prefer, e);
		if (!changed(r))
			continue;
		if (db_event_cost_update(db, r->id, e, err) != 0)
			return -1;
		d = &c->d[nd++];
		memset(d, 0, sizeof(*d));
		d->hour_us = usage_event_hour(e);
		if (event_key_rollup(e, d->key) != 0)
			return err_set(err, 500, "cannot compute a rollup key");
		d->cost = (EVENT_HAS(e, EV_COST) ? e->num[EV_COST] : 0) -
		    (r->old_has_cost ? r->old_cost : 0);
		d->priced = (int64_t)EVENT_HAS(e, EV_COST) - r->old_has_cost;
		d->our = (EVENT_HAS(e, EV_OUR_COST) ? e->num[EV_OUR_COST] : 0) -
		    (r->old_has_our ? r->old_our : 0);
		d->our_events = (int64_t)EVENT_HAS(e, EV_OUR_COST) -
		    r->old_has_our;
		if (rollup_dim_add_recost(&c->dims, e, d) != 0)
			return err_set(err, 500, "reprice: more events than the "
			    "chunk holds");
	}
	c->nchanged = nd;
	if (apply_recosts(db, c->q.org_id, c->d, nd, err) != 0)
		return -1;
	return rollup_dim_write_recost(db, &c->dims, err);
}

int
reprice_org(struct db *db, const struct price_set *set, enum cost_prefer prefer,
    uint32_t org_id, int64_t since_us, int64_t until_us, const char *model,
    struct reprice_stats *st, struct llmops_err *err)
{
	struct chunk		c;
	struct label_cache	labels;
	int64_t			last_occurred = since_us - 1, last_id = 0;
	int			more = 1, rc = -1;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.set = set;
	c.prefer = prefer;
	c.q.org_id = org_id;
	c.q.until_us = until_us;
	c.q.model = model;
	c.q.limit = REPRICE_CHUNK;
	label_cache_init(&labels);
	c.q.labels = &labels;
	if ((c.rows = calloc(REPRICE_CHUNK, sizeof(*c.rows))) == NULL ||
	    (c.d = calloc(REPRICE_CHUNK, sizeof(*c.d))) == NULL ||
	    rollup_dim_batch_init(&c.dims, REPRICE_CHUNK) != 0) {
		err_set(err, 500, "out of memory");
		goto out;
	}
	while (more) {
		/* After (last_occurred, last_id) in (occurred_us, id) order. */
		c.q.from_us = last_occurred > since_us ? last_occurred : since_us;
		c.q.after_occurred_us = last_occurred;
		c.q.after_id = last_id;
		if (db_txn(db, DB_WRITE, reprice_chunk, &c, err) != 0)
			goto out;
		st->examined += c.n;
		st->changed += c.nchanged;
		st->chunks++;
		more = c.n == REPRICE_CHUNK;
		if (c.n > 0) {
			last_occurred = c.rows[c.n - 1].occurred_us;
			last_id = c.rows[c.n - 1].id;
		}
	}
	rc = 0;
out:
	if (c.rows != NULL)
		event_cost_rows_release(c.rows, c.n);
	rollup_dim_batch_release(&c.dims);
	label_cache_release(&labels);
	free(c.d);
	free(c.rows);
	return rc;
}
