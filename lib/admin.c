#include "config.h"

#include <ctype.h>
#include <string.h>

#include <mysqld_error.h>
#include <openssl/crypto.h>

#include "admin.h"
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

int
admin_org_create(struct db *db, const char *name, uint32_t *id,
    struct llmops_err *err)
{
	struct db_params	 p;
	uint64_t		 newid = 0;
	const char		*why;

	if (!admin_org_name_ok(name, &why))
		return err_set(err, 400, "organization name %s", why);
	if (db_ensure(db, err) != 0)
		return -1;
	dbp_init(&p);
	dbp_str(&p, name);
	dbp_i64(&p, time_now_us());
	if (db_exec(db, STMT_ORG_INSERT, &p, NULL, &newid, err) != 0) {
		if (db->last_errno == ER_DUP_ENTRY)
			return err_set(err, 409, "an organization named '%s' "
			    "already exists", name);
		return -1;
	}
	*id = (uint32_t)newid;
	return 0;
}

int
admin_org_find(struct db *db, const char *ref, struct org *o,
    struct llmops_err *err)
{
	struct db_params	 p;
	struct db_cols		 c;
	int64_t			 id = 0;
	size_t			 i;
	int			 byid = *ref != '\0', rc;
	enum stmt		 s;

	for (i = 0; ref[i] != '\0'; i++)
		if (!isdigit((unsigned char)ref[i]))
			byid = 0;
	memset(o, 0, sizeof(*o));
	if (db_ensure(db, err) != 0)
		return -1;
	s = byid ? STMT_ORG_BY_ID : STMT_ORG_BY_NAME;
	dbp_init(&p);
	dbp_str(&p, ref);
	dbc_init(&c);
	dbc_i64(&c, &id);
	dbc_str(&c, o->name, sizeof(o->name));
	if (db_select(db, s, &p, &c, err) != 0)
		return -1;
	rc = db_fetch(db, s, &c, err);
	db_select_end(db, s);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(err, 404, "no organization %s'%s'",
		    byid ? "with id " : "", ref);
	o->id = (uint32_t)id;
	return 0;
}

int
admin_org_list(struct db *db, int (*cb)(const struct org *, void *), void *arg,
    struct llmops_err *err)
{
	struct db_cols	c;
	struct org	o;
	int64_t		id = 0;
	int		rc;

	if (db_ensure(db, err) != 0)
		return -1;
	memset(&o, 0, sizeof(o));
	dbc_init(&c);
	dbc_i64(&c, &id);
	dbc_str(&c, o.name, sizeof(o.name));
	dbc_i64(&c, &o.created_us);
	dbc_i64(&c, &o.active_tokens);
	if (db_select(db, STMT_ORG_LIST, NULL, &c, err) != 0)
		return -1;
	while ((rc = db_fetch(db, STMT_ORG_LIST, &c, err)) == 1) {
		o.id = (uint32_t)id;
		if (cb(&o, arg) != 0)
			break;
	}
	db_select_end(db, STMT_ORG_LIST);
	return rc < 0 ? -1 : 0;
}

static int
insert_token(struct db *db, uint32_t org_id, const char *token,
    const char *label, uint32_t *id, struct llmops_err *err)
{
	struct db_params	p;
	unsigned char		hash[TOKEN_HASH_LEN];
	char			prefix[TOKEN_PREFIX_BYTES];
	uint64_t		newid = 0;

	if (label != NULL && (strlen(label) > LIMIT_TOKEN_LABEL_BYTES ||
	    !utf8_valid((const unsigned char *)label, strlen(label))))
		return err_set(err, 400, "token label must be valid UTF-8 of "
		    "at most %d bytes", LIMIT_TOKEN_LABEL_BYTES);
	if (token_hash(token, strlen(token), hash) != 0)
		return err_set(err, 500, "cannot hash the token");
	token_prefix(token, prefix);
	if (db_ensure(db, err) != 0)
		return -1;
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_blob(&p, hash, sizeof(hash));
	dbp_str(&p, prefix);
	dbp_str(&p, label != NULL && *label != '\0' ? label : NULL);
	dbp_i64(&p, time_now_us());
	if (db_exec(db, STMT_TOKEN_INSERT, &p, NULL, &newid, err) != 0) {
		/* Never say which organization holds it. */
		if (db->last_errno == ER_DUP_ENTRY)
			return err_set(err, 409, "this token is already "
			    "registered");
		return -1;
	}
	*id = (uint32_t)newid;
	return 0;
}

int
admin_token_create(struct db *db, uint32_t org_id, const char *label,
    char token[TOKEN_GENERATED_BYTES], uint32_t *id, struct llmops_err *err)
{
	if (token_generate(token) != 0)
		return err_set(err, 500, "no randomness available for a token");
	if (insert_token(db, org_id, token, label, id, err) != 0) {
		OPENSSL_cleanse(token, TOKEN_GENERATED_BYTES);
		return -1;
	}
	return 0;
}

int
admin_token_add(struct db *db, uint32_t org_id, const char *token,
    const char *label, uint32_t *id, struct llmops_err *err)
{
	const char	*why;

	if (!token_format_ok(token, &why))
		return err_set(err, 400, "token %s (%d to %d printable ASCII "
		    "characters)", why, LIMIT_TOKEN_MIN_BYTES,
		    LIMIT_TOKEN_MAX_BYTES);
	return insert_token(db, org_id, token, label, id, err);
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
	if (db_select(db, STMT_TOKEN_LIST, &p, &c, err) != 0)
		return -1;
	while ((rc = db_fetch(db, STMT_TOKEN_LIST, &c, err)) == 1) {
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
	db_select_end(db, STMT_TOKEN_LIST);
	return rc < 0 ? -1 : 0;
}

int
admin_token_revoke(struct db *db, uint32_t id, struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	int64_t			tid = 0, org = 0;
	char			status[16];
	uint64_t		affected = 0;
	int			rc;

	if (db_ensure(db, err) != 0)
		return -1;
	dbp_init(&p);
	dbp_i64(&p, id);
	dbc_init(&c);
	dbc_i64(&c, &tid);
	dbc_i64(&c, &org);
	dbc_str(&c, status, sizeof(status));
	if (db_select(db, STMT_TOKEN_GET, &p, &c, err) != 0)
		return -1;
	rc = db_fetch(db, STMT_TOKEN_GET, &c, err);
	db_select_end(db, STMT_TOKEN_GET);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(err, 404, "no token with id %u", id);
	if (strcmp(status, "active") != 0)
		return err_set(err, 409, "token %u is already %s", id, status);
	dbp_init(&p);
	dbp_i64(&p, time_now_us());
	dbp_i64(&p, id);
	if (db_exec(db, STMT_TOKEN_REVOKE, &p, &affected, NULL, err) != 0)
		return -1;
	if (affected != 1)
		return err_set(err, 409, "token %u was revoked concurrently", id);
	return 0;
}
