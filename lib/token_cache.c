#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "token_cache.h"

void
token_cache_init(struct token_cache *c, int ttl_seconds)
{
	memset(c, 0, sizeof(*c));
	c->ttl_us = (int64_t)ttl_seconds * TIME_US_PER_SEC;
}

void
token_cache_release(struct token_cache *c)
{
	free(c->e);
	memset(c, 0, sizeof(*c));
}

static struct token_cache_entry *
find(struct token_cache *c, const unsigned char *hash)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		if (token_hash_equal(c->e[i].hash, hash))
			return &c->e[i];
	return NULL;
}

static int
fresh(const struct token_cache *c, const struct token_cache_entry *e,
    int64_t now)
{
	int64_t	ttl = c->ttl_us;

	if (!e->info.known && ttl > TOKEN_CACHE_NEGATIVE_US)
		ttl = TOKEN_CACHE_NEGATIVE_US;
	return now >= e->fetched_us && now - e->fetched_us < ttl;
}

/* A slot for a new entry: a free one, else the one fetched longest ago. */
static struct token_cache_entry *
slot(struct token_cache *c)
{
	size_t	i, oldest = 0;

	if (c->e == NULL &&
	    (c->e = calloc(TOKEN_CACHE_ENTRIES, sizeof(*c->e))) == NULL)
		return NULL;
	if (c->n < TOKEN_CACHE_ENTRIES)
		return &c->e[c->n++];
	for (i = 1; i < c->n; i++)
		if (c->e[i].fetched_us < c->e[oldest].fetched_us)
			oldest = i;
	return &c->e[oldest];
}

int
token_cache_lookup(struct token_cache *c, struct db *db,
    const unsigned char hash[TOKEN_HASH_LEN], int64_t now,
    struct token_info *out, struct llmops_err *err)
{
	struct token_cache_entry	*e = find(c, hash);
	struct token_info		 ti;
	int64_t				 touched = 0;

	if (e != NULL && fresh(c, e, now)) {
		*out = e->info;
		return 0;
	}
	if (store_token_lookup(db, hash, &ti, err) != 0) {
		if (!db_lost(db) || db_ensure(db, err) != 0 ||
		    store_token_lookup(db, hash, &ti, err) != 0)
			return -1;
	}
	if (e != NULL && e->info.token_id == ti.token_id)
		touched = e->touched_us;
	if (e == NULL && (e = slot(c)) == NULL) {
		*out = ti;	/* no memory for the cache: still answer */
		return 0;
	}
	memcpy(e->hash, hash, TOKEN_HASH_LEN);
	e->info = ti;
	e->fetched_us = now;
	e->touched_us = touched;
	*out = ti;
	return 0;
}

int
token_cache_touch_due(struct token_cache *c,
    const unsigned char hash[TOKEN_HASH_LEN], int64_t now, int64_t interval_us)
{
	struct token_cache_entry	*e = find(c, hash);

	if (e == NULL)
		return 1;
	if (e->touched_us != 0 && now >= e->touched_us &&
	    now - e->touched_us < interval_us)
		return 0;
	e->touched_us = now;
	return 1;
}
