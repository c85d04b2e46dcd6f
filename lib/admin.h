/*
 * Administration of organizations, as `llmopsctl` exposes it (tracking
 * tokens: token_admin.h).
 */
#ifndef LLMOPS_ADMIN_H
#define LLMOPS_ADMIN_H

#include <stdint.h>

#include "db.h"
#include "db_org.h"
#include "llmops_limits.h"

/*
 * Organizations: each function below runs its own db_txn (inside
 * another, it joins that transaction).
 */
/* Name rules: 1..128 characters, valid UTF-8, no control characters, not all digits. */
int	admin_org_name_ok(const char *name, const char **why);
/* The organization and its audit row, in one transaction. */
int	admin_org_create(struct db *, const char *actor, const char *name,
	    uint32_t *id, struct llmops_err *);
/* Finds an organization by name, or by id when `ref` is all digits. */
int	admin_org_find(struct db *, const char *ref, struct org *,
	    struct llmops_err *);
int	admin_org_list(struct db *, int (*cb)(const struct org *, void *),
	    void *arg, struct llmops_err *);
/* The ids of every organization, in order, in *ids (the caller frees it). */
int	admin_org_ids(struct db *, uint32_t **ids, size_t *n,
	    struct llmops_err *);

#endif
