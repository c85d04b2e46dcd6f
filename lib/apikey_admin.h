/*
 * Read-only API keys in the database (the key format is lib/apikey.c):
 * SHA-256 of the key, a display prefix, the organization it reads. Each
 * function runs its own db_txn (inside another, it
 * joins that transaction); the SQL is in lib/db_apikey.c.
 */
#ifndef LLMOPS_APIKEY_ADMIN_H
#define LLMOPS_APIKEY_ADMIN_H

#include <stdint.h>

#include "apikey.h"
#include "db.h"
#include "db_apikey.h"

/* last_used is written at most this often per key. */
#define APIKEY_TOUCH_INTERVAL_US	(60LL * 1000000)

/* A new key for org_id; `key` receives it (shown once). */
int	apikey_admin_create(struct db *, const char *actor, uint32_t org_id,
	    const char *label, char key[APIKEY_GENERATED_BYTES], uint32_t *id,
	    struct llmops_err *);
/* 1 with the organization and id of an active key, 0 when unknown or revoked. */
int	apikey_admin_lookup(struct db *, const char *key, uint32_t *org_id,
	    uint32_t *id, struct llmops_err *);
int	apikey_admin_revoke(struct db *, const char *actor, uint32_t id,
	    struct llmops_err *);
/* The keys of org_id; the callback gets the columns of apikey_cols. */
int	apikey_admin_list(struct db *, uint32_t org_id,
	    int (*cb)(const char *const *values, void *), void *arg,
	    struct llmops_err *);

#endif
