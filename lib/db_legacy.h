/*
 * TRANSITIONAL: the statement table of the old data layer and its
 * positional binding helpers, on top of the engine (db.h), while each
 * entity moves into a db_<entity>.c file of its own. Removed when the last
 * statement has moved; nothing new may use it.
 */
#ifndef LLMOPS_DB_LEGACY_H
#define LLMOPS_DB_LEGACY_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

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
	STMT__MAX
};

#define DB_MAX_PARAMS	40
#define DB_MAX_COLS	40

struct db_params {
	struct {
		int		 type;
		int		 present;
		int64_t		 i;
		const void	*ptr;
		size_t		 len;
		int		 scale;
	}		 v[DB_MAX_PARAMS];
	unsigned	 n;
};

struct db_cols {
	struct {
		int		 type;
		void		*ptr;
		size_t		 sz;
	}		 v[DB_MAX_COLS];
	unsigned	 n;
	struct db_q	*q;		/* after dbl_select */
};

void	dbp_init(struct db_params *);
void	dbp_str(struct db_params *, const char *);
void	dbp_i64(struct db_params *, int64_t);
void	dbp_i64_opt(struct db_params *, int present, int64_t);
void	dbp_blob(struct db_params *, const void *, size_t);
void	dbp_decimal(struct db_params *, int present, int64_t units, int scale);

void	dbc_init(struct db_cols *);
void	dbc_i64(struct db_cols *, int64_t *);
void	dbc_str(struct db_cols *, char *buf, size_t bufsz);
void	dbc_blob(struct db_cols *, void *buf, size_t bufsz);
int	dbc_null(const struct db_cols *, unsigned i);

int	dbl_exec(struct db *, enum stmt, struct db_params *, uint64_t *affected,
	    uint64_t *insert_id, struct llmops_err *);
int	dbl_select(struct db *, enum stmt, struct db_params *, struct db_cols *,
	    struct llmops_err *);
int	dbl_select_stored(struct db *, enum stmt, struct db_params *,
	    struct db_cols *, struct llmops_err *);
int	dbl_fetch(struct db *, enum stmt, struct db_cols *, struct llmops_err *);
void	dbl_select_end(struct db *, enum stmt);

/* The statement's handle on the connection, if prepared (no side effect). */
struct db_q	*db_q_cached(struct db *, const struct db_stmt *);

/* Transactions by hand: use db_txn() instead. */
int	db_begin(struct db *, struct llmops_err *);
int	db_commit(struct db *, struct llmops_err *);
void	db_rollback(struct db *);

#endif
