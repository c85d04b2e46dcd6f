#include "config.h"

#include <string.h>

#include "price_cache.h"
#include "price_db.h"
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

static int
refresh(struct price_cache *c, struct db *db, struct llmops_err *err)
{
	struct price_set	fresh;
	uint64_t		version;

	if (price_db_version(db, &version, err) != 0)
		return -1;
	if (c->loaded && version == c->version)
		return 0;
	if (price_db_load(db, &fresh, err) != 0)
		return -1;
	price_set_release(&c->set);
	c->set = fresh;
	c->version = version;
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
