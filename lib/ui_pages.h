/* The handlers of the route table (lib/route.c), by file. */
#ifndef LLMOPS_UI_PAGES_H
#define LLMOPS_UI_PAGES_H

#include "app.h"

/* ui_login.c */
void	ui_login(struct ui *);
void	ui_logout(struct ui *);
void	ui_password(struct ui *);
/* ui_css.c */
void	ui_css(struct ui *);
void	ui_favicon(struct ui *);
/* ui_overview.c */
void	ui_overview(struct ui *);
/* ui_ranked.c: Agent Explorer, Departments, Teams */
void	ui_agents(struct ui *);
void	ui_departments(struct ui *);
void	ui_teams(struct ui *);
/* ui_models.c */
void	ui_models(struct ui *);
/* ui_timeseries.c */
void	ui_timeseries(struct ui *);
/* ui_errors.c */
void	ui_errors(struct ui *);
/* ui_events.c */
void	ui_events(struct ui *);
/* api_v1.c */
void	api_v1_usage(struct ui *);
void	api_v1_events(struct ui *);
/* api_service.c: the LiteLLM callback and the health check */
void	api_callback(struct ui *);
void	api_health(struct ui *);

#endif
