/*
 * The audit log: one row per administrative action, written in the same
 * transaction as the change. Never a secret in it (tokens, passwords and
 * keys appear by id and prefix only).
 */
#ifndef LLMOPS_AUDIT_H
#define LLMOPS_AUDIT_H

#include <stdint.h>

#include "db.h"
#include "db_audit.h"

struct json_object;

/* The actor of the CLI: "cli:root", or "cli:root (sudo by alice)". */
void	audit_cli_actor(char out[AUDIT_ACTOR_BYTES + 1]);

/*
 * Records an action, in the caller's transaction (a db_txn callback) so
 * that it is kept exactly when the change is. org_id 0: not about one
 * organization. details (may be NULL) is a json-c object, consumed; it is
 * cut, marked, if too long.
 */
int	audit_record(struct db *, const char *actor, uint32_t org_id,
	    const char *action, const char *target, struct json_object *details,
	    struct llmops_err *);
/*
 * The same in a db_txn of its own, after a change that was no transaction
 * (a migration, a reprice in chunks). Not inside another transaction.
 */
int	audit_record_alone(struct db *, const char *actor, uint32_t org_id,
	    const char *action, const char *target, struct json_object *details,
	    struct llmops_err *);

/*
 * The log, newest first, in its own db_txn; the callback gets the columns
 * of audit_cols. org_id 0: every organization. limit 0: all.
 */
int	audit_list(struct db *, uint32_t org_id, int64_t since_us,
	    int64_t limit, int (*cb)(const char *const *values, void *),
	    void *arg, struct llmops_err *);

#endif
