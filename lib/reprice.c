#include "config.h"
#include "db_legacy.h"

#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "event_key.h"
#include "reprice.h"

/* Deadlocks with ingest on the same rollup rows: retried, like store.c. */
#define REPRICE_DEADLOCK_RETRIES	3
/* Text buffers of the chunk's columns. */
#define REPRICE_TEXT_BYTES		(255 * 4 + 1)
#define REPRICE_NUM_BYTES		48

/* One event of a chunk as read back, with what it had and what it gets. */
struct row {
	int64_t			id;
	struct usage_event	ev;		/* owned strings */
	int64_t			old_cost, old_our;
	int			old_has_cost, old_has_our;
	enum cost_source	old_source;
	uint32_t		old_price, old_discount;
};

/* A signed change of one rollup row. */
struct recost {
	int64_t		hour_us;
	unsigned char	key[ROLLUP_KEY_LEN];
	int64_t		cost, priced, our, our_events;
};

struct chunk {
	struct row	*rows;
	size_t		 n;
	int64_t		 last_occurred;
	int64_t		 last_id;
};

static void
chunk_release(struct chunk *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		usage_event_release(&c->rows[i].ev);
	c->n = 0;
}

static int
cost_text(const char *text, int isnull, int64_t *out, int *has)
{
	*has = !isnull;
	*out = 0;
	return isnull ? 0 : decimal_parse(text, COST_SCALE_DIGITS, INT64_MAX, out);
}

static int
dup_or_null(char **out, const char *s, int isnull)
{
	*out = NULL;
	return isnull ? 0 : ((*out = strdup(s)) == NULL ? -1 : 0);
}

/* Reads the next chunk (locked FOR UPDATE) into c. */
static int
read_chunk(struct db *db, uint32_t org_id, int64_t since, int64_t until,
    const char *model, struct chunk *c, struct llmops_err *err)
{
	static const enum event_num counts[] = {
		EV_PROMPT_TOKENS, EV_COMPLETION_TOKENS, EV_TOTAL_TOKENS,
		EV_CACHE_READ_TOKENS, EV_CACHE_WRITE_TOKENS,
		EV_CACHE_WRITE_1H_TOKENS, EV_REASONING_TOKENS,
	};
	struct db_params	 p;
	struct db_cols		 cols;
	struct row		*r;
	int64_t			 id = 0, occurred = 0, num[7], price = 0, disc = 0;
	char			(*text)[REPRICE_TEXT_BYTES] = NULL;
	char			 cost[3][REPRICE_NUM_BYTES], status[16], source[16];
	int			 rc = -1, k, got;

	/* dims: department, team, agent, model, model_group, provider */
	if ((text = calloc(6, sizeof(*text))) == NULL)
		return err_set(err, 500, "out of memory");
	/* After (last_occurred, last_id) in (occurred_us, id) order. */
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_i64(&p, until);
	dbp_i64(&p, c->last_occurred > since ? c->last_occurred : since);
	dbp_i64(&p, c->last_occurred);
	dbp_i64(&p, c->last_id);
	dbp_str(&p, model);
	dbp_str(&p, model);
	dbp_str(&p, model);
	dbp_i64(&p, REPRICE_CHUNK);
	dbc_init(&cols);
	dbc_i64(&cols, &id);
	dbc_i64(&cols, &occurred);
	for (k = 0; k < 6; k++)
		dbc_str(&cols, text[k], sizeof(text[k]));
	dbc_str(&cols, status, sizeof(status));
	for (k = 0; k < 7; k++)
		dbc_i64(&cols, &num[k]);
	for (k = 0; k < 3; k++)
		dbc_str(&cols, cost[k], sizeof(cost[k]));
	dbc_str(&cols, source, sizeof(source));
	dbc_i64(&cols, &price);
	dbc_i64(&cols, &disc);
	if (dbl_select(db, STMT_REPRICE_SELECT, &p, &cols, err) != 0)
		goto out;
	while ((got = dbl_fetch(db, STMT_REPRICE_SELECT, &cols, err)) == 1) {
		r = &c->rows[c->n];
		memset(r, 0, sizeof(*r));
		r->id = id;
		c->n++;
		if (dup_or_null(&r->ev.department, text[0], dbc_null(&cols, 2)) ||
		    dup_or_null(&r->ev.team, text[1], dbc_null(&cols, 3)) ||
		    dup_or_null(&r->ev.agent, text[2], dbc_null(&cols, 4)) ||
		    dup_or_null(&r->ev.model, text[3], dbc_null(&cols, 5)) ||
		    dup_or_null(&r->ev.model_group, text[4], dbc_null(&cols, 6)) ||
		    dup_or_null(&r->ev.provider, text[5], dbc_null(&cols, 7))) {
			got = err_set(err, 500, "out of memory");
			break;
		}
		r->ev.org_id = org_id;
		/* occurred_us is the time pricing looks prices up at. */
		usage_event_set(&r->ev, EV_START_US, occurred);
		r->ev.status = dbc_null(&cols, 8) ? EVENT_STATUS_UNKNOWN :
		    strcmp(status, "failure") == 0 ? EVENT_STATUS_FAILURE :
		    EVENT_STATUS_SUCCESS;
		for (k = 0; k < 7; k++)
			if (!dbc_null(&cols, (unsigned)(9 + k)))
				usage_event_set(&r->ev, counts[k], num[k]);
		if (!dbc_null(&cols, 16)) {
			int64_t	v;

			if (decimal_parse(cost[0], COST_SCALE_DIGITS, INT64_MAX,
			    &v) != 0) {
				got = err_set(err, 500, "bad litellm_cost %s", cost[0]);
				break;
			}
			usage_event_set(&r->ev, EV_LITELLM_COST, v);
		}
		if (cost_text(cost[1], dbc_null(&cols, 17), &r->old_our,
		    &r->old_has_our) != 0 || cost_text(cost[2],
		    dbc_null(&cols, 18), &r->old_cost, &r->old_has_cost) != 0 ||
		    cost_source_parse(source, &r->old_source) != 0) {
			got = err_set(err, 500, "bad stored cost in event %lld",
			    (long long)id);
			break;
		}
		r->old_price = dbc_null(&cols, 20) ? 0 : (uint32_t)price;
		r->old_discount = dbc_null(&cols, 21) ? 0 : (uint32_t)disc;
		c->last_occurred = occurred;
		c->last_id = id;
	}
	dbl_select_end(db, STMT_REPRICE_SELECT);
	rc = got < 0 ? -1 : 0;
out:
	free(text);
	return rc;
}

static int
changed(const struct row *r)
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
update_event(struct db *db, const struct row *r, struct llmops_err *err)
{
	struct db_params	p;
	const struct usage_event *e = &r->ev;

	dbp_init(&p);
	dbp_decimal(&p, EVENT_HAS(e, EV_OUR_COST), e->num[EV_OUR_COST],
	    COST_SCALE_DIGITS);
	dbp_decimal(&p, EVENT_HAS(e, EV_COST), e->num[EV_COST], COST_SCALE_DIGITS);
	dbp_str(&p, cost_source_name(e->cost_source));
	dbp_i64_opt(&p, e->price_id != 0, e->price_id);
	dbp_i64_opt(&p, e->discount_id != 0, e->discount_id);
	dbp_i64(&p, r->id);
	return dbl_exec(db, STMT_REPRICE_UPDATE, &p, NULL, NULL, err);
}

static int
recost_cmp(const void *a, const void *b)
{
	const struct recost	*x = a, *y = b;

	if (x->hour_us != y->hour_us)
		return x->hour_us < y->hour_us ? -1 : 1;
	return memcmp(x->key, y->key, ROLLUP_KEY_LEN);
}

static int
apply_recosts(struct db *db, uint32_t org_id, struct recost *d, size_t n,
    struct llmops_err *err)
{
	struct db_params	p;
	size_t			i, out = 0;

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
	for (i = 0; i < out; i++) {
		dbp_init(&p);
		dbp_decimal(&p, 1, d[i].cost, COST_SCALE_DIGITS);
		dbp_i64(&p, d[i].priced);
		dbp_decimal(&p, 1, d[i].our, COST_SCALE_DIGITS);
		dbp_i64(&p, d[i].our_events);
		dbp_i64(&p, org_id);
		dbp_i64(&p, d[i].hour_us);
		dbp_blob(&p, d[i].key, ROLLUP_KEY_LEN);
		if (dbl_exec(db, STMT_ROLLUP_RECOST, &p, NULL, NULL, err) != 0)
			return -1;
	}
	return 0;
}

/* One chunk in one transaction; *more is 0 after the last chunk. */
static int
reprice_chunk(struct db *db, const struct price_set *set,
    enum cost_prefer prefer, uint32_t org_id, int64_t since, int64_t until,
    const char *model, struct chunk *c, struct recost *d,
    struct reprice_stats *st, int *more, struct llmops_err *err)
{
	struct usage_event	*e;
	struct row		*r;
	size_t			 i, nd = 0, nchanged = 0;

	if (db_begin(db, err) != 0)
		return -1;
	if (read_chunk(db, org_id, since, until, model, c, err) != 0)
		goto fail;
	for (i = 0; i < c->n; i++) {
		r = &c->rows[i];
		e = &r->ev;
		pricing_apply(set, prefer, e);
		if (!changed(r))
			continue;
		if (update_event(db, r, err) != 0)
			goto fail;
		memset(&d[nd], 0, sizeof(d[nd]));
		d[nd].hour_us = usage_event_hour(e);
		if (event_key_rollup(e, d[nd].key) != 0) {
			err_set(err, 500, "cannot compute a rollup key");
			goto fail;
		}
		d[nd].cost = (EVENT_HAS(e, EV_COST) ? e->num[EV_COST] : 0) -
		    (r->old_has_cost ? r->old_cost : 0);
		d[nd].priced = (int64_t)EVENT_HAS(e, EV_COST) - r->old_has_cost;
		d[nd].our = (EVENT_HAS(e, EV_OUR_COST) ? e->num[EV_OUR_COST] : 0) -
		    (r->old_has_our ? r->old_our : 0);
		d[nd].our_events = (int64_t)EVENT_HAS(e, EV_OUR_COST) -
		    r->old_has_our;
		nd++;
		nchanged++;
	}
	if (apply_recosts(db, org_id, d, nd, err) != 0 || db_commit(db, err) != 0)
		goto fail;
	st->examined += c->n;
	st->changed += nchanged;
	st->chunks++;
	*more = c->n == REPRICE_CHUNK;
	chunk_release(c);
	return 0;
fail:
	db_rollback(db);
	chunk_release(c);
	return -1;
}

int
reprice_org(struct db *db, const struct price_set *set, enum cost_prefer prefer,
    uint32_t org_id, int64_t since_us, int64_t until_us, const char *model,
    struct reprice_stats *st, struct llmops_err *err)
{
	struct chunk	 c;
	struct recost	*d = NULL;
	int64_t		 occ, id;
	int		 more = 1, tries, rc = -1;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.last_occurred = since_us - 1;
	if ((c.rows = calloc(REPRICE_CHUNK, sizeof(*c.rows))) == NULL ||
	    (d = calloc(REPRICE_CHUNK, sizeof(*d))) == NULL) {
		err_set(err, 500, "out of memory");
		goto out;
	}
	if (db_ensure(db, err) != 0)
		goto out;
	while (more) {
		occ = c.last_occurred;
		id = c.last_id;
		for (tries = 0;; tries++) {
			if (reprice_chunk(db, set, prefer, org_id, since_us,
			    until_us, model, &c, d, st, &more, err) == 0)
				break;
			/* Start the chunk again from where it began. */
			c.last_occurred = occ;
			c.last_id = id;
			if ((!db_retryable(db) && !db_lost(db)) ||
			    tries == REPRICE_DEADLOCK_RETRIES ||
			    db_ensure(db, err) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(d);
	free(c.rows);
	return rc;
}
