/*
 * The responder without FastCGI: what it keeps between requests (struct
 * app) and what one request works with (struct ui). app_handle serves a
 * request: it finds the route (lib/route.c), checks the method and who is
 * asking, runs the route's handler (a page ui_<page>.c, the JSON API
 * api_v1.c, the callback and health check api_service.c) and sends the
 * answer (lib/web.c).
 */
#ifndef LLMOPS_APP_H
#define LLMOPS_APP_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "conf.h"
#include "db_usage.h"
#include "db.h"
#include "ingest.h"
#include "web.h"

struct route;
struct page_frame;

struct app {
	const struct conf	*conf;		/* borrowed */
	struct db		*db;		/* owned */
	struct ingest		 ingest;	/* the callback's caches */
	struct auth_keys	 keys;		/* no secret: no dashboard logins */
};

/* What one request works with: who asks, about which organization, how. */
struct ui {
	struct app		*app;
	const struct web_request *req;
	struct web_response	*resp;
	struct writer		*w;		/* resp's body writer */
	const struct route	*route;		/* NULL: no such path */
	const struct page_frame	*frame;		/* set by page_begin */
	struct auth		 auth;
	uint32_t		 org_id;	/* the organization shown */
	char			 org_name[LIMIT_ORG_NAME_BYTES * 4 + 1];
	struct usage_filter	 f;
	const char		*range;		/* "24h", "7d", "30d", "custom" */
	const char		*path;		/* the route */
	/* A lost connection, handed back to db_txn for one more run. */
	int			 db_retry;	/* ui_db_error may defer */
	const char		*db_pending;	/* what failed, deferred */
	struct llmops_err	 db_err;
};

/*
 * Opens the database handle, the callback's caches and the session
 * secret. A secret that cannot be loaded is logged and turns dashboard
 * logins off, nothing else; -1 only when out of memory.
 */
int	app_init(struct app *, const struct conf *, struct llmops_err *);
void	app_release(struct app *);
/* The spool directory (health, the dashboard's notice); NULL: none. */
const char *app_spool_dir(const struct app *);
/*
 * Serves one request: when it returns, the answer has been sent through
 * resp and everything the request made is freed.
 */
void	app_handle(struct app *, struct web_request *, struct web_response *);
/*
 * After a request's answer has gone to the client: the work that must not
 * delay answers (loading the spool: lib/loader.c). Bounded in time.
 */
void	app_after(struct app *);

/* A route's handler: a page of the dashboard, a form action, an API call. */
typedef void (*ui_page_fn)(struct ui *);

/* Error answers: an HTML page, or JSON under /api/; logged ([HTTP]). */
void	ui_error(struct ui *, int status, const char *msg);
/* Logs what failed and why ([DB]), then answers 503. */
void	ui_db_error(struct ui *, const char *what, const struct llmops_err *);

#endif
