/* The sessions table: see db_session.h. */
#include "config.h"

#include "db_session.h"

enum {
	STMT_SESSION_INSERT,
	STMT_SESSION_LOOKUP,
	STMT_SESSION_SEEN,
	STMT_SESSION_DELETE,
	STMT_SESSION_DELETE_USER,
	STMT_SESSION_DELETE_OTHERS,
	STMT_SESSION_PURGE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_SESSION_INSERT] = { "session.insert",
	    "INSERT INTO sessions (id_hash, user_id, csrf, created_us, "
	    "expires_us, last_seen_us) VALUES (?, ?, ?, ?, ?, ?)" },
	/* A live session of an active user */
	[STMT_SESSION_LOOKUP] = { "session.lookup",
	    "SELECT s.user_id, s.csrf, s.last_seen_us FROM sessions s JOIN "
	    "users u ON u.id = s.user_id WHERE s.id_hash = ? AND "
	    "s.expires_us > ? AND u.status = 'active'" },
	[STMT_SESSION_SEEN] = { "session.seen",
	    "UPDATE sessions SET last_seen_us = ? WHERE id_hash = ?" },
	[STMT_SESSION_DELETE] = { "session.delete",
	    "DELETE FROM sessions WHERE id_hash = ?" },
	[STMT_SESSION_DELETE_USER] = { "session.delete_user",
	    "DELETE FROM sessions WHERE user_id = ?" },
	[STMT_SESSION_DELETE_OTHERS] = { "session.delete_others",
	    "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?" },
	[STMT_SESSION_PURGE] = { "session.purge",
	    "DELETE FROM sessions WHERE expires_us <= ? LIMIT 1000" },
};

int
db_session_insert(struct db *db, const unsigned char hash[SESSION_ID_HASH_BYTES],
    uint32_t user_id, const unsigned char csrf[SESSION_CSRF_BYTES],
    int64_t created_us, int64_t expires_us, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_SESSION_INSERT], err);

	db_bind_blob(q, hash, SESSION_ID_HASH_BYTES);
	db_bind_i64(q, user_id);
	db_bind_blob(q, csrf, SESSION_CSRF_BYTES);
	db_bind_i64(q, created_us);
	db_bind_i64(q, expires_us);
	db_bind_i64(q, created_us);
	return db_exec(q, NULL, NULL, err);
}

int
db_session_lookup(struct db *db, const unsigned char hash[SESSION_ID_HASH_BYTES],
    int64_t now_us, uint32_t *user_id, unsigned char csrf[SESSION_CSRF_BYTES],
    int64_t *last_seen_us, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_SESSION_LOOKUP], err);
	int64_t		 uid = 0;
	int		 rc;

	db_bind_blob(q, hash, SESSION_ID_HASH_BYTES);
	db_bind_i64(q, now_us);
	db_col_i64(q, &uid);
	db_col_blob(q, csrf, SESSION_CSRF_BYTES, NULL);
	db_col_i64(q, last_seen_us);
	if ((rc = db_one(q, err)) == 1)
		*user_id = (uint32_t)uid;
	return rc;
}

int
db_session_seen(struct db *db, const unsigned char hash[SESSION_ID_HASH_BYTES],
    int64_t now_us, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_SESSION_SEEN], err);

	db_bind_i64(q, now_us);
	db_bind_blob(q, hash, SESSION_ID_HASH_BYTES);
	return db_exec(q, NULL, NULL, err);
}

int
db_session_delete(struct db *db, const unsigned char hash[SESSION_ID_HASH_BYTES],
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_SESSION_DELETE], err);

	db_bind_blob(q, hash, SESSION_ID_HASH_BYTES);
	return db_exec(q, NULL, NULL, err);
}

int
db_session_delete_user(struct db *db, uint32_t user_id, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_SESSION_DELETE_USER], err);

	db_bind_i64(q, user_id);
	return db_exec(q, NULL, NULL, err);
}

int
db_session_delete_others(struct db *db, uint32_t user_id,
    const unsigned char keep[SESSION_ID_HASH_BYTES], struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_SESSION_DELETE_OTHERS], err);

	db_bind_i64(q, user_id);
	db_bind_blob(q, keep, SESSION_ID_HASH_BYTES);
	return db_exec(q, NULL, NULL, err);
}

int
db_session_purge(struct db *db, int64_t now_us, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_SESSION_PURGE], err);

	db_bind_i64(q, now_us);
	return db_exec(q, NULL, NULL, err);
}
