#include "config.h"
#include "db_legacy.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "audit.h"
#include "report.h"
#include "timefmt.h"

const struct report_col audit_cols[AUDIT_NCOLS] = {
	{ "id", COL_INT },
	{ "at", COL_TIME_US },
	{ "actor", COL_TEXT },
	{ "org_id", COL_INT },
	{ "action", COL_TEXT },
	{ "target", COL_TEXT },
	{ "details", COL_TEXT },
};

void
audit_cli_actor(char out[AUDIT_ACTOR_BYTES + 1])
{
	struct passwd	*pw = getpwuid(geteuid());
	const char	*sudo = getenv("SUDO_USER");
	char		 uid[32];

	snprintf(uid, sizeof(uid), "uid %ld", (long)geteuid());
	if (sudo != NULL && *sudo != '\0')
		snprintf(out, AUDIT_ACTOR_BYTES + 1, "cli:%s (sudo by %.64s)",
		    pw ? pw->pw_name : uid, sudo);
	else
		snprintf(out, AUDIT_ACTOR_BYTES + 1, "cli:%s",
		    pw ? pw->pw_name : uid);
}

int
audit_record(struct db *db, const char *actor, uint32_t org_id,
    const char *action, const char *target, struct json_object *details,
    struct llmops_err *err)
{
	struct db_params	 p;
	const char		*text = NULL;
	char			 cut[AUDIT_DETAILS_BYTES + 1];
	int			 rc;

	if (details != NULL) {
		text = json_object_to_json_string_ext(details,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (text != NULL && strlen(text) > AUDIT_DETAILS_BYTES) {
			/* Cut on a UTF-8 boundary, marked. */
			size_t	n = AUDIT_DETAILS_BYTES - 3;

			while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
				n--;
			memcpy(cut, text, n);
			memcpy(cut + n, "...", 4);
			text = cut;
		}
	}
	dbp_init(&p);
	dbp_i64(&p, time_now_us());
	dbp_str(&p, actor);
	dbp_i64_opt(&p, org_id != 0, org_id);
	dbp_str(&p, action);
	dbp_str(&p, target);
	dbp_str(&p, text);
	rc = dbl_exec(db, STMT_AUDIT_INSERT, &p, NULL, NULL, err);
	json_object_put(details);
	return rc;
}

int
audit_list(struct db *db, uint32_t org_id, int64_t since_us, int64_t limit,
    int (*cb)(const char *const *values, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	  p;
	struct db_cols		  c;
	char			(*buf)[AUDIT_DETAILS_BYTES + 1];
	const char		 *vals[AUDIT_NCOLS];
	int			  i, rc = -1;

	if (db_ensure(db, err) != 0)
		return -1;
	if ((buf = calloc(AUDIT_NCOLS, sizeof(*buf))) == NULL)
		return err_set(err, 500, "out of memory");
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_i64(&p, org_id);
	dbp_i64(&p, since_us);
	dbp_i64(&p, limit > 0 ? limit : INT64_MAX);
	dbc_init(&c);
	for (i = 0; i < AUDIT_NCOLS; i++)
		dbc_str(&c, buf[i], sizeof(buf[i]));
	if (dbl_select(db, STMT_AUDIT_LIST, &p, &c, err) != 0)
		goto out;
	while ((rc = dbl_fetch(db, STMT_AUDIT_LIST, &c, err)) == 1) {
		for (i = 0; i < AUDIT_NCOLS; i++)
			vals[i] = dbc_null(&c, (unsigned)i) ? NULL : buf[i];
		if (cb(vals, arg) != 0)
			break;
	}
	dbl_select_end(db, STMT_AUDIT_LIST);
	rc = rc < 0 ? -1 : 0;
out:
	free(buf);
	return rc;
}
