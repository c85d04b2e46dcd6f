#include "config.h"
#include "db_legacy.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>
#include <openssl/crypto.h>

#include <json-c/json.h>

#include "admin.h"
#include "audit.h"
#include "label.h"
#include "timefmt.h"

int
admin_org_name_ok(const char *name, const char **why)
{
	size_t	len = strlen(name), i, digits = 0;

	if (len == 0 || len > LIMIT_ORG_NAME_BYTES) {
		*why = "must be 1 to 128 bytes long";
		return 0;
	}
	if (!utf8_valid((const unsigned char *)name, len)) {
		*why = "is not valid UTF-8";
		return 0;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			*why = "contains a control character";
			return 0;
		}
		digits += isdigit((unsigned char)name[i]) != 0;
	}
	if (digits == len) {
		*why = "must not be all digits (numbers refer to organization ids)";
		return 0;
	}
	if (name[0] == ' ' || name[len - 1] == ' ') {
		*why = "must not start or end with a space";
		return 0;
	}
	return 1;
}

/* Runs the change and its audit row in one transaction. */
static int
commit_or_rollback(struct db *db, int rc, struct llmops_err *err)
{
	if (rc != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db, err);
}

static struct json_object *
details_label(const char *label, int64_t expires_us)
{
	struct json_object	*o = json_object_new_object();
	char			 iso[TIME_ISO_BYTES];

	if (o == NULL)
		return NULL;
	if (label != NULL)
		json_object_object_add(o, "label", json_object_new_string(label));
	if (expires_us != 0) {
		time_format_iso_sec(expires_us, iso);
		json_object_object_add(o, "expires", json_object_new_string(iso));
	}
	return o;
}

struct org_create {
	const char	*actor;
	const char	*name;
	uint32_t	 id;
};

static int
org_create_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct org_create	*c = arg;
	struct json_object	*d;
	char			 target[32];

	if (db_org_insert(db, c->name, time_now_us(), &c->id, err) != 0) {
		if (db_duplicate(db))
			err_set(err, 409, "an organization named '%s' already "
			    "exists", c->name);
		return -1;
	}
	d = json_object_new_object();
	json_object_object_add(d, "name", json_object_new_string(c->name));
	snprintf(target, sizeof(target), "org %u", c->id);
	return audit_record(db, c->actor, c->id, "org.create", target, d, err);
}

int
admin_org_create(struct db *db, const char *actor, const char *name,
    uint32_t *id, struct llmops_err *err)
{
	struct org_create	 c = { actor, name, 0 };
	const char		*why;

	if (!admin_org_name_ok(name, &why))
		return err_set(err, 400, "organization name %s", why);
	if (db_txn(db, DB_WRITE, org_create_txn, &c, err) != 0)
		return -1;
	*id = c.id;
	return 0;
}

struct org_find {
	const char	*ref;
	int		 byid;
	uint32_t	 id;
	struct org	*o;
	int		 found;
};

static int
org_find_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct org_find	*f = arg;

	f->found = f->byid ? db_org_by_id(db, f->id, f->o, err) :
	    db_org_by_name(db, f->ref, f->o, err);
	return f->found < 0 ? -1 : 0;
}

int
admin_org_find(struct db *db, const char *ref, struct org *o,
    struct llmops_err *err)
{
	struct org_find		 f = { ref, *ref != '\0', 0, o, 0 };
	unsigned long long	 id;
	size_t			 i;

	for (i = 0; ref[i] != '\0'; i++)
		if (!isdigit((unsigned char)ref[i]))
			f.byid = 0;
	memset(o, 0, sizeof(*o));
	if (f.byid) {
		/* Digits beyond any id name no organization. */
		errno = 0;
		id = strtoull(ref, NULL, 10);
		if (errno == ERANGE || id > UINT32_MAX)
			return err_set(err, 404, "no organization with id '%s'",
			    ref);
		f.id = (uint32_t)id;
	}
	if (db_txn(db, DB_READ, org_find_txn, &f, err) != 0)
		return -1;
	if (!f.found)
		return err_set(err, 404, "no organization %s'%s'",
		    f.byid ? "with id " : "", ref);
	return 0;
}

struct org_list {
	int	(*cb)(const struct org *, void *);
	void	*arg;
};

static int
org_list_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct org_list	*l = arg;

	return db_org_list(db, l->cb, l->arg, err);
}

int
admin_org_list(struct db *db, int (*cb)(const struct org *, void *), void *arg,
    struct llmops_err *err)
{
	struct org_list	l = { cb, arg };

	return db_txn(db, DB_READ, org_list_txn, &l, err);
}

/* Inserts a token row (inside the caller's transaction). */
static int
insert_token(struct db *db, uint32_t org_id, const char *token,
    const char *label, int64_t expires_us, uint32_t *id, struct llmops_err *err)
{
	struct db_params	p;
	unsigned char		hash[TOKEN_HASH_LEN];
	char			prefix[TOKEN_PREFIX_BYTES];
	uint64_t		newid = 0;

	if (label != NULL && (strlen(label) > LIMIT_TOKEN_LABEL_BYTES ||
	    !utf8_valid((const unsigned char *)label, strlen(label))))
		return err_set(err, 400, "token label must be valid UTF-8 of "
		    "at most %d bytes", LIMIT_TOKEN_LABEL_BYTES);
	if (expires_us != 0 && expires_us <= time_now_us())
		return err_set(err, 400, "the expiry is in the past");
	if (token_hash(token, strlen(token), hash) != 0)
		return err_set(err, 500, "cannot hash the token");
	token_prefix(token, prefix);
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_blob(&p, hash, sizeof(hash));
	dbp_str(&p, prefix);
	dbp_str(&p, label != NULL && *label != '\0' ? label : NULL);
	dbp_i64(&p, time_now_us());
	dbp_i64_opt(&p, expires_us != 0, expires_us);
	if (dbl_exec(db, STMT_TOKEN_INSERT, &p, NULL, &newid, err) != 0) {
		/* Never say which organization holds it. */
		if (db_duplicate(db))
			return err_set(err, 409, "this token is already "
			    "registered");
		return -1;
	}
	*id = (uint32_t)newid;
	return 0;
}

/* A new token row and its audit row, in one transaction. */
static int
add_token(struct db *db, const char *actor, const char *action,
    uint32_t org_id, const char *token, const char *label, int64_t expires_us,
    uint32_t *id, struct llmops_err *err)
{
	char	target[32];
	int	rc;

	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0)
		return -1;
	rc = insert_token(db, org_id, token, label, expires_us, id, err);
	if (rc == 0) {
		snprintf(target, sizeof(target), "token %u", *id);
		rc = audit_record(db, actor, org_id, action, target,
		    details_label(label, expires_us), err);
	}
	return commit_or_rollback(db, rc, err);
}

int
admin_token_create(struct db *db, const char *actor, uint32_t org_id,
    const char *label, int64_t expires_us, char token[TOKEN_GENERATED_BYTES],
    uint32_t *id, struct llmops_err *err)
{
	if (token_generate(token) != 0)
		return err_set(err, 500, "no randomness available for a token");
	if (add_token(db, actor, "token.create", org_id, token, label,
	    expires_us, id, err) != 0) {
		OPENSSL_cleanse(token, TOKEN_GENERATED_BYTES);
		return -1;
	}
	return 0;
}

int
admin_token_add(struct db *db, const char *actor, uint32_t org_id,
    const char *token, const char *label, int64_t expires_us, uint32_t *id,
    struct llmops_err *err)
{
	const char	*why;

	if (!token_format_ok(token, &why))
		return err_set(err, 400, "token %s (%d to %d printable ASCII "
		    "characters)", why, LIMIT_TOKEN_MIN_BYTES,
		    LIMIT_TOKEN_MAX_BYTES);
	return add_token(db, actor, "token.add", org_id, token, label,
	    expires_us, id, err);
}

int
admin_token_list(struct db *db, uint32_t org_id,
    int (*cb)(const struct token_row *, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	struct token_row	t;
	int64_t			id = 0;
	int			rc;

	if (db_ensure(db, err) != 0)
		return -1;
	memset(&t, 0, sizeof(t));
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbc_init(&c);
	dbc_i64(&c, &id);
	dbc_str(&c, t.prefix, sizeof(t.prefix));
	dbc_str(&c, t.label, sizeof(t.label));
	dbc_str(&c, t.status, sizeof(t.status));
	dbc_i64(&c, &t.created_us);
	dbc_i64(&c, &t.last_used_us);
	dbc_i64(&c, &t.expires_us);
	dbc_i64(&c, &t.revoked_us);
	if (dbl_select(db, STMT_TOKEN_LIST, &p, &c, err) != 0)
		return -1;
	while ((rc = dbl_fetch(db, STMT_TOKEN_LIST, &c, err)) == 1) {
		t.id = (uint32_t)id;
		t.has_label = !dbc_null(&c, 2);
		if (dbc_null(&c, 5))
			t.last_used_us = 0;
		if (dbc_null(&c, 6))
			t.expires_us = 0;
		if (dbc_null(&c, 7))
			t.revoked_us = 0;
		if (cb(&t, arg) != 0)
			break;
	}
	dbl_select_end(db, STMT_TOKEN_LIST);
	return rc < 0 ? -1 : 0;
}

/* The token row of id, locked; 404 when there is none. */
struct token_get {
	int64_t	id, org_id, expires_us, rotated_to;
	char	status[16];
	char	label[LIMIT_TOKEN_LABEL_BYTES * 4 + 1];
	int	has_label, has_expiry, rotated;
};

static int
token_get(struct db *db, uint32_t id, struct token_get *t,
    struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	int			rc;

	memset(t, 0, sizeof(*t));
	dbp_init(&p);
	dbp_i64(&p, id);
	dbc_init(&c);
	dbc_i64(&c, &t->id);
	dbc_i64(&c, &t->org_id);
	dbc_str(&c, t->status, sizeof(t->status));
	dbc_str(&c, t->label, sizeof(t->label));
	dbc_i64(&c, &t->expires_us);
	dbc_i64(&c, &t->rotated_to);
	if (dbl_select(db, STMT_TOKEN_GET, &p, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, STMT_TOKEN_GET, &c, err);
	dbl_select_end(db, STMT_TOKEN_GET);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(err, 404, "no token with id %u", id);
	t->has_label = !dbc_null(&c, 3);
	t->has_expiry = !dbc_null(&c, 4);
	t->rotated = !dbc_null(&c, 5);
	return 0;
}

int
admin_token_revoke(struct db *db, const char *actor, uint32_t id,
    struct llmops_err *err)
{
	struct db_params	p;
	struct token_get	t;
	uint64_t		affected = 0;
	char			target[32];
	int			rc;

	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0)
		return -1;
	rc = token_get(db, id, &t, err);
	if (rc == 0 && strcmp(t.status, "active") != 0)
		rc = err_set(err, 409, "token %u is already %s", id, t.status);
	if (rc == 0) {
		dbp_init(&p);
		dbp_i64(&p, time_now_us());
		dbp_i64(&p, id);
		rc = dbl_exec(db, STMT_TOKEN_REVOKE, &p, &affected, NULL, err);
		if (rc == 0 && affected != 1)
			rc = err_set(err, 409, "token %u was revoked concurrently",
			    id);
	}
	if (rc == 0) {
		snprintf(target, sizeof(target), "token %u", id);
		rc = audit_record(db, actor, (uint32_t)t.org_id, "token.revoke",
		    target, NULL, err);
	}
	return commit_or_rollback(db, rc, err);
}

int
admin_token_rotate(struct db *db, const char *actor, uint32_t id,
    int64_t grace_us, char token[TOKEN_GENERATED_BYTES], uint32_t *new_id,
    struct llmops_err *err)
{
	struct db_params	 p;
	struct token_get	 t;
	struct json_object	*d;
	uint64_t		 affected = 0;
	int64_t			 now = time_now_us();
	char			 target[32], iso[TIME_ISO_BYTES];
	int			 rc;

	if (grace_us < 0)
		return err_set(err, 400, "the grace period cannot be negative");
	if (token_generate(token) != 0)
		return err_set(err, 500, "no randomness available for a token");
	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0)
		return -1;
	rc = token_get(db, id, &t, err);
	if (rc == 0 && strcmp(t.status, "active") != 0)
		rc = err_set(err, 409, "token %u is %s", id, t.status);
	else if (rc == 0 && t.rotated)
		rc = err_set(err, 409, "token %u was already rotated (to token "
		    "%lld)", id, (long long)t.rotated_to);
	else if (rc == 0 && t.has_expiry && t.expires_us <= now)
		rc = err_set(err, 409, "token %u has expired", id);
	if (rc == 0)
		rc = insert_token(db, (uint32_t)t.org_id, token, t.has_label ?
		    t.label : NULL, t.has_expiry ? t.expires_us : 0, new_id, err);
	if (rc == 0) {
		dbp_init(&p);
		dbp_i64(&p, *new_id);
		dbp_i64(&p, INT64_MAX);
		dbp_i64(&p, now + grace_us);
		dbp_i64(&p, id);
		rc = dbl_exec(db, STMT_TOKEN_ROTATE, &p, &affected, NULL, err);
		if (rc == 0 && affected != 1)
			rc = err_set(err, 409, "token %u changed concurrently", id);
	}
	if (rc == 0) {
		d = json_object_new_object();
		json_object_object_add(d, "new_token", json_object_new_int64(
		    (int64_t)*new_id));
		time_format_iso_sec(now + grace_us, iso);
		json_object_object_add(d, "old_valid_until",
		    json_object_new_string(iso));
		snprintf(target, sizeof(target), "token %u", id);
		rc = audit_record(db, actor, (uint32_t)t.org_id, "token.rotate",
		    target, d, err);
	}
	if (commit_or_rollback(db, rc, err) != 0) {
		OPENSSL_cleanse(token, TOKEN_GENERATED_BYTES);
		return -1;
	}
	return 0;
}
