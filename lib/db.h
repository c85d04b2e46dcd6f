/*
 * The one MariaDB/MySQL connection of a process and its prepared
 * statements. All SQL of llmops lives in the statement table in db.c
 * (enum stmt below); callers bind parameters and results through the small
 * db_params/db_cols helpers and never build SQL from input.
 *
 * No auto-reconnect: it silently drops session state. When a statement
 * fails because the connection is gone, db_lost() says so; the caller
 * closes, reopens (db_ensure re-prepares lazily) and retries its whole
 * transaction once.
 */
#ifndef LLMOPS_DB_H
#define LLMOPS_DB_H

#include <stddef.h>
#include <stdint.h>

#include <mysql.h>

#include "conf.h"
#include "err.h"

enum stmt {
	STMT_SCHEMA_VERSION,
	STMT_MIGRATION_RECORD,
	STMT_TOKEN_LOOKUP,
	STMT_TOKEN_TOUCH,
	STMT_EVENT_INSERT,
	STMT_ROLLUP_UPSERT,
	STMT_ORG_INSERT,
	STMT_ORG_LIST,
	STMT_ORG_BY_NAME,
	STMT_ORG_BY_ID,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_LIST,
	STMT_TOKEN_GET,
	STMT_TOKEN_REVOKE,
	STMT_USAGE_TOTAL,
	STMT_USAGE_BY_DEPARTMENT,
	STMT_USAGE_BY_TEAM,
	STMT_USAGE_BY_AGENT,
	STMT_USAGE_BY_MODEL,
	STMT_USAGE_BY_PROVIDER,
	STMT_USAGE_BY_STATUS,
	STMT_USAGE_BY_DAY,
	STMT_USAGE_BY_HOUR,
	STMT_EVENTS_LIST,
	STMT_PRICE_VERSION,
	STMT_PRICE_BUMP,
	STMT_PRICE_LOAD,
	STMT_TIER_LOAD,
	STMT_PRICE_CONFLICT,
	STMT_PRICE_CLOSE,
	STMT_PRICE_INSERT,
	STMT_TIER_INSERT,
	STMT_REPRICE_SELECT,
	STMT_REPRICE_UPDATE,
	STMT_ROLLUP_RECOST,
	STMT_COST_CHECK,
	STMT_AUDIT_INSERT,
	STMT_AUDIT_LIST,
	STMT_TOKEN_ROTATE,
	STMT_DIMENSION_RECORD,
	STMT_ROLLUP_CLEAR,
	STMT_ROLLUP_REBUILD_SELECT,
	STMT_ORG_IDS,
	STMT_USER_INSERT,
	STMT_USER_BY_EMAIL,
	STMT_USER_BY_ID,
	STMT_USER_SET_PASSWORD,
	STMT_USER_SET_STATUS,
	STMT_USER_LOGIN,
	STMT_USER_LIST,
	STMT_SESSION_INSERT,
	STMT_SESSION_LOOKUP,
	STMT_SESSION_DELETE,
	STMT_SESSION_DELETE_USER,
	STMT_SESSION_DELETE_OTHERS,
	STMT_SESSION_PURGE,
	STMT_SESSION_SEEN,
	STMT_LOGIN_FAILURES,
	STMT_LOGIN_FAILURE_ADD,
	STMT_LOGIN_FAILURE_CLEAR,
	STMT_LOGIN_FAILURE_UNDO,
	STMT_APIKEY_INSERT,
	STMT_APIKEY_LOOKUP,
	STMT_APIKEY_LIST,
	STMT_APIKEY_GET,
	STMT_APIKEY_REVOKE,
	STMT_APIKEY_TOUCH,
	STMT_DASH_TOTALS,
	STMT_DASH_BY_SOURCE,
	STMT_DASH_BY_DEPARTMENT,
	STMT_DASH_BY_TEAM,
	STMT_DASH_BY_AGENT,
	STMT_DASH_BY_MODEL,
	STMT_DASH_BY_PROVIDER,
	STMT_DASH_BY_STATUS,
	STMT_DASH_SERIES_HOUR,
	STMT_DASH_SERIES_DAY,
	STMT_DASH_SERIES_HOUR_BY_SOURCE,
	STMT_DASH_SERIES_HOUR_BY_DEPARTMENT,
	STMT_DASH_SERIES_HOUR_BY_TEAM,
	STMT_DASH_SERIES_HOUR_BY_AGENT,
	STMT_DASH_SERIES_HOUR_BY_MODEL,
	STMT_DASH_SERIES_HOUR_BY_PROVIDER,
	STMT_DASH_SERIES_HOUR_BY_STATUS,
	STMT_DASH_SERIES_DAY_BY_SOURCE,
	STMT_DASH_SERIES_DAY_BY_DEPARTMENT,
	STMT_DASH_SERIES_DAY_BY_TEAM,
	STMT_DASH_SERIES_DAY_BY_AGENT,
	STMT_DASH_SERIES_DAY_BY_MODEL,
	STMT_DASH_SERIES_DAY_BY_PROVIDER,
	STMT_DASH_SERIES_DAY_BY_STATUS,
	STMT_DASH_ERRORS,
	STMT_DASH_ERRORS_HOUR,
	STMT_DASH_ERRORS_DAY,
	STMT_DASH_P95,
	STMT_DASH_P95_BY_SOURCE,
	STMT_DASH_P95_BY_DEPARTMENT,
	STMT_DASH_P95_BY_TEAM,
	STMT_DASH_P95_BY_AGENT,
	STMT_DASH_P95_BY_MODEL,
	STMT_DASH_P95_BY_PROVIDER,
	STMT_DASH_P95_BY_STATUS,
	STMT_DASH_EVENTS,
	STMT_DASH_DIM_EXISTS,
	STMT_DASH_DIM_VALUES,
	STMT__MAX
};

struct db {
	MYSQL			*my;
	MYSQL_STMT		*stmts[STMT__MAX];
	const struct conf_db	*conf;		/* borrowed: outlives the db */
	int			 require_schema;/* refuse older schemas (0: no check) */
	unsigned		 last_errno;	/* of the last failure */
};

/* Parameters of one statement execution. */
#define DB_MAX_PARAMS	40
struct db_params {
	MYSQL_BIND	b[DB_MAX_PARAMS];
	unsigned long	len[DB_MAX_PARAMS];
	my_bool		isnull[DB_MAX_PARAMS];
	long long	ints[DB_MAX_PARAMS];
	char		dec[DB_MAX_PARAMS][40];	/* DECIMAL values as text */
	unsigned	n;
};

/* Result columns of one SELECT, bound to caller storage. */
#define DB_MAX_COLS	40
struct db_cols {
	MYSQL_BIND	b[DB_MAX_COLS];
	unsigned long	len[DB_MAX_COLS];
	my_bool		isnull[DB_MAX_COLS];
	my_bool		error[DB_MAX_COLS];
	unsigned	n;
};

void	db_init(struct db *, const struct conf_db *);
/* Connects (if not connected) and sets up the session. 503 when unreachable. */
int	db_ensure(struct db *, struct llmops_err *);
void	db_close(struct db *);
/* True when the last failure means the connection is gone. */
int	db_lost(const struct db *);
/* True when the last failure was a deadlock or lock wait timeout. */
int	db_retryable(const struct db *);

int	db_begin(struct db *, struct llmops_err *);
int	db_commit(struct db *, struct llmops_err *);
void	db_rollback(struct db *);
/* Runs plain SQL text with no parameters (migrations, session setup). */
int	db_exec_sql(struct db *, const char *sql, struct llmops_err *);
/* Allows several ;-separated statements in one db_exec_sql (migrations only). */
int	db_multi_statements(struct db *, int on, struct llmops_err *);

void	dbp_init(struct db_params *);
void	dbp_str(struct db_params *, const char *);		/* NULL -> NULL */
void	dbp_i64(struct db_params *, int64_t);
void	dbp_i64_opt(struct db_params *, int present, int64_t);
void	dbp_blob(struct db_params *, const void *, size_t);
void	dbp_decimal(struct db_params *, int present, int64_t units, int scale);

void	dbc_init(struct db_cols *);
void	dbc_i64(struct db_cols *, int64_t *);
void	dbc_str(struct db_cols *, char *buf, size_t bufsz);
void	dbc_blob(struct db_cols *, void *buf, size_t bufsz);
/* Column i was NULL in the last fetched row. */
int	dbc_null(const struct db_cols *, unsigned i);

/* INSERT/UPDATE/DELETE. affected and insert_id may be NULL. */
int	db_exec(struct db *, enum stmt, struct db_params *, uint64_t *affected,
	    uint64_t *insert_id, struct llmops_err *);
/* SELECT: executes and binds cols; then db_fetch until it returns 0. */
int	db_select(struct db *, enum stmt, struct db_params *, struct db_cols *,
	    struct llmops_err *);
/* db_select with the whole result read first: other statements may run
 * on the connection while its rows are fetched. */
int	db_select_stored(struct db *, enum stmt, struct db_params *,
	    struct db_cols *, struct llmops_err *);
/* 1 with a row, 0 at the end, -1 on error. Strings are NUL-terminated. */
int	db_fetch(struct db *, enum stmt, struct db_cols *, struct llmops_err *);
void	db_select_end(struct db *, enum stmt);

/* The schema version this build knows (highest schema/NNN_*.sql). */
#define DB_SCHEMA_VERSION	5
/* Version the database is at (0 when never migrated). */
int	db_schema_version(struct db *, int *version, struct llmops_err *);

#endif
