#include "config.h"
#include "db_legacy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <mysqld_error.h>

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

int
admin_org_create(struct db *db, const char *actor, const char *name,
    uint32_t *id, struct llmops_err *err)
{
	struct db_params	 p;
	uint64_t		 newid = 0;
	const char		*why;
	char			 target[32];
	int			 rc;

	if (!admin_org_name_ok(name, &why))
		return err_set(err, 400, "organization name %s", why);
	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0)
		return -1;
	dbp_init(&p);
	dbp_str(&p, name);
	dbp_i64(&p, time_now_us());
	rc = dbl_exec(db, STMT_ORG_INSERT, &p, NULL, &newid, err);
	if (rc != 0 && db_duplicate(db))
		err_set(err, 409, "an organization named '%s' already exists",
		    name);
	if (rc == 0) {
		struct json_object	*d = json_object_new_object();

		json_object_object_add(d, "name", json_object_new_string(name));
		snprintf(target, sizeof(target), "org %llu",
		    (unsigned long long)newid);
		rc = audit_record(db, actor, (uint32_t)newid, "org.create",
		    target, d, err);
	}
	if (commit_or_rollback(db, rc, err) != 0)
		return -1;
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
	if (dbl_select(db, s, &p, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, s, &c, err);
	dbl_select_end(db, s);
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
	if (dbl_select(db, STMT_ORG_LIST, NULL, &c, err) != 0)
		return -1;
	while ((rc = dbl_fetch(db, STMT_ORG_LIST, &c, err)) == 1) {
		o.id = (uint32_t)id;
		if (cb(&o, arg) != 0)
			break;
	}
	dbl_select_end(db, STMT_ORG_LIST);
	return rc < 0 ? -1 : 0;
}
