/*
 * Dashboard users and their passwords (yescrypt, lib/password.c), and the
 * failed-login counters the throttle reads. Administration writes the
 * audit log in the same transaction as the change. Each function runs
 * its own db_txn (inside another, it joins that transaction); the SQL and
 * struct account are in lib/db_user.c.
 */
#ifndef LLMOPS_ACCOUNT_H
#define LLMOPS_ACCOUNT_H

#include <stdint.h>

#include "db.h"
#include "db_user.h"
#include "llmops_limits.h"
#include "password.h"

/* A plausible address: one '@', no blanks or controls, 3..254 bytes. */
int		 account_email_ok(const char *);

/*
 * Adds a user with password pw (hashed here), who must change it at the
 * first login when must_change. org_id 0 only for ROLE_SUPERADMIN.
 */
int	account_create(struct db *, const char *actor, uint32_t org_id,
	    const char *email, enum role, const char *pw, int must_change,
	    uint32_t *id, struct llmops_err *);
/* 0 and *a filled, or -1 with err->status 404 when there is no such user. */
int	account_by_email(struct db *, const char *email, struct account *,
	    struct llmops_err *);
int	account_by_id(struct db *, uint32_t id, struct account *,
	    struct llmops_err *);
/*
 * Sets a new password. When `keep_session` is not NULL the user's other
 * sessions end (a password change from the dashboard), else all of them.
 */
int	account_set_password(struct db *, const char *actor,
	    const struct account *, const char *pw, int must_change,
	    const unsigned char *keep_session, struct llmops_err *);
/* Disables (or enables) a user; disabling ends every session at once. */
int	account_set_active(struct db *, const char *actor,
	    const struct account *, int active, struct llmops_err *);
int	account_touch_login(struct db *, uint32_t id, struct llmops_err *);
/* Users of org_id (0: all); the callback gets the columns of user_list_cols. */
int	account_list(struct db *, uint32_t org_id,
	    int (*cb)(const char *const *values, void *), void *arg,
	    struct llmops_err *);

/* Failed logins under key ("email:..." or "ip:..."): count and times. */
int	account_failures(struct db *, const char *key, unsigned *failures,
	    int64_t *last_us, struct llmops_err *);
int	account_failure_add(struct db *, const char *key, int64_t now_us,
	    struct llmops_err *);
int	account_failure_clear(struct db *, const char *key, struct llmops_err *);
/*
 * Takes one failure off key: attempts are counted before the password is
 * checked, and one that succeeded was no failure. (Clearing the key instead
 * would let anyone with an account reset an address's count.)
 */
int	account_failure_undo(struct db *, const char *key, struct llmops_err *);

#endif
