/*
 * The dashboard and the JSON API: every route of the responder except the
 * LiteLLM callback and the health check. Routing is the table in app.c;
 * each page lives in a ui_<page>.c, the JSON API in api_v1.c.
 */
#ifndef LLMOPS_APP_H
#define LLMOPS_APP_H

#include <stddef.h>

#include "auth.h"
#include "conf.h"
#include "dash.h"
#include "db.h"
#include "web.h"

struct app {
	const struct conf	*conf;		/* borrowed */
	struct db		*db;		/* borrowed */
	struct auth_keys	 keys;		/* no secret: no dashboard logins */
};

/* What one request works with: who asks, about which organization, how. */
struct ui {
	struct app		*app;
	const struct web_request *req;
	struct web_response	*resp;
	struct writer		*w;		/* resp's body writer */
	struct auth		 auth;
	uint32_t		 org_id;	/* the organization shown */
	char			 org_name[LIMIT_ORG_NAME_BYTES * 4 + 1];
	struct dash_filter	 f;
	const char		*range;		/* "24h", "7d", "30d", "custom" */
	const char		*path;		/* the route */
};

/* Loads the session secret; the responder refuses to start when it fails. */
int	app_init(struct app *, const struct conf *, struct db *,
	    struct llmops_err *);
void	app_release(struct app *);
/* Serves one request; the response is complete when it returns. */
void	app_handle(struct app *, struct web_request *, struct web_response *);

/* A page of the dashboard (GET) or a form action (POST). */
typedef void (*ui_page_fn)(struct ui *);

/* Error answers: an HTML page, or JSON under /api/; logged ([HTTP]). */
void	ui_error(struct ui *, int status, const char *msg);
/* Logs what failed and why ([DB]), then answers 503. */
void	ui_db_error(struct ui *, const char *what, const struct llmops_err *);

#endif
