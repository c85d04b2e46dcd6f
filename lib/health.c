#include "config.h"

#include <json-c/json.h>

#include "health.h"
#include "log.h"

/* A db_txn fn: a ping through the schema table proves connection and
 * schema. */
static int
ping(struct db *db, void *arg, struct llmops_err *err)
{
	return db_schema_version(db, arg, err);
}

void
health_check(struct db *db, struct reply *r)
{
	struct llmops_err	 err;
	struct json_object	*o;
	int			 version = 0, ok;

	err_clear(&err);
	/* After a lost connection, db_txn reconnects and pings again. */
	ok = db_txn(db, DB_READ, ping, &version, &err) == 0;
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string(ok ? "ok" :
	    "unavailable"));
	json_object_object_add(o, "database", json_object_new_string(ok ? "ok" :
	    "unreachable"));
	if (ok)
		json_object_object_add(o, "schema_version",
		    json_object_new_int(version));
	else {
		/* Details (hosts, paths) go to the log, not to anonymous callers. */
		log_warn(LOG_TAG_HTTP, "health check failed: %s", err.msg);
		json_object_object_add(o, "error", json_object_new_string(
		    "database unavailable; the reason is in the web server's "
		    "error log"));
	}
	reply_json(r, ok ? 200 : 503, o);
}
