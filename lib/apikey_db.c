#include "config.h"
#include "db_legacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "apikey_db.h"
#include "audit.h"
#include "label.h"
#include "llmops_limits.h"
#include "report.h"
#include "timefmt.h"

const struct report_col apikey_cols[APIKEY_NCOLS] = {
	{ "id", COL_INT },
	{ "prefix", COL_TEXT },
	{ "label", COL_TEXT },
	{ "status", COL_TEXT },
	{ "created", COL_TIME_US },
	{ "last_used", COL_TIME_US },
	{ "revoked", COL_TIME_US },
};

int
apikey_db_create(struct db *db, const char *actor, uint32_t org_id,
    const char *label, char key[APIKEY_GENERATED_BYTES], uint32_t *id,
    struct llmops_err *err)
{
	struct db_params	 p;
	struct json_object	*d = NULL;
	unsigned char		 hash[APIKEY_HASH_LEN];
	char			 prefix[APIKEY_PREFIX_BYTES], target[32];
	uint64_t		 newid = 0;
	int			 rc;

	if (label != NULL && (strlen(label) > LIMIT_TOKEN_LABEL_BYTES ||
	    !utf8_valid((const unsigned char *)label, strlen(label))))
		return err_set(err, 400, "the label must be valid UTF-8 of at "
		    "most %d bytes", LIMIT_TOKEN_LABEL_BYTES);
	if (apikey_generate(key) != 0 || apikey_hash(key, hash) != 0)
		return err_set(err, 500, "no randomness for a key");
	apikey_prefix(key, prefix);
	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0)
		goto fail;
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_blob(&p, hash, sizeof(hash));
	dbp_str(&p, prefix);
	dbp_str(&p, label != NULL && *label != '\0' ? label : NULL);
	dbp_i64(&p, time_now_us());
	rc = dbl_exec(db, STMT_APIKEY_INSERT, &p, NULL, &newid, err);
	if (rc == 0) {
		if (label != NULL && (d = json_object_new_object()) != NULL)
			json_object_object_add(d, "label",
			    json_object_new_string(label));
		snprintf(target, sizeof(target), "apikey %llu",
		    (unsigned long long)newid);
		rc = audit_record(db, actor, org_id, "apikey.create", target, d,
		    err);
	}
	if (rc != 0) {
		db_rollback(db);
		goto fail;
	}
	if (db_commit(db, err) != 0)
		goto fail;
	*id = (uint32_t)newid;
	return 0;
fail:
	OPENSSL_cleanse(key, APIKEY_GENERATED_BYTES);
	return -1;
}

int
apikey_db_lookup(struct db *db, const char *key, uint32_t *org_id,
    uint32_t *id, struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	unsigned char		hash[APIKEY_HASH_LEN];
	int64_t			kid = 0, org = 0, active = 0, used = 0;
	int64_t			now = time_now_us();
	int			rc;

	if (apikey_hash(key, hash) != 0)
		return err_set(err, 500, "cannot hash the key");
	dbp_init(&p);
	dbp_blob(&p, hash, sizeof(hash));
	dbc_init(&c);
	dbc_i64(&c, &kid);
	dbc_i64(&c, &org);
	dbc_i64(&c, &active);
	dbc_i64(&c, &used);
	if (dbl_select(db, STMT_APIKEY_LOOKUP, &p, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, STMT_APIKEY_LOOKUP, &c, err);
	dbl_select_end(db, STMT_APIKEY_LOOKUP);
	if (rc <= 0)
		return rc;
	if (!active)
		return 0;
	*org_id = (uint32_t)org;
	*id = (uint32_t)kid;
	if (dbc_null(&c, 3) || now - used >= APIKEY_TOUCH_INTERVAL_US) {
		dbp_init(&p);
		dbp_i64(&p, now);
		dbp_i64(&p, kid);
		if (dbl_exec(db, STMT_APIKEY_TOUCH, &p, NULL, NULL, err) != 0)
			return -1;
	}
	return 1;
}

int
apikey_db_revoke(struct db *db, const char *actor, uint32_t id,
    struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	int64_t			kid = 0, org = 0;
	uint64_t		affected = 0;
	char			status[16], target[32];
	int			rc;

	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0)
		return -1;
	dbp_init(&p);
	dbp_i64(&p, id);
	dbc_init(&c);
	dbc_i64(&c, &kid);
	dbc_i64(&c, &org);
	dbc_str(&c, status, sizeof(status));
	rc = dbl_select(db, STMT_APIKEY_GET, &p, &c, err);
	if (rc == 0) {
		rc = dbl_fetch(db, STMT_APIKEY_GET, &c, err);
		dbl_select_end(db, STMT_APIKEY_GET);
		if (rc == 0)
			rc = err_set(err, 404, "no API key with id %u", id);
		else if (rc == 1 && strcmp(status, "active") != 0)
			rc = err_set(err, 409, "API key %u is already %s", id,
			    status);
		else if (rc == 1)
			rc = 0;
	}
	if (rc == 0) {
		dbp_init(&p);
		dbp_i64(&p, time_now_us());
		dbp_i64(&p, id);
		rc = dbl_exec(db, STMT_APIKEY_REVOKE, &p, &affected, NULL, err);
		if (rc == 0 && affected != 1)
			rc = err_set(err, 409, "API key %u changed concurrently",
			    id);
	}
	if (rc == 0) {
		snprintf(target, sizeof(target), "apikey %u", id);
		rc = audit_record(db, actor, (uint32_t)org, "apikey.revoke",
		    target, NULL, err);
	}
	if (rc != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db, err);
}

int
apikey_db_list(struct db *db, uint32_t org_id,
    int (*cb)(const char *const *values, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	  p;
	struct db_cols		  c;
	char			(*buf)[LIMIT_TOKEN_LABEL_BYTES * 4 + 1];
	const char		 *vals[APIKEY_NCOLS];
	int			  i, rc = -1;

	if (db_ensure(db, err) != 0)
		return -1;
	if ((buf = calloc(APIKEY_NCOLS, sizeof(*buf))) == NULL)
		return err_set(err, 500, "out of memory");
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbc_init(&c);
	for (i = 0; i < APIKEY_NCOLS; i++)
		dbc_str(&c, buf[i], sizeof(buf[i]));
	if (dbl_select(db, STMT_APIKEY_LIST, &p, &c, err) != 0)
		goto out;
	while ((rc = dbl_fetch(db, STMT_APIKEY_LIST, &c, err)) == 1) {
		for (i = 0; i < APIKEY_NCOLS; i++)
			vals[i] = dbc_null(&c, (unsigned)i) ? NULL : buf[i];
		if (cb(vals, arg) != 0)
			break;
	}
	dbl_select_end(db, STMT_APIKEY_LIST);
	rc = rc < 0 ? -1 : 0;
out:
	free(buf);
	return rc;
}
