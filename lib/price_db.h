/*
 * Changes of the prices table and its loading, each in a db_txn of its own
 * (inside another, it joins that transaction): adding a price closes the
 * one it replaces, bumps the version responders watch to know when to
 * reload, and writes the audit row, all in one transaction. The SQL is in
 * lib/db_price.c.
 */
#ifndef LLMOPS_PRICE_DB_H
#define LLMOPS_PRICE_DB_H

#include <stddef.h>

#include "db.h"
#include "price.h"

struct json_object;

/* The whole table, sorted for price_set_match. */
int	price_db_load(struct db *, struct price_set *, struct llmops_err *);

/*
 * Adds p (its id is set) from p->from_us on: the open row of the same
 * organization, model and kind (price or discount) that started before is
 * closed at p->from_us. Refused (409) when a row of that kind already
 * starts at or after p->from_us. The audit row ("prices.set" or
 * "prices.discount", on p's model) gets details, which is consumed.
 */
int	price_db_set(struct db *, const char *actor, struct price *p,
	    struct json_object *details, struct llmops_err *);

/*
 * Adds, as price_db_set does, each price of `in` that differs from the one
 * in effect at its start, with one audit row ("prices.import") naming
 * `file`; *added and *same count them.
 */
int	price_db_import(struct db *, const char *actor, struct price_set *in,
	    const char *file, size_t *added, size_t *same, struct llmops_err *);

#endif
