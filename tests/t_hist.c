/*
 * lib/hist.c: the bins hold the values the header says, a bin's value is
 * within HIST_ERROR_PCT of every value it holds, percentiles read from
 * bins are within that error of the exact nearest-rank ones (computed here
 * by sorting), for several distributions and sizes, and histograms merge
 * by addition.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "tap.h"

/* The stated error, and the rounding of a bin's value to 1 us. */
#define ERR	0.0197

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A deterministic generator (xorshift64*), so failures can be replayed. */
static uint64_t	seed = 88172645463325252ULL;

static double
uniform(void)
{
	seed ^= seed >> 12;
	seed ^= seed << 25;
	seed ^= seed >> 27;
	return (double)((seed * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int
close_to(int64_t got, int64_t want)
{
	return fabs((double)got - (double)want) <= (double)want * ERR + 0.5;
}

static void
test_bins(void)
{
	int64_t		v;
	unsigned	b, worst_bin = 0;
	double		worst = 0, e;
	int		bad = 0;

	is_int(hist_bin(0), 0, "0 is bin 0");
	is_int(hist_bin(-5), 0, "negative values count as 0");
	is_int(hist_value(0), 0, "bin 0 stands for 0");
	is_int(hist_bin(1), 1, "1 us is bin 1");
	is_int(hist_bin(INT64_MAX), HIST_BINS - 1,
	    "the largest value is the last bin");
	is_int(hist_value(HIST_BINS - 1), INT64_MAX,
	    "which stands for the largest value");
	ok(hist_bin(86400LL * 1000000) < HIST_BINS - 1,
	    "a day's latency has a bin of its own");
	/* Every value up to 10^5 us, then a sweep to an hour. */
	for (v = 1; v < 3600LL * 1000000; v += v < 100000 ? 1 : v / 1000) {
		b = hist_bin(v);
		if (b > 1 && !(pow(HIST_GAMMA, b - 2) < (double)v &&
		    (double)v <= pow(HIST_GAMMA, b - 1) * (1 + 1e-12)))
			bad++;
		e = fabs((double)hist_value(b) - (double)v) / (double)v;
		if (v >= 10000 && e > worst) {
			worst = e;
			worst_bin = b;
		}
		if (!close_to(hist_value(b), v))
			bad++;
	}
	is_int(bad, 0, "every value is in the bin the header says, whose value "
	    "is within %s %% (and half a microsecond) of it", HIST_ERROR_PCT);
	ok(worst <= ERR, "largest relative error from 10 ms on: %.4f %% "
	    "(bin %u)", worst * 100, worst_bin);
	for (b = 2, bad = 0; b < HIST_BINS - 1; b++)
		if (hist_value(b) < hist_value(b - 1))
			bad++;
	is_int(bad, 0, "bins stand for increasing values");
}

/* Draws n values of a distribution (0 log-normal, 1 uniform, 2 Pareto,
 * 3 two clusters). */
static void
draw(int kind, int64_t *v, size_t n)
{
	size_t	i;
	double	u1, u2, z;

	for (i = 0; i < n; i++) {
		u1 = uniform() + 1e-12;
		u2 = uniform();
		z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
		switch (kind) {
		case 0:
			v[i] = (int64_t)exp(14.0 + 0.8 * z);	/* ~1.2 s */
			break;
		case 1:
			v[i] = (int64_t)(uniform() * 30e6);
			break;
		case 2:
			v[i] = (int64_t)(50000.0 / pow(u1, 1 / 1.3));
			break;
		default:
			v[i] = (int64_t)(uniform() < 0.9 ? 300000 + z * 20000 :
			    9000000 + z * 500000);
			break;
		}
	}
}

static void
test_percentiles(void)
{
	static const size_t	sizes[] = { 1, 2, 19, 20, 21, 100, 997, 20000 };
	static const int	pcts[] = { 1, 50, 90, 95, 99 };
	static const char	*kinds[] = { "log-normal", "uniform", "Pareto",
	    "two clusters" };
	struct hist		*h, *a, *b;
	int64_t			*v, exact, got;
	size_t			 s, i, n, rank;
	int			 k, p, bad, checked;

	h = calloc(1, sizeof(*h));
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	v = calloc(20000, sizeof(*v));
	if (h == NULL || a == NULL || b == NULL || v == NULL) {
		ok(0, "memory");
		return;
	}
	ok(hist_percentile(h, 95) == -1, "an empty histogram has no percentile");
	for (k = 0; k < 4; k++) {
		bad = checked = 0;
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			n = sizes[s];
			draw(k, v, n);
			hist_clear(h);
			for (i = 0; i < n; i++)
				hist_add(h, hist_bin(v[i]), 1);
			qsort(v, n, sizeof(*v), cmp64);
			for (p = 0; p < 5; p++) {
				/* Nearest rank: ceil(p / 100 * n). */
				rank = (n * (size_t)pcts[p] + 99) / 100;
				exact = v[rank - 1];
				got = hist_percentile(h, pcts[p]);
				checked++;
				if (!close_to(got, exact)) {
					bad++;
					tap_diag("%s n=%zu p%d: %lld, exact "
					    "%lld", kinds[k], n, pcts[p],
					    (long long)got, (long long)exact);
				}
			}
		}
		is_int(bad, 0, "%s: %d percentiles within %s %% of the exact "
		    "nearest-rank values", kinds[k], checked, HIST_ERROR_PCT);
	}
	/* Merging: a + b has the bins of the union. */
	draw(0, v, 20000);
	hist_clear(a);
	hist_clear(b);
	hist_clear(h);
	for (i = 0; i < 20000; i++) {
		hist_add(i % 3 ? a : b, hist_bin(v[i]), 1);
		hist_add(h, hist_bin(v[i]), 1);
	}
	for (i = 0; i < HIST_BINS; i++)
		hist_add(a, (unsigned)i, b->n[i]);
	ok(memcmp(a, h, sizeof(*h)) == 0, "two histograms added are the "
	    "histogram of all their values");
	hist_clear(a);
	hist_add(a, 5, UINT64_MAX);
	hist_add(a, 5, 7);
	ok(a->n[5] == UINT64_MAX && a->total == UINT64_MAX,
	    "counts saturate instead of wrapping");
	hist_add(a, HIST_BINS, 1);
	ok(a->total == UINT64_MAX, "a bin beyond the last is ignored");
	free(v);
	free(b);
	free(a);
	free(h);
}

int
main(void)
{
	test_bins();
	test_percentiles();
	return tap_done();
}
