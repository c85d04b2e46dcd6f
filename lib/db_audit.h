/*
 * The audit_log table: its SQL and the typed functions that bind it
 * (lib/db_audit.c). Each runs in the caller's transaction (db_txn); what
 * a row says is decided in lib/audit.c.
 */
#ifndef LLMOPS_DB_AUDIT_H
#define LLMOPS_DB_AUDIT_H

#include <stdint.h>

#include "db.h"
#include "db_rows.h"
#include "report.h"

#define AUDIT_ACTOR_BYTES	255
#define AUDIT_DETAILS_BYTES	2048

/* org_id 0: not about one organization; target and details may be NULL. */
int	db_audit_insert(struct db *, int64_t at_us, const char *actor,
	    uint32_t org_id, const char *action, const char *target,
	    const char *details, struct llmops_err *);
/*
 * The log as text, newest first, described by audit_cols: org_id 0 for
 * every organization, limit 0 for every row.
 */
#define AUDIT_NCOLS	7
extern const struct report_col audit_cols[AUDIT_NCOLS];
int	db_audit_list(struct db *, uint32_t org_id, int64_t since_us,
	    int64_t limit, db_text_row_fn, void *arg, struct llmops_err *);

#endif
