#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include <json-c/json.h>

#include "admin.h"
#include "audit.h"
#include "encode.h"
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

/* What org_ids_txn() reads. */
struct org_ids {
	uint32_t	*ids;
	size_t		 n;
};

static int
org_ids_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct org_ids	*o = arg;

	free(o->ids);
	return db_org_ids(db, &o->ids, &o->n, err);
}

int
admin_org_ids(struct db *db, uint32_t **ids, size_t *n,
    struct llmops_err *err)
{
	struct org_ids	o = { NULL, 0 };

	*ids = NULL;
	*n = 0;
	if (db_txn(db, DB_READ, org_ids_txn, &o, err) != 0)
		return -1;
	*ids = o.ids;
	*n = o.n;
	return 0;
}
