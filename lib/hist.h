/*
 * Latency histograms of fixed logarithmic bins, stored in the rollups
 * (usage_rollup_hist) so that percentiles need no scan of raw events.
 *
 * Bin 0 holds the value 0; bin b >= 1 holds the values v (microseconds)
 * with GAMMA^(b-2) < v <= GAMMA^(b-1), GAMMA = HIST_GAMMA, and stands for
 * 2 GAMMA^(b-1) / (GAMMA + 1), rounded to the microsecond. What a bin
 * stands for is then within (GAMMA - 1) / (GAMMA + 1) = 1.9608 % (stated:
 * 1.97 %) of every value it holds, and half a microsecond: a percentile
 * read from the bins is within that of the exact one (the method of
 * DDSketch, Masson et al., VLDB 2019). Bins of two histograms
 * add up, so rows of hours and days merge by addition, in SQL or in C.
 * The bin of a value is computed the same way in C (hist_bin) and in the
 * rebuild's SQL (HIST_BIN_SQL).
 */
#ifndef LLMOPS_HIST_H
#define LLMOPS_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_GAMMA		1.04
/* The relative error of a value read from a bin, in percent, as stated. */
#define HIST_ERROR_PCT		"1.97"
/* Bins 0 .. HIST_BINS - 1: a day in microseconds is bin 646, INT64_MAX
 * bin 1115. */
#define HIST_BINS		1116
/* The bin of column `col` in SQL (NULL stays NULL), as hist_bin computes. */
#define HIST_BIN_SQL(col) \
	"IF(" col " <= 0, 0, 1 + CEIL(LN(" col ") / LN(1.04)))"

/* The bin of v (negative values count as 0). */
unsigned	hist_bin(int64_t v);
/* The value bin b stands for, rounded to the microsecond. */
int64_t		hist_value(unsigned b);

/* A histogram being read: counts per bin, and their total. */
struct hist {
	uint64_t	n[HIST_BINS];
	uint64_t	total;
};

void	hist_clear(struct hist *);
/* Adds n values to bin b (ignored beyond HIST_BINS); saturates. */
void	hist_add(struct hist *, unsigned b, uint64_t n);
/*
 * The pct-th percentile (1..99), nearest rank: the value of the bin that
 * holds the ceil(pct / 100 * total)-th smallest value, as SQL's
 * PERCENTILE_DISC(pct / 100) picks it. -1 when the histogram is empty.
 */
int64_t	hist_percentile(const struct hist *, int pct);

/*
 * A histogram as stored (usage_rollup_hist.bins): for each bin holding
 * values, in increasing order, the bin (2 bytes) then its count (8 bytes),
 * little-endian. One row per hour or day and value keeps the rows few and
 * the reads short: a month of a model is 30 rows, not thousands of bins.
 */
#define HIST_BLOB_ENTRY		10
#define HIST_BLOB_MAX		(HIST_BINS * HIST_BLOB_ENTRY)

/* Writes h into buf (HIST_BLOB_MAX bytes); returns the length. */
size_t	hist_encode(const struct hist *, unsigned char *buf);
/* Adds a stored histogram into h; -1 when it is not one (h unchanged). */
int	hist_decode_add(struct hist *, const unsigned char *, size_t);

#endif
