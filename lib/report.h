/*
 * The columns of a report: a table of rows whose values arrive as text
 * (NULL for none), written by lib/output.c (llmopsctl and the JSON API) or
 * by the dashboard's tables (lib/ui.c). Each column has a name (CSV
 * header, JSON key) and a type that says how its text is to be read.
 */
#ifndef LLMOPS_REPORT_H
#define LLMOPS_REPORT_H

/* How a column's text is to be read. */
enum col_type {
	COL_TEXT,
	COL_INT,
	COL_DECIMAL,		/* exact decimal text, e.g. USD */
	COL_TIME_US,		/* microseconds since the epoch */
	COL_DURATION_US,	/* microseconds */
	COL_BOOL,		/* 0 or 1 */
	COL_USD,		/* exact decimal text of US dollars */
};

struct report_col {
	const char	*name;
	enum col_type	 type;
};

/* The first columns of every listing of credentials (tracking tokens,
 * API keys): what identifies one and its life so far. */
#define REPORT_CREDENTIAL_COLS \
	{ "id", COL_INT }, \
	{ "prefix", COL_TEXT }, \
	{ "label", COL_TEXT }, \
	{ "status", COL_TEXT }, \
	{ "created", COL_TIME_US }, \
	{ "last_used", COL_TIME_US }

#endif
