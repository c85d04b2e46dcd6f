#include "config.h"

#include <stdio.h>
#include <string.h>

#include "health.h"
#include "html.h"
#include "page.h"
#include "reply.h"
#include "route.h"
#include "spool.h"
#include "timefmt.h"
#include "ui.h"

static const struct page_frame {
	const char	*body;		/* the <body> tag */
	int		 header;	/* the navigation and the account form */
	int		 filters;	/* the filter form under the title */
	const char	*end;		/* from </main> on */
} frames[PAGE__MAX] = {
	[PAGE_DASHBOARD] = { "<body>\n", 1, 1,
	    "</main>\n<footer>Times are UTC; costs in USD (ours from the price "
	    "table where we have a price, else LiteLLM's; unpriced calls are "
	    "counted, never as $0).</footer>\n</body>\n</html>\n" },
	[PAGE_FORM] = { "<body class=\"narrow\">\n", 0, 0,
	    "</main>\n</body>\n</html>\n" },
	[PAGE_ERROR] = { "<body class=\"error\">\n", 0, 0,
	    "</main>\n</body>\n</html>\n" },
};

/* The brand, the organization, the navigation and the account form. */
static void
header(struct ui *ui)
{
	const struct route	*r;
	struct writer		*w = ui->w;
	size_t			 i;

	writer_puts(w, "<header>\n<span class=\"brand\">llmops</span> "
	    "<span class=\"org\">");
	html_text(w, ui->org_name);
	writer_puts(w, "</span>\n<nav>");
	for (i = 0; (r = route_at(i)) != NULL; i++) {
		if (r->nav == NULL)
			continue;
		writer_puts(w, strcmp(ui->path, r->path) == 0 ?
		    "<a class=\"here\" href=\"" : "<a href=\"");
		/* The links keep the filters of the view. */
		ui_href(ui, r->path, NULL, 0);
		writer_puts(w, "\">");
		html_text(w, r->nav);
		writer_puts(w, "</a>");
	}
	writer_puts(w, "</nav>\n<form class=\"account\" method=\"post\" "
	    "action=\"/logout\"><span>");
	html_text(w, ui->auth.email);
	writer_puts(w, "</span> <a href=\"/account/password\">Password</a> "
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_attr(w, ui->auth.csrf);
	writer_puts(w, "\"><button type=\"submit\">Log out</button></form>\n"
	    "</header>\n");
}

/*
 * Events waiting in the spool for more than a few seconds, or files set
 * aside: the figures of every page are incomplete, so the frame says so.
 * A spool that cannot be read is /api/health's to report.
 */
static void
spool_notice(struct ui *ui)
{
	struct spool_status	 st;
	struct llmops_err	 err;
	const char		*dir = app_spool_dir(ui->app);
	char			 text[512];

	if (dir == NULL)
		return;
	err_clear(&err);
	if (spool_status(dir, &st, &err) != 0)
		return;
	if (health_spool_notice(&st, time_now_us(), ui->auth.org_id == 0,
	    text, sizeof(text)))
		ui_notice(ui, text);
}

static void
frame_begin(struct ui *ui, enum page_kind kind, int status, const char *title,
    const char *heading)
{
	const struct page_frame	*f = &frames[kind];
	struct writer		*w = ui->w;

	ui->frame = f;
	web_start(ui->resp, status, WEB_HTML);
	/* The CSP allows our stylesheet and nothing inline. */
	writer_puts(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>");
	html_text(w, title);
	writer_puts(w, " · llmops</title>\n<link rel=\"stylesheet\" "
	    "href=\"/static/llmops.css\">\n</head>\n");
	writer_puts(w, f->body);
	if (f->header)
		header(ui);
	writer_puts(w, "<main>\n<h1>");
	html_text(w, heading);
	writer_puts(w, "</h1>\n");
	if (f->header)
		spool_notice(ui);
	if (f->filters)
		ui_filter_form(ui);
}

void
page_begin(struct ui *ui, enum page_kind kind, int status, const char *title)
{
	frame_begin(ui, kind, status, title, title);
}

void
page_end(struct ui *ui)
{
	if (ui->frame != NULL)
		writer_puts(ui->w, ui->frame->end);
	ui->frame = NULL;
}

void
page_error(struct ui *ui, int status, const char *msg)
{
	struct writer	*w = ui->w;
	char		 title[16], heading[64];

	if (ui->resp->started) {
		/* Too late for a status: say so in the page. */
		writer_puts(w, "\n<p class=\"error\">");
		html_text(w, msg);
		writer_puts(w, "</p>\n");
		return;
	}
	snprintf(title, sizeof(title), "%d", status);
	snprintf(heading, sizeof(heading), "%d %s", status,
	    reply_status_text(status));
	frame_begin(ui, PAGE_ERROR, status, title, heading);
	writer_puts(w, "<p>");
	html_text(w, msg);
	writer_puts(w, "</p>\n<p><a href=\"/\">Back to the dashboard</a></p>\n");
	page_end(ui);
}
