#include "config.h"
#include "db_legacy.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <mysqld_error.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "account.h"
#include "audit.h"
#include "label.h"
#include "throttle.h"
#include "timefmt.h"

static const char *const role_names[ROLE__MAX] = {
	"viewer", "admin", "superadmin",
};

const char *
role_name(enum role r)
{
	return r < ROLE__MAX ? role_names[r] : "?";
}

int
role_parse(const char *s, enum role *out)
{
	int	i;

	for (i = 0; i < ROLE__MAX; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return 0;
		}
	return -1;
}

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

/* Runs a change and its audit row in one transaction. */
static int
finish_tx(struct db *db, int rc, struct llmops_err *err)
{
	if (rc != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db, err);
}

int
account_create(struct db *db, const char *actor, uint32_t org_id,
    const char *email, enum role role, const char *pw, int must_change,
    uint32_t *id, struct llmops_err *err)
{
	struct db_params	 p;
	struct json_object	*d;
	char			 hash[PASSWORD_HASH_BYTES], target[32];
	uint64_t		 newid = 0;
	int64_t			 now = time_now_us();
	int			 rc;

	if (!account_email_ok(email))
		return err_set(err, 400, "'%s' is not an e-mail address", email);
	if ((role == ROLE_SUPERADMIN) != (org_id == 0))
		return err_set(err, 400, "a superadmin belongs to no organization "
		    "(ORG '*'); viewers and admins to one");
	if (password_hash(pw, hash, sizeof(hash), err) != 0)
		return -1;
	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0) {
		OPENSSL_cleanse(hash, sizeof(hash));
		return -1;
	}
	dbp_init(&p);
	dbp_i64_opt(&p, org_id != 0, org_id);
	dbp_str(&p, email);
	dbp_str(&p, role_name(role));
	dbp_str(&p, hash);
	dbp_i64(&p, must_change ? 1 : 0);
	dbp_i64(&p, now);
	dbp_i64(&p, now);
	rc = dbl_exec(db, STMT_USER_INSERT, &p, NULL, &newid, err);
	if (rc != 0 && db_duplicate(db))
		err_set(err, 409, "a user with the e-mail '%s' exists", email);
	if (rc == 0) {
		d = json_object_new_object();
		json_object_object_add(d, "email", json_object_new_string(email));
		json_object_object_add(d, "role",
		    json_object_new_string(role_name(role)));
		snprintf(target, sizeof(target), "user %llu",
		    (unsigned long long)newid);
		rc = audit_record(db, actor, org_id, "user.add", target, d, err);
	}
	OPENSSL_cleanse(hash, sizeof(hash));
	if (finish_tx(db, rc, err) != 0)
		return -1;
	*id = (uint32_t)newid;
	return 0;
}

static int
fetch(struct db *db, enum stmt s, struct db_params *p, struct account *a,
    struct llmops_err *err)
{
	struct db_cols	c;
	int64_t		id = 0, org = 0, must = 0;
	char		role[16], status[16];
	int		rc;

	memset(a, 0, sizeof(*a));
	if (db_ensure(db, err) != 0)
		return -1;
	dbc_init(&c);
	dbc_i64(&c, &id);
	dbc_i64(&c, &org);
	dbc_str(&c, a->email, sizeof(a->email));
	dbc_str(&c, role, sizeof(role));
	dbc_str(&c, a->password_hash, sizeof(a->password_hash));
	dbc_i64(&c, &must);
	dbc_str(&c, status, sizeof(status));
	dbc_str(&c, a->org_name, sizeof(a->org_name));
	if (dbl_select(db, s, p, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, s, &c, err);
	dbl_select_end(db, s);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(err, 404, "no such user");
	a->id = (uint32_t)id;
	a->org_id = (uint32_t)org;
	a->must_change = must != 0;
	a->active = strcmp(status, "active") == 0;
	if (role_parse(role, &a->role) != 0)
		return err_set(err, 500, "user %u has an unknown role", a->id);
	return 0;
}

int
account_by_email(struct db *db, const char *email, struct account *a,
    struct llmops_err *err)
{
	struct db_params	p;

	dbp_init(&p);
	dbp_str(&p, email);
	return fetch(db, STMT_USER_BY_EMAIL, &p, a, err);
}

int
account_by_id(struct db *db, uint32_t id, struct account *a,
    struct llmops_err *err)
{
	struct db_params	p;

	dbp_init(&p);
	dbp_i64(&p, id);
	return fetch(db, STMT_USER_BY_ID, &p, a, err);
}

int
account_set_password(struct db *db, const char *actor, const struct account *a,
    const char *pw, int must_change, const unsigned char *keep_session,
    struct llmops_err *err)
{
	struct db_params	p;
	char			hash[PASSWORD_HASH_BYTES], target[32];
	int			rc;

	if (password_hash(pw, hash, sizeof(hash), err) != 0)
		return -1;
	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0) {
		OPENSSL_cleanse(hash, sizeof(hash));
		return -1;
	}
	dbp_init(&p);
	dbp_str(&p, hash);
	dbp_i64(&p, must_change ? 1 : 0);
	dbp_i64(&p, time_now_us());
	dbp_i64(&p, a->id);
	rc = dbl_exec(db, STMT_USER_SET_PASSWORD, &p, NULL, NULL, err);
	OPENSSL_cleanse(hash, sizeof(hash));
	/* Whoever knew the old password is logged out everywhere else. */
	if (rc == 0) {
		dbp_init(&p);
		dbp_i64(&p, a->id);
		if (keep_session != NULL) {
			dbp_blob(&p, keep_session, 32);
			rc = dbl_exec(db, STMT_SESSION_DELETE_OTHERS, &p, NULL,
			    NULL, err);
		} else
			rc = dbl_exec(db, STMT_SESSION_DELETE_USER, &p, NULL,
			    NULL, err);
	}
	if (rc == 0) {
		snprintf(target, sizeof(target), "user %u", a->id);
		rc = audit_record(db, actor, a->org_id, "user.passwd", target,
		    NULL, err);
	}
	return finish_tx(db, rc, err);
}

int
account_set_active(struct db *db, const char *actor, const struct account *a,
    int active, struct llmops_err *err)
{
	struct db_params	p;
	char			target[32];
	int			rc;

	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0)
		return -1;
	dbp_init(&p);
	dbp_str(&p, active ? "active" : "disabled");
	dbp_i64(&p, a->id);
	rc = dbl_exec(db, STMT_USER_SET_STATUS, &p, NULL, NULL, err);
	if (rc == 0 && !active) {
		dbp_init(&p);
		dbp_i64(&p, a->id);
		rc = dbl_exec(db, STMT_SESSION_DELETE_USER, &p, NULL, NULL, err);
	}
	if (rc == 0) {
		snprintf(target, sizeof(target), "user %u", a->id);
		rc = audit_record(db, actor, a->org_id, active ? "user.enable" :
		    "user.disable", target, NULL, err);
	}
	return finish_tx(db, rc, err);
}

int
account_touch_login(struct db *db, uint32_t id, struct llmops_err *err)
{
	struct db_params	p;

	dbp_init(&p);
	dbp_i64(&p, time_now_us());
	dbp_i64(&p, id);
	return dbl_exec(db, STMT_USER_LOGIN, &p, NULL, NULL, err);
}

int
account_list(struct db *db, uint32_t org_id,
    int (*cb)(const char *const *values, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	  p;
	struct db_cols		  c;
	char			(*buf)[ACCOUNT_EMAIL_BYTES * 4 + 1];
	const char		 *vals[ACCOUNT_NCOLS];
	int			  i, rc = -1;

	if (db_ensure(db, err) != 0)
		return -1;
	if ((buf = calloc(ACCOUNT_NCOLS, sizeof(*buf))) == NULL)
		return err_set(err, 500, "out of memory");
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_i64(&p, org_id);
	dbc_init(&c);
	for (i = 0; i < ACCOUNT_NCOLS; i++)
		dbc_str(&c, buf[i], sizeof(buf[i]));
	if (dbl_select(db, STMT_USER_LIST, &p, &c, err) != 0)
		goto out;
	while ((rc = dbl_fetch(db, STMT_USER_LIST, &c, err)) == 1) {
		for (i = 0; i < ACCOUNT_NCOLS; i++)
			vals[i] = dbc_null(&c, (unsigned)i) ? NULL : buf[i];
		if (cb(vals, arg) != 0)
			break;
	}
	dbl_select_end(db, STMT_USER_LIST);
	rc = rc < 0 ? -1 : 0;
out:
	free(buf);
	return rc;
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

int
account_failures(struct db *db, const char *key, unsigned *failures,
    int64_t *last_us, struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	unsigned char		h[ACCOUNT_FAILURE_KEY_LEN];
	int64_t			n = 0, first = 0, last = 0;
	int			rc;

	*failures = 0;
	*last_us = 0;
	if (failure_key(key, h) != 0)
		return err_set(err, 500, "cannot hash");
	dbp_init(&p);
	dbp_blob(&p, h, sizeof(h));
	dbc_init(&c);
	dbc_i64(&c, &n);
	dbc_i64(&c, &first);
	dbc_i64(&c, &last);
	if (dbl_select(db, STMT_LOGIN_FAILURES, &p, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, STMT_LOGIN_FAILURES, &c, err);
	dbl_select_end(db, STMT_LOGIN_FAILURES);
	if (rc < 0)
		return -1;
	/* Failures older than the window no longer count. */
	if (rc == 1 && first >= time_now_us() - THROTTLE_WINDOW * TIME_US_PER_SEC) {
		*failures = (unsigned)n;
		*last_us = last;
	}
	return 0;
}

int
account_failure_add(struct db *db, const char *key, int64_t now_us,
    struct llmops_err *err)
{
	struct db_params	p;
	unsigned char		h[ACCOUNT_FAILURE_KEY_LEN];

	if (failure_key(key, h) != 0)
		return err_set(err, 500, "cannot hash");
	dbp_init(&p);
	dbp_blob(&p, h, sizeof(h));
	dbp_i64(&p, now_us);
	dbp_i64(&p, now_us);
	dbp_i64(&p, THROTTLE_WINDOW * TIME_US_PER_SEC);
	dbp_i64(&p, THROTTLE_WINDOW * TIME_US_PER_SEC);
	return dbl_exec(db, STMT_LOGIN_FAILURE_ADD, &p, NULL, NULL, err);
}

/* Runs st, whose only parameter is the hashed key. */
static int
failure_exec(struct db *db, enum stmt st, const char *key,
    struct llmops_err *err)
{
	struct db_params	p;
	unsigned char		h[ACCOUNT_FAILURE_KEY_LEN];

	if (failure_key(key, h) != 0)
		return err_set(err, 500, "cannot hash");
	dbp_init(&p);
	dbp_blob(&p, h, sizeof(h));
	return dbl_exec(db, st, &p, NULL, NULL, err);
}

int
account_failure_clear(struct db *db, const char *key, struct llmops_err *err)
{
	return failure_exec(db, STMT_LOGIN_FAILURE_CLEAR, key, err);
}

int
account_failure_undo(struct db *db, const char *key, struct llmops_err *err)
{
	return failure_exec(db, STMT_LOGIN_FAILURE_UNDO, key, err);
}
