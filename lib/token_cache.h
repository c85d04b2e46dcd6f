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
#include "store.h"
#include "token.h"

/* Entries kept; the oldest is replaced when full. */
#define TOKEN_CACHE_ENTRIES	1024
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

void	token_cache_init(struct token_cache *, int ttl_seconds);
void	token_cache_release(struct token_cache *);
/*
 * The token's info, from the cache while fresh, else from the database
 * (one reconnect on a lost connection). Returns 0 or -1 (err).
 */
int	token_cache_lookup(struct token_cache *, struct db *,
	    const unsigned char hash[TOKEN_HASH_LEN], int64_t now_us,
	    struct token_info *, struct llmops_err *);
/* 1 when this token's last-used time should be written now (and notes it). */
int	token_cache_touch_due(struct token_cache *,
	    const unsigned char hash[TOKEN_HASH_LEN], int64_t now_us,
	    int64_t interval_us);

#endif
