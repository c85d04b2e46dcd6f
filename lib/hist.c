/* Logarithmic latency histograms: see hist.h. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "hist.h"

unsigned
hist_bin(int64_t v)
{
	double	b;

	if (v <= 0)
		return 0;
	/* The same arithmetic as HIST_BIN_SQL: log() / log() in doubles. */
	b = 1.0 + ceil(log((double)v) / log(HIST_GAMMA));
	return b >= HIST_BINS ? HIST_BINS - 1 : (unsigned)b;
}

int64_t
hist_value(unsigned b)
{
	double	v;

	if (b == 0)
		return 0;
	v = 2.0 * pow(HIST_GAMMA, (double)(b - 1)) / (HIST_GAMMA + 1.0);
	/* The last bin's value is beyond INT64_MAX, which it holds. */
	return v >= 9.2e18 ? INT64_MAX : llround(v);
}

void
hist_clear(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

void
hist_add(struct hist *h, unsigned b, uint64_t n)
{
	if (b >= HIST_BINS)
		return;
	if (__builtin_add_overflow(h->n[b], n, &h->n[b]))
		h->n[b] = UINT64_MAX;
	if (__builtin_add_overflow(h->total, n, &h->total))
		h->total = UINT64_MAX;
}

int64_t
hist_percentile(const struct hist *h, int pct)
{
	uint64_t	rank, seen = 0;
	unsigned	b;

	if (h->total == 0 || pct < 1 || pct > 99)
		return -1;
	/* ceil(pct * total / 100) without overflowing for large totals. */
	rank = h->total / 100 * (uint64_t)pct +
	    (h->total % 100 * (uint64_t)pct + 99) / 100;
	for (b = 0; b < HIST_BINS; b++) {
		seen += h->n[b];
		if (seen >= rank)
			return hist_value(b);
	}
	return hist_value(HIST_BINS - 1);
}

size_t
hist_encode(const struct hist *h, unsigned char *buf)
{
	size_t		len = 0;
	unsigned	b;
	int		i;

	for (b = 0; b < HIST_BINS; b++) {
		if (h->n[b] == 0)
			continue;
		buf[len++] = (unsigned char)(b & 0xff);
		buf[len++] = (unsigned char)(b >> 8);
		for (i = 0; i < 8; i++)
			buf[len++] = (unsigned char)(h->n[b] >> (8 * i));
	}
	return len;
}

int
hist_decode_add(struct hist *h, const unsigned char *p, size_t len)
{
	size_t		at;
	unsigned	b, last = 0;
	uint64_t	n;
	int		i;

	/* Checked whole first, so that a bad one adds nothing. */
	if (len % HIST_BLOB_ENTRY != 0)
		return -1;
	for (at = 0; at < len; at += HIST_BLOB_ENTRY) {
		b = p[at] | (unsigned)p[at + 1] << 8;
		if (b >= HIST_BINS || (at > 0 && b <= last))
			return -1;
		last = b;
	}
	for (at = 0; at < len; at += HIST_BLOB_ENTRY) {
		b = p[at] | (unsigned)p[at + 1] << 8;
		for (n = 0, i = 0; i < 8; i++)
			n |= (uint64_t)p[at + 2 + i] << (8 * i);
		hist_add(h, b, n);
	}
	return 0;
}
