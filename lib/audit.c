#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "audit.h"
#include "timefmt.h"

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

/*
 * The text of details, cut on a UTF-8 boundary and marked when too long
 * (into cut); NULL without details.
 */
static const char *
details_text(struct json_object *details, char cut[AUDIT_DETAILS_BYTES + 1])
{
	const char	*text;
	size_t		 n = AUDIT_DETAILS_BYTES - 3;

	if (details == NULL)
		return NULL;
	text = json_object_to_json_string_ext(details,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL || strlen(text) <= AUDIT_DETAILS_BYTES)
		return text;
	while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
		n--;
	memcpy(cut, text, n);
	memcpy(cut + n, "...", 4);
	return cut;
}

int
audit_record(struct db *db, const char *actor, uint32_t org_id,
    const char *action, const char *target, struct json_object *details,
    struct llmops_err *err)
{
	char	cut[AUDIT_DETAILS_BYTES + 1];
	int	rc;

	rc = db_audit_insert(db, time_now_us(), actor, org_id, action, target,
	    details_text(details, cut), err);
	json_object_put(details);
	return rc;
}

/* One row of the log, ready to insert. */
struct audit_row {
	const char	*actor;
	uint32_t	 org_id;
	const char	*action;
	const char	*target;
	const char	*details;
};

static int
record_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct audit_row	*r = arg;

	return db_audit_insert(db, time_now_us(), r->actor, r->org_id,
	    r->action, r->target, r->details, err);
}

int
audit_record_alone(struct db *db, const char *actor, uint32_t org_id,
    const char *action, const char *target, struct json_object *details,
    struct llmops_err *err)
{
	struct audit_row	r = { actor, org_id, action, target, NULL };
	char			cut[AUDIT_DETAILS_BYTES + 1];
	int			rc;

	/* The text is made once: a rerun inserts the same row. */
	r.details = details_text(details, cut);
	rc = db_txn(db, DB_WRITE, record_txn, &r, err);
	json_object_put(details);
	return rc;
}

struct audit_list {
	uint32_t	 org_id;
	int64_t		 since_us, limit;
	db_text_row_fn	 cb;
	void		*arg;
};

static int
list_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct audit_list	*l = arg;

	return db_audit_list(db, l->org_id, l->since_us, l->limit, l->cb,
	    l->arg, err);
}

int
audit_list(struct db *db, uint32_t org_id, int64_t since_us, int64_t limit,
    int (*cb)(const char *const *values, void *), void *arg,
    struct llmops_err *err)
{
	struct audit_list	l = { org_id, since_us, limit, cb, arg };

	return db_txn(db, DB_READ, list_txn, &l, err);
}
