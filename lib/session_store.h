/*
 * Browser sessions in the database: only the SHA-256 of a session id is
 * stored, beside its user, its CSRF bytes and its expiry. A cookie names a
 * session; deleting the row (logout, password change, disabled user) ends
 * it even though the cookie itself is still validly signed.
 *
 * Each function runs its own db_txn (inside another, it
 * joins that transaction); the SQL is in lib/db_session.c.
 */
#ifndef LLMOPS_SESSION_STORE_H
#define LLMOPS_SESSION_STORE_H

#include <stdint.h>

#include "db.h"
#include "session.h"

/* last_seen is written at most this often per session. */
#define SESSION_SEEN_INTERVAL_US	(5LL * 60 * 1000000)

int	session_store_create(struct db *, const struct session_cookie *,
	    uint32_t user_id, struct llmops_err *);
/*
 * The live session of an active user with this id hash: 1 with the user
 * and CSRF bytes, 0 when there is none. Refreshes last_seen when due.
 */
int	session_store_lookup(struct db *, const unsigned char hash[SESSION_ID_HASH_BYTES],
	    int64_t now_us, uint32_t *user_id,
	    unsigned char csrf[SESSION_CSRF_BYTES], struct llmops_err *);
int	session_store_delete(struct db *, const unsigned char hash[SESSION_ID_HASH_BYTES],
	    struct llmops_err *);
/* Deletes expired sessions (a bounded batch). */
int	session_store_purge(struct db *, int64_t now_us, struct llmops_err *);

#endif
