#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "account.h"
#include "audit.h"
#include "db_session.h"
#include "label.h"
#include "throttle.h"
#include "timefmt.h"

int
account_email_ok(const char *s)
{
	size_t		len = strlen(s), i, at = 0;
	const char	*a;

	if (len < 3 || len > ACCOUNT_EMAIL_BYTES ||
	    !utf8_valid((const unsigned char *)s, len))
		return 0;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
		at += s[i] == '@';
	}
	a = strchr(s, '@');
	return at == 1 && a != s && a[1] != '\0';
}

/*
 * Changes run as one db_txn (DB_WRITE) with their audit row; lone
 * statements and reads in autocommit (DB_READ). Either way db_txn reruns
 * them on a new connection when the old one was lost (a MariaDB restart),
 * so the first login after one does not fail. Passwords are hashed before,
 * never again on a rerun.
 */

struct user_new {
	const char	*actor;
	uint32_t	 org_id;
	const char	*email;
	enum role	 role;
	const char	*hash;
	int		 must_change;
	uint32_t	 id;
};

static int
create_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct user_new		*u = arg;
	struct json_object	*d;
	char			 target[32];

	if (db_user_insert(db, u->org_id, u->email, u->role, u->hash,
	    u->must_change, time_now_us(), &u->id, err) != 0) {
		if (db_duplicate(db))
			err_set(err, 409, "a user with the e-mail '%s' exists",
			    u->email);
		return -1;
	}
	d = json_object_new_object();
	json_object_object_add(d, "email", json_object_new_string(u->email));
	json_object_object_add(d, "role",
	    json_object_new_string(role_name(u->role)));
	snprintf(target, sizeof(target), "user %u", u->id);
	return audit_record(db, u->actor, u->org_id, "user.add", target, d, err);
}

int
account_create(struct db *db, const char *actor, uint32_t org_id,
    const char *email, enum role role, const char *pw, int must_change,
    uint32_t *id, struct llmops_err *err)
{
	struct user_new	u = { actor, org_id, email, role, NULL, must_change, 0 };
	char		hash[PASSWORD_HASH_BYTES];
	int		rc;

	if (!account_email_ok(email))
		return err_set(err, 400, "'%s' is not an e-mail address", email);
	if ((role == ROLE_SUPERADMIN) != (org_id == 0))
		return err_set(err, 400, "a superadmin belongs to no organization "
		    "(ORG '*'); viewers and admins to one");
	if (password_hash(pw, hash, sizeof(hash), err) != 0)
		return -1;
	u.hash = hash;
	rc = db_txn(db, DB_WRITE, create_txn, &u, err);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (rc != 0)
		return -1;
	*id = u.id;
	return 0;
}

struct user_find {
	const char	*email;		/* NULL: by id */
	uint32_t	 id;
	struct account	*a;
	int		 found;
};

static int
find_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct user_find	*f = arg;

	f->found = f->email != NULL ? db_user_by_email(db, f->email, f->a, err) :
	    db_user_by_id(db, f->id, f->a, err);
	return f->found < 0 ? -1 : 0;
}

static int
find(struct db *db, struct user_find *f, struct llmops_err *err)
{
	if (db_txn(db, DB_READ, find_txn, f, err) != 0)
		return -1;
	if (!f->found)
		return err_set(err, 404, "no such user");
	return 0;
}

int
account_by_email(struct db *db, const char *email, struct account *a,
    struct llmops_err *err)
{
	struct user_find	f = { email, 0, a, 0 };

	return find(db, &f, err);
}

int
account_by_id(struct db *db, uint32_t id, struct account *a,
    struct llmops_err *err)
{
	struct user_find	f = { NULL, id, a, 0 };

	return find(db, &f, err);
}

struct user_change {
	const char		*actor;
	const struct account	*a;
	const char		*hash;		/* set_password */
	int			 flag;		/* must_change, or active */
	const unsigned char	*keep_session;
};

static int
set_password_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct user_change	*c = arg;
	char			 target[32];

	if (db_user_set_password(db, c->a->id, c->hash, c->flag, time_now_us(),
	    err) != 0)
		return -1;
	/* Whoever knew the old password is logged out everywhere else. */
	if ((c->keep_session != NULL ? db_session_delete_others(db, c->a->id,
	    c->keep_session, err) : db_session_delete_user(db, c->a->id,
	    err)) != 0)
		return -1;
	snprintf(target, sizeof(target), "user %u", c->a->id);
	return audit_record(db, c->actor, c->a->org_id, "user.passwd", target,
	    NULL, err);
}

int
account_set_password(struct db *db, const char *actor, const struct account *a,
    const char *pw, int must_change, const unsigned char *keep_session,
    struct llmops_err *err)
{
	struct user_change	c = { actor, a, NULL, must_change, keep_session };
	char			hash[PASSWORD_HASH_BYTES];
	int			rc;

	if (password_hash(pw, hash, sizeof(hash), err) != 0)
		return -1;
	c.hash = hash;
	rc = db_txn(db, DB_WRITE, set_password_txn, &c, err);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

static int
set_active_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct user_change	*c = arg;
	char			 target[32];

	if (db_user_set_active(db, c->a->id, c->flag, err) != 0)
		return -1;
	if (!c->flag && db_session_delete_user(db, c->a->id, err) != 0)
		return -1;
	snprintf(target, sizeof(target), "user %u", c->a->id);
	return audit_record(db, c->actor, c->a->org_id, c->flag ?
	    "user.enable" : "user.disable", target, NULL, err);
}

int
account_set_active(struct db *db, const char *actor, const struct account *a,
    int active, struct llmops_err *err)
{
	struct user_change	c = { actor, a, NULL, active, NULL };

	return db_txn(db, DB_WRITE, set_active_txn, &c, err);
}

static int
touch_login_txn(struct db *db, void *arg, struct llmops_err *err)
{
	return db_user_touch_login(db, *(uint32_t *)arg, time_now_us(), err);
}

int
account_touch_login(struct db *db, uint32_t id, struct llmops_err *err)
{
	return db_txn(db, DB_READ, touch_login_txn, &id, err);
}

int
account_list(struct db *db, uint32_t org_id,
    int (*cb)(const char *const *values, void *), void *arg,
    struct llmops_err *err)
{
	return db_rows_txn(db, db_user_list, org_id, cb, arg, err);
}

/* SHA-256 of the key (lower-case): no address is stored in the clear. */
static int
failure_key(const char *key, unsigned char out[ACCOUNT_FAILURE_KEY_LEN])
{
	char		lower[ACCOUNT_EMAIL_BYTES * 4 + 16];
	size_t		i;
	unsigned int	n = 0;

	for (i = 0; key[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)key[i]);
	lower[i] = '\0';
	return EVP_Digest(lower, i, out, &n, EVP_sha256(), NULL) == 1 &&
	    n == ACCOUNT_FAILURE_KEY_LEN ? 0 : -1;
}

/* One throttle key, hashed, and what a statement over it needs or gives. */
struct failure {
	unsigned char	 h[ACCOUNT_FAILURE_KEY_LEN];
	int64_t		 now_us;
	int64_t		 n, first_us, last_us;
	int		 found;
	int		(*fn)(struct db *, const unsigned char *,
			    struct llmops_err *);	/* clear, undo */
};

static int
failures_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct failure	*f = arg;

	f->n = f->first_us = f->last_us = 0;
	f->found = db_login_failure_get(db, f->h, &f->n, &f->first_us,
	    &f->last_us, err);
	return f->found < 0 ? -1 : 0;
}

int
account_failures(struct db *db, const char *key, unsigned *failures,
    int64_t *last_us, struct llmops_err *err)
{
	struct failure	f;

	*failures = 0;
	*last_us = 0;
	memset(&f, 0, sizeof(f));
	if (failure_key(key, f.h) != 0)
		return err_set(err, 500, "cannot hash");
	if (db_txn(db, DB_READ, failures_txn, &f, err) != 0)
		return -1;
	/* Failures older than the window no longer count. */
	if (f.found == 1 &&
	    f.first_us >= time_now_us() - THROTTLE_WINDOW * TIME_US_PER_SEC) {
		*failures = (unsigned)f.n;
		*last_us = f.last_us;
	}
	return 0;
}

static int
failure_add_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct failure	*f = arg;

	return db_login_failure_add(db, f->h, f->now_us,
	    THROTTLE_WINDOW * TIME_US_PER_SEC, err);
}

int
account_failure_add(struct db *db, const char *key, int64_t now_us,
    struct llmops_err *err)
{
	struct failure	f;

	memset(&f, 0, sizeof(f));
	if (failure_key(key, f.h) != 0)
		return err_set(err, 500, "cannot hash");
	f.now_us = now_us;
	return db_txn(db, DB_READ, failure_add_txn, &f, err);
}

static int
failure_fn_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct failure	*f = arg;

	return f->fn(db, f->h, err);
}

/* Runs fn, whose only parameter is the hashed key. */
static int
failure_exec(struct db *db, const char *key,
    int (*fn)(struct db *, const unsigned char *, struct llmops_err *),
    struct llmops_err *err)
{
	struct failure	f;

	memset(&f, 0, sizeof(f));
	if (failure_key(key, f.h) != 0)
		return err_set(err, 500, "cannot hash");
	f.fn = fn;
	return db_txn(db, DB_READ, failure_fn_txn, &f, err);
}

int
account_failure_clear(struct db *db, const char *key, struct llmops_err *err)
{
	return failure_exec(db, key, db_login_failure_clear, err);
}

int
account_failure_undo(struct db *db, const char *key, struct llmops_err *err)
{
	return failure_exec(db, key, db_login_failure_undo, err);
}
