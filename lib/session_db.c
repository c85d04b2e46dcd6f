#include "config.h"
#include "db_legacy.h"

#include <string.h>

#include "session_db.h"
#include "timefmt.h"

int
session_db_create(struct db *db, const struct session_cookie *s,
    uint32_t user_id, struct llmops_err *err)
{
	struct db_params	p;
	unsigned char		hash[SESSION_ID_HASH_BYTES];
	int64_t			now = time_now_us();

	if (session_id_hash(s->id, hash) != 0)
		return err_set(err, 500, "cannot hash the session id");
	dbp_init(&p);
	dbp_blob(&p, hash, sizeof(hash));
	dbp_i64(&p, user_id);
	dbp_blob(&p, s->csrf, SESSION_CSRF_BYTES);
	dbp_i64(&p, now);
	dbp_i64(&p, (int64_t)s->expires * TIME_US_PER_SEC);
	dbp_i64(&p, now);
	return dbl_exec(db, STMT_SESSION_INSERT, &p, NULL, NULL, err);
}

int
session_db_lookup(struct db *db, const unsigned char hash[SESSION_ID_HASH_BYTES],
    int64_t now_us, uint32_t *user_id, unsigned char csrf[SESSION_CSRF_BYTES],
    struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	int64_t			uid = 0, seen = 0;
	int			rc;

	dbp_init(&p);
	dbp_blob(&p, hash, SESSION_ID_HASH_BYTES);
	dbp_i64(&p, now_us);
	dbc_init(&c);
	dbc_i64(&c, &uid);
	dbc_blob(&c, csrf, SESSION_CSRF_BYTES);
	dbc_i64(&c, &seen);
	if (dbl_select(db, STMT_SESSION_LOOKUP, &p, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, STMT_SESSION_LOOKUP, &c, err);
	dbl_select_end(db, STMT_SESSION_LOOKUP);
	if (rc <= 0)
		return rc;
	*user_id = (uint32_t)uid;
	if (now_us - seen >= SESSION_SEEN_INTERVAL_US) {
		dbp_init(&p);
		dbp_i64(&p, now_us);
		dbp_blob(&p, hash, SESSION_ID_HASH_BYTES);
		if (dbl_exec(db, STMT_SESSION_SEEN, &p, NULL, NULL, err) != 0)
			return -1;
	}
	return 1;
}

int
session_db_delete(struct db *db, const unsigned char hash[SESSION_ID_HASH_BYTES],
    struct llmops_err *err)
{
	struct db_params	p;

	dbp_init(&p);
	dbp_blob(&p, hash, SESSION_ID_HASH_BYTES);
	return dbl_exec(db, STMT_SESSION_DELETE, &p, NULL, NULL, err);
}

int
session_db_purge(struct db *db, int64_t now_us, struct llmops_err *err)
{
	struct db_params	p;

	dbp_init(&p);
	dbp_i64(&p, now_us);
	return dbl_exec(db, STMT_SESSION_PURGE, &p, NULL, NULL, err);
}
