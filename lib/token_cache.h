/*
 * A responder's cache of tracking tokens, so that events are attributed
 * without a database lookup each. An entry is trusted for
 * ingest.token_cache_seconds (default 30): a revoked token is refused by
 * every responder within that time. Expiry (and a rotation's grace
 * period) is checked against the cached expiry at each use, so it is
 * exact. Unknown tokens are remembered for a shorter time, so a token
 * registered a moment ago is accepted soon. The cache also decides when a
 * token's last-used time is due to be written (at most once per
 * INGEST_TOUCH_INTERVAL_US per responder), so there is no write per request.
 */
#ifndef LLMOPS_TOKEN_CACHE_H
#define LLMOPS_TOKEN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "llmops_limits.h"
#include "token.h"

/* Unknown tokens are remembered for at most this long. */
#define TOKEN_CACHE_NEGATIVE_US	(5LL * 1000000)

struct token_cache_entry {
	unsigned char		hash[TOKEN_HASH_LEN];
	struct token_info	info;
	int64_t			fetched_us;
	int64_t			touched_us;	/* last use written by us */
};

struct token_cache {
	struct token_cache_entry *e;		/* owned */
	size_t			  n;
	int64_t			  ttl_us;
};

/* One token a request carries, and what is known of it. */
struct token_query {
	unsigned char		hash[TOKEN_HASH_LEN];
	struct token_info	info;
	int			fetched;	/* read from the database */
};

void	token_cache_init(struct token_cache *, int ttl_seconds);
void	token_cache_release(struct token_cache *);
/*
 * Fills the info of n tokens: from the cache while fresh, the others from
 * the database in one read (a db_txn: after a lost connection it is
 * reopened and the read runs again). Returns 0 or -1 (err).
 */
int	token_cache_resolve(struct token_cache *, struct db *,
	    struct token_query *, size_t n, int64_t now_us, struct llmops_err *);
/*
 * The cached info of a token while fresh, without the database: 0, or
 * -1 when the cache cannot vouch for it.
 */
int	token_cache_peek(struct token_cache *, const unsigned char *hash,
	    int64_t now_us, struct token_info *);
/*
 * Records the last use of an active token at now_us, unless this
 * responder did within interval_us. 0 when written or not due, -1 (err):
 * the time is then not written again before the interval is over.
 */
int	token_cache_touch(struct token_cache *, struct db *,
	    const struct token_query *, int64_t now_us, int64_t interval_us,
	    struct llmops_err *);

#endif
