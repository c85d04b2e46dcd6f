/*
 * The dashboard's building blocks: the scope of a view (organization,
 * range, filters) and its filter form, links that keep the current
 * filters, and tables that render
 * as HTML on the page or stream as CSV (?format=csv&table=ID) from the
 * same rows. Every dynamic value goes through lib/html.c.
 *
 * HTML tables carry the exact value of each cell in data-v, for tests and
 * for anyone scraping the page: money is shown rounded, data-v is exact.
 */
#ifndef LLMOPS_UI_H
#define LLMOPS_UI_H

#include <stddef.h>

#include "app.h"
#include "db_retention.h"
#include "html.h"
#include "output.h"
#include "report.h"

/* Columns of one dashboard table. */
#define UI_TABLE_COLS_MAX	24
/* Shown for a NULL dimension value. */
#define UI_UNTAGGED		"(untagged)"

enum ui_table_mode {
	UI_TABLE_HTML,
	UI_TABLE_CSV,
	UI_TABLE_SKIP,		/* a CSV export of another table */
};

struct ui_table {
	const char		*id;		/* [a-z_]+: HTML id and export name */
	const char		*title;
	const struct report_col	*cols;		/* cols[i].name is the CSV header */
	const char *const	*labels;	/* headings shown on the page */
	size_t			 ncols;
	enum dim		 link_dim;	/* first column drills down; DIM_NONE: no */
	const char		*link_path;
	/* state */
	enum ui_table_mode	 mode;
	struct out		 out;
	size_t			 nrows;
};

/* Parses the filters and the scope of the request into ui->f; 0 or -1
 * (answered: 400, 403 or 404). */
int	ui_scope(struct ui *);
/* A CSV export was asked for (format=csv). */
int	ui_wants_csv(const struct ui *);
/* The filter form of the view (lib/page.c puts it under the title). */
void	ui_filter_form(struct ui *);
/* A page-level message box (escaped). */
void	ui_notice(struct ui *, const char *text);
/*
 * The retention horizon when the range starts before it (raw events
 * before it are pruned, the rollups still count them), else zeros. -1
 * after ui_db_error.
 */
int	ui_pruned(struct ui *, struct retention_state *);

/*
 * href value of path with the current filters, changed by params (a NULL
 * value removes the key). Written escaped for an attribute.
 */
void	ui_href(struct ui *, const char *path, const struct html_param *, size_t);
/* <a href="...">text</a> with ui_href. */
void	ui_link(struct ui *, const char *path, const struct html_param *,
	    size_t, const char *text);
/* The drill-down link of a dimension value (NULL: untagged). */
void	ui_dim_link(struct ui *, const char *path, enum dim, const char *value);

/*
 * Tables: begin returns 0 when the table is to be produced (on the page,
 * or as the CSV this request asked for), 1 when it is skipped. Rows take
 * one value per column (NULL: none). end closes it (and the export).
 */
int	ui_table_begin(struct ui *, struct ui_table *);
void	ui_table_row(struct ui *, struct ui_table *, const char *const *values);
void	ui_table_end(struct ui *, struct ui_table *);
/* After every table of a CSV request: 404 when none matched `table`. */
int	ui_csv_done(struct ui *);

/*
 * Money as shown: "$1,234.5678", "-$1,234.5678" (4 decimals, half away
 * from zero); "unpriced" for NULL.
 */
void	ui_usd(char *buf, size_t sz, const char *exact);
/* 12345 -> "12,345". */
void	ui_int(char *buf, size_t sz, long long);

#endif
