#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "event_key.h"
#include "store.h"

/* Token columns of a rollup row. */
#define DELTA_TOKENS		6

/* Deadlocks between concurrent batches touching the same rollup rows. */
#define STORE_DEADLOCK_RETRIES	3

/* The sums one batch adds to one rollup row. */
struct rollup_delta {
	uint32_t			 org_id;
	int64_t				 hour_us;
	unsigned char			 key[ROLLUP_KEY_LEN];
	const struct usage_event	*dims;	/* borrowed: dimension strings */
	int64_t				 requests, errors;
	int64_t				 tokens[DELTA_TOKENS];
	int64_t				 litellm_cost, litellm_cost_events;
	int64_t				 cost, priced;
	int64_t				 our_cost, our_cost_events;
	int64_t				 latency_sum, latency_count;
	int64_t				 ttft_sum, ttft_count;
};

/* The token counts a rollup sums, in the column order of STMT_ROLLUP_UPSERT. */
static const enum event_num delta_tokens[DELTA_TOKENS] = {
	EV_PROMPT_TOKENS, EV_COMPLETION_TOKENS, EV_TOTAL_TOKENS,
	EV_CACHE_READ_TOKENS, EV_CACHE_WRITE_TOKENS, EV_REASONING_TOKENS,
};

int
store_token_lookup(struct db *db, const unsigned char hash[TOKEN_HASH_LEN],
    struct token_info *ti, struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	int64_t			id = 0, org = 0, active = 0, expires = 0;
	int			rc;

	memset(ti, 0, sizeof(*ti));
	dbp_init(&p);
	dbp_blob(&p, hash, TOKEN_HASH_LEN);
	dbc_init(&c);
	dbc_i64(&c, &id);
	dbc_i64(&c, &org);
	dbc_i64(&c, &active);
	dbc_i64(&c, &expires);
	if (db_select(db, STMT_TOKEN_LOOKUP, &p, &c, err) != 0)
		return -1;
	rc = db_fetch(db, STMT_TOKEN_LOOKUP, &c, err);
	db_select_end(db, STMT_TOKEN_LOOKUP);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 0;
	ti->known = 1;
	ti->token_id = (uint32_t)id;
	ti->org_id = (uint32_t)org;
	ti->active = active != 0;
	ti->expires_us = dbc_null(&c, 3) ? 0 : expires;
	return 0;
}

enum token_state
token_info_state(const struct token_info *ti, int64_t now_us)
{
	if (!ti->known)
		return TOKEN_STATE_UNKNOWN;
	if (!ti->active)
		return TOKEN_STATE_REVOKED;
	if (ti->expires_us != 0 && ti->expires_us <= now_us)
		return TOKEN_STATE_EXPIRED;
	return TOKEN_STATE_ACTIVE;
}

int
store_token_touch(struct db *db, uint32_t token_id, int64_t now_us,
    int64_t interval_us, struct llmops_err *err)
{
	struct db_params	p;

	dbp_init(&p);
	dbp_i64(&p, now_us);
	dbp_i64(&p, token_id);
	dbp_i64(&p, now_us - interval_us);
	return db_exec(db, STMT_TOKEN_TOUCH, &p, NULL, NULL, err);
}

static int
insert_event(struct db *db, const struct usage_event *ev, int *inserted,
    struct llmops_err *err)
{
	struct db_params	p;
	uint64_t		affected = 0;
	int			i;

	dbp_init(&p);
	dbp_i64(&p, ev->org_id);
	dbp_i64(&p, ev->token_id);
	dbp_blob(&p, ev->dedupe_key, EVENT_KEY_LEN);
	dbp_str(&p, EVENT_SOURCE_LITELLM);
	dbp_str(&p, ev->litellm_id);
	dbp_str(&p, ev->trace_id);
	dbp_str(&p, ev->call_type);
	dbp_str(&p, event_status_name(ev->status));
	dbp_str(&p, ev->model);
	dbp_str(&p, ev->model_group);
	dbp_str(&p, ev->provider);
	dbp_str(&p, ev->department);
	dbp_str(&p, ev->team);
	dbp_str(&p, ev->agent);
	for (i = 0; i < DELTA_TOKENS; i++)
		dbp_i64_opt(&p, EVENT_HAS(ev, delta_tokens[i]),
		    ev->num[delta_tokens[i]]);
	dbp_i64_opt(&p, EVENT_HAS(ev, EV_CACHE_WRITE_1H_TOKENS),
	    ev->num[EV_CACHE_WRITE_1H_TOKENS]);
	dbp_decimal(&p, EVENT_HAS(ev, EV_LITELLM_COST), ev->num[EV_LITELLM_COST],
	    COST_SCALE_DIGITS);
	dbp_decimal(&p, EVENT_HAS(ev, EV_OUR_COST), ev->num[EV_OUR_COST],
	    COST_SCALE_DIGITS);
	dbp_decimal(&p, EVENT_HAS(ev, EV_COST), ev->num[EV_COST],
	    COST_SCALE_DIGITS);
	dbp_str(&p, cost_source_name(ev->cost_source));
	dbp_i64_opt(&p, ev->price_id != 0, ev->price_id);
	dbp_i64_opt(&p, ev->discount_id != 0, ev->discount_id);
	dbp_i64_opt(&p, EVENT_HAS(ev, EV_START_US), ev->num[EV_START_US]);
	dbp_i64_opt(&p, EVENT_HAS(ev, EV_END_US), ev->num[EV_END_US]);
	dbp_i64_opt(&p, EVENT_HAS(ev, EV_LATENCY_US), ev->num[EV_LATENCY_US]);
	dbp_i64_opt(&p, EVENT_HAS(ev, EV_TTFT_US), ev->num[EV_TTFT_US]);
	dbp_i64(&p, ev->stream ? 1 : 0);
	dbp_str(&p, ev->error_code);
	dbp_str(&p, ev->error_class);
	dbp_i64(&p, ev->received_us);
	dbp_i64(&p, usage_event_time(ev));
	if (db_exec(db, STMT_EVENT_INSERT, &p, &affected, NULL, err) != 0)
		return -1;
	*inserted = affected == 1;
	return 0;
}

static int
delta_cmp(const void *a, const void *b)
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
delta_sum(const struct usage_event *ev, enum event_num f, int64_t *sum,
    int64_t *n)
{
	if (EVENT_HAS(ev, f)) {
		*sum = ev->num[f];
		*n = 1;
	}
}

static void
delta_from_event(struct rollup_delta *d, const struct usage_event *ev)
{
	int	i;

	memset(d, 0, sizeof(*d));
	d->org_id = ev->org_id;
	d->hour_us = usage_event_hour(ev);
	d->dims = ev;
	d->requests = 1;
	d->errors = ev->status == EVENT_STATUS_FAILURE;
	for (i = 0; i < DELTA_TOKENS; i++)
		d->tokens[i] = EVENT_HAS(ev, delta_tokens[i]) ?
		    ev->num[delta_tokens[i]] : 0;
	delta_sum(ev, EV_LITELLM_COST, &d->litellm_cost, &d->litellm_cost_events);
	delta_sum(ev, EV_COST, &d->cost, &d->priced);
	delta_sum(ev, EV_OUR_COST, &d->our_cost, &d->our_cost_events);
	delta_sum(ev, EV_LATENCY_US, &d->latency_sum, &d->latency_count);
	delta_sum(ev, EV_TTFT_US, &d->ttft_sum, &d->ttft_count);
}

/* Adds b into a; returns -1 (a unchanged) if a sum would overflow. */
static int
delta_merge(struct rollup_delta *a, const struct rollup_delta *b)
{
	struct rollup_delta	t = *a;
	int			i, o = 0;

#define ADD(f)	(o |= __builtin_add_overflow(t.f, b->f, &t.f))
	ADD(requests);
	ADD(errors);
	for (i = 0; i < DELTA_TOKENS; i++)
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
#undef ADD
	if (o)
		return -1;
	*a = t;
	return 0;
}

static int
upsert_rollup(struct db *db, const struct rollup_delta *d, struct llmops_err *err)
{
	struct db_params	 p;
	const struct usage_event *ev = d->dims;
	int			 i;

	dbp_init(&p);
	dbp_i64(&p, d->org_id);
	dbp_i64(&p, d->hour_us);
	dbp_blob(&p, d->key, ROLLUP_KEY_LEN);
	dbp_str(&p, EVENT_SOURCE_LITELLM);
	dbp_str(&p, ev->department);
	dbp_str(&p, ev->team);
	dbp_str(&p, ev->agent);
	dbp_str(&p, ev->model);
	dbp_str(&p, ev->provider);
	dbp_str(&p, event_status_name(ev->status));
	dbp_i64(&p, d->requests);
	dbp_i64(&p, d->errors);
	for (i = 0; i < DELTA_TOKENS; i++)
		dbp_i64(&p, d->tokens[i]);
	dbp_decimal(&p, 1, d->litellm_cost, COST_SCALE_DIGITS);
	dbp_i64(&p, d->litellm_cost_events);
	dbp_decimal(&p, 1, d->cost, COST_SCALE_DIGITS);
	dbp_i64(&p, d->priced);
	dbp_decimal(&p, 1, d->our_cost, COST_SCALE_DIGITS);
	dbp_i64(&p, d->our_cost_events);
	dbp_i64(&p, d->latency_sum);
	dbp_i64(&p, d->latency_count);
	dbp_i64(&p, d->ttft_sum);
	dbp_i64(&p, d->ttft_count);
	return db_exec(db, STMT_ROLLUP_UPSERT, &p, NULL, NULL, err);
}

/*
 * One attempt: insert every event, then add the newly inserted ones to
 * their rollup rows, merged per row and in key order so that concurrent
 * batches lock rollup rows in the same order.
 */
static int
store_once(struct db *db, struct usage_event *const *evs, size_t n,
    struct rollup_delta *deltas, size_t *inserted, size_t *duplicates,
    struct llmops_err *err)
{
	size_t	i, nd = 0, out;
	int	ins;

	*inserted = *duplicates = 0;
	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (insert_event(db, evs[i], &ins, err) != 0)
			goto fail;
		if (!ins) {
			(*duplicates)++;
			continue;
		}
		(*inserted)++;
		delta_from_event(&deltas[nd], evs[i]);
		if (event_key_rollup(evs[i], deltas[nd].key) != 0) {
			err_set(err, 500, "cannot compute a rollup key");
			goto fail;
		}
		nd++;
	}
	qsort(deltas, nd, sizeof(deltas[0]), delta_cmp);
	for (i = 0, out = 0; i < nd; i++) {
		if (out > 0 && delta_cmp(&deltas[out - 1], &deltas[i]) == 0 &&
		    delta_merge(&deltas[out - 1], &deltas[i]) == 0)
			continue;
		deltas[out++] = deltas[i];
	}
	for (i = 0; i < out; i++)
		if (upsert_rollup(db, &deltas[i], err) != 0)
			goto fail;
	if (db_commit(db, err) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
store_events(struct db *db, struct usage_event *const *evs, size_t n,
    size_t *inserted, size_t *duplicates, struct llmops_err *err)
{
	struct rollup_delta	*deltas;
	int			 attempt, reconnected = 0, rc = -1;

	*inserted = *duplicates = 0;
	if (n == 0)
		return 0;
	if ((deltas = calloc(n, sizeof(*deltas))) == NULL)
		return err_set(err, 500, "out of memory");
	for (attempt = 0;; attempt++) {
		if (store_once(db, evs, n, deltas, inserted, duplicates, err) == 0) {
			rc = 0;
			break;
		}
		/*
		 * A retry is safe even if a lost COMMIT did land: the events
		 * then come back as duplicates and add nothing to the rollups.
		 */
		if (db_lost(db) && !reconnected) {
			reconnected = 1;
			continue;
		}
		if (db_retryable(db) && attempt < STORE_DEADLOCK_RETRIES)
			continue;
		break;
	}
	free(deltas);
	return rc;
}
