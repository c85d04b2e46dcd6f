/*
 * The api_keys table: its SQL and the typed functions that bind it
 * (lib/db_apikey.c). Each runs in the caller's transaction (db_txn);
 * lib/apikey_admin.c decides when they run.
 */
#ifndef LLMOPS_DB_APIKEY_H
#define LLMOPS_DB_APIKEY_H

#include <stdint.h>

#include "apikey.h"
#include "db.h"
#include "db_rows.h"
#include "report.h"

struct apikey_row {
	uint32_t	id;
	uint32_t	org_id;
	char		status[16];	/* "active", "revoked" */
	int64_t		last_used_us;	/* 0: never */
};

int	db_apikey_insert(struct db *, uint32_t org_id,
	    const unsigned char hash[APIKEY_HASH_LEN], const char *prefix,
	    const char *label, int64_t created_us, uint32_t *id,
	    struct llmops_err *);
/* 1 with *k filled, 0 when there is no such key, -1 on failure. */
int	db_apikey_lookup(struct db *, const unsigned char hash[APIKEY_HASH_LEN],
	    struct apikey_row *k, struct llmops_err *);
int	db_apikey_get(struct db *, uint32_t id, struct apikey_row *k,
	    struct llmops_err *);
int	db_apikey_touch(struct db *, uint32_t id, int64_t now_us,
	    struct llmops_err *);
/* *affected 1 when the key was active and is now revoked. */
int	db_apikey_revoke(struct db *, uint32_t id, int64_t now_us,
	    uint64_t *affected, struct llmops_err *);
/* The keys of an organization as text, described by apikey_cols. */
#define APIKEY_NCOLS	7
extern const struct report_col apikey_cols[APIKEY_NCOLS];
int	db_apikey_list(struct db *, uint32_t org_id, db_text_row_fn, void *arg,
	    struct llmops_err *);

#endif
