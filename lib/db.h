/*
 * The database engine: the one MariaDB/MySQL connection of a process, its
 * cache of prepared statements, typed binding of parameters and result
 * columns, and the transaction helper. It knows no table: the SQL lives in
 * the lib/db_<entity>.c files, each with a private enum and a static table
 * of struct db_stmt beside the typed function that binds each statement
 * (kcgi-framework's db.c). Nothing here exposes the client library's headers.
 *
 * A statement is used in four steps, and a failed step makes the later
 * ones no-ops that fail, so a caller checks once, at the end:
 *
 *	q = db_q(db, &stmts[STMT_TOKEN_TOUCH], err);
 *	db_bind_i64(q, now_us);
 *	db_bind_i64(q, token_id);
 *	return db_exec(q, NULL, NULL, err);
 *
 * and for a SELECT, db_col_*() for each column, db_select() (or
 * db_select_stored() when other statements run while its rows are read),
 * db_fetch() until it returns 0, db_end().
 *
 * No auto-reconnect: it silently drops session state. db_txn() runs a
 * whole transaction and, on a lost connection or a deadlock, rolls back,
 * reconnects (statements are prepared again when next used) and runs it
 * again. Failures are logged by callers with the statement's name, never a
 * number.
 */
#ifndef LLMOPS_DB_H
#define LLMOPS_DB_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

/* One statement: a name for log lines ("token.lookup") and its SQL. */
struct db_stmt {
	const char	*name;
	const char	*sql;
};

struct db_conn;		/* private to db.c: the connection and its statements */
struct db_q;		/* private to db.c: one prepared statement in use */

struct db {
	struct db_conn		*conn;		/* NULL when not connected */
	const struct conf_db	*conf;		/* borrowed: outlives the db */
	int			 require_schema;/* refuse older schemas (0: no check) */
	unsigned		 last_errno;	/* of the last failure */
	int			 broken;	/* conn lost: only db_ensure reopens */
	int			 txn_final;	/* see db_txn_final() */
	int			 txn_depth;	/* db_txn calls running */
	int			 txn_mode;	/* enum db_mode of the outermost */
};

void	db_init(struct db *, const struct conf_db *);
/*
 * Threads: db_threads_prepare() once in the process before a second
 * thread uses the client library (it initialises the library, which is
 * not thread-safe the first time); each such thread brackets its use with
 * db_thread_begin() and db_thread_end(). A struct db belongs to one thread.
 */
int	db_threads_prepare(void);
int	db_thread_begin(void);
void	db_thread_end(void);
/*
 * Connects (if not connected, or if the connection was lost) and sets up
 * the session. 503 when unreachable. After a lost connection, statements
 * fail (503) until this is called: a transaction never silently goes on
 * in a new session. db_txn calls it; so does db_q when never connected.
 */
int	db_ensure(struct db *, struct llmops_err *);
void	db_close(struct db *);
/* True when the last failure means the connection is gone. */
int	db_lost(const struct db *);
/* True when the last failure was a deadlock or a lock wait timeout. */
int	db_retryable(const struct db *);
/* True when the last failure was a duplicate unique key. */
int	db_duplicate(const struct db *);

/*
 * Runs fn(db, arg, err) after connecting: as one transaction (DB_WRITE:
 * BEGIN .. COMMIT, rolled back when fn fails) or in autocommit (DB_READ).
 * When fn or the commit fails because the connection was lost, it runs
 * again once on a new connection; after a deadlock or lock wait timeout,
 * up to DB_TXN_DEADLOCK_RETRIES times. fn must therefore start from
 * scratch each time (reset what it counts) and may not have done anything
 * that cannot be undone, unless it called db_txn_final(). Called inside
 * another db_txn, fn joins it (a DB_WRITE inside a DB_READ is a
 * transaction of its own, rerun with the reader). 0 or -1.
 */
enum db_mode {
	DB_READ,
	DB_WRITE,
};
typedef int (*db_txn_fn)(struct db *, void *arg, struct llmops_err *);
int	db_txn(struct db *, enum db_mode, db_txn_fn, void *arg,
	    struct llmops_err *);
/* Within fn: what was done cannot be undone (output reached a client). */
void	db_txn_final(struct db *);

/*
 * Prepares s on the connection (once per connection) and starts a new
 * use of it: the bindings of the last use are dropped. NULL on failure,
 * which every function below accepts and passes on.
 */
struct db_q	*db_q(struct db *, const struct db_stmt *s, struct llmops_err *);

/* Parameters, in the order of the statement's '?'. */
void	db_bind_str(struct db_q *, const char *);	/* NULL -> NULL */
void	db_bind_i64(struct db_q *, int64_t);
void	db_bind_i64_opt(struct db_q *, int present, int64_t);
void	db_bind_blob(struct db_q *, const void *, size_t);
/* An exact decimal of units * 10^-scale (NULL when !present). */
void	db_bind_decimal(struct db_q *, int present, int64_t units, int scale);

/* Result columns, in the order of the SELECT list, bound to caller storage. */
void	db_col_i64(struct db_q *, int64_t *);
void	db_col_str(struct db_q *, char *buf, size_t bufsz);
void	db_col_blob(struct db_q *, void *buf, size_t bufsz, size_t *len);
/* Column i (from 0) was NULL in the last fetched row. */
int	db_col_null(const struct db_q *, unsigned i);

/* INSERT/UPDATE/DELETE. affected and insert_id may be NULL. */
int	db_exec(struct db_q *, uint64_t *affected, uint64_t *insert_id,
	    struct llmops_err *);
/* SELECT: executes and binds the columns; then db_fetch until it returns 0. */
int	db_select(struct db_q *, struct llmops_err *);
/* db_select with the whole result read first: other statements may run
 * on the connection while its rows are fetched. */
int	db_select_stored(struct db_q *, struct llmops_err *);
/* 1 with a row, 0 at the end, -1 on error. Strings are NUL-terminated. */
int	db_fetch(struct db_q *, struct llmops_err *);
/* Frees the result of a SELECT (any time; also after an error or NULL). */
void	db_end(struct db_q *);
/* A SELECT of at most one row: 1 with the row, 0 without, -1 on error. */
int	db_one(struct db_q *, struct llmops_err *);

/* Runs plain SQL text with no parameters (migrations, session setup). */
int	db_exec_sql(struct db *, const char *sql, struct llmops_err *);
/* Allows several ;-separated statements in one db_exec_sql (migrations only). */
int	db_multi_statements(struct db *, int on, struct llmops_err *);

/* Version the database is at (0 when never migrated). */
int	db_schema_version(struct db *, int *version, struct llmops_err *);

/* Whether the server accepts our writes (its settings, as we see them). */
struct db_writable {
	int	writable;
	int	read_only;		/* @@global.read_only */
	int	innodb_read_only;	/* @@global.innodb_read_only */
	int	read_only_admin;	/* we may write despite read_only */
};

int	db_server_writable(struct db *, struct db_writable *,
	    struct llmops_err *);

/* The schema version this build knows (highest schema/NNN_*.sql). */
#define DB_SCHEMA_VERSION	9

#endif
