/*
 * Agent Explorer, Departments and Teams: a ranked table (and bar chart)
 * of the dimension under the current filters. Choosing one (the name
 * links to the same page filtered by it) drills down: a department shows
 * its teams and agents, a team its agents and models, an agent its models
 * and its cost over time.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "page.h"
#include "ui_chart.h"
#include "ui_pages.h"

/* The title of a drill-down: "Department: R&D" (escaped when written). */
static void
drill_title(char *buf, size_t sz, const char *what, const struct ui *ui,
    enum dim d)
{
	snprintf(buf, sz, "%s: %s", what, ui->f.value[d] != NULL ?
	    ui->f.value[d] : UI_UNTAGGED);
}

static int
daily(const struct ui *ui)
{
	const char	*b = web_arg(ui->req, "bucket");

	return b == NULL ? strcmp(ui->range, "24h") != 0 : strcmp(b, "day") == 0;
}

void
ui_agents(struct ui *ui)
{
	char	title[300];
	int	csv;

	if (ui_scope(ui) != 0)
		return;
	csv = ui_wants_csv(ui);
	if (!ui->f.set[DIM_AGENT]) {
		if (!csv)
			page_begin(ui, PAGE_DASHBOARD, 200, "Agent Explorer");
		ui_ranked(ui, DIM_AGENT, "agents", "Cost by agent", "/agents");
	} else {
		drill_title(title, sizeof(title), "Agent", ui, DIM_AGENT);
		if (!csv)
			page_begin(ui, PAGE_DASHBOARD, 200, title);
		ui_series(ui, "agent_series", "Cost over time", METRIC_COST,
		    daily(ui), DIM_NONE);
		ui_ranked(ui, DIM_MODEL, "agent_models", "Models of this agent",
		    "/models");
	}
	if (!csv)
		page_end(ui);
	ui_csv_done(ui);
}

void
ui_departments(struct ui *ui)
{
	char	title[300];
	int	csv;

	if (ui_scope(ui) != 0)
		return;
	csv = ui_wants_csv(ui);
	if (!ui->f.set[DIM_DEPARTMENT]) {
		if (!csv)
			page_begin(ui, PAGE_DASHBOARD, 200, "Departments");
		ui_ranked(ui, DIM_DEPARTMENT, "departments",
		    "Cost by department", "/departments");
	} else {
		drill_title(title, sizeof(title), "Department", ui,
		    DIM_DEPARTMENT);
		if (!csv)
			page_begin(ui, PAGE_DASHBOARD, 200, title);
		ui_ranked(ui, DIM_TEAM, "department_teams",
		    "Teams of this department", "/teams");
		ui_ranked(ui, DIM_AGENT, "department_agents",
		    "Agents of this department", "/agents");
	}
	if (!csv)
		page_end(ui);
	ui_csv_done(ui);
}

void
ui_teams(struct ui *ui)
{
	char	title[300];
	int	csv;

	if (ui_scope(ui) != 0)
		return;
	csv = ui_wants_csv(ui);
	if (!ui->f.set[DIM_TEAM]) {
		if (!csv)
			page_begin(ui, PAGE_DASHBOARD, 200, "Team Analysis");
		ui_ranked(ui, DIM_TEAM, "teams", "Cost by team", "/teams");
	} else {
		drill_title(title, sizeof(title), "Team", ui, DIM_TEAM);
		if (!csv)
			page_begin(ui, PAGE_DASHBOARD, 200, title);
		ui_ranked(ui, DIM_AGENT, "team_agents", "Agents of this team",
		    "/agents");
		ui_ranked(ui, DIM_MODEL, "team_models", "Models of this team",
		    "/models");
	}
	if (!csv)
		page_end(ui);
	ui_csv_done(ui);
}
