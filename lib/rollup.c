#include "config.h"
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db_event.h"
#include "db_retention.h"
#include "db_rollup.h"
#include "rollup.h"

const enum event_num rollup_tokens[ROLLUP_TOKENS] = {
	EV_PROMPT_TOKENS, EV_COMPLETION_TOKENS, EV_TOTAL_TOKENS,
	EV_CACHE_READ_TOKENS, EV_CACHE_WRITE_TOKENS, EV_REASONING_TOKENS,
};

static int
rollup_cmp(const void *a, const void *b)
{
	const struct rollup_delta	*x = a, *y = b;

	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	if (x->hour_us != y->hour_us)
		return x->hour_us < y->hour_us ? -1 : 1;
	return memcmp(x->key, y->key, ROLLUP_KEY_LEN);
}

/* A value and its count (1), when the event has it. */
static void
sum_of(const struct usage_event *ev, enum event_num f, int64_t *sum,
    int64_t *n)
{
	if (EVENT_HAS(ev, f)) {
		*sum = ev->num[f];
		*n = 1;
	}
}

void
rollup_sums_of(struct rollup_sums *s, const struct usage_event *ev)
{
	int	i;

	memset(s, 0, sizeof(*s));
	s->requests = 1;
	s->errors = ev->status == EVENT_STATUS_FAILURE;
	for (i = 0; i < ROLLUP_TOKENS; i++)
		s->tokens[i] = EVENT_HAS(ev, rollup_tokens[i]) ?
		    ev->num[rollup_tokens[i]] : 0;
	sum_of(ev, EV_LITELLM_COST, &s->litellm_cost, &s->litellm_cost_events);
	sum_of(ev, EV_COST, &s->cost, &s->priced);
	sum_of(ev, EV_OUR_COST, &s->our_cost, &s->our_cost_events);
	sum_of(ev, EV_LATENCY_US, &s->latency_sum, &s->latency_count);
	sum_of(ev, EV_TTFT_US, &s->ttft_sum, &s->ttft_count);
	s->cache_hits = ev->cache_hit == CACHE_HIT_YES;
	if (EVENT_HAS(ev, EV_SAVED_CACHE_COST))
		s->saved_cache_cost = ev->num[EV_SAVED_CACHE_COST];
}

int
rollup_delta_of(struct rollup_delta *d, const struct usage_event *ev)
{
	memset(d, 0, sizeof(*d));
	d->org_id = ev->org_id;
	d->hour_us = usage_event_hour(ev);
	d->dims = ev;
	rollup_sums_of(&d->s, ev);
	return event_key_rollup(ev, d->key);
}

int
rollup_sums_add(struct rollup_sums *a, const struct rollup_sums *b)
{
	struct rollup_sums	t = *a;
	int			i, o = 0;

#define ADD(f)	(o |= __builtin_add_overflow(t.f, b->f, &t.f))
	ADD(requests);
	ADD(errors);
	for (i = 0; i < ROLLUP_TOKENS; i++)
		ADD(tokens[i]);
	ADD(litellm_cost);
	ADD(litellm_cost_events);
	ADD(cost);
	ADD(priced);
	ADD(our_cost);
	ADD(our_cost_events);
	ADD(latency_sum);
	ADD(latency_count);
	ADD(ttft_sum);
	ADD(ttft_count);
	ADD(cache_hits);
	ADD(saved_cache_cost);
#undef ADD
	if (o)
		return -1;
	*a = t;
	return 0;
}

size_t
rollup_merge(struct rollup_delta *d, size_t n)
{
	size_t	i, out = 0;

	qsort(d, n, sizeof(d[0]), rollup_cmp);
	for (i = 0; i < n; i++) {
		/* A row whose sums would overflow is written in two parts. */
		if (out > 0 && rollup_cmp(&d[out - 1], &d[i]) == 0 &&
		    rollup_sums_add(&d[out - 1].s, &d[i].s) == 0)
			continue;
		d[out++] = d[i];
	}
	return out;
}

/* Adds recomputed rows with their keys (a db_rollup_recompute callback). */
static int
rebuild_rows(struct db *db, struct rollup_delta *d, size_t n, void *arg,
    struct llmops_err *err)
{
	size_t	*rows = arg, i;

	for (i = 0; i < n; i++)
		if (event_key_rollup(d[i].dims, d[i].key) != 0)
			return err_set(err, 500, "cannot compute a rollup key");
	if (db_rollup_add(db, d, n, err) != 0)
		return -1;
	*rows += n;
	return 0;
}

/* Arguments of rebuild_org(). */
struct rebuild {
	uint32_t	org_id;
	size_t		rows;		/* of usage_hourly */
	uint64_t	dim_rows;	/* of the rollups per dimension */
};

/*
 * One organization's rollups, in one transaction (a db_txn fn). The hours
 * before the retention horizon keep their rollups: their raw events are
 * pruned, or about to be. The horizon is held (a prune waits to move it)
 * until the rebuild commits. The rows are deleted first, so a loader
 * storing events meanwhile waits on their locks and adds its events after
 * the rebuild has counted what was there.
 */
static int
rebuild_org(struct db *db, void *arg, struct llmops_err *err)
{
	struct rebuild	*r = arg;
	int64_t		 from = 0;

	r->rows = 0;
	r->dim_rows = 0;
	if (db_retention_hold(db, &from, err) != 0 ||
	    db_rollup_clear(db, r->org_id, from, err) != 0 ||
	    db_rollup_fine_make(db, r->org_id, from, err) != 0 ||
	    db_rollup_dim_rebuild(db, r->org_id, from, &r->dim_rows, err) != 0 ||
	    db_rollup_recompute(db, r->org_id, rebuild_rows, &r->rows,
	    err) != 0)
		return -1;
	return db_rollup_fine_drop(db, err);
}

int
rollup_rebuild(struct db *db, uint32_t org_id, size_t *rows,
    uint64_t *dim_rows, struct llmops_err *err)
{
	struct rebuild	 r;
	uint32_t	*ids = &org_id;
	size_t		 i, n = 1;
	int		 rc = -1;

	*rows = 0;
	*dim_rows = 0;
	if (org_id == 0 && admin_org_ids(db, &ids, &n, err) != 0)
		return -1;
	if (db_rollup_rebuild_memory(db, 1, err) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		r.org_id = ids[i];
		if (db_txn(db, DB_WRITE, rebuild_org, &r, err) != 0)
			goto out;
		*rows += r.rows;
		*dim_rows += r.dim_rows;
	}
	rc = db_rollup_rebuild_memory(db, 0, err);
out:
	if (ids != &org_id)
		free(ids);
	return rc;
}
