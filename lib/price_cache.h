/*
 * A responder's copy of the prices table: re-read when the price version
 * changes, which is checked at most once per reload interval, so pricing
 * costs no database round trip per event. After `llmopsctl prices set`,
 * every responder prices with the new rows within that interval.
 */
#ifndef LLMOPS_PRICE_CACHE_H
#define LLMOPS_PRICE_CACHE_H

#include <stdint.h>

#include "db.h"
#include "price.h"

struct price_cache {
	struct price_set	set;
	uint64_t		version;
	int			loaded;
	int64_t			checked_us;
	int64_t			reload_us;
};

void	price_cache_init(struct price_cache *, int reload_seconds);
void	price_cache_release(struct price_cache *);
/*
 * The current prices, or NULL (err) when they were never loaded and
 * cannot be. A failed refresh keeps the previous copy (and says so in err
 * with status 0). A refresh is a db_txn of its own, rerun on a new
 * connection when the old one was lost: not inside another transaction.
 */
const struct price_set *price_cache_get(struct price_cache *, struct db *,
	    int64_t now_us, struct llmops_err *);

#endif
