/*
 * Tables of llmopsctl as an aligned text table, CSV (RFC 4180), a JSON
 * array or JSON lines. Rows stream for every format but the text table,
 * which must see all rows to size its columns. Values arrive as text (NULL
 * for SQL NULL) and are converted per column type and format; text never
 * reaches the terminal, a CSV cell or JSON unescaped.
 */
#ifndef LLMOPS_OUTPUT_H
#define LLMOPS_OUTPUT_H

#include <stddef.h>

#include "report.h"
#include "writer.h"

enum out_format {
	OUT_TABLE,
	OUT_CSV,
	OUT_JSON,
	OUT_JSONL,
	OUT__MAX
};

#define OUT_ALLOW(f)	(1u << (f))

struct out {
	enum out_format		 fmt;
	struct writer		*f;		/* borrowed */
	const struct report_col	*cols;
	size_t			 ncols;
	size_t			 nrows;
	char			**cells;	/* OUT_TABLE: nrows * ncols */
	size_t			 cap;
	int			 failed;
};

/* Parses "table", "csv", "json" or "jsonl" among the allowed formats. */
int	out_format_parse(const char *, unsigned allowed, enum out_format *);
void	out_begin(struct out *, enum out_format, struct writer *,
	    const struct report_col *, size_t ncols);
/* Returns 0, or -1 when out of memory or the output failed. */
int	out_row(struct out *, const char *const *values);
/* out_row as the row callback of a listing, with the struct out as arg. */
int	out_row_cb(const char *const *values, void *out);
/* Prints a buffered table, closes a JSON array, flushes the writer; -1 if
 * any write failed. */
int	out_end(struct out *);

#endif
