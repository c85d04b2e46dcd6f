/*
 * Writing accepted events: storing a batch of events with their hourly
 * rollups and new dimension values in one transaction (all or none).
 * Duplicates (same organization and dedupe key) are counted, not stored.
 * The SQL is in db_event.c.
 */
#ifndef LLMOPS_STORE_H
#define LLMOPS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "event.h"
#include "label_cache.h"
#include "llmops_limits.h"

/* Dimensions recorded in dimension_values per event. */
#define DIMS_RECORDED	5
#define DIM_KEY_LEN	16

/*
 * What a process knows is stored: the (organization, dimension, value)
 * recorded in dimension_values, and the ids of labels (db_label.h).
 */
struct dim_seen {
	unsigned char	(*keys)[DIM_KEY_LEN];
	size_t		  n;
	struct label_cache labels;
};

void	dim_seen_init(struct dim_seen *);
void	dim_seen_release(struct dim_seen *);
void	dim_seen_add(struct dim_seen *, const unsigned char *key);

/*
 * Stores evs (org_id and token_id resolved) and their rollups, and their
 * new dimension values, in one transaction (db_txn: run again after a
 * lost connection or a deadlock). seen may be NULL. On success
 * *inserted + *duplicates == n.
 */
int	store_events(struct db *, struct usage_event *const *evs, size_t n,
	    struct dim_seen *seen, size_t *inserted, size_t *duplicates,
	    struct llmops_err *);

#endif
