/*
 * Events: the raw stored events under the current filters, newest first,
 * a page at a time ("before" is the cursor of the next page). There is no
 * content to show: none is stored. The CSV export streams every event of
 * the range, page after page, without building it in memory.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "page.h"
#include "ui.h"
#include "ui_pages.h"

/* Events on a page of the dashboard. */
#define EVENTS_PAGE	100

struct events_ctx {
	struct ui	*ui;
	struct ui_table	*t;
	int		 n;
	long long	 last_occ, last_id;
	int		 id_col, start_col, end_col, received_col;
};

static int
col_index(const char *name)
{
	int	i;

	for (i = 0; i < REPORT_EVENT_NCOLS; i++)
		if (strcmp(report_event_cols[i].name, name) == 0)
			return i;
	return 0;
}

static int
event_cb(const char *const *v, void *arg)
{
	struct events_ctx	*c = arg;
	const char		*t;

	t = v[c->start_col] ? v[c->start_col] : v[c->end_col] ?
	    v[c->end_col] : v[c->received_col];
	c->last_occ = t ? strtoll(t, NULL, 10) : 0;
	c->last_id = v[c->id_col] ? strtoll(v[c->id_col], NULL, 10) : 0;
	c->n++;
	ui_table_row(c->ui, c->t, v);
	return 0;
}

void
ui_events(struct ui *ui)
{
	struct events_ctx	 c;
	struct ui_table		 t;
	struct llmops_err	 err;
	const char		*before = web_arg(ui->req, "before");
	const char		*labels[REPORT_EVENT_NCOLS];
	int64_t			 occ = 0, id = 0;
	char			 cursor[64];
	int			 i, csv, page;

	if (ui_scope(ui) != 0)
		return;
	if (before != NULL && dash_cursor_parse(before, &occ, &id) != 0) {
		ui_error(ui, 400, "before: the cursor of a page");
		return;
	}
	csv = ui_wants_csv(ui);
	for (i = 0; i < REPORT_EVENT_NCOLS; i++)
		labels[i] = report_event_cols[i].name;
	memset(&t, 0, sizeof(t));
	t.id = "events";
	t.title = "Events, newest first";
	t.cols = report_event_cols;
	t.labels = labels;
	t.ncols = REPORT_EVENT_NCOLS;
	t.link_dim = DIM__MAX;
	memset(&c, 0, sizeof(c));
	c.ui = ui;
	c.t = &t;
	c.id_col = col_index("id");
	c.start_col = col_index("start_time");
	c.end_col = col_index("end_time");
	c.received_col = col_index("received_at");
	if (!csv)
		page_begin(ui, PAGE_DASHBOARD, 200, "Events");
	err_clear(&err);
	if (ui_table_begin(ui, &t) == 0) {
		/* The page, or the whole range page by page for the export. */
		do {
			c.n = 0;
			page = csv ? DASH_EVENTS_PAGE_MAX : EVENTS_PAGE;
			if (dash_events(ui->app->db, &ui->f, occ, id, page,
			    event_cb, &c, &err) != 0) {
				ui_db_error(ui, "events", &err);
				break;
			}
			occ = c.last_occ;
			id = c.last_id;
		} while (csv && c.n == page);
		ui_table_end(ui, &t);
	}
	if (!csv) {
		writer_puts(ui->w, "<p class=\"pager\">");
		if (before != NULL)
			ui_link(ui, "/events", &(struct html_param){ "before",
			    NULL }, 1, "Newest");
		if (c.n == EVENTS_PAGE) {
			snprintf(cursor, sizeof(cursor), "%lld.%lld", c.last_occ,
			    c.last_id);
			writer_puts(ui->w, " ");
			ui_link(ui, "/events", &(struct html_param){ "before",
			    cursor }, 1, "Older events");
		}
		writer_puts(ui->w, "</p>\n");
		page_end(ui);
	}
	ui_csv_done(ui);
}
