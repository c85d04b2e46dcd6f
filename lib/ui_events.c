/*
 * Events: the raw stored events under the current filters, newest first,
 * a page at a time ("before" is the cursor of the next page). There is no
 * content to show: none is stored. The CSV export streams every event of
 * the range, page after page, without building it in memory. When the
 * range starts before the retention horizon, a notice says which raw
 * events are no longer kept (the other views count them from the rollups).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "page.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_pages.h"

/* Events on a page of the dashboard. */
#define EVENTS_PAGE	100

/* "Raw events before 2025-11-01 are no longer kept ...". */
static void
pruned_notice(struct ui *ui, const struct retention_state *s)
{
	char	day[TIME_ISO_BYTES], text[256];

	time_format_iso_sec(s->raw_before_us, day);
	day[10] = '\0';		/* a horizon is midnight UTC */
	snprintf(text, sizeof(text), "Raw events before %s are no longer kept "
	    "(retention.raw_days = %d); the other views still count them from "
	    "the rollups.", day, s->raw_days);
	ui_notice(ui, text);
}

struct events_ctx {
	struct ui	*ui;
	struct ui_table	*t;
	int		 n;
	char		 cursor[USAGE_CURSOR_BYTES];	/* after the last row */
};

static int
event_cb(const char *const *v, void *arg)
{
	struct events_ctx	*c = arg;

	usage_event_cursor(v, c->cursor);
	c->n++;
	ui_table_row(c->ui, c->t, v);
	return 0;
}

void
ui_events(struct ui *ui)
{
	struct events_ctx	 c;
	struct ui_table		 t;
	struct retention_state	 pruned;
	struct llmops_err	 err;
	const char		*before = web_arg(ui->req, "before");
	const char		*labels[USAGE_EVENT_NCOLS];
	int64_t			 occ = 0, id = 0;
	int			 i, csv, page;

	if (ui_scope(ui) != 0)
		return;
	if (before != NULL && usage_cursor_parse(before, &occ, &id) != 0) {
		ui_error(ui, 400, "before: the cursor of a page");
		return;
	}
	if (ui_pruned(ui, &pruned) != 0)
		return;
	csv = ui_wants_csv(ui);
	for (i = 0; i < USAGE_EVENT_NCOLS; i++)
		labels[i] = usage_event_cols[i].name;
	t = (struct ui_table){
		.id = "events", .title = "Events, newest first",
		.cols = usage_event_cols, .labels = labels,
		.ncols = USAGE_EVENT_NCOLS, .link_dim = DIM_NONE,
	};
	memset(&c, 0, sizeof(c));
	c.ui = ui;
	c.t = &t;
	if (!csv) {
		page_begin(ui, PAGE_DASHBOARD, 200, "Events");
		if (pruned.raw_before_us > 0)
			pruned_notice(ui, &pruned);
	}
	err_clear(&err);
	if (ui_table_begin(ui, &t) == 0) {
		/* The page, or the whole range page by page for the export. */
		do {
			c.n = 0;
			page = csv ? LIMIT_EVENTS_PAGE : EVENTS_PAGE;
			if (db_usage_events_page(ui->app->db, &ui->f, occ, id,
			    page, event_cb, &c, &err) != 0) {
				ui_db_error(ui, "events", &err);
				break;
			}
		} while (csv && c.n == page &&
		    usage_cursor_parse(c.cursor, &occ, &id) == 0);
		ui_table_end(ui, &t);
	}
	if (!csv) {
		writer_puts(ui->w, "<p class=\"pager\">");
		if (before != NULL)
			ui_link(ui, "/events", &(struct html_param){ "before",
			    NULL }, 1, "Newest");
		if (c.n == EVENTS_PAGE) {
			writer_puts(ui->w, " ");
			ui_link(ui, "/events", &(struct html_param){ "before",
			    c.cursor }, 1, "Older events");
		}
		writer_puts(ui->w, "</p>\n");
		page_end(ui);
	}
	ui_csv_done(ui);
}
