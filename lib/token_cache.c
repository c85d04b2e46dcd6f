#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_token.h"
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

/* Remembers what the database said of a token at now. */
static void
put(struct token_cache *c, const struct token_query *q, int64_t now)
{
	struct token_cache_entry	*e = find(c, q->hash);
	int64_t				 touched = 0;

	if (e != NULL && e->info.token_id == q->info.token_id)
		touched = e->touched_us;
	if (e == NULL && (e = slot(c)) == NULL)
		return;	/* no memory for the cache: the lookup still answers */
	memcpy(e->hash, q->hash, TOKEN_HASH_LEN);
	e->info = q->info;
	e->fetched_us = now;
	e->touched_us = touched;
}

/* Arguments of lookup(). */
struct resolve {
	struct token_query	*q;
	size_t			 n;
};

/* The tokens the cache did not hold fresh, from the database (a db_txn fn). */
static int
lookup(struct db *db, void *arg, struct llmops_err *err)
{
	struct resolve	*r = arg;
	size_t		 i;

	for (i = 0; i < r->n; i++)
		if (r->q[i].fetched &&
		    db_token_lookup(db, r->q[i].hash, &r->q[i].info, err) != 0)
			return -1;
	return 0;
}

int
token_cache_resolve(struct token_cache *c, struct db *db,
    struct token_query *q, size_t n, int64_t now, struct llmops_err *err)
{
	struct token_cache_entry	*e;
	struct resolve			 r;
	size_t				 i, nfetch = 0;

	for (i = 0; i < n; i++) {
		e = find(c, q[i].hash);
		q[i].fetched = e == NULL || !fresh(c, e, now);
		if (q[i].fetched)
			nfetch++;
		else
			q[i].info = e->info;
	}
	/* All from the cache: the database is not needed at all. */
	if (nfetch == 0)
		return 0;
	r.q = q;
	r.n = n;
	if (db_txn(db, DB_READ, lookup, &r, err) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (q[i].fetched)
			put(c, &q[i], now);
	return 0;
}

int
token_cache_peek(struct token_cache *c, const unsigned char *hash,
    int64_t now, struct token_info *info)
{
	struct token_cache_entry	*e = find(c, hash);

	if (e == NULL || !fresh(c, e, now))
		return -1;
	*info = e->info;
	return 0;
}

/* 1 when this token's last-used time should be written now (and notes it). */
static int
touch_due(struct token_cache *c, const unsigned char hash[TOKEN_HASH_LEN],
    int64_t now, int64_t interval_us)
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

/* Arguments of touch(). */
struct touch {
	uint32_t	token_id;
	int64_t		now, interval_us;
};

static int
touch(struct db *db, void *arg, struct llmops_err *err)
{
	const struct touch	*t = arg;

	return db_token_touch(db, t->token_id, t->now, t->interval_us, err);
}

int
token_cache_touch(struct token_cache *c, struct db *db,
    const struct token_query *q, int64_t now, int64_t interval_us,
    struct llmops_err *err)
{
	struct touch	t;

	if (token_info_state(&q->info, now) != TOKEN_STATE_ACTIVE ||
	    !touch_due(c, q->hash, now, interval_us))
		return 0;
	t.token_id = q->info.token_id;
	t.now = now;
	t.interval_us = interval_us;
	return db_txn(db, DB_WRITE, touch, &t, err);
}
