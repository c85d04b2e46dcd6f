/* Labels: see db_label.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_label.h"
#include "llmops_limits.h"

enum {
	STMT_LABEL_UPSERT,
	STMT_LABEL_SELECT,
	STMT_LABEL_FIND,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/* The id comes back as the insert id, new or old. */
	[STMT_LABEL_UPSERT] = { "label.upsert",
	    "INSERT INTO labels (kind, value) VALUES (?, ?) "
	    "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)" },
	[STMT_LABEL_SELECT] = { "label.select",
	    "SELECT kind, value FROM labels WHERE id = ?" },
	[STMT_LABEL_FIND] = { "label.find",
	    "SELECT id FROM labels WHERE kind = ? AND value = ?" },
};

/* The member of an event that holds kind k. */
static char **
slot(struct usage_event *ev, enum label_kind k)
{
	switch (k) {
	case LABEL_DEPARTMENT:	return &ev->department;
	case LABEL_TEAM:	return &ev->team;
	case LABEL_AGENT:	return &ev->agent;
	case LABEL_MODEL:	return &ev->model;
	case LABEL_PROVIDER:	return &ev->provider;
	case LABEL_MODEL_GROUP:	return &ev->model_group;
	case LABEL_CALL_TYPE:	return &ev->call_type;
	case LABEL_ERROR_CLASS:	return &ev->error_class;
	case LABEL_ERROR_CODE:	return &ev->error_code;
	case LABEL_DEPLOYMENT:	return &ev->deployment;
	case LABEL_API_HOST:	return &ev->api_host;
	case LABEL_KEY_ALIAS:	return &ev->key_alias;
	case LABEL_TEAM_ALIAS:	return &ev->team_alias;
	case LABEL_ORG_ALIAS:	return &ev->org_alias;
	case LABEL_PRICE_KEY:	return &ev->price_key;
	default:		return NULL;
	}
}

const char *
event_label(const struct usage_event *ev, enum label_kind k)
{
	char	**p = slot((struct usage_event *)ev, k);

	return p == NULL ? NULL : *p;
}

int
event_label_set(struct usage_event *ev, enum label_kind k, const char *text)
{
	char	**p = slot(ev, k), *copy = NULL;

	if (p == NULL)
		return 0;
	if (text != NULL && (copy = strdup(text)) == NULL)
		return -1;
	free(*p);
	*p = copy;
	return 0;
}

int
db_label_make(struct db *db, enum label_kind k, const char *text,
    uint32_t *id, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_LABEL_UPSERT], err);
	uint64_t	 insert_id = 0;

	db_bind_i64(q, (int64_t)k);
	db_bind_str(q, text);
	if (db_exec(q, NULL, &insert_id, err) != 0)
		return -1;
	if (insert_id == 0 || insert_id > UINT32_MAX)
		return err_set(err, 500, "labels: no id for a label of kind %d",
		    (int)k);
	*id = (uint32_t)insert_id;
	return 0;
}

int
db_label_ids(struct db *db, const struct label_cache *known,
    struct label_cache *fresh, const struct usage_event *ev,
    uint32_t ids[EVENT_LABELS], struct llmops_err *err)
{
	const char	*text;
	unsigned	 k;

	for (k = 1; k < LABEL__MAX; k++) {
		ids[k - 1] = 0;
		if ((text = event_label(ev, (enum label_kind)k)) == NULL)
			continue;
		if ((ids[k - 1] = label_cache_id(known, k, text)) != 0 ||
		    (ids[k - 1] = label_cache_id(fresh, k, text)) != 0)
			continue;
		if (db_label_make(db, (enum label_kind)k, text, &ids[k - 1],
		    err) != 0)
			return -1;
		if (label_cache_add(fresh, k, text, ids[k - 1]) != 0)
			return err_set(err, 500, "out of memory");
	}
	return 0;
}

int
db_label_find(struct db *db, enum label_kind k, const char *text,
    int64_t *id, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_LABEL_FIND], err);

	*id = 0;
	db_bind_i64(q, k);
	db_bind_str(q, text);
	db_col_i64(q, id);
	return db_one(q, err) < 0 ? -1 : 0;
}

int
db_label_text(struct db *db, struct label_cache *c, uint32_t id,
    const char **text, struct llmops_err *err)
{
	struct db_q	*q;
	char		*buf;
	int64_t		 kind = 0;
	int		 rc = -1;

	if ((*text = label_cache_text(c, id, NULL)) != NULL)
		return 0;
	if ((buf = malloc(LIMIT_TEXT_BYTES)) == NULL)
		return err_set(err, 500, "out of memory");
	q = db_q(db, &stmts[STMT_LABEL_SELECT], err);
	db_bind_i64(q, id);
	db_col_i64(q, &kind);
	db_col_str(q, buf, LIMIT_TEXT_BYTES);
	switch (db_one(q, err)) {
	case 1:
		if (label_cache_add(c, (unsigned)kind, buf, id) != 0)
			err_set(err, 500, "out of memory");
		else if ((*text = label_cache_text(c, id, NULL)) != NULL)
			rc = 0;
		break;
	case 0:
		err_set(err, 500, "labels: no label %u", id);
		break;
	default:
		break;
	}
	free(buf);
	return rc;
}
