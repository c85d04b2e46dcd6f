/*
 * The users and login_failures tables: their SQL and the typed functions
 * that bind it (lib/db_user.c). Each runs in the caller's transaction
 * (db_txn); the rules (passwords, throttle, audit rows) are in
 * lib/account.c.
 */
#ifndef LLMOPS_DB_USER_H
#define LLMOPS_DB_USER_H

#include <stdint.h>

#include "db.h"
#include "db_rows.h"
#include "llmops_limits.h"
#include "password.h"
#include "report.h"

#define ACCOUNT_EMAIL_BYTES	254
#define ACCOUNT_FAILURE_KEY_LEN	32

/* The values of users.role, in the order of its ENUM. */
enum role {
	ROLE_VIEWER,		/* reads one organization */
	ROLE_ADMIN,		/* reads one organization, manages it */
	ROLE_SUPERADMIN,	/* every organization */
	ROLE__MAX
};

/* A row of users, with the name of its organization. */
struct account {
	uint32_t	id;
	uint32_t	org_id;		/* 0 for a superadmin */
	char		org_name[LIMIT_ORG_NAME_BYTES * 4 + 1];
	char		email[ACCOUNT_EMAIL_BYTES * 4 + 1];
	enum role	role;
	char		password_hash[PASSWORD_HASH_BYTES];
	int		must_change;
	int		active;
};

const char	*role_name(enum role);
int		 role_parse(const char *, enum role *);

/* -1 on failure; db_duplicate() tells an e-mail address that exists. */
int	db_user_insert(struct db *, uint32_t org_id, const char *email,
	    enum role, const char *password_hash, int must_change,
	    int64_t now_us, uint32_t *id, struct llmops_err *);
/* 1 with *a filled, 0 when there is no such user, -1 on failure. */
int	db_user_by_email(struct db *, const char *email, struct account *,
	    struct llmops_err *);
int	db_user_by_id(struct db *, uint32_t id, struct account *,
	    struct llmops_err *);
int	db_user_set_password(struct db *, uint32_t id, const char *password_hash,
	    int must_change, int64_t now_us, struct llmops_err *);
int	db_user_set_active(struct db *, uint32_t id, int active,
	    struct llmops_err *);
int	db_user_touch_login(struct db *, uint32_t id, int64_t now_us,
	    struct llmops_err *);
/* Users of org_id (0: all) as text, described by user_list_cols. */
#define USER_LIST_NCOLS	8
extern const struct report_col user_list_cols[USER_LIST_NCOLS];
int	db_user_list(struct db *, uint32_t org_id, db_text_row_fn, void *arg,
	    struct llmops_err *);

/*
 * Failed logins under a hashed key: 1 with the count and the times of the
 * first and last, 0 when none is recorded.
 */
int	db_login_failure_get(struct db *,
	    const unsigned char key[ACCOUNT_FAILURE_KEY_LEN], int64_t *failures,
	    int64_t *first_us, int64_t *last_us, struct llmops_err *);
/* One more failure; the count starts again when the first is window_us old. */
int	db_login_failure_add(struct db *,
	    const unsigned char key[ACCOUNT_FAILURE_KEY_LEN], int64_t now_us,
	    int64_t window_us, struct llmops_err *);
int	db_login_failure_clear(struct db *,
	    const unsigned char key[ACCOUNT_FAILURE_KEY_LEN], struct llmops_err *);
/* One failure fewer (never below zero). */
int	db_login_failure_undo(struct db *,
	    const unsigned char key[ACCOUNT_FAILURE_KEY_LEN], struct llmops_err *);

#endif
