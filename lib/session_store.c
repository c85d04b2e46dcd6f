#include "config.h"

#include <string.h>

#include "db_session.h"
#include "session_store.h"
#include "timefmt.h"

/*
 * Each function is one db_txn in autocommit (DB_READ): a lone statement,
 * or a lookup and its bookkeeping that need no atomicity. db_txn reruns it
 * on a new connection when the old one was lost (a MariaDB restart), so
 * the first request after one does not fail.
 */

struct session_new {
	unsigned char	 hash[SESSION_ID_HASH_BYTES];
	const unsigned char *csrf;
	uint32_t	 user_id;
	int64_t		 now_us, expires_us;
};

static int
create_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct session_new	*s = arg;

	return db_session_insert(db, s->hash, s->user_id, s->csrf, s->now_us,
	    s->expires_us, err);
}

int
session_store_create(struct db *db, const struct session_cookie *s,
    uint32_t user_id, struct llmops_err *err)
{
	struct session_new	n;

	if (session_id_hash(s->id, n.hash) != 0)
		return err_set(err, 500, "cannot hash the session id");
	n.csrf = s->csrf;
	n.user_id = user_id;
	n.now_us = time_now_us();
	n.expires_us = (int64_t)s->expires * TIME_US_PER_SEC;
	return db_txn(db, DB_READ, create_txn, &n, err);
}

/* A session by its id hash (lookup, delete), or a time (purge). */
struct session_find {
	const unsigned char	*hash;
	int64_t			 now_us;
	uint32_t		*user_id;
	unsigned char		*csrf;
	int			 found;
};

static int
lookup_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct session_find	*f = arg;
	int64_t			 seen = 0;

	f->found = db_session_lookup(db, f->hash, f->now_us, f->user_id,
	    f->csrf, &seen, err);
	if (f->found < 0)
		return -1;
	if (f->found == 1 && f->now_us - seen >= SESSION_SEEN_INTERVAL_US)
		return db_session_seen(db, f->hash, f->now_us, err);
	return 0;
}

int
session_store_lookup(struct db *db, const unsigned char hash[SESSION_ID_HASH_BYTES],
    int64_t now_us, uint32_t *user_id, unsigned char csrf[SESSION_CSRF_BYTES],
    struct llmops_err *err)
{
	struct session_find	f = { hash, now_us, user_id, csrf, 0 };

	if (db_txn(db, DB_READ, lookup_txn, &f, err) != 0)
		return -1;
	return f.found;
}

static int
delete_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct session_find	*f = arg;

	return db_session_delete(db, f->hash, err);
}

int
session_store_delete(struct db *db, const unsigned char hash[SESSION_ID_HASH_BYTES],
    struct llmops_err *err)
{
	struct session_find	f = { hash, 0, NULL, NULL, 0 };

	return db_txn(db, DB_READ, delete_txn, &f, err);
}

static int
purge_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct session_find	*f = arg;

	return db_session_purge(db, f->now_us, err);
}

int
session_store_purge(struct db *db, int64_t now_us, struct llmops_err *err)
{
	struct session_find	f = { NULL, now_us, NULL, NULL, 0 };

	return db_txn(db, DB_READ, purge_txn, &f, err);
}
