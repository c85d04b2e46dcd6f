/*
 * The retention of raw events: the horizon in retention_state (schema 6)
 * and the deletes of usage_events before it. Their SQL and the typed
 * functions that bind it are in lib/db_retention.c; each runs in the
 * caller's transaction (db_txn). When and how much to prune is decided in
 * lib/prune.c. The rollups are never touched here.
 */
#ifndef LLMOPS_DB_RETENTION_H
#define LLMOPS_DB_RETENTION_H

#include <stdint.h>

#include "db.h"

struct retention_state {
	int64_t	raw_before_us;	/* the horizon; 0: nothing was pruned */
	int	raw_days;	/* the retention that set it (0: none) */
};

/*
 * The horizon: raw events that occurred before *horizon_us have been
 * pruned (the rollups still count them); 0 when nothing ever was. Always
 * the start of a UTC day (hence of an hour), never moving back. A plain
 * read, for readers.
 */
int	db_retention_horizon(struct db *, int64_t *horizon_us,
	    struct llmops_err *);
/* The horizon and the retention that set it. */
int	db_retention_get(struct db *, struct retention_state *,
	    struct llmops_err *);
/*
 * The horizon, held until the caller's DB_WRITE transaction ends (a
 * shared lock on the row): a prune cannot move it, nor delete the events
 * it is about to, while a writer that depends on it (the rollup rebuild)
 * runs.
 */
int	db_retention_hold(struct db *, int64_t *horizon_us,
	    struct llmops_err *);
/* Moves the horizon forward to horizon_us (never back), set by raw_days. */
int	db_retention_advance(struct db *, int64_t horizon_us, int raw_days,
	    struct llmops_err *);
/* The raw events of an organization that occurred before before_us. */
int	db_retention_count(struct db *, uint32_t org_id, int64_t before_us,
	    int64_t *n, struct llmops_err *);
/*
 * Deletes at most limit of those, oldest first, along the (org_id,
 * occurred_us) index, so that only the rows deleted are locked; *deleted
 * says how many were.
 */
int	db_retention_delete(struct db *, uint32_t org_id, int64_t before_us,
	    int64_t limit, int64_t *deleted, struct llmops_err *);

#endif
