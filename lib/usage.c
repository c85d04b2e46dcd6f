/* Usage as text: see usage.h. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "llmops_limits.h"
#include "timefmt.h"
#include "usage.h"

/* How a column's value is made from the sums. */
enum ukind {
	K_INT,		/* the field a */
	K_TEXT,		/* the text field a */
	K_PRICED,	/* the text field a, when something was priced */
	K_DIFF,		/* a - b */
	K_RATIO,	/* a * mul / b, with digits decimals */
	K_COST_PER,	/* the priced cost * mul / b, in dollars */
	K_MS,		/* the field a of the percentiles, us as ms */
};

#define S(field)	offsetof(struct usage_sums, field)
#define P(field)	offsetof(struct usage_pctl, field)

static const struct {
	struct report_col	 col;
	const char		*label;		/* heading on a page */
	enum ukind		 kind;
	size_t			 a, b;
	int64_t			 mul;
	int			 digits;
} usage_cols[UCOL__MAX] = {
	[UCOL_COST] = { { "cost_usd", COL_USD }, "Cost", K_PRICED, S(cost) },
	[UCOL_PRICED_REQUESTS] = { { "priced_requests", COL_INT }, "Priced",
	    K_INT, S(priced_requests) },
	[UCOL_REQUESTS] = { { "requests", COL_INT }, "Requests", K_INT,
	    S(requests) },
	[UCOL_ERRORS] = { { "errors", COL_INT }, "Errors", K_INT, S(errors) },
	[UCOL_ERROR_RATE] = { { "error_rate_pct", COL_DECIMAL },
	    "Error rate %", K_RATIO, S(errors), S(requests), 100 * 100, 2 },
	[UCOL_PROMPT_TOKENS] = { { "prompt_tokens", COL_INT }, "Input tokens",
	    K_INT, S(prompt_tokens) },
	[UCOL_COMPLETION_TOKENS] = { { "completion_tokens", COL_INT },
	    "Output tokens", K_INT, S(completion_tokens) },
	[UCOL_TOTAL_TOKENS] = { { "total_tokens", COL_INT }, "Total tokens",
	    K_INT, S(total_tokens) },
	[UCOL_CACHE_READ_TOKENS] = { { "cache_read_tokens", COL_INT },
	    "Cache read", K_INT, S(cache_read_tokens) },
	[UCOL_CACHE_WRITE_TOKENS] = { { "cache_write_tokens", COL_INT },
	    "Cache write", K_INT, S(cache_write_tokens) },
	[UCOL_REASONING_TOKENS] = { { "reasoning_tokens", COL_INT },
	    "Reasoning tokens", K_INT, S(reasoning_tokens) },
	[UCOL_UNPRICED] = { { "unpriced_requests", COL_INT }, "Unpriced",
	    K_DIFF, S(requests), S(priced_requests) },
	[UCOL_LITELLM_COST] = { { "litellm_cost_usd", COL_USD },
	    "LiteLLM's cost", K_TEXT, S(litellm_cost) },
	[UCOL_OUR_COST] = { { "our_cost_usd", COL_USD }, "Our cost", K_TEXT,
	    S(our_cost) },
	/* Latency sums are microseconds: milliseconds with 3 decimals. */
	[UCOL_AVG_LATENCY] = { { "avg_latency_ms", COL_DECIMAL },
	    "Avg latency ms", K_RATIO, S(latency_us_sum), S(latency_count), 1,
	    3 },
	[UCOL_P95_LATENCY] = { { "p95_latency_ms", COL_DECIMAL },
	    "p95 latency ms", K_MS, P(latency_us) },
	[UCOL_AVG_TTFT] = { { "avg_ttft_ms", COL_DECIMAL }, "Avg TTFT ms",
	    K_RATIO, S(ttft_us_sum), S(ttft_count), 1, 3 },
	[UCOL_P95_TTFT] = { { "p95_ttft_ms", COL_DECIMAL }, "p95 TTFT ms",
	    K_MS, P(ttft_us) },
	[UCOL_COST_PER_REQUEST] = { { "cost_per_request_usd", COL_USD },
	    "Cost / request", K_COST_PER, 0, S(priced_requests), 1 },
	[UCOL_COST_PER_1K_TOKENS] = { { "cost_per_1k_tokens_usd", COL_USD },
	    "Cost / 1k tokens", K_COST_PER, 0, S(total_tokens), 1000 },
	[UCOL_CACHE_HITS] = { { "cache_hits", COL_INT }, "Cache hits", K_INT,
	    S(cache_hits) },
	[UCOL_SAVED_CACHE_COST] = { { "saved_cache_cost_usd", COL_USD },
	    "Cache savings", K_TEXT, S(saved_cache_cost) },
};

const struct report_col *
usage_col(enum usage_col c)
{
	return &usage_cols[c < UCOL__MAX ? c : UCOL_REQUESTS].col;
}

const char *
usage_col_label(enum usage_col c)
{
	return c < UCOL__MAX ? usage_cols[c].label : "?";
}

void
usage_ratio(int64_t a, int64_t b, int64_t mul, int digits, char *buf,
    size_t sz)
{
	__int128	n, q;

	if (b <= 0) {
		buf[0] = '\0';
		return;
	}
	/* Half away from zero: C's division truncates a negative toward 0. */
	n = (__int128)a * mul;
	q = ((n < 0 ? -n : n) * 2 + b) / (2 * (__int128)b);
	decimal_format((int64_t)(n < 0 ? -q : q), digits, buf, sz);
}

/* The int64_t at offset off of p. */
static int64_t
field(const void *p, size_t off)
{
	int64_t	v;

	memcpy(&v, (const char *)p + off, sizeof(v));
	return v;
}

void
usage_values(const struct usage_sums *s, const struct usage_pctl *pctl,
    const enum usage_col *cols, size_t n, struct usage_text *t,
    const char **v)
{
	const char	*text;
	char		*c;
	size_t		 i, sz = sizeof(t->cell[0]);
	int64_t		 pico, us;

	for (i = 0; i < n && i < UCOL__MAX; i++) {
		const enum usage_col	 k = cols[i] < UCOL__MAX ? cols[i] :
					    UCOL_REQUESTS;
		const size_t		 a = usage_cols[k].a, b = usage_cols[k].b;

		c = t->cell[i];
		c[0] = '\0';
		text = (const char *)s + a;
		switch (usage_cols[k].kind) {
		case K_INT:
			snprintf(c, sz, "%lld", (long long)field(s, a));
			break;
		case K_TEXT:
			c = (char *)text;
			break;
		case K_PRICED:
			/* Nothing priced is "unpriced" (none), never $0. */
			if (s->priced_requests > 0)
				c = (char *)text;
			break;
		case K_DIFF:
			snprintf(c, sz, "%lld",
			    (long long)(field(s, a) - field(s, b)));
			break;
		case K_RATIO:
			usage_ratio(field(s, a), field(s, b), usage_cols[k].mul,
			    usage_cols[k].digits, c, sz);
			break;
		case K_COST_PER:
			if (s->priced_requests > 0 && decimal_parse(s->cost,
			    COST_SCALE_DIGITS, INT64_MAX, &pico) == 0)
				usage_ratio(pico, field(s, b), usage_cols[k].mul,
				    COST_SCALE_DIGITS, c, sz);
			break;
		case K_MS:
			us = pctl != NULL ? field(pctl, a) : -1;
			if (us < 0 || decimal_format(us, 3, c, sz) != 0)
				c[0] = '\0';
			break;
		}
		v[i] = *c != '\0' ? c : NULL;
	}
}

void
usage_out_begin(struct usage_out *o, enum out_format fmt, struct writer *w,
    enum dim group, const enum usage_col *cols, size_t n)
{
	size_t	i;

	memset(o, 0, sizeof(*o));
	o->group = group;
	o->cols = cols;
	o->ncols = n < UCOL__MAX ? n : UCOL__MAX;
	o->desc[0].name = group == DIM_NONE ? "range" : dim_name(group);
	o->desc[0].type = COL_TEXT;
	for (i = 0; i < o->ncols; i++)
		o->desc[1 + i] = *usage_col(cols[i]);
	out_begin(&o->out, fmt, w, o->desc, 1 + o->ncols);
}

int
usage_out_row(const struct usage_row *r, void *arg)
{
	struct usage_out	*o = arg;
	struct usage_text	 t;
	const char		*v[1 + UCOL__MAX];
	char			 key[TIME_ISO_BYTES];
	int			 table = o->out.fmt == OUT_TABLE;
	size_t			 i;

	if (o->group == DIM_HOUR || o->group == DIM_DAY) {
		time_format_iso_sec(r->bucket_us, key);
		if (o->group == DIM_DAY && o->day_as_date)
			key[strlen("2026-11-27")] = '\0';
		v[0] = key;
	} else if (o->group == DIM_NONE)
		v[0] = o->total_key;
	else if (r->key_null)
		v[0] = table ? USAGE_UNTAGGED_TEXT : NULL;
	else
		v[0] = r->key;
	usage_values(&r->s, NULL, o->cols, o->ncols, &t, v + 1);
	for (i = 0; table && i < o->ncols; i++)
		if (o->cols[i] == UCOL_COST && v[1 + i] == NULL)
			v[1 + i] = USAGE_UNPRICED_TEXT;
	return out_row(&o->out, v);
}

int
usage_out_end(struct usage_out *o)
{
	return out_end(&o->out);
}
