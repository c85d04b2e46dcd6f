/*
 * Usage as text: the columns every report of usage can show, computed
 * from the sums of db_usage.h in one place, so llmopsctl usage, the JSON
 * API and the dashboard cannot show a number two ways. Each output picks
 * its columns (a list of enum usage_col) and writes them with one of the
 * two formatters: usage_out_*() below for llmopsctl and the API (text
 * table, CSV, JSON rows through lib/output.c), ui_usage_table_*() in
 * ui_chart.h for the dashboard (HTML or CSV tables).
 */
#ifndef LLMOPS_USAGE_H
#define LLMOPS_USAGE_H

#include <stddef.h>
#include <stdint.h>

#include "db_usage.h"
#include "output.h"
#include "report.h"

/* How text tables show what is not there. */
#define USAGE_UNTAGGED_TEXT	"(untagged)"
#define USAGE_UNPRICED_TEXT	"unpriced"

enum usage_col {
	UCOL_COST,		/* the cost that counts; none when unpriced */
	UCOL_PRICED_REQUESTS,
	UCOL_REQUESTS,
	UCOL_ERRORS,
	UCOL_ERROR_RATE,
	UCOL_PROMPT_TOKENS,
	UCOL_COMPLETION_TOKENS,
	UCOL_TOTAL_TOKENS,
	UCOL_CACHE_READ_TOKENS,
	UCOL_CACHE_WRITE_TOKENS,
	UCOL_REASONING_TOKENS,
	UCOL_UNPRICED,		/* requests without a cost */
	UCOL_LITELLM_COST,
	UCOL_OUR_COST,
	UCOL_AVG_LATENCY,
	UCOL_P95_LATENCY,	/* from a struct usage_pctl */
	UCOL_AVG_TTFT,
	UCOL_P95_TTFT,		/* from a struct usage_pctl */
	UCOL_COST_PER_REQUEST,	/* of the priced requests */
	UCOL_COST_PER_1K_TOKENS,
	UCOL_CACHE_HITS,	/* LiteLLM's cache hits */
	UCOL_SAVED_CACHE_COST,	/* what they saved (saved_cache_cost) */
	UCOL__MAX
};

/* The column: its name (CSV header, JSON key) and type. */
const struct report_col	*usage_col(enum usage_col);
/* Its heading on a page. */
const char		*usage_col_label(enum usage_col);

/* Room for the text of every column of one row. */
#define USAGE_CELL_BYTES	48
struct usage_text {
	char	cell[UCOL__MAX][USAGE_CELL_BYTES];
};

/*
 * The values of cols[0..n) for one row: v[i] is text (pointing into s or
 * t), or NULL where there is none: nothing priced (a cost is never shown
 * as $0), no latency measured. pctl may be NULL (no percentiles).
 */
void	usage_values(const struct usage_sums *s, const struct usage_pctl *pctl,
	    const enum usage_col *cols, size_t n, struct usage_text *t,
	    const char **v);

/*
 * a * mul / b as text, rounded half away from zero to an integer shown
 * with `digits` decimals; "" when b <= 0.
 */
void	usage_ratio(int64_t a, int64_t b, int64_t mul, int digits, char *buf,
	    size_t sz);

/*
 * Rows of db_usage_by as a table of lib/output.c: a key column named for
 * the grouping ("range" without one), then cols. The key is the
 * dimension's value (NULL: untagged) or the bucket's time; a text table
 * says "(untagged)" and "unpriced" in words.
 */
struct usage_out {
	struct out		 out;
	enum dim		 group;
	const enum usage_col	*cols;
	size_t			 ncols;
	struct report_col	 desc[1 + UCOL__MAX];
	const char		*total_key;	/* of the DIM_NONE row; NULL: null */
	int			 day_as_date;	/* DIM_DAY keys: "2026-11-27" */
};

void	usage_out_begin(struct usage_out *, enum out_format, struct writer *,
	    enum dim group, const enum usage_col *, size_t);
/* The row callback of db_usage_by, with the struct usage_out as arg. */
int	usage_out_row(const struct usage_row *, void *usage_out);
/* out_end: 0, or -1 if any write failed. */
int	usage_out_end(struct usage_out *);

#endif
