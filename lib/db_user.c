/* The users and login_failures tables: see db_user.h. */
#include "config.h"

#include <string.h>

#include "db_user.h"

enum {
	STMT_USER_INSERT,
	STMT_USER_BY_EMAIL,
	STMT_USER_BY_ID,
	STMT_USER_SET_PASSWORD,
	STMT_USER_SET_STATUS,
	STMT_USER_LOGIN,
	STMT_USER_LIST,
	STMT_LOGIN_FAILURE_GET,
	STMT_LOGIN_FAILURE_ADD,
	STMT_LOGIN_FAILURE_CLEAR,
	STMT_LOGIN_FAILURE_UNDO,
	STMT__MAX
};

/* The columns user_row() binds, in its order. */
#define USER_COLUMNS \
	"SELECT u.id, COALESCE(u.org_id, 0), u.email, u.role, u.password_hash, " \
	"u.must_change_password, u.status, o.name FROM users u LEFT JOIN " \
	"organizations o ON o.id = u.org_id "

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_USER_INSERT] = { "user.insert",
	    "INSERT INTO users (org_id, email, role, password_hash, "
	    "must_change_password, status, created_us, password_changed_us) "
	    "VALUES (?, ?, ?, ?, ?, 'active', ?, ?)" },
	[STMT_USER_BY_EMAIL] = { "user.by_email",
	    USER_COLUMNS "WHERE u.email = ?" },
	[STMT_USER_BY_ID] = { "user.by_id",
	    USER_COLUMNS "WHERE u.id = ?" },
	[STMT_USER_SET_PASSWORD] = { "user.set_password",
	    "UPDATE users SET password_hash = ?, must_change_password = ?, "
	    "password_changed_us = ? WHERE id = ?" },
	[STMT_USER_SET_STATUS] = { "user.set_status",
	    "UPDATE users SET status = ? WHERE id = ?" },
	[STMT_USER_LOGIN] = { "user.login",
	    "UPDATE users SET last_login_us = ? WHERE id = ?" },
	/* The columns of user_list_cols; org 0: every user */
	[STMT_USER_LIST] = { "user.list",
	    "SELECT u.id, o.name, u.email, u.role, u.status, "
	    "u.must_change_password, u.created_us, u.last_login_us FROM users u "
	    "LEFT JOIN organizations o ON o.id = u.org_id "
	    "WHERE (? = 0 OR u.org_id = ?) ORDER BY u.id" },
	[STMT_LOGIN_FAILURE_GET] = { "login_failure.get",
	    "SELECT failures, first_us, last_us FROM login_failures WHERE "
	    "key_hash = ?" },
	/* A failure; the count starts again after the window (`?` us) */
	[STMT_LOGIN_FAILURE_ADD] = { "login_failure.add",
	    "INSERT INTO login_failures (key_hash, failures, first_us, last_us) "
	    "VALUES (?, 1, ?, ?) ON DUPLICATE KEY UPDATE "
	    "failures = IF(first_us < VALUES(first_us) - ?, 1, failures + 1), "
	    "first_us = IF(first_us < VALUES(first_us) - ?, VALUES(first_us), "
	    "first_us), last_us = VALUES(last_us)" },
	[STMT_LOGIN_FAILURE_CLEAR] = { "login_failure.clear",
	    "DELETE FROM login_failures WHERE key_hash = ?" },
	/* An attempt counted before its check, which then succeeded */
	[STMT_LOGIN_FAILURE_UNDO] = { "login_failure.undo",
	    "UPDATE login_failures SET failures = failures - 1 WHERE "
	    "key_hash = ? AND failures > 0" },
};

const struct report_col user_list_cols[USER_LIST_NCOLS] = {
	{ "id", COL_INT },
	{ "org", COL_TEXT },
	{ "email", COL_TEXT },
	{ "role", COL_TEXT },
	{ "status", COL_TEXT },
	{ "must_change_password", COL_BOOL },
	{ "created", COL_TIME_US },
	{ "last_login", COL_TIME_US },
};

static const char *const role_names[ROLE__MAX] = {
	"viewer", "admin", "superadmin",
};

const char *
role_name(enum role r)
{
	return r < ROLE__MAX ? role_names[r] : "?";
}

int
role_parse(const char *s, enum role *out)
{
	int	i;

	for (i = 0; i < ROLE__MAX; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return 0;
		}
	return -1;
}

int
db_user_insert(struct db *db, uint32_t org_id, const char *email,
    enum role role, const char *password_hash, int must_change, int64_t now_us,
    uint32_t *id, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_USER_INSERT], err);

	db_bind_i64_opt(q, org_id != 0, org_id);
	db_bind_str(q, email);
	db_bind_str(q, role_name(role));
	db_bind_str(q, password_hash);
	db_bind_i64(q, must_change ? 1 : 0);
	db_bind_i64(q, now_us);
	db_bind_i64(q, now_us);
	return db_exec_id(q, id, err);
}

/* The columns of USER_COLUMNS into *a, for a statement already bound. */
static int
user_row(struct db_q *q, struct account *a, struct llmops_err *err)
{
	int64_t	id = 0, org = 0, must = 0;
	char	role[16], status[16];
	int	rc;

	memset(a, 0, sizeof(*a));
	db_col_i64(q, &id);
	db_col_i64(q, &org);
	db_col_str(q, a->email, sizeof(a->email));
	db_col_str(q, role, sizeof(role));
	db_col_str(q, a->password_hash, sizeof(a->password_hash));
	db_col_i64(q, &must);
	db_col_str(q, status, sizeof(status));
	db_col_str(q, a->org_name, sizeof(a->org_name));
	if ((rc = db_one(q, err)) != 1)
		return rc;
	a->id = (uint32_t)id;
	a->org_id = (uint32_t)org;
	a->must_change = must != 0;
	a->active = strcmp(status, "active") == 0;
	if (role_parse(role, &a->role) != 0)
		return err_set(err, 500, "user %u has an unknown role", a->id);
	return 1;
}

int
db_user_by_email(struct db *db, const char *email, struct account *a,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_USER_BY_EMAIL], err);

	db_bind_str(q, email);
	return user_row(q, a, err);
}

int
db_user_by_id(struct db *db, uint32_t id, struct account *a,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_USER_BY_ID], err);

	db_bind_i64(q, id);
	return user_row(q, a, err);
}

int
db_user_set_password(struct db *db, uint32_t id, const char *password_hash,
    int must_change, int64_t now_us, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_USER_SET_PASSWORD], err);

	db_bind_str(q, password_hash);
	db_bind_i64(q, must_change ? 1 : 0);
	db_bind_i64(q, now_us);
	db_bind_i64(q, id);
	return db_exec(q, NULL, NULL, err);
}

int
db_user_set_active(struct db *db, uint32_t id, int active,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_USER_SET_STATUS], err);

	db_bind_str(q, active ? "active" : "disabled");
	db_bind_i64(q, id);
	return db_exec(q, NULL, NULL, err);
}

int
db_user_touch_login(struct db *db, uint32_t id, int64_t now_us,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_USER_LOGIN], err);

	db_bind_i64(q, now_us);
	db_bind_i64(q, id);
	return db_exec(q, NULL, NULL, err);
}

int
db_user_list(struct db *db, uint32_t org_id, db_text_row_fn cb, void *arg,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_USER_LIST], err);

	db_bind_i64(q, org_id);
	db_bind_i64(q, org_id);
	return db_rows_text(db, q, USER_LIST_NCOLS, ACCOUNT_EMAIL_BYTES * 4 + 1,
	    cb, arg, err);
}

int
db_login_failure_get(struct db *db,
    const unsigned char key[ACCOUNT_FAILURE_KEY_LEN], int64_t *failures,
    int64_t *first_us, int64_t *last_us, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_LOGIN_FAILURE_GET], err);

	db_bind_blob(q, key, ACCOUNT_FAILURE_KEY_LEN);
	db_col_i64(q, failures);
	db_col_i64(q, first_us);
	db_col_i64(q, last_us);
	return db_one(q, err);
}

int
db_login_failure_add(struct db *db,
    const unsigned char key[ACCOUNT_FAILURE_KEY_LEN], int64_t now_us,
    int64_t window_us, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_LOGIN_FAILURE_ADD], err);

	db_bind_blob(q, key, ACCOUNT_FAILURE_KEY_LEN);
	db_bind_i64(q, now_us);
	db_bind_i64(q, now_us);
	db_bind_i64(q, window_us);
	db_bind_i64(q, window_us);
	return db_exec(q, NULL, NULL, err);
}

/* A statement whose only parameter is the hashed key. */
static int
failure_key_exec(struct db *db, int stmt,
    const unsigned char key[ACCOUNT_FAILURE_KEY_LEN], struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[stmt], err);

	db_bind_blob(q, key, ACCOUNT_FAILURE_KEY_LEN);
	return db_exec(q, NULL, NULL, err);
}

int
db_login_failure_clear(struct db *db,
    const unsigned char key[ACCOUNT_FAILURE_KEY_LEN], struct llmops_err *err)
{
	return failure_key_exec(db, STMT_LOGIN_FAILURE_CLEAR, key, err);
}

int
db_login_failure_undo(struct db *db,
    const unsigned char key[ACCOUNT_FAILURE_KEY_LEN], struct llmops_err *err)
{
	return failure_key_exec(db, STMT_LOGIN_FAILURE_UNDO, key, err);
}
