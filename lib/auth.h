/*
 * Who is asking, and which organization they may read.
 *
 * Browsers: a signed session cookie (lib/session.c) naming a row of the
 * sessions table (lib/session_store.c) of an active user. Machines: a
 * read-only API key in "Authorization: Bearer llk_...". Every read is then
 * scoped to auth.org_id in the SQL itself; superadmins (org_id 0) choose
 * an organization per request.
 */
#ifndef LLMOPS_AUTH_H
#define LLMOPS_AUTH_H

#include <stdint.h>

#include "account.h"
#include "conf.h"
#include "db.h"
#include "secret.h"
#include "session.h"
#include "web.h"

/* What authentication keeps between requests: the session secret and the
 * cookie policy. */
struct auth_keys {
	unsigned char	 secret[SECRET_KEY_MAX];
	size_t		 secretlen;	/* 0: no dashboard logins */
	const char	*secure_cookies;/* web.secure_cookies, borrowed */
};

enum auth_kind {
	AUTH_NONE,
	AUTH_SESSION,
	AUTH_APIKEY,
};

struct auth {
	enum auth_kind	 kind;
	uint32_t	 user_id;
	uint32_t	 org_id;	/* 0: every organization (superadmin) */
	enum role	 role;
	char		 email[ACCOUNT_EMAIL_BYTES * 4 + 1];
	int		 must_change;
	unsigned char	 session_hash[SESSION_ID_HASH_BYTES];
	char		 csrf[CSRF_TOKEN_BYTES];
	uint32_t	 apikey_id;
	int		 stale_cookie;	/* a cookie was sent that names no session */
};

/*
 * Loads the session secret of the configuration (none: logins are off).
 * -1 with err set when it cannot be read: keys then has no secret.
 */
int	auth_keys_load(struct auth_keys *, const struct conf *,
	    struct llmops_err *);
/* Wipes the secret. */
void	auth_keys_release(struct auth_keys *);

/*
 * Authenticates the request: its session cookie, and when allow_apikey
 * its Bearer key. kind AUTH_NONE when neither is valid. -1 only on a
 * database error.
 */
int	auth_request(const struct auth_keys *, struct db *,
	    const struct web_request *, int allow_apikey, struct auth *,
	    struct llmops_err *);
/*
 * For a state-changing request of a session: the same origin (Origin or
 * Referer) and the session's CSRF token in the form field "csrf".
 */
int	auth_csrf_ok(const struct auth *, const struct web_request *);
/* Whether cookies get Secure (configuration web.secure_cookies). */
int	auth_secure(const struct auth_keys *, const struct web_request *);

#endif
