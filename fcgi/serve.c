#include "config.h"

#include <signal.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>

#include "app.h"
#include "log.h"
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
serve_stop_on(void (*handler)(int), int usr1)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: accept() and wait() must return so loops can end. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (usr1)
		sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

void
serve_signals(void)
{
	/* mod_fcgid sends SIGUSR1 for a graceful stop. */
	serve_stop_on(on_term, 1);
}

struct ctx {
	const struct conf	*conf;
	struct app		 app;
	FCGX_Request		 req;
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
fcgi_read(void *arg, char *buf, size_t len)
{
	FCGX_Stream	*in = arg;
	size_t		 got = 0;
	int		 n, chunk;

	while (got < len) {
		chunk = len - got > 1 << 20 ? 1 << 20 : (int)(len - got);
		if ((n = FCGX_GetStr(buf + got, chunk, in)) <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
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

/* Hands one request, as lib/ sees requests, to app_handle. */
static void
handle(struct ctx *c)
{
	struct web_request	 req;
	struct web_response	 resp;
	const char		*https = param(c, "HTTPS");
	char			 path[WEB_PATH_BYTES];

	request_path(c, path);
	memset(&req, 0, sizeof(req));
	req.method = param(c, "REQUEST_METHOD");
	req.path = path;
	req.query_string = param(c, "QUERY_STRING");
	req.content_type = param(c, "CONTENT_TYPE");
	req.content_length = param(c, "CONTENT_LENGTH");
	req.cookie = param(c, "HTTP_COOKIE");
	req.host = param(c, "HTTP_HOST");
	req.origin = param(c, "HTTP_ORIGIN");
	req.referer = param(c, "HTTP_REFERER");
	req.authorization = param(c, "HTTP_AUTHORIZATION");
	req.remote_addr = param(c, "REMOTE_ADDR");
	req.user_agent = param(c, "HTTP_USER_AGENT");
	req.https = https != NULL && strcasecmp(https, "on") == 0;
	req.tracked.token = param(c, "HTTP_X_CLOUDIDR_TOKEN");
	req.tracked.department = param(c, "HTTP_X_DEPARTMENT");
	req.tracked.team = param(c, "HTTP_X_TEAM");
	req.tracked.agent = param(c, "HTTP_X_AGENT");
	req.read_body = fcgi_read;
	req.read_arg = c->req.in;
	web_response_init(&resp, fcgi_sink, c->req.out);
	app_handle(&c->app, &req, &resp);
}

int
serve_requests(const struct conf *conf, int listen_fd)
{
	struct ctx		c;
	struct llmops_err	err;

	memset(&c, 0, sizeof(c));
	c.conf = conf;
	err_clear(&err);
	if (app_init(&c.app, conf, &err) != 0) {
		log_error(LOG_TAG_MAIN, "cannot start: %s", err.msg);
		return -1;
	}
	if (FCGX_InitRequest(&c.req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error(LOG_TAG_MAIN, "cannot initialise a FastCGI request");
		app_release(&c.app);
		return -1;
	}
	while (!stopping && FCGX_Accept_r(&c.req) >= 0) {
		handle(&c);
		FCGX_Finish_r(&c.req);
		/* Only once the client has its answer. */
		app_after(&c.app);
	}
	FCGX_Free(&c.req, 1);
	app_release(&c.app);
	return 0;
}
