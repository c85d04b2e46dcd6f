/*
 * The SQL of the rollups per dimension (usage_rollup, usage_rollup_hist,
 * usage_errors; see lib/rollup_dim.h): multi-row upserts of merged rows in
 * key order, the cost changes of repricing, and the rebuild from raw
 * events. Each runs in the caller's transaction.
 */
#ifndef LLMOPS_DB_ROLLUP_H
#define LLMOPS_DB_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "rollup_dim.h"

int	db_rollup_dim_upsert(struct db *, const struct rollup_dim_row *,
	    size_t n, struct llmops_err *);
/*
 * Adds bins (in key order, as rollup_dim_merge leaves them) to their
 * histograms' rows: each row is read locked, added to in C and written
 * back packed (lib/hist.h).
 */
int	db_rollup_hist_merge(struct db *, const struct rollup_dim_hist *,
	    size_t n, struct llmops_err *);
int	db_rollup_errors_upsert(struct db *, const struct rollup_dim_error *,
	    size_t n, struct llmops_err *);
/* Adds the cost sums of r (signed) to its row. */
int	db_rollup_dim_recost(struct db *, const struct rollup_dim_row *r,
	    struct llmops_err *);
/* Lets this connection's groupings take LIMIT_REBUILD_TMP_BYTES of
 * memory (on), or the server's default again (off). */
int	db_rollup_rebuild_memory(struct db *, int on, struct llmops_err *);
/*
 * The organization's events from from_us on, grouped by hour and every
 * label id, into the connection's temporary table rebuild_fine, which
 * db_rollup_dim_rebuild and db_rollup_recompute (lib/db_event.h) read;
 * db_rollup_fine_drop drops it and the histograms' day of bins.
 */
int	db_rollup_fine_make(struct db *, uint32_t org_id, int64_t from_us,
	    struct llmops_err *);
int	db_rollup_fine_drop(struct db *, struct llmops_err *);
/*
 * Replaces the organization's rows of every bucket from from_us on (a day
 * boundary) with the sums of its raw events, in SQL, from rebuild_fine
 * (made first by db_rollup_fine_make with the same arguments): the rows
 * before stay (their raw events may be pruned). *rows: rows written.
 */
int	db_rollup_dim_rebuild(struct db *, uint32_t org_id, int64_t from_us,
	    uint64_t *rows, struct llmops_err *);

#endif
