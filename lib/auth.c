#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "apikey_admin.h"
#include "auth.h"
#include "log.h"
#include "session_store.h"
#include "timefmt.h"

int
auth_keys_load(struct auth_keys *k, const struct conf *conf,
    struct llmops_err *err)
{
	memset(k, 0, sizeof(*k));
	k->secure_cookies = conf->web.secure_cookies;
	if (*conf->web.session_secret_file == '\0')
		return 0;
	if (secret_load(conf->web.session_secret_file, k->secret,
	    &k->secretlen, err) != 0) {
		OPENSSL_cleanse(k->secret, sizeof(k->secret));
		k->secretlen = 0;
		return -1;
	}
	return 0;
}

void
auth_keys_release(struct auth_keys *k)
{
	OPENSSL_cleanse(k->secret, sizeof(k->secret));
	k->secretlen = 0;
}

int
auth_secure(const struct auth_keys *k, const struct web_request *req)
{
	const char	*mode = k->secure_cookies;

	if (strcmp(mode, "always") == 0)
		return 1;
	if (strcmp(mode, "never") == 0)
		return 0;
	return req->https;
}

static int
from_session(const struct auth_keys *k, struct db *db,
    const struct web_request *req, struct auth *a, struct llmops_err *err)
{
	char			 value[SESSION_COOKIE_BYTES + 1];
	unsigned char		 id[SESSION_ID_BYTES], csrf[SESSION_CSRF_BYTES];
	struct account		 acc;
	long long		 expires = 0;
	uint32_t		 uid = 0;
	int64_t			 now = time_now_us();
	int			 rc;
	enum session_parse	 sp;

	if (k->secretlen == 0)
		return 0;
	if (session_cookie_from_header(req->cookie,
	    session_cookie_name(auth_secure(k, req)), value, sizeof(value)) !=
	    COOKIE_FOUND)
		return 0;
	sp = session_cookie_parse(value, k->secret, k->secretlen,
	    now / TIME_US_PER_SEC, id, &expires, err);
	if (sp == SESSION_ERROR)
		return -1;
	if (sp != SESSION_OK) {
		/* Tampered, signed with another secret, or expired. */
		if (sp == SESSION_BAD_SIGNATURE)
			log_warn(LOG_TAG_AUTH, "refused a session cookie with a "
			    "bad signature from %s", req->remote_addr ?
			    req->remote_addr : "?");
		a->stale_cookie = 1;
		return 0;
	}
	if (session_id_hash(id, a->session_hash) != 0) {
		OPENSSL_cleanse(id, sizeof(id));
		return err_set(err, 500, "cannot hash a session id");
	}
	OPENSSL_cleanse(id, sizeof(id));
	rc = session_store_lookup(db, a->session_hash, now, &uid, csrf, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		/* Logged out, password changed, user disabled. */
		a->stale_cookie = 1;
		return 0;
	}
	if (account_by_id(db, uid, &acc, err) != 0)
		return err->status == 404 ? 0 : -1;
	OPENSSL_cleanse(acc.password_hash, sizeof(acc.password_hash));
	if (!acc.active)
		return 0;
	a->kind = AUTH_SESSION;
	a->user_id = acc.id;
	a->org_id = acc.org_id;
	a->role = acc.role;
	a->must_change = acc.must_change;
	memcpy(a->email, acc.email, sizeof(a->email));
	csrf_token_for(csrf, a->csrf);
	OPENSSL_cleanse(csrf, sizeof(csrf));
	return 0;
}

static int
from_apikey(struct db *db, const struct web_request *req, struct auth *a,
    struct llmops_err *err)
{
	char		key[APIKEY_AUTH_HEADER_MAX];
	uint32_t	org = 0, id = 0;
	int		rc;

	if (apikey_from_authorization(req->authorization, key, sizeof(key)) !=
	    APIKEY_AUTH_OK)
		return 0;
	rc = apikey_admin_lookup(db, key, &org, &id, err);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc <= 0)
		return rc;
	a->kind = AUTH_APIKEY;
	a->org_id = org;
	a->apikey_id = id;
	a->role = ROLE_VIEWER;
	return 0;
}

int
auth_request(const struct auth_keys *k, struct db *db,
    const struct web_request *req, int allow_apikey, struct auth *a,
    struct llmops_err *err)
{
	memset(a, 0, sizeof(*a));
	if (from_session(k, db, req, a, err) != 0)
		return -1;
	if (a->kind == AUTH_NONE && allow_apikey && req->authorization != NULL)
		return from_apikey(db, req, a, err);
	return 0;
}

int
auth_csrf_ok(const struct auth *a, const struct web_request *req)
{
	if (a->kind != AUTH_SESSION)
		return 0;
	if (!origin_ok(req->origin, req->referer, req->host, req->https))
		return 0;
	return csrf_check(a->csrf, web_form(req, "csrf"));
}
