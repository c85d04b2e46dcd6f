/*
 * What the db_<entity>.c files share about rows, so that no two of them
 * bind the same shape of result by hand: the id of an inserted row, rows
 * read as text for listings.
 */
#ifndef LLMOPS_DB_ROWS_H
#define LLMOPS_DB_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Executes the INSERT q; *id is the new row's key (an INT UNSIGNED). */
int	db_exec_id(struct db_q *q, uint32_t *id, struct llmops_err *);

/* Gets the values of one row, NULL for SQL NULL; non-zero stops. */
typedef int (*db_text_row_fn)(const char *const *values, void *arg);

/*
 * Binds each of the ncols columns of the SELECT q as text of at most
 * colbytes - 1 bytes, runs it and gives every row to cb (listings, whose
 * report_col tables say how to show the text). Once a row has reached cb
 * the transaction is final (db_txn_final): cb may have written it out.
 */
int	db_rows_text(struct db *, struct db_q *q, unsigned ncols,
	    size_t colbytes, db_text_row_fn cb, void *arg, struct llmops_err *);

/* A listing of one organization's rows (org_id 0: of all, where allowed). */
typedef int (*db_org_rows_fn)(struct db *, uint32_t org_id, db_text_row_fn,
	    void *arg, struct llmops_err *);
/* Runs fn(org_id, cb, arg) as a db_txn of its own, in autocommit. */
int	db_rows_txn(struct db *, db_org_rows_fn fn, uint32_t org_id,
	    db_text_row_fn cb, void *arg, struct llmops_err *);

#endif
