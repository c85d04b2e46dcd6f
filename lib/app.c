#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "html.h"
#include "log.h"
#include "reply.h"
#include "ui_pages.h"

/* Who may use a route. */
enum access {
	ACCESS_STATIC,		/* anyone, without the database (stylesheet) */
	ACCESS_PUBLIC,		/* anyone (login form) */
	ACCESS_SESSION,		/* a logged-in user whose password is set */
	ACCESS_SESSION_ANY,	/* a logged-in user, even with a one-time password */
	ACCESS_READER,		/* a logged-in user or an API key (JSON API) */
};

#define M_GET	1
#define M_POST	2

static const struct route {
	const char	*path;
	int		 methods;
	enum access	 access;
	ui_page_fn	 fn;
} routes[] = {
	{ "/login", M_GET | M_POST, ACCESS_PUBLIC, ui_login },
	{ "/logout", M_POST, ACCESS_SESSION_ANY, ui_logout },
	{ "/account/password", M_GET | M_POST, ACCESS_SESSION_ANY, ui_password },
	{ "/static/llmops.css", M_GET, ACCESS_STATIC, ui_css },
	{ "/favicon.ico", M_GET, ACCESS_STATIC, ui_favicon },
	{ "/", M_GET, ACCESS_SESSION, ui_overview },
	{ "/agents", M_GET, ACCESS_SESSION, ui_agents },
	{ "/departments", M_GET, ACCESS_SESSION, ui_departments },
	{ "/teams", M_GET, ACCESS_SESSION, ui_teams },
	{ "/models", M_GET, ACCESS_SESSION, ui_models },
	{ "/timeseries", M_GET, ACCESS_SESSION, ui_timeseries },
	{ "/errors", M_GET, ACCESS_SESSION, ui_errors },
	{ "/events", M_GET, ACCESS_SESSION, ui_events },
	{ "/api/v1/usage", M_GET, ACCESS_READER, api_v1_usage },
	{ "/api/v1/events", M_GET, ACCESS_READER, api_v1_events },
};

int
app_init(struct app *app, const struct conf *conf, struct db *db,
    struct llmops_err *err)
{
	memset(app, 0, sizeof(*app));
	app->conf = conf;
	app->db = db;
	return auth_keys_load(&app->keys, conf, err);
}

void
app_release(struct app *app)
{
	auth_keys_release(&app->keys);
	memset(app, 0, sizeof(*app));
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
	struct writer		*w = ui->w;
	const char		*s;

	if (ui->resp->started) {
		/* Too late for a status: say so in the page. */
		writer_puts(w, "\n<p class=\"error\">");
		html_text(w, msg);
		writer_puts(w, "</p>\n");
		return;
	}
	if (is_api(ui)) {
		o = json_object_new_object();
		json_object_object_add(o, "error", json_object_new_string(msg));
		json_object_object_add(o, "status", json_object_new_int(status));
		web_start(ui->resp, status, WEB_JSON);
		s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		writer_puts(w, s);
		json_object_put(o);
		return;
	}
	web_start(ui->resp, status, WEB_HTML);
	writer_puts(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	    "charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width="
	    "device-width, initial-scale=1\">\n<title>");
	html_num(w, status);
	writer_puts(w, " · llmops</title>\n<link rel=\"stylesheet\" "
	    "href=\"/static/llmops.css\">\n</head>\n<body class=\"error\">\n"
	    "<main>\n<h1>");
	html_num(w, status);
	writer_puts(w, " ");
	html_text(w, reply_status_text(status));
	writer_puts(w, "</h1>\n<p>");
	html_text(w, msg);
	writer_puts(w, "</p>\n<p><a href=\"/\">Back to the dashboard</a></p>\n"
	    "</main>\n</body>\n</html>\n");
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

void
app_handle(struct app *app, struct web_request *req, struct web_response *resp)
{
	const struct route	*r = NULL;
	struct llmops_err	 err;
	struct ui		 ui;
	int			 method;
	size_t			 i;

	memset(&ui, 0, sizeof(ui));
	ui.app = app;
	ui.req = req;
	ui.resp = resp;
	ui.w = &resp->w;
	ui.path = req->path;
	err_clear(&err);
	if (web_params_parse(&req->query, req->query_string, req->query_string ?
	    strlen(req->query_string) : 0, &err) != 0 ||
	    web_params_parse(&req->form, req->body, req->body_len, &err) != 0) {
		ui_error(&ui, err.status ? err.status : 400, err.msg);
		return;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(req->path, routes[i].path) == 0) {
			r = &routes[i];
			break;
		}
	if (r == NULL) {
		ui_error(&ui, 404, "no such page");
		return;
	}
	method = strcmp(req->method, "POST") == 0 ? M_POST :
	    strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0 ?
	    M_GET : 0;
	if ((r->methods & method) == 0) {
		web_header(resp, "Allow", r->methods == M_POST ? "POST" :
		    r->methods == M_GET ? "GET, HEAD" : "GET, HEAD, POST");
		ui_error(&ui, 405, "method not allowed");
		return;
	}
	if (r->access == ACCESS_STATIC) {
		r->fn(&ui);
		return;
	}
	err_clear(&err);
	if (db_ensure(app->db, &err) != 0) {
		ui_db_error(&ui, "connect", &err);
		return;
	}
	if (r->access != ACCESS_PUBLIC &&
	    auth_request(&app->keys, app->db, req, r->access == ACCESS_READER,
	    &ui.auth, &err) != 0) {
		ui_db_error(&ui, "authenticate", &err);
		return;
	}
	if (r->access != ACCESS_PUBLIC && ui.auth.kind == AUTH_NONE) {
		if (r->access == ACCESS_READER) {
			web_header(resp, "WWW-Authenticate", "Bearer");
			ui_error(&ui, 401, "authentication required: a session "
			    "or Authorization: Bearer <API key>");
		} else if (method == M_POST)
			ui_error(&ui, 403, "your session has ended; log in again");
		else
			to_login(&ui);
		return;
	}
	/* A one-time password is changed before anything else. */
	if (ui.auth.must_change && r->access == ACCESS_READER) {
		ui_error(&ui, 403, "change your one-time password first, at "
		    "/account/password");
		return;
	}
	if (ui.auth.must_change && r->access == ACCESS_SESSION) {
		web_redirect(resp, "/account/password");
		return;
	}
	/* Every state-changing request of a session: same origin + CSRF token. */
	if (method == M_POST && r->access != ACCESS_PUBLIC &&
	    !auth_csrf_ok(&ui.auth, req)) {
		ui_error(&ui, 403, "refused: the form is stale or came from "
		    "another site; reload the page and try again");
		return;
	}
	r->fn(&ui);
}
