/*
 * The hourly rollups: what a set of events adds to their rollup rows
 * (organization x hour x source x department x team x agent x model x
 * provider x status x error class x error code), written in key order so
 * that concurrent writers lock rows in the same order; and the rebuild of
 * an organization's rollups from its raw events.
 */
#ifndef LLMOPS_ROLLUP_H
#define LLMOPS_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "event.h"
#include "event_key.h"

/* Token columns of a rollup row. */
#define ROLLUP_TOKENS	6

/* The sums of a rollup row (of every rollup table). */
struct rollup_sums {
	int64_t		requests, errors;
	int64_t		tokens[ROLLUP_TOKENS];
	int64_t		litellm_cost, litellm_cost_events;
	int64_t		cost, priced;
	int64_t		our_cost, our_cost_events;
	int64_t		latency_sum, latency_count;
	int64_t		ttft_sum, ttft_count;
	int64_t		cache_hits, saved_cache_cost;	/* LiteLLM's cache */
};

/* What one event adds to the sums of each row it counts in. */
void	rollup_sums_of(struct rollup_sums *, const struct usage_event *);
/* Adds b into a; -1 (a unchanged) if a sum would overflow. */
int	rollup_sums_add(struct rollup_sums *a, const struct rollup_sums *b);

/* The sums some events add to one rollup row. */
struct rollup_delta {
	uint32_t			 org_id;
	int64_t				 hour_us;
	unsigned char			 key[ROLLUP_KEY_LEN];
	const struct usage_event	*dims;	/* borrowed: dimension strings */
	struct rollup_sums		 s;
};

/* The token counts a rollup sums, in its column order. */
extern const enum event_num rollup_tokens[ROLLUP_TOKENS];

/* One event's contribution (ev is borrowed for the dimensions). */
int	rollup_delta_of(struct rollup_delta *, const struct usage_event *);
/*
 * Sorts deltas by (organization, hour, key) and merges those of the same
 * row; returns the number left.
 */
size_t	rollup_merge(struct rollup_delta *, size_t n);

/*
 * Recomputes every rollup of org_id (0: every organization) from
 * usage_events, one transaction (db_txn) per organization, from the
 * retention horizon on (db_retention_horizon): the hours before it keep
 * their rollups, their raw events being pruned. *rows: rows of
 * usage_hourly written; *dim_rows: of the rollups per dimension
 * (rollup_dim.h).
 */
int	rollup_rebuild(struct db *, uint32_t org_id, size_t *rows,
	    uint64_t *dim_rows, struct llmops_err *);

#endif
