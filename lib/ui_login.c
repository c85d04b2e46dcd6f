/*
 * Logging in and out, and changing one's password.
 *
 * Login: the form carries a token that must equal a short-lived cookie
 * (double submit) and the POST must come from our origin, so another site
 * cannot log a browser in. Failures are counted per account and address,
 * and per address (lib/throttle.c decides the delay), recorded before the
 * password is checked so parallel guesses count too (a success then takes
 * its count back), and logged. Unknown accounts cost the same time as
 * known ones.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "account.h"
#include "audit.h"
#include "encode.h"
#include "html.h"
#include "log.h"
#include "page.h"
#include "session_store.h"
#include "throttle.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_pages.h"

#define LOGIN_COOKIE		"llmops_login"
#define LOGIN_COOKIE_SECURE	"__Host-llmops_login"
/* Seconds the login form stays valid. */
#define LOGIN_FORM_SECONDS	3600
/* Bytes of a throttle key: "acct:<email>|ip:<address>". */
#define LOGIN_KEY_BYTES		(ACCOUNT_EMAIL_BYTES * 4 + 96)

static const char *
login_cookie_name(struct ui *ui)
{
	return auth_secure(&ui->app->keys, ui->req) ? LOGIN_COOKIE_SECURE :
	    LOGIN_COOKIE;
}

/* The login form, with a fresh double-submit token in a cookie. */
static void
login_form(struct ui *ui, int status, const char *message, const char *email)
{
	unsigned char	 rnd[SESSION_CSRF_BYTES];
	char		 tok[CSRF_TOKEN_BYTES];
	char		 hdr[256];
	const char	*next = web_arg(ui->req, "next");
	struct writer	*w = ui->w;

	if (next == NULL)
		next = web_form(ui->req, "next");
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		ui_error(ui, 500, "no randomness available");
		return;
	}
	base64url_encode(rnd, sizeof(rnd), tok);
	/* Path=/: browsers drop a "__Host-" cookie with any other path. */
	snprintf(hdr, sizeof(hdr), "%s=%s; Path=/; Max-Age=%d; HttpOnly; "
	    "SameSite=Strict%s", login_cookie_name(ui), tok, LOGIN_FORM_SECONDS,
	    auth_secure(&ui->app->keys, ui->req) ? "; Secure" : "");
	web_header(ui->resp, "Set-Cookie", hdr);
	page_begin(ui, PAGE_FORM, status, "Log in");
	if (ui->app->keys.secretlen == 0)
		writer_puts(w, "<p class=\"error\">Logins are off: set "
		    "web.session_secret_file in llmops.conf.</p>\n");
	if (message != NULL) {
		writer_puts(w, "<p class=\"error\">");
		html_text(w, message);
		writer_puts(w, "</p>\n");
	}
	writer_puts(w, "<form method=\"post\" action=\"/login\">\n"
	    "<input type=\"hidden\" name=\"login_token\" value=\"");
	html_attr(w, tok);
	writer_puts(w, "\">\n");
	if (next != NULL) {
		writer_puts(w, "<input type=\"hidden\" name=\"next\" value=\"");
		html_attr(w, next);
		writer_puts(w, "\">\n");
	}
	writer_puts(w, "<label>E-mail <input type=\"email\" name=\"email\" "
	    "autocomplete=\"username\" required value=\"");
	html_attr(w, email ? email : "");
	writer_puts(w, "\"></label>\n<label>Password <input type=\"password\" "
	    "name=\"password\" autocomplete=\"current-password\" required>"
	    "</label>\n<button type=\"submit\">Log in</button>\n</form>\n");
	page_end(ui);
	OPENSSL_cleanse(rnd, sizeof(rnd));
}

/* The larger wait of the two throttle keys; -1 on a database error. */
static int
throttled(struct ui *ui, const char *k1, const char *k2, long long *wait,
    struct llmops_err *err)
{
	const char		*keys[2] = { k1, k2 };
	unsigned		 n;
	int64_t			 last;
	long long		 w;
	int			 i;

	*wait = 0;
	for (i = 0; i < 2; i++) {
		if (account_failures(ui->app->db, keys[i], &n, &last, err) != 0)
			return -1;
		if (!throttle_check(n, last / TIME_US_PER_SEC,
		    time_now_us() / TIME_US_PER_SEC, &w) && w > *wait)
			*wait = w;
	}
	return 0;
}

/* Creates the session and sets its cookie; 0 or -1. */
static int
start_session(struct ui *ui, const struct account *a)
{
	struct session_cookie	 s;
	struct llmops_err	 err;
	char			 value[SESSION_COOKIE_BYTES];
	char			 hdr[SESSION_SET_COOKIE_BYTES + SESSION_COOKIE_BYTES];
	long long		 max_age = (long long)ui->app->conf->web.session_hours * 3600;
	const struct auth_keys	*k = &ui->app->keys;
	int			 rc = -1, secure = auth_secure(k, ui->req);

	err_clear(&err);
	if (session_new(&s, time_now_us() / TIME_US_PER_SEC + max_age, &err) != 0)
		goto out;
	if (session_cookie_format(&s, k->secret, k->secretlen, value,
	    &err) != 0 || session_store_create(ui->app->db, &s, a->id, &err) != 0 ||
	    session_set_cookie_header(hdr, sizeof(hdr),
	    session_cookie_name(secure), value, max_age, secure) != 0)
		goto out;
	web_header(ui->resp, "Set-Cookie", hdr);
	account_touch_login(ui->app->db, a->id, &err);
	session_store_purge(ui->app->db, time_now_us(), &err);
	rc = 0;
out:
	if (rc != 0)
		log_error(LOG_TAG_AUTH, "cannot start a session: %s", err.msg);
	OPENSSL_cleanse(value, sizeof(value));
	session_release(&s);
	return rc;
}

static void
login_post(struct ui *ui)
{
	struct llmops_err	 err;
	struct account		 a;
	const char		*email = web_form(ui->req, "email");
	const char		*pw = web_form(ui->req, "password");
	const char		*tok = web_form(ui->req, "login_token");
	const char		*next = web_form(ui->req, "next");
	const char		*addr = ui->req->remote_addr ? ui->req->remote_addr : "?";
	char			 cookie[128], both[LOGIN_KEY_BYTES], ip[128], msg[128];
	long long		 wait;
	int			 found, good;

	memset(&a, 0, sizeof(a));
	if (ui->app->keys.secretlen == 0) {
		login_form(ui, 503, "Logins are off on this server.", NULL);
		return;
	}
	if (!origin_ok(ui->req->origin, ui->req->referer, ui->req->host,
	    ui->req->https) || tok == NULL ||
	    session_cookie_from_header(ui->req->cookie, login_cookie_name(ui),
	    cookie, sizeof(cookie)) != COOKIE_FOUND || !csrf_check(cookie, tok)) {
		log_warn(LOG_TAG_AUTH, "refused a login POST without a valid "
		    "form token or from another origin, from %s", addr);
		login_form(ui, 403, "The form expired or came from another "
		    "site. Please try again.", NULL);
		return;
	}
	if (email == NULL || pw == NULL || !account_email_ok(email)) {
		log_warn(LOG_TAG_AUTH, "refused a login POST without a valid "
		    "e-mail address or password, from %s", addr);
		login_form(ui, 400, "Enter your e-mail address and password.",
		    email);
		return;
	}
	snprintf(both, sizeof(both), "acct:%s|ip:%s", email, addr);
	snprintf(ip, sizeof(ip), "ip:%s", addr);
	err_clear(&err);
	if (throttled(ui, both, ip, &wait, &err) != 0) {
		ui_db_error(ui, "login throttle", &err);
		return;
	}
	if (wait > 0) {
		log_warn(LOG_TAG_AUTH, "login for %s from %s throttled for %lld s "
		    "after repeated failures", email, addr, wait);
		snprintf(msg, sizeof(msg), "%lld", wait);
		web_header(ui->resp, "Retry-After", msg);
		snprintf(msg, sizeof(msg), "Too many failed attempts. Try again "
		    "in %lld seconds.", wait);
		login_form(ui, 429, msg, email);
		return;
	}
	/* Counted before the check, so parallel guesses cannot slip through. */
	err_clear(&err);
	if (account_failure_add(ui->app->db, both, time_now_us(), &err) != 0 ||
	    account_failure_add(ui->app->db, ip, time_now_us(), &err) != 0) {
		ui_db_error(ui, "login failure count", &err);
		return;
	}
	found = account_by_email(ui->app->db, email, &a, &err) == 0;
	if (!found && err.status != 404) {
		ui_db_error(ui, "login account", &err);
		return;
	}
	good = found ? password_verify(pw, a.password_hash) :
	    password_verify_none(pw);
	if (!good || !a.active) {
		log_warn(LOG_TAG_AUTH, "failed login for %s from %s (%s)", email,
		    addr, !found ? "no such user" : !good ? "wrong password" :
		    "disabled user");
		login_form(ui, 401, "Wrong e-mail address or password.", email);
		goto out;
	}
	account_failure_clear(ui->app->db, both, &err);
	account_failure_undo(ui->app->db, ip, &err);
	if (password_needs_rehash(a.password_hash))
		account_set_password(ui->app->db, "web:rehash", &a, pw,
		    a.must_change, NULL, &err);
	if (start_session(ui, &a) != 0) {
		ui_error(ui, 503, "cannot start a session");
		goto out;
	}
	log_info(LOG_TAG_AUTH, "%s logged in from %s", a.email, addr);
	if (a.must_change)
		web_redirect(ui->resp, "/account/password");
	else
		web_redirect(ui->resp, next != NULL ? next : "/");
out:
	OPENSSL_cleanse(a.password_hash, sizeof(a.password_hash));
}

void
ui_login(struct ui *ui)
{
	if (strcmp(ui->req->method, "POST") == 0)
		login_post(ui);
	else
		login_form(ui, 200, NULL, NULL);
}

void
ui_logout(struct ui *ui)
{
	struct llmops_err	err;
	char			hdr[SESSION_SET_COOKIE_BYTES];
	int			secure = auth_secure(&ui->app->keys, ui->req);

	err_clear(&err);
	if (session_store_delete(ui->app->db, ui->auth.session_hash, &err) != 0) {
		ui_db_error(ui, "logout", &err);
		return;
	}
	if (session_clear_cookie_header(hdr, sizeof(hdr),
	    session_cookie_name(secure), secure) == 0)
		web_header(ui->resp, "Set-Cookie", hdr);
	log_info(LOG_TAG_AUTH, "%s logged out", ui->auth.email);
	web_redirect(ui->resp, "/login");
}

static void
password_form(struct ui *ui, int status, const char *message)
{
	struct writer	*w = ui->w;

	/* A refused change is logged like every refused request. */
	if (status >= 400 && status < 500 && status != 403)
		log_warn(LOG_TAG_AUTH, "password of %s not changed: %s",
		    ui->auth.email, message);
	page_begin(ui, PAGE_FORM, status, "Change your password");
	if (ui->auth.must_change)
		writer_puts(w, "<p class=\"notice\">Your password was set by an "
		    "administrator: choose your own to continue.</p>\n");
	if (message != NULL) {
		writer_puts(w, "<p class=\"error\">");
		html_text(w, message);
		writer_puts(w, "</p>\n");
	}
	writer_puts(w, "<form method=\"post\" action=\"/account/password\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_attr(w, ui->auth.csrf);
	writer_puts(w, "\">\n<label>Current password <input type=\"password\" "
	    "name=\"current\" autocomplete=\"current-password\" required>"
	    "</label>\n<label>New password (at least ");
	html_num(w, PASSWORD_MIN_CHARS);
	writer_puts(w, " characters) <input type=\"password\" name=\"new\" "
	    "autocomplete=\"new-password\" required></label>\n<label>New "
	    "password again <input type=\"password\" name=\"again\" "
	    "autocomplete=\"new-password\" required></label>\n<button "
	    "type=\"submit\">Change</button>\n</form>\n");
	if (!ui->auth.must_change)
		writer_puts(w, "<p><a href=\"/\">Back to the dashboard</a></p>\n");
	page_end(ui);
}

void
ui_password(struct ui *ui)
{
	struct llmops_err	 err;
	struct account		 a;
	const char		*cur = web_form(ui->req, "current");
	const char		*pw = web_form(ui->req, "new");
	const char		*again = web_form(ui->req, "again");
	char			 actor[AUDIT_ACTOR_BYTES + 1];

	memset(&a, 0, sizeof(a));
	if (strcmp(ui->req->method, "POST") != 0) {
		password_form(ui, 200, NULL);
		return;
	}
	err_clear(&err);
	if (account_by_id(ui->app->db, ui->auth.user_id, &a, &err) != 0) {
		ui_db_error(ui, "password account", &err);
		return;
	}
	if (cur == NULL || !password_verify(cur, a.password_hash)) {
		log_warn(LOG_TAG_AUTH, "%s gave a wrong current password",
		    a.email);
		password_form(ui, 403, "The current password is wrong.");
		goto out;
	}
	if (pw == NULL || again == NULL || strcmp(pw, again) != 0) {
		password_form(ui, 400, "The new passwords differ.");
		goto out;
	}
	if (strcmp(pw, cur) == 0) {
		password_form(ui, 400, "Choose a password you did not use now.");
		goto out;
	}
	/* E-mail addresses are at most 254 bytes; the actor column too. */
	snprintf(actor, sizeof(actor), "web:%.250s", a.email);
	if (account_set_password(ui->app->db, actor, &a, pw, 0,
	    ui->auth.session_hash, &err) != 0) {
		password_form(ui, err.status == 400 ? 400 : 503, err.msg);
		goto out;
	}
	log_info(LOG_TAG_AUTH, "%s changed their password", a.email);
	web_redirect(ui->resp, "/");
out:
	OPENSSL_cleanse(a.password_hash, sizeof(a.password_hash));
}
