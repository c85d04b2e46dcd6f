/*
 * Recomputing stored costs after a price change: events of one
 * organization (optionally one time range and model) are read in chunks,
 * priced again with the current price table, and where anything changed
 * the event and its hourly rollup row are updated together, one bounded
 * transaction per chunk so ingest keeps running. Running it again changes
 * nothing (idempotent).
 */
#ifndef LLMOPS_REPRICE_H
#define LLMOPS_REPRICE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "price.h"
#include "pricing.h"

/* Events per transaction. */
#define REPRICE_CHUNK	1000

struct reprice_stats {
	size_t	examined;
	size_t	changed;
	size_t	chunks;
};

int	reprice_org(struct db *, const struct price_set *, enum cost_prefer,
	    uint32_t org_id, int64_t since_us, int64_t until_us,
	    const char *model, struct reprice_stats *, struct llmops_err *);

#endif
