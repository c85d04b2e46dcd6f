/*
 * The audit log: one row per administrative action, written in the same
 * transaction as the change. Never a secret in it (tokens, passwords and
 * keys appear by id and prefix only).
 */
#ifndef LLMOPS_AUDIT_H
#define LLMOPS_AUDIT_H

#include <stdint.h>

#include "db.h"
#include "report.h"

#define AUDIT_ACTOR_BYTES	255
#define AUDIT_DETAILS_BYTES	2048

struct json_object;

/* The actor of the CLI: "cli:root", or "cli:root (sudo by alice)". */
void	audit_cli_actor(char out[AUDIT_ACTOR_BYTES + 1]);

/*
 * Records an action. org_id 0: not about one organization. details (may
 * be NULL) is a json-c object, consumed; it is cut, marked, if too long.
 */
int	audit_record(struct db *, const char *actor, uint32_t org_id,
	    const char *action, const char *target, struct json_object *details,
	    struct llmops_err *);

#define AUDIT_NCOLS	7
extern const struct report_col audit_cols[AUDIT_NCOLS];

/* The log, newest first; org_id 0: every organization. limit 0: all. */
int	audit_list(struct db *, uint32_t org_id, int64_t since_us,
	    int64_t limit, int (*cb)(const char *const *values, void *),
	    void *arg, struct llmops_err *);

#endif
