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

/* The sums some events add to one rollup row. */
struct rollup_delta {
	uint32_t			 org_id;
	int64_t				 hour_us;
	unsigned char			 key[ROLLUP_KEY_LEN];
	const struct usage_event	*dims;	/* borrowed: dimension strings */
	int64_t				 requests, errors;
	int64_t				 tokens[ROLLUP_TOKENS];
	int64_t				 litellm_cost, litellm_cost_events;
	int64_t				 cost, priced;
	int64_t				 our_cost, our_cost_events;
	int64_t				 latency_sum, latency_count;
	int64_t				 ttft_sum, ttft_count;
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
 * Recomputes the rollups of org_id (0: every organization) from
 * usage_events, one transaction (db_txn) per organization, from the
 * retention horizon on (db_retention_horizon): the hours before it keep
 * their rollups, their raw events being pruned. *rows: rows written.
 */
int	rollup_rebuild(struct db *, uint32_t org_id, size_t *rows,
	    struct llmops_err *);
/*
 * The same over every hour, for a migration before schema 6 (which has
 * no retention_state): nothing can have been pruned then.
 */
int	rollup_rebuild_unpruned(struct db *, size_t *rows, struct llmops_err *);

#endif
