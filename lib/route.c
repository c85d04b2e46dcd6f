/*
 * The route table: one line per path, in the manner of cgit's cmd.c and
 * kcgi-framework's pages[]. Adding a page is a line here, its handler in
 * a ui_<page>.c declared in ui_pages.h, and a label if the navigation
 * should show it.
 */
#include "config.h"

#include <string.h>

#include "route.h"
#include "ui_pages.h"

static const struct route routes[] = {
	/* LiteLLM's webhook and the monitoring probe. */
	{ "/api/litellm/callback", 0, ACCESS_SERVICE, api_callback, NULL },
	{ "/api/health", 0, ACCESS_SERVICE, api_health, NULL },
	/* Logging in and out. */
	{ "/login", ROUTE_GET | ROUTE_POST, ACCESS_PUBLIC, ui_login, NULL },
	{ "/logout", ROUTE_POST, ACCESS_SESSION_ANY, ui_logout, NULL },
	{ "/account/password", ROUTE_GET | ROUTE_POST, ACCESS_SESSION_ANY,
	    ui_password, NULL },
	/* Static files. */
	{ "/static/llmops.css", ROUTE_GET, ACCESS_STATIC, ui_css, NULL },
	{ "/favicon.ico", ROUTE_GET, ACCESS_STATIC, ui_favicon, NULL },
	/* The dashboard, in the order of its navigation. */
	{ "/", ROUTE_GET, ACCESS_SESSION, ui_overview, "Overview" },
	{ "/agents", ROUTE_GET, ACCESS_SESSION, ui_agents, "Agents" },
	{ "/departments", ROUTE_GET, ACCESS_SESSION, ui_departments,
	    "Departments" },
	{ "/teams", ROUTE_GET, ACCESS_SESSION, ui_teams, "Teams" },
	{ "/models", ROUTE_GET, ACCESS_SESSION, ui_models, "Models" },
	{ "/timeseries", ROUTE_GET, ACCESS_SESSION, ui_timeseries,
	    "Time series" },
	{ "/errors", ROUTE_GET, ACCESS_SESSION, ui_errors, "Errors" },
	{ "/events", ROUTE_GET, ACCESS_SESSION, ui_events, "Events" },
	/* The JSON API. */
	{ "/api/v1/usage", ROUTE_GET, ACCESS_READER, api_v1_usage, NULL },
	{ "/api/v1/events", ROUTE_GET, ACCESS_READER, api_v1_events, NULL },
};

#define ROUTES	(sizeof(routes) / sizeof(routes[0]))

const struct route *
route_find(const char *path)
{
	size_t	i;

	for (i = 0; i < ROUTES; i++)
		if (strcmp(path, routes[i].path) == 0)
			return &routes[i];
	return NULL;
}

const struct route *
route_at(size_t i)
{
	return i < ROUTES ? &routes[i] : NULL;
}
