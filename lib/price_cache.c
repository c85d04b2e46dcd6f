#include "config.h"

#include <string.h>

#include "db_price.h"
#include "price_cache.h"
#include "timefmt.h"

void
price_cache_init(struct price_cache *c, int reload_seconds)
{
	memset(c, 0, sizeof(*c));
	price_set_init(&c->set);
	c->reload_us = (int64_t)reload_seconds * TIME_US_PER_SEC;
}

void
price_cache_release(struct price_cache *c)
{
	price_set_release(&c->set);
	memset(c, 0, sizeof(*c));
}

struct refresh {
	const struct price_cache *c;
	uint64_t		 version;
	struct price_set	 fresh;
	int			 loaded;	/* fresh holds the table */
};

/* The version, and the table when it changed (the last statement). */
static int
refresh_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct refresh	*r = arg;

	r->loaded = 0;
	if (db_price_version(db, &r->version, err) != 0)
		return -1;
	if (r->c->loaded && r->version == r->c->version)
		return 0;
	if (db_price_load(db, &r->fresh, err) != 0)
		return -1;
	r->loaded = 1;
	return 0;
}

static int
refresh(struct price_cache *c, struct db *db, struct llmops_err *err)
{
	struct refresh	r;

	memset(&r, 0, sizeof(r));
	r.c = c;
	if (db_txn(db, DB_READ, refresh_txn, &r, err) != 0)
		return -1;
	if (!r.loaded)
		return 0;
	price_set_release(&c->set);
	c->set = r.fresh;
	c->version = r.version;
	c->loaded = 1;
	return 0;
}

const struct price_set *
price_cache_get(struct price_cache *c, struct db *db, int64_t now_us,
    struct llmops_err *err)
{
	if (c->loaded && now_us - c->checked_us < c->reload_us &&
	    now_us >= c->checked_us)
		return &c->set;
	if (refresh(c, db, err) != 0) {
		if (!c->loaded)
			return NULL;
		err->status = 0;	/* stale prices still price */
		return &c->set;
	}
	c->checked_us = now_us;
	return &c->set;
}
