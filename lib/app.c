#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "html.h"
#include "log.h"
#include "page.h"
#include "route.h"

int
app_init(struct app *app, const struct conf *conf, struct llmops_err *err)
{
	struct llmops_err	kerr;

	memset(app, 0, sizeof(*app));
	app->conf = conf;
	if ((app->db = calloc(1, sizeof(*app->db))) == NULL)
		return err_set(err, 500, "out of memory");
	db_init(app->db, &conf->db);
	app->db->require_schema = DB_SCHEMA_VERSION;
	ingest_init(&app->ingest, conf, app->db);
	/* Without its secret the dashboard refuses logins; ingest goes on. */
	err_clear(&kerr);
	if (auth_keys_load(&app->keys, conf, &kerr) != 0)
		log_error(LOG_TAG_MAIN, "dashboard logins are off: %s", kerr.msg);
	return 0;
}

const char *
app_spool_dir(const struct app *app)
{
	const char	*dir = app->conf->spool.dir;

	return dir != NULL && *dir != '\0' ? dir : NULL;
}

void
app_release(struct app *app)
{
	auth_keys_release(&app->keys);
	ingest_release(&app->ingest);
	if (app->db != NULL) {
		db_close(app->db);
		free(app->db);
	}
	memset(app, 0, sizeof(*app));
}

void
app_after(struct app *app)
{
	ingest_after(&app->ingest);
}

static int
is_api(const struct ui *ui)
{
	return strncmp(ui->req->path, "/api/", 5) == 0;
}

static void	answer_error(struct ui *, int, const char *);

void
ui_db_error(struct ui *ui, const char *what, const struct llmops_err *err)
{
	/*
	 * The connection was lost (MariaDB restarted since this responder
	 * last used it) and nothing has reached the client: the page is run
	 * again on a new connection (see run_page) instead of answering 503.
	 */
	if (ui->db_retry && db_lost(ui->app->db) &&
	    web_response_reset(ui->resp) == 0) {
		ui->db_retry = 0;
		ui->db_pending = what;
		ui->db_err = *err;
		return;
	}
	log_error(LOG_TAG_DB, "%s %s: %s: %s", ui->req->method, ui->req->path,
	    what, err->msg[0] != '\0' ? err->msg : "unknown error");
	answer_error(ui, 503, "database unavailable");
}

/* Who made the request, for log lines. */
static void
who(const struct ui *ui, char *buf, size_t sz)
{
	const char	*addr = ui->req->remote_addr ? ui->req->remote_addr : "?";

	switch (ui->auth.kind) {
	case AUTH_SESSION:
		snprintf(buf, sz, "%s, organization %u, from %s", ui->auth.email,
		    (unsigned)ui->auth.org_id, addr);
		break;
	case AUTH_APIKEY:
		snprintf(buf, sz, "API key %u, organization %u, from %s",
		    (unsigned)ui->auth.apikey_id, (unsigned)ui->auth.org_id, addr);
		break;
	default:
		snprintf(buf, sz, "not logged in, from %s", addr);
		break;
	}
}

/*
 * Every refused or failed request leaves one line in the log: [AUTH] for
 * 401 and 403, [HTTP] otherwise, naming who asked. (Database failures have
 * their own [DB] line, from ui_db_error.)
 */
void
ui_error(struct ui *ui, int status, const char *msg)
{
	char	by[sizeof(ui->auth.email) + 64];

	who(ui, by, sizeof(by));
	if (status >= 500)
		log_error(LOG_TAG_HTTP, "%s %s: %d %s (%s)", ui->req->method,
		    ui->req->path, status, msg, by);
	else
		log_warn(status == 401 || status == 403 ? LOG_TAG_AUTH :
		    LOG_TAG_HTTP, "%s %s: %d %s (%s)", ui->req->method,
		    ui->req->path, status, msg, by);
	answer_error(ui, status, msg);
}

static void
answer_error(struct ui *ui, int status, const char *msg)
{
	struct json_object	*o;
	const char		*s;

	if (!is_api(ui) || ui->resp->started) {
		page_error(ui, status, msg);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "status", json_object_new_int(status));
	web_start(ui->resp, status, WEB_JSON);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	writer_puts(ui->w, s);
	json_object_put(o);
}

/* Sends the browser to the login page, coming back here afterwards. */
static void
to_login(struct ui *ui)
{
	struct writer	 w;
	struct membuf	 mb;
	struct html_param next = { "next", NULL };
	char		 target[1024];

	snprintf(target, sizeof(target), "%s%s%s", ui->req->path,
	    ui->req->query_string && *ui->req->query_string ? "?" : "",
	    ui->req->query_string ? ui->req->query_string : "");
	next.value = target;
	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	writer_puts(&w, "/login");
	html_query(&w, &next, 1);
	writer_flush(&w);
	web_redirect(ui->resp, w.failed ? "/login" : membuf_str(&mb));
	membuf_release(&mb);
}

/* Checks who asks and whether they may use r; 0, or -1 when answered. */
static int
admit(struct ui *ui, const struct route *r, int method)
{
	struct app		*app = ui->app;
	struct llmops_err	 err;

	if ((r->methods & method) == 0) {
		web_header(ui->resp, "Allow", r->methods == ROUTE_POST ? "POST" :
		    r->methods == ROUTE_GET ? "GET, HEAD" : "GET, HEAD, POST");
		ui_error(ui, 405, "method not allowed");
		return -1;
	}
	if (r->access == ACCESS_STATIC)
		return 0;
	err_clear(&err);
	if (db_ensure(app->db, &err) != 0) {
		ui_db_error(ui, "connect", &err);
		return -1;
	}
	if (r->access == ACCESS_PUBLIC)
		return 0;
	if (auth_request(&app->keys, app->db, ui->req,
	    r->access == ACCESS_READER, &ui->auth, &err) != 0) {
		ui_db_error(ui, "authenticate", &err);
		return -1;
	}
	if (ui->auth.kind == AUTH_NONE) {
		if (r->access == ACCESS_READER) {
			web_header(ui->resp, "WWW-Authenticate", "Bearer");
			ui_error(ui, 401, "authentication required: a session "
			    "or Authorization: Bearer <API key>");
		} else if (method == ROUTE_POST)
			ui_error(ui, 403, "your session has ended; log in again");
		else
			to_login(ui);
		return -1;
	}
	/* A one-time password is changed before anything else. */
	if (ui->auth.must_change && r->access == ACCESS_READER) {
		ui_error(ui, 403, "change your one-time password first, at "
		    "/account/password");
		return -1;
	}
	if (ui->auth.must_change && r->access == ACCESS_SESSION) {
		web_redirect(ui->resp, "/account/password");
		return -1;
	}
	/* Every state-changing request of a session: same origin + CSRF token. */
	if (method == ROUTE_POST && !auth_csrf_ok(&ui->auth, ui->req)) {
		ui_error(ui, 403, "refused: the form is stale or came from "
		    "another site; reload the page and try again");
		return -1;
	}
	return 0;
}

struct page_run {
	struct ui		*ui;
	const struct route	*r;
	int			 method;
	int			 runs;
};

/*
 * One run of a page (a db_txn fn): admission and the page itself. The
 * first run may hand a lost connection back to db_txn, which reconnects
 * and runs the page again from scratch; the answer so far is dropped.
 */
static int
page_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct page_run	*pr = arg;
	struct ui	*ui = pr->ui;

	(void)db;
	if (pr->runs++ > 0)
		web_response_reset(ui->resp);
	ui->db_retry = pr->runs == 1;
	ui->db_pending = NULL;
	if (admit(ui, pr->r, pr->method) == 0)
		pr->r->fn(ui);
	ui->db_retry = 0;
	if (ui->db_pending != NULL) {
		*err = ui->db_err;
		return -1;
	}
	return 0;
}

/* A GET page through db_txn, so that a lost connection costs no 503. */
static void
run_page(struct ui *ui, const struct route *r, int method)
{
	struct page_run		pr = { ui, r, method, 0 };
	struct llmops_err	err;

	err_clear(&err);
	if (db_txn(ui->app->db, DB_READ, page_txn, &pr, &err) == 0 ||
	    ui->resp->started)
		return;
	/* Not even a second run worked, or none could start (no connection). */
	ui_db_error(ui, ui->db_pending ? ui->db_pending : "connect",
	    ui->db_pending ? &ui->db_err : &err);
}

/* Runs the route of the request, or answers why not. */
static void
dispatch(struct ui *ui, struct web_request *req)
{
	const struct route	*r = ui->route;
	struct llmops_err	 err;
	int			 method;

	/* The machines' routes take the request as it came. */
	if (r != NULL && r->access == ACCESS_SERVICE) {
		r->fn(ui);
		return;
	}
	if (req->method == NULL)
		req->method = "GET";
	err_clear(&err);
	if (web_request_parse(req, &err) != 0) {
		ui_error(ui, err.status ? err.status : 400, err.msg);
		return;
	}
	if (r == NULL) {
		ui_error(ui, 404, "no such page");
		return;
	}
	method = strcmp(req->method, "POST") == 0 ? ROUTE_POST :
	    strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0 ?
	    ROUTE_GET : 0;
	if (method == ROUTE_GET && r->access != ACCESS_STATIC)
		run_page(ui, r, method);
	else if (admit(ui, r, method) == 0)
		r->fn(ui);
}

void
app_handle(struct app *app, struct web_request *req, struct web_response *resp)
{
	struct ui	ui;

	memset(&ui, 0, sizeof(ui));
	ui.app = app;
	ui.req = req;
	ui.resp = resp;
	ui.w = &resp->w;
	ui.path = req->path;
	ui.route = route_find(req->path);
	dispatch(&ui, req);
	if (req->method == NULL)
		req->method = "?";
	/* Every request gets an answer, and a log line when it is an error. */
	if (!resp->started)
		ui_error(&ui, 500, "the page gave no answer");
	if (resp->w.failed && !resp->sent)
		log_error(LOG_TAG_HTTP, "%s %s: out of memory for the answer",
		    req->method, req->path);
	web_finish(resp);
	web_request_release(req);
}
