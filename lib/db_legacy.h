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
	STMT_COST_CHECK,
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
