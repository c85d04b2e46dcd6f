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

/* Appends the n bytes of s to the text *buf (of *len bytes in *cap). */
int	db_sql_put(char **buf, size_t *len, size_t *cap, const char *s,
	    size_t n);

/*
 * Multi-row statements made from a statement of one row, "INSERT ...
 * VALUES (?, ..., ?) TAIL": the same with its VALUES tuple `rows` times.
 * A set holds the arities DB_MULTI_ARITIES (256, 64, 8, 1), built once per
 * process on first use and named NAME_256 .. NAME_1; statements of
 * n rows take at most n / 256 + 3 + 7 + 7 of them.
 */
#define DB_MULTI_ARITIES	4
struct db_multi {
	const struct db_stmt	*one;
	struct db_stmt		 stmt[DB_MULTI_ARITIES];
	char			 name[DB_MULTI_ARITIES][48];
};
extern const size_t	db_multi_rows[DB_MULTI_ARITIES];

/*
 * The statement of arity a (an index of db_multi_rows), or NULL when out
 * of memory or the one-row statement has no VALUES tuple.
 */
const struct db_stmt	*db_multi_stmt(struct db_multi *, size_t a);
/*
 * Statements of the same arities made of parts: head, then the term once
 * per row separated by sep, then tail (a SELECT of many keys, say), built
 * once per process on first use and named BASE_256 .. BASE_1.
 */
struct db_repeat {
	const char	*base, *head, *term, *sep, *tail;
	struct db_stmt	 stmt[DB_MULTI_ARITIES];
	char		 name[DB_MULTI_ARITIES][48];
};

/* The statement of arity a, or NULL when out of memory. */
const struct db_stmt	*db_repeat_stmt(struct db_repeat *, size_t a);

/* The largest arity the rest of n rows (from at) fills. */
size_t	db_multi_arity(size_t n, size_t at);

/* Calls bind(arg, i, q) for each row i of n in statements of db_multi_rows
 * rows, and executes them; bind binds one row's values. */
typedef void (*db_multi_bind_fn)(void *arg, size_t i, struct db_q *q);
int	db_multi_exec(struct db *, struct db_multi *, size_t n,
	    db_multi_bind_fn bind, void *arg, struct llmops_err *);

#endif
