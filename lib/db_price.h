/*
 * The prices, price_tiers and price_version tables: their SQL and the
 * typed functions that bind it (lib/db_price.c). Each runs in the
 * caller's transaction (db_txn); the rules of a price change are in
 * lib/price_db.c.
 */
#ifndef LLMOPS_DB_PRICE_H
#define LLMOPS_DB_PRICE_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "price.h"

/* The whole table with its tiers, sorted for price_set_match. */
int	db_price_load(struct db *, struct price_set *, struct llmops_err *);
/* The version responders watch to know when to load again. */
int	db_price_version(struct db *, uint64_t *, struct llmops_err *);
int	db_price_bump(struct db *, struct llmops_err *);
/*
 * How many rows of p's organization, model and kind (price or discount)
 * start at or after p->from_us.
 */
int	db_price_conflicts(struct db *, const struct price *p, int64_t *n,
	    struct llmops_err *);
/* Ends at p->from_us the row of p's kind still open then. */
int	db_price_close(struct db *, const struct price *p, struct llmops_err *);
/* Inserts p and its tiers; sets p->id. */
int	db_price_insert(struct db *, struct price *p, int64_t created_us,
	    struct llmops_err *);

/*
 * Writes set as INSERT statements with ids 1..n for a seed migration
 * (schema/003_price_seed.sql): the SQL of the same tables, as text.
 */
int	db_price_write_seed(const struct price_set *, FILE *);

#endif
