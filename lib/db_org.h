/*
 * The organizations table: its SQL and the typed functions that bind it
 * (lib/db_org.c). Each runs in the caller's transaction (db_txn); the
 * rules (names, audit rows) are in lib/admin.c.
 */
#ifndef LLMOPS_DB_ORG_H
#define LLMOPS_DB_ORG_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "llmops_limits.h"

struct org {
	uint32_t	id;
	char		name[LIMIT_ORG_NAME_BYTES * 4 + 1];
	int64_t		created_us;
	int64_t		active_tokens;	/* org.list only */
};

/* -1 on failure; db_duplicate() tells a name that exists. */
int	db_org_insert(struct db *, const char *name, int64_t created_us,
	    uint32_t *id, struct llmops_err *);
/* 1 with o->id and o->name, 0 when there is none, -1 on failure. */
int	db_org_by_id(struct db *, uint32_t id, struct org *,
	    struct llmops_err *);
int	db_org_by_name(struct db *, const char *name, struct org *,
	    struct llmops_err *);
/* Every organization in id order, with its count of active tokens. */
int	db_org_list(struct db *, int (*cb)(const struct org *, void *),
	    void *arg, struct llmops_err *);
/* The ids of every organization in order, in *ids (malloc'ed). */
int	db_org_ids(struct db *, uint32_t **ids, size_t *n, struct llmops_err *);

#endif
