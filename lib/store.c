#include "config.h"
#include "db_legacy.h"

#include <stdlib.h>
#include <string.h>

#include "event_key.h"
#include "rollup.h"
#include "store.h"

/* Deadlocks between concurrent batches touching the same rollup rows. */
#define STORE_DEADLOCK_RETRIES	3

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
	for (i = 0; i < ROLLUP_TOKENS; i++)
		dbp_i64_opt(&p, EVENT_HAS(ev, rollup_tokens[i]),
		    ev->num[rollup_tokens[i]]);
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
	if (dbl_exec(db, STMT_EVENT_INSERT, &p, &affected, NULL, err) != 0)
		return -1;
	*inserted = affected == 1;
	return 0;
}

/*
 * One attempt: insert every event, then add the newly inserted ones to
 * their rollup rows, merged per row and in key order so that concurrent
 * batches lock rollup rows in the same order.
 */
void
dim_seen_init(struct dim_seen *s)
{
	memset(s, 0, sizeof(*s));
}

void
dim_seen_release(struct dim_seen *s)
{
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

static int
dim_seen_has(const struct dim_seen *s, const unsigned char *k)
{
	size_t	i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (memcmp(s->keys[i], k, DIM_KEY_LEN) == 0)
			return 1;
	return 0;
}

void
dim_seen_add(struct dim_seen *s, const unsigned char *k)
{
	if (dim_seen_has(s, k))
		return;
	if (s->keys == NULL &&
	    (s->keys = calloc(DIM_SEEN_MAX, sizeof(*s->keys))) == NULL)
		return;
	/* Full: start over; at worst a few values are written again. */
	if (s->n == DIM_SEEN_MAX)
		s->n = 0;
	memcpy(s->keys[s->n++], k, DIM_KEY_LEN);
}

/*
 * Records the department, team, agent, model and provider of an inserted
 * event in dimension_values, unless this process already knows them;
 * `pending` collects what to add to `seen` once the batch commits.
 */
static int
record_dims(struct db *db, const struct dim_seen *seen,
    const struct usage_event *ev, unsigned char (*pending)[DIM_KEY_LEN],
    size_t *npending, struct llmops_err *err)
{
	const char		*vals[DIMS_RECORDED] = {
		ev->department, ev->team, ev->agent, ev->model, ev->provider,
	};
	static const char *const names[DIMS_RECORDED] = {
		"department", "team", "agent", "model", "provider",
	};
	struct db_params	 p;
	unsigned char		 k[DIM_KEY_LEN];
	size_t			 i, j;
	int			 queued;

	for (i = 0; i < DIMS_RECORDED; i++) {
		if (vals[i] == NULL ||
		    event_key_dimension(ev->org_id, names[i], vals[i], k) != 0)
			continue;
		for (j = 0, queued = 0; j < *npending && !queued; j++)
			queued = memcmp(pending[j], k, DIM_KEY_LEN) == 0;
		if (queued || dim_seen_has(seen, k))
			continue;
		dbp_init(&p);
		dbp_i64(&p, ev->org_id);
		dbp_str(&p, names[i]);
		dbp_str(&p, vals[i]);
		dbp_i64(&p, usage_event_time(ev));
		if (dbl_exec(db, STMT_DIMENSION_RECORD, &p, NULL, NULL, err) != 0)
			return -1;
		memcpy(pending[(*npending)++], k, DIM_KEY_LEN);
	}
	return 0;
}

static int
store_once(struct db *db, struct usage_event *const *evs, size_t n,
    struct dim_seen *seen, struct rollup_delta *deltas,
    unsigned char (*pending)[DIM_KEY_LEN], size_t *npending,
    size_t *inserted, size_t *duplicates, struct llmops_err *err)
{
	size_t	i, nd = 0, out;
	int	ins;

	*inserted = *duplicates = *npending = 0;
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
		if (rollup_delta_of(&deltas[nd], evs[i]) != 0) {
			err_set(err, 500, "cannot compute a rollup key");
			goto fail;
		}
		nd++;
		if (record_dims(db, seen, evs[i], pending, npending, err) != 0)
			goto fail;
	}
	out = rollup_merge(deltas, nd);
	for (i = 0; i < out; i++)
		if (rollup_apply(db, &deltas[i], err) != 0)
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
    struct dim_seen *seen, size_t *inserted, size_t *duplicates,
    struct llmops_err *err)
{
	struct rollup_delta	 *deltas;
	unsigned char		(*pending)[DIM_KEY_LEN] = NULL;
	size_t			  npending = 0, i;
	int			  attempt, reconnected = 0, rc = -1;

	*inserted = *duplicates = 0;
	if (n == 0)
		return 0;
	if ((deltas = calloc(n, sizeof(*deltas))) == NULL ||
	    (pending = calloc(n * DIMS_RECORDED, sizeof(*pending))) == NULL) {
		free(deltas);
		return err_set(err, 500, "out of memory");
	}
	for (attempt = 0;; attempt++) {
		if (store_once(db, evs, n, seen, deltas, pending, &npending,
		    inserted, duplicates, err) == 0) {
			/* Only values of a committed batch are known to be stored. */
			for (i = 0; seen != NULL && i < npending; i++)
				dim_seen_add(seen, pending[i]);
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
	free(pending);
	free(deltas);
	return rc;
}
