/*
 * The prices table in MariaDB: loading it into a price_set, adding a price
 * (closing the one it replaces), and the version responders watch to know
 * when to reload.
 */
#ifndef LLMOPS_PRICE_DB_H
#define LLMOPS_PRICE_DB_H

#include <stdint.h>

#include "db.h"
#include "price.h"

/* The whole table, sorted for price_set_match. */
int	price_db_load(struct db *, struct price_set *, struct llmops_err *);
int	price_db_version(struct db *, uint64_t *, struct llmops_err *);

/*
 * Adds p (its id is set) from p->from_us on: the open row of the same
 * organization, model and kind (price or discount) that started before is
 * closed at p->from_us. Refused (409) when a row of that kind already
 * starts at or after p->from_us. Runs in the caller's transaction when
 * `in_tx`, else in its own; bumps the price version.
 */
int	price_db_add(struct db *, struct price *p, int in_tx,
	    struct llmops_err *);

/* Marks a change of prices for the responders (inside a transaction). */
int	price_db_bump(struct db *, struct llmops_err *);

/* Same rates, tiers, provider, mode and discount. */
int	price_equal(const struct price *, const struct price *);

#endif
