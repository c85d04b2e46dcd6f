/*
 * The sessions table: its SQL and the typed functions that bind it
 * (lib/db_session.c). Each runs in the caller's transaction (db_txn);
 * lib/session_store.c decides when they run.
 */
#ifndef LLMOPS_DB_SESSION_H
#define LLMOPS_DB_SESSION_H

#include <stdint.h>

#include "db.h"
#include "session.h"

int	db_session_insert(struct db *,
	    const unsigned char hash[SESSION_ID_HASH_BYTES], uint32_t user_id,
	    const unsigned char csrf[SESSION_CSRF_BYTES], int64_t created_us,
	    int64_t expires_us, struct llmops_err *);
/*
 * The live session (expiring after now_us) of an active user with this id
 * hash: 1 with its user, CSRF bytes and last_seen, 0 when there is none.
 */
int	db_session_lookup(struct db *,
	    const unsigned char hash[SESSION_ID_HASH_BYTES], int64_t now_us,
	    uint32_t *user_id, unsigned char csrf[SESSION_CSRF_BYTES],
	    int64_t *last_seen_us, struct llmops_err *);
int	db_session_seen(struct db *,
	    const unsigned char hash[SESSION_ID_HASH_BYTES], int64_t now_us,
	    struct llmops_err *);
int	db_session_delete(struct db *,
	    const unsigned char hash[SESSION_ID_HASH_BYTES], struct llmops_err *);
/* Every session of the user. */
int	db_session_delete_user(struct db *, uint32_t user_id,
	    struct llmops_err *);
/* Every session of the user but `keep`. */
int	db_session_delete_others(struct db *, uint32_t user_id,
	    const unsigned char keep[SESSION_ID_HASH_BYTES], struct llmops_err *);
/* Sessions expired at now_us (a bounded batch). */
int	db_session_purge(struct db *, int64_t now_us, struct llmops_err *);

#endif
