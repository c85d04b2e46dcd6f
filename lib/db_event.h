/*
 * The tables the callback writes: usage_events, their hourly rollups
 * (usage_hourly) and the dimension values seen (dimension_values); and
 * what repricing and the rollup rebuild read and change in them. Their SQL
 * and the typed functions that bind it are in lib/db_event.c; each runs in
 * the caller's transaction (db_txn). What is written (dedupe, rollup
 * merging, pricing) is decided in store.c, rollup.c and reprice.c.
 * Reading usage for reports is lib/db_usage.c.
 */
#ifndef LLMOPS_DB_EVENT_H
#define LLMOPS_DB_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "event.h"
#include "db_label.h"
#include "event_key.h"
#include "rollup.h"

/*
 * Of n events of one organization, known[i] = 1 for those whose dedupe
 * key is stored already (one indexed SELECT per 256).
 */
int	db_event_known(struct db *, struct usage_event *const *evs, size_t n,
	    int *known, struct llmops_err *);
/*
 * Inserts n events none of which is stored, with multi-row INSERTs of
 * fixed arities; ids[i] are the label ids of evs[i] (db_label_ids). One that is stored after all (another writer): -1, 503.
 */
int	db_event_insert_rows(struct db *, struct usage_event *const *evs,
	    const uint32_t (*ids)[EVENT_LABELS], size_t n, struct llmops_err *);

/* Records that dimension `dim` of the organization took `value` at first_us. */
int	db_dimension_record(struct db *, uint32_t org_id, const char *dim,
	    const char *value, int64_t first_us, struct llmops_err *);

/* The sums of a rollup row, in the order of DB_SUMS_COLUMNS (db_sums.h). */
void	db_bind_sums(struct db_q *, const struct rollup_sums *);

/* Adds n deltas (in key order, as rollup_merge leaves them) to their
 * rollup rows, inserting rows that are new; multi-row upserts. */
int	db_rollup_add(struct db *, const struct rollup_delta *, size_t n,
	    struct llmops_err *);
/* Deletes the rollup rows of an organization from the hour from_us on. */
int	db_rollup_clear(struct db *, uint32_t org_id, int64_t from_us,
	    struct llmops_err *);
/*
 * The rollup rows of an organization as its events sum up, from the
 * rebuild's grouped events (db_rollup_fine_make, lib/db_rollup.h), given
 * to cb up to 256 rows at a time: d[i].dims is an event holding row i's
 * dimensions (org_id, department .. error_code, status), d[i] has the sums
 * but not the key. The rows are read first, so cb may write. cb returns 0
 * to go on, -1 (err) to stop.
 */
typedef int (*db_rollup_row_fn)(struct db *, struct rollup_delta *d,
    size_t n, void *arg, struct llmops_err *);
int	db_rollup_recompute(struct db *, uint32_t org_id, db_rollup_row_fn cb,
	    void *arg, struct llmops_err *);

/* A signed change of the cost sums of one rollup row. */
struct rollup_recost {
	int64_t		hour_us;
	unsigned char	key[ROLLUP_KEY_LEN];
	int64_t		cost, priced, our, our_events;
};

/* The four changes of DB_SUMS_RECOST (db_sums.h). */
void	db_bind_recost(struct db_q *, const struct rollup_recost *);
int	db_rollup_recost(struct db *, uint32_t org_id,
	    const struct rollup_recost *, struct llmops_err *);

/*
 * Which events repricing reads: one organization's, from_us <= occurred
 * < until_us, after (after_occurred_us, after_id) in (occurred, id)
 * order, of one model or model group (NULL: any), at most limit.
 */
struct event_cost_query {
	uint32_t	 org_id;
	int64_t		 from_us, until_us;
	int64_t		 after_occurred_us, after_id;
	const char	*model;
	size_t		 limit;
	struct label_cache *labels;	/* the labels' texts (db_label.h) */
};

/* An event as repricing reads it: what pricing needs, and its stored cost. */
struct event_cost_row {
	int64_t			id;
	int64_t			occurred_us;
	struct usage_event	ev;		/* owned strings */
	int64_t			old_cost, old_our;
	int			old_has_cost, old_has_our;
	enum cost_source	old_source;
	uint32_t		old_price, old_discount;
};

/*
 * Reads the events of q into rows (at most q->limit), locked until the
 * transaction ends. ev holds the organization, the dimensions, model
 * group, status, token counts, LiteLLM's cost and, as its start, the time
 * it occurred (the time prices are looked up at). *n rows are filled, also
 * on failure: release them with event_cost_rows_release.
 */
int	db_event_cost_read(struct db *, const struct event_cost_query *q,
	    struct event_cost_row *rows, size_t *n, struct llmops_err *);
void	event_cost_rows_release(struct event_cost_row *, size_t n);
/* Stores the event's new costs, cost source, price and discount. */
int	db_event_cost_update(struct db *, int64_t id, const struct usage_event *,
	    struct llmops_err *);

#endif
