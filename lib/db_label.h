/*
 * Labels: the texts events share (department, model, error class, ...),
 * stored once in `labels` (schema/008_labels.sql) and referred to by id
 * from usage_event_rows. Ids are never reused or changed.
 */
#ifndef LLMOPS_DB_LABEL_H
#define LLMOPS_DB_LABEL_H

#include <stdint.h>

#include "db.h"
#include "event.h"
#include "label_cache.h"

/* labels.kind; the first five are enum dim of db_usage.h. */
enum label_kind {
	LABEL_DEPARTMENT = 1,
	LABEL_TEAM,
	LABEL_AGENT,
	LABEL_MODEL,
	LABEL_PROVIDER,
	LABEL_MODEL_GROUP,
	LABEL_CALL_TYPE,
	LABEL_ERROR_CLASS,
	LABEL_ERROR_CODE,
	LABEL_DEPLOYMENT,
	LABEL_API_HOST,
	LABEL_KEY_ALIAS,
	LABEL_TEAM_ALIAS,
	LABEL_ORG_ALIAS,
	LABEL_PRICE_KEY,
	LABEL__MAX
};

/* An event's label ids, kind k at [k - 1] (0: none), in the column order
 * of usage_event_rows. */
#define EVENT_LABELS	(LABEL__MAX - 1)

/* The text of kind k of ev (NULL when it has none). */
const char	*event_label(const struct usage_event *, enum label_kind);
/* Sets the text of kind k of ev to an owned copy of text (NULL: none);
 * -1 when out of memory. */
int		 event_label_set(struct usage_event *, enum label_kind,
		    const char *text);

/*
 * The ids of ev's labels into ids, creating the labels that are new,
 * within the caller's transaction: ids come from `known` (labels of
 * committed transactions), then `fresh` (those this transaction used,
 * added there), then the database. Once the transaction commits the
 * caller merges fresh into known (label_cache_merge); a rolled back
 * transaction may have created none of them.
 */
int	db_label_ids(struct db *, const struct label_cache *known,
	    struct label_cache *fresh, const struct usage_event *,
	    uint32_t ids[EVENT_LABELS], struct llmops_err *);
/* The id of (k, text) into *id, the label made when new. */
int	db_label_make(struct db *, enum label_kind, const char *text,
	    uint32_t *id, struct llmops_err *);
/* The id of (k, text) into *id, 0 when there is no such label; the
 * label is not made. */
int	db_label_find(struct db *, enum label_kind, const char *text,
	    int64_t *id, struct llmops_err *);
/* The text of label id into *text (valid until the cache changes), read
 * into cache when it is not there. */
int	db_label_text(struct db *, struct label_cache *, uint32_t id,
	    const char **text, struct llmops_err *);

#endif
