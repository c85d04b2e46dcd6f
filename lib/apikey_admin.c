#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "apikey_admin.h"
#include "audit.h"
#include "encode.h"
#include "label.h"
#include "llmops_limits.h"
#include "timefmt.h"

/*
 * Changes run as one db_txn (DB_WRITE) with their audit row; the lookup
 * of every API request in autocommit (DB_READ). Either way db_txn reruns
 * them on a new connection when the old one was lost (a MariaDB restart),
 * so the first request after one does not fail.
 */

struct key_new {
	const char	*actor;
	uint32_t	 org_id;
	const char	*label;
	unsigned char	 hash[APIKEY_HASH_LEN];
	char		 prefix[APIKEY_PREFIX_BYTES];
	uint32_t	 id;
};

static int
create_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct key_new		*k = arg;
	struct json_object	*d = NULL;
	char			 target[32];

	if (db_apikey_insert(db, k->org_id, k->hash, k->prefix,
	    k->label != NULL && *k->label != '\0' ? k->label : NULL,
	    time_now_us(), &k->id, err) != 0)
		return -1;
	if (k->label != NULL && (d = json_object_new_object()) != NULL)
		json_object_object_add(d, "label",
		    json_object_new_string(k->label));
	snprintf(target, sizeof(target), "apikey %u", k->id);
	return audit_record(db, k->actor, k->org_id, "apikey.create", target, d,
	    err);
}

int
apikey_admin_create(struct db *db, const char *actor, uint32_t org_id,
    const char *label, char key[APIKEY_GENERATED_BYTES], uint32_t *id,
    struct llmops_err *err)
{
	struct key_new	k;

	if (label != NULL && (strlen(label) > LIMIT_TOKEN_LABEL_BYTES ||
	    !utf8_valid((const unsigned char *)label, strlen(label))))
		return err_set(err, 400, "the label must be valid UTF-8 of at "
		    "most %d bytes", LIMIT_TOKEN_LABEL_BYTES);
	memset(&k, 0, sizeof(k));
	k.actor = actor;
	k.org_id = org_id;
	k.label = label;
	if (apikey_generate(key) != 0 || apikey_hash(key, k.hash) != 0)
		return err_set(err, 500, "no randomness for a key");
	apikey_prefix(key, k.prefix);
	if (db_txn(db, DB_WRITE, create_txn, &k, err) != 0) {
		OPENSSL_cleanse(key, APIKEY_GENERATED_BYTES);
		return -1;
	}
	*id = k.id;
	return 0;
}

struct key_find {
	unsigned char		hash[APIKEY_HASH_LEN];
	struct apikey_row	row;
	int64_t			now_us;
	int			found;
};

static int
lookup_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct key_find	*f = arg;

	f->found = db_apikey_lookup(db, f->hash, &f->row, err);
	if (f->found < 0)
		return -1;
	if (f->found == 1 && strcmp(f->row.status, "active") == 0 &&
	    f->now_us - f->row.last_used_us >= APIKEY_TOUCH_INTERVAL_US)
		return db_apikey_touch(db, f->row.id, f->now_us, err);
	return 0;
}

int
apikey_admin_lookup(struct db *db, const char *key, uint32_t *org_id,
    uint32_t *id, struct llmops_err *err)
{
	struct key_find	f;

	memset(&f, 0, sizeof(f));
	if (apikey_hash(key, f.hash) != 0)
		return err_set(err, 500, "cannot hash the key");
	f.now_us = time_now_us();
	if (db_txn(db, DB_READ, lookup_txn, &f, err) != 0)
		return -1;
	if (f.found != 1 || strcmp(f.row.status, "active") != 0)
		return 0;
	*org_id = f.row.org_id;
	*id = f.row.id;
	return 1;
}

struct key_revoke {
	const char	*actor;
	uint32_t	 id;
};

static int
revoke_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct key_revoke	*r = arg;
	struct apikey_row	 k;
	uint64_t		 affected = 0;
	char			 target[32];
	int			 rc;

	if ((rc = db_apikey_get(db, r->id, &k, err)) < 0)
		return -1;
	if (rc == 0)
		return err_set(err, 404, "no API key with id %u", r->id);
	if (strcmp(k.status, "active") != 0)
		return err_set(err, 409, "API key %u is already %s", r->id,
		    k.status);
	if (db_apikey_revoke(db, r->id, time_now_us(), &affected, err) != 0)
		return -1;
	if (affected != 1)
		return err_set(err, 409, "API key %u changed concurrently",
		    r->id);
	snprintf(target, sizeof(target), "apikey %u", r->id);
	return audit_record(db, r->actor, k.org_id, "apikey.revoke", target,
	    NULL, err);
}

int
apikey_admin_revoke(struct db *db, const char *actor, uint32_t id,
    struct llmops_err *err)
{
	struct key_revoke	r = { actor, id };

	return db_txn(db, DB_WRITE, revoke_txn, &r, err);
}

int
apikey_admin_list(struct db *db, uint32_t org_id,
    int (*cb)(const char *const *values, void *), void *arg,
    struct llmops_err *err)
{
	return db_rows_txn(db, db_apikey_list, org_id, cb, arg, err);
}
