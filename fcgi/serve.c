#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>

#include "app.h"
#include "db.h"
#include "health.h"
#include "ingest.h"
#include "log.h"
#include "reply.h"
#include "serve.h"
#include "web.h"

static volatile sig_atomic_t	stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

void
serve_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: accept() must return so the loop can end. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* mod_fcgid sends SIGUSR1 for a graceful stop. */
	sa.sa_handler = on_term;
	sigaction(SIGUSR1, &sa, NULL);
}

struct ctx {
	const struct conf	*conf;
	struct db		 db;
	struct ingest		 ingest;
	struct app		 app;
	FCGX_Request		 req;
};

enum route {
	ROUTE_CALLBACK,
	ROUTE_HEALTH,
	ROUTE__MAX
};

typedef void (*route_fn)(struct ctx *, struct reply *);

static void	route_callback(struct ctx *, struct reply *);
static void	route_health(struct ctx *, struct reply *);

static const struct {
	const char	*path;
	route_fn	 fn;
} routes[ROUTE__MAX] = {
	[ROUTE_CALLBACK] = { "/api/litellm/callback", route_callback },
	[ROUTE_HEALTH] = { "/api/health", route_health },
};

static const char *
param(struct ctx *c, const char *name)
{
	return FCGX_GetParam(name, c->req.envp);
}

/* The request path: REQUEST_URI without the query, else SCRIPT_NAME + PATH_INFO. */
static void
request_path(struct ctx *c, char buf[WEB_PATH_BYTES])
{
	const char	*uri = param(c, "REQUEST_URI");
	const char	*sn, *pi;
	size_t		 n;

	buf[0] = '\0';
	if (uri != NULL) {
		n = strcspn(uri, "?#");
		if (n >= WEB_PATH_BYTES)
			return;
		memcpy(buf, uri, n);
		buf[n] = '\0';
	} else {
		sn = param(c, "SCRIPT_NAME");
		pi = param(c, "PATH_INFO");
		if (strlen(sn ? sn : "") + strlen(pi ? pi : "") >= WEB_PATH_BYTES)
			return;
		strcpy(buf, sn ? sn : "");
		strcat(buf, pi ? pi : "");
	}
	/* Tolerate one trailing slash. */
	n = strlen(buf);
	if (n > 1 && buf[n - 1] == '/')
		buf[n - 1] = '\0';
}

/* Reads exactly len bytes of body; -1 if the client sent fewer. */
static int
read_body(struct ctx *c, char *buf, size_t len)
{
	size_t	got = 0;
	int	n, chunk;

	while (got < len) {
		chunk = len - got > 1 << 20 ? 1 << 20 : (int)(len - got);
		if ((n = FCGX_GetStr(buf + got, chunk, c->req.in)) <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void
route_callback(struct ctx *c, struct reply *r)
{
	struct ingest_request	 ir;
	size_t			 len = 0;
	char			*body = NULL;

	memset(&ir, 0, sizeof(ir));
	ir.method = param(c, "REQUEST_METHOD");
	ir.content_type = param(c, "CONTENT_TYPE");
	ir.content_length = param(c, "CONTENT_LENGTH");
	ir.hdr.token = param(c, "HTTP_X_CLOUDIDR_TOKEN");
	ir.hdr.department = param(c, "HTTP_X_DEPARTMENT");
	ir.hdr.team = param(c, "HTTP_X_TEAM");
	ir.hdr.agent = param(c, "HTTP_X_AGENT");
	if (ingest_precheck(c->conf, &ir, &len, r) != 0)
		return;
	/* One spare byte keeps the buffer NUL-terminated for json-c. */
	if ((body = malloc(len + 1)) == NULL) {
		log_error(LOG_TAG_LITELLM, "cannot allocate %zu bytes for a body",
		    len);
		reply_error(r, 500, "out of memory");
		return;
	}
	if (read_body(c, body, len) != 0) {
		log_warn(LOG_TAG_LITELLM, "rejected POST: 400 body shorter than "
		    "its Content-Length (%zu)", len);
		reply_error(r, 400, "body shorter than its Content-Length");
		free(body);
		return;
	}
	body[len] = '\0';
	ingest_callback(&c->ingest, &ir, body, len, r);
	free(body);
}

static void
route_health(struct ctx *c, struct reply *r)
{
	const char	*m = param(c, "REQUEST_METHOD");

	if (m == NULL || (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0)) {
		reply_error(r, 405, "use GET");
		r->allow = "GET, HEAD";
		return;
	}
	health_check(&c->db, r);
}

static int
fcgi_sink(void *arg, const char *buf, size_t len)
{
	FCGX_Stream	*out = arg;
	size_t		 done = 0;
	int		 n, chunk;

	while (done < len) {
		chunk = len - done > (1 << 20) ? (1 << 20) : (int)(len - done);
		if ((n = FCGX_PutStr(buf + done, chunk, out)) != chunk)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* The dashboard and the JSON API (lib/app.c). */
static void
handle_app(struct ctx *c, const char *path)
{
	struct web_request	 req;
	struct web_response	 resp;
	const char		*ct = param(c, "CONTENT_TYPE");
	const char		*cl = param(c, "CONTENT_LENGTH");
	const char		*https = param(c, "HTTPS");
	char			*body = NULL;
	long long		 len = cl ? strtoll(cl, NULL, 10) : 0;

	memset(&req, 0, sizeof(req));
	req.method = param(c, "REQUEST_METHOD");
	req.path = path;
	req.query_string = param(c, "QUERY_STRING");
	req.cookie = param(c, "HTTP_COOKIE");
	req.host = param(c, "HTTP_HOST");
	req.origin = param(c, "HTTP_ORIGIN");
	req.referer = param(c, "HTTP_REFERER");
	req.authorization = param(c, "HTTP_AUTHORIZATION");
	req.remote_addr = param(c, "REMOTE_ADDR");
	req.user_agent = param(c, "HTTP_USER_AGENT");
	req.https = https != NULL && strcasecmp(https, "on") == 0;
	if (req.method == NULL)
		req.method = "GET";
	web_response_init(&resp, fcgi_sink, c->req.out);
	/* Forms are small: anything else in a POST body is not read. */
	if (strcmp(req.method, "POST") == 0 && len > 0 && ct != NULL &&
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		if (len > WEB_FORM_BYTES || (body = malloc((size_t)len + 1)) ==
		    NULL || read_body(c, body, (size_t)len) != 0) {
			free(body);
			body = NULL;
			len = 0;
		} else {
			body[len] = '\0';
			req.body = body;
			req.body_len = (size_t)len;
		}
	}
	if (req.method != NULL)
		app_handle(&c->app, &req, &resp);
	web_finish(&resp);
	web_request_release(&req);
	if (body != NULL) {
		explicit_bzero(body, req.body_len);
		free(body);
	}
}

static void
handle(struct ctx *c)
{
	struct web_response	resp;
	struct reply		r;
	char			path[WEB_PATH_BYTES];
	int			i;

	request_path(c, path);
	for (i = 0; i < ROUTE__MAX; i++)
		if (strcmp(path, routes[i].path) == 0)
			break;
	if (i == ROUTE__MAX) {
		handle_app(c, path);
		return;
	}
	reply_init(&r);
	routes[i].fn(c, &r);
	/* The same writer as the dashboard's: one head for every answer. */
	web_response_init(&resp, fcgi_sink, c->req.out);
	web_reply(&resp, &r);
	web_finish(&resp);
	reply_release(&r);
}

int
serve_requests(const struct conf *conf, int listen_fd)
{
	struct ctx		c;
	struct llmops_err	err;

	memset(&c, 0, sizeof(c));
	c.conf = conf;
	db_init(&c.db, &conf->db);
	c.db.require_schema = DB_SCHEMA_VERSION;
	ingest_init(&c.ingest, conf, &c.db);
	err_clear(&err);
	/* Without its secret the dashboard refuses logins; ingest goes on. */
	if (app_init(&c.app, conf, &c.db, &err) != 0)
		log_error(LOG_TAG_MAIN, "dashboard logins are off: %s", err.msg);
	if (FCGX_InitRequest(&c.req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error(LOG_TAG_MAIN, "cannot initialise a FastCGI request");
		return -1;
	}
	while (!stopping && FCGX_Accept_r(&c.req) >= 0) {
		handle(&c);
		FCGX_Finish_r(&c.req);
	}
	FCGX_Free(&c.req, 1);
	app_release(&c.app);
	ingest_release(&c.ingest);
	db_close(&c.db);
	return 0;
}
