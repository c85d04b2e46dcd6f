/*
 * Every path the responder serves, in one table (lib/route.c): the
 * LiteLLM callback, the health check, the dashboard's pages and form
 * actions, the JSON API and the static files. app_handle (lib/app.c)
 * serves a request by the entry of its path; the dashboard's navigation
 * (lib/page.c) lists the entries that have a label, in the table's order.
 */
#ifndef LLMOPS_ROUTE_H
#define LLMOPS_ROUTE_H

#include <stddef.h>

#include "app.h"

/* Methods of a route. */
#define ROUTE_GET	0x01	/* GET and HEAD */
#define ROUTE_POST	0x02

/* Who may use a route, and so what app_handle does before its handler. */
enum access {
	ACCESS_SERVICE,		/* machines (callback, health): the handler
				   checks the method, reads the body and opens
				   the database itself; no parameters parsed */
	ACCESS_STATIC,		/* anyone, without the database (stylesheet) */
	ACCESS_PUBLIC,		/* anyone (login form) */
	ACCESS_SESSION,		/* a logged-in user whose password is set */
	ACCESS_SESSION_ANY,	/* a logged-in user, even with a one-time password */
	ACCESS_READER,		/* a logged-in user or an API key (JSON API) */
};

struct route {
	const char	*path;
	unsigned	 methods;	/* ROUTE_GET | ROUTE_POST; 0: ACCESS_SERVICE */
	enum access	 access;
	ui_page_fn	 fn;
	const char	*nav;		/* its label in the navigation, or NULL */
};

/* The route of path (exact match), or NULL. */
const struct route	*route_find(const char *path);
/* The i-th route in the table's order, NULL past the end. */
const struct route	*route_at(size_t i);

#endif
