/*
 * Golden vectors of our cost (lib/pricing.c) and of price matching
 * (lib/price.c). Prices are the public ones (USD per token) of LiteLLM's
 * table; every expected cost is worked out by hand in the comment next to
 * it, in picodollars (1e-12 USD).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "pricing.h"
#include "tap.h"

#define T0	1772000000000000LL	/* 2026-02-25, an event time */

/* USD per token as text -> price units (1e-18 USD). */
static int64_t
usd(const char *text)
{
	int64_t	v = -1;

	if (decimal_parse(text, PRICE_SCALE_DIGITS, INT64_MAX, &v) != 0)
		tap_diag("bad price %s", text);
	return v;
}

static struct price *
add(struct price_set *s, uint32_t id, uint32_t org, const char *model,
    const char *in, const char *out)
{
	struct price	*p = price_set_add(s);

	p->id = id;
	p->org_id = org;
	p->model = strdup(model);
	if (in != NULL)
		price_rate_set(&p->rates, RATE_INPUT, usd(in));
	if (out != NULL)
		price_rate_set(&p->rates, RATE_OUTPUT, usd(out));
	return p;
}

static void
rate(struct price *p, enum price_rate r, const char *v)
{
	price_rate_set(&p->rates, r, usd(v));
}

static void
tier(struct price *p, int64_t above, const char *in, const char *out,
    const char *cread, const char *cwrite)
{
	struct price_tier	*t = &p->tiers[p->ntiers++];

	memset(t, 0, sizeof(*t));
	t->above_tokens = above;
	price_rate_set(&t->rates, RATE_INPUT, usd(in));
	price_rate_set(&t->rates, RATE_OUTPUT, usd(out));
	if (cread)
		price_rate_set(&t->rates, RATE_CACHE_READ, usd(cread));
	if (cwrite)
		price_rate_set(&t->rates, RATE_CACHE_WRITE, usd(cwrite));
}

static void
discount(struct price_set *s, uint32_t id, uint32_t org, const char *model,
    int64_t ppm, int64_t from, int64_t to)
{
	struct price	*p = add(s, id, org, model, NULL, NULL);

	p->has_discount = 1;
	p->discount_ppm = ppm;
	p->from_us = from;
	p->to_us = to;
}

/* The price table of these tests. */
static void
build(struct price_set *s)
{
	struct price	*p;

	price_set_init(s);
	add(s, 1, 0, "gpt-4", "3e-05", "6e-05");
	p = add(s, 2, 0, "gpt-4o", "2.5e-06", "1e-05");
	rate(p, RATE_CACHE_READ, "1.25e-06");
	p->to_us = T0 + 1000;		/* replaced by id 3 at T0 + 1000 */
	p = add(s, 3, 0, "gpt-4o", "2e-06", "8e-06");
	rate(p, RATE_CACHE_READ, "1e-06");
	p->from_us = T0 + 1000;
	p = add(s, 4, 0, "claude-sonnet-4-20250514", "3e-06", "1.5e-05");
	rate(p, RATE_CACHE_READ, "3e-07");
	rate(p, RATE_CACHE_WRITE, "3.75e-06");
	rate(p, RATE_CACHE_WRITE_1H, "6e-06");
	tier(p, 200000, "6e-06", "2.25e-05", "6e-07", "7.5e-06");
	add(s, 5, 0, "text-embedding-3-small", "2e-08", "0");
	p = add(s, 6, 0, "o3-mini", "1.1e-06", "4.4e-06");
	rate(p, RATE_REASONING, "8.8e-06");
	add(s, 7, 0, "tiny", "1.5e-12", "0");
	/* Organization 9: its own gpt-4 price, 10% off everything else, 20% off gpt-4o. */
	add(s, 10, 9, "gpt-4", "2e-05", "4e-05");
	discount(s, 11, 9, PRICE_ANY_MODEL, 100000, 0, PRICE_OPEN_END);
	discount(s, 12, 9, "gpt-4o", 200000, 0, PRICE_OPEN_END);
	/* Organization 8: 5% off, only from T0 + 5000 on. */
	discount(s, 13, 8, PRICE_ANY_MODEL, 50000, T0 + 5000, PRICE_OPEN_END);
	price_set_sort(s);
}

static void
event(struct usage_event *e, uint32_t org, const char *model,
    const char *group, int64_t prompt, int64_t completion)
{
	memset(e, 0, sizeof(*e));
	e->org_id = org;
	e->model = model ? strdup(model) : NULL;
	e->model_group = group ? strdup(group) : NULL;
	e->status = EVENT_STATUS_SUCCESS;
	usage_event_set(e, EV_PROMPT_TOKENS, prompt);
	usage_event_set(e, EV_COMPLETION_TOKENS, completion);
	usage_event_set(e, EV_TOTAL_TOKENS, prompt + completion);
	usage_event_set(e, EV_START_US, T0);
}

/* Prices e (prefer ours) and checks cost, source and price row. */
static void
priced(const struct price_set *s, struct usage_event *e, int64_t want_pico,
    enum cost_source want_source, uint32_t want_price, const char *name)
{
	pricing_apply(s, COST_PREFER_OURS, e);
	is_int(EVENT_HAS(e, EV_COST) ? e->num[EV_COST] : -1, want_pico,
	    "%s: cost", name);
	is_int(e->cost_source, want_source, "%s: source %s", name,
	    cost_source_name(want_source));
	is_int(e->price_id, want_price, "%s: price row %u", name, want_price);
	usage_event_release(e);
}

static void
test_golden(const struct price_set *s)
{
	struct usage_event	e;

	/* gpt-4: 12 x 3e-5 + 10 x 6e-5 = 0.00036 + 0.0006 = 0.00096 */
	event(&e, 1, "openai/gpt-4", "gpt-4", 12, 10);
	priced(s, &e, 960000000, COST_SOURCE_PRICE_TABLE, 1, "OpenAI chat");

	/*
	 * gpt-4o, 10,000 prompt of which 4,000 cached, 500 out:
	 * 6000 x 2.5e-6 + 4000 x 1.25e-6 + 500 x 1e-5 = 0.015 + 0.005 + 0.005
	 * = 0.025 (LiteLLM's own figure; 0.030 if the cached tokens were
	 * counted twice).
	 */
	event(&e, 1, "openai/gpt-4o", "gpt-4o", 10000, 500);
	usage_event_set(&e, EV_CACHE_READ_TOKENS, 4000);
	priced(s, &e, 25000000000LL, COST_SOURCE_PRICE_TABLE, 2,
	    "OpenAI with cached tokens");

	/*
	 * Fixture 06, Anthropic: prompt 12402 = 312 uncached + 10240 cache
	 * read + 1850 cache write; 420 out:
	 * 312 x 3e-6 + 10240 x 3e-7 + 1850 x 3.75e-6 + 420 x 1.5e-5
	 * = 0.000936 + 0.003072 + 0.0069375 + 0.0063 = 0.0172455
	 */
	event(&e, 1, "anthropic/claude-sonnet-4-20250514", "claude-sonnet-4",
	    12402, 420);
	usage_event_set(&e, EV_CACHE_READ_TOKENS, 10240);
	usage_event_set(&e, EV_CACHE_WRITE_TOKENS, 1850);
	priced(s, &e, 17245500000LL, COST_SOURCE_PRICE_TABLE, 4,
	    "Anthropic with cache read and write (fixture 06)");

	/*
	 * The same with 850 of the 1850 writes at the 1-hour TTL:
	 * 312 x 3e-6 + 10240 x 3e-7 + 1000 x 3.75e-6 + 850 x 6e-6 + 420 x 1.5e-5
	 * = 0.000936 + 0.003072 + 0.00375 + 0.0051 + 0.0063 = 0.019158
	 */
	event(&e, 1, "anthropic/claude-sonnet-4-20250514", NULL, 12402, 420);
	usage_event_set(&e, EV_CACHE_READ_TOKENS, 10240);
	usage_event_set(&e, EV_CACHE_WRITE_TOKENS, 1850);
	usage_event_set(&e, EV_CACHE_WRITE_1H_TOKENS, 850);
	priced(s, &e, 19158000000LL, COST_SOURCE_PRICE_TABLE, 4,
	    "1-hour cache writes at their own rate");

	/* Embedding: 18 x 2e-8 = 3.6e-7 */
	event(&e, 1, "openai/text-embedding-3-small", NULL, 18, 0);
	priced(s, &e, 360000, COST_SOURCE_PRICE_TABLE, 5, "embedding");

	/*
	 * Above 200k prompt tokens the tier replaces the base rates:
	 * 250000 x 6e-6 + 1000 x 2.25e-5 = 1.5 + 0.0225 = 1.5225
	 */
	event(&e, 1, "claude-sonnet-4-20250514", NULL, 250000, 1000);
	priced(s, &e, 1522500000000LL, COST_SOURCE_PRICE_TABLE, 4,
	    "tiered price above 200k tokens");
	/* Exactly 200000 is not above: 200000 x 3e-6 + 1000 x 1.5e-5 = 0.615 */
	event(&e, 1, "claude-sonnet-4-20250514", NULL, 200000, 1000);
	priced(s, &e, 615000000000LL, COST_SOURCE_PRICE_TABLE, 4,
	    "exactly 200k tokens: the base rate");
	/*
	 * Tier with cache: 250000 prompt = 50000 uncached + 150000 read +
	 * 50000 written, 0 out: 50000 x 6e-6 + 150000 x 6e-7 + 50000 x 7.5e-6
	 * = 0.3 + 0.09 + 0.375 = 0.765
	 */
	event(&e, 1, "claude-sonnet-4-20250514", NULL, 250000, 0);
	usage_event_set(&e, EV_CACHE_READ_TOKENS, 150000);
	usage_event_set(&e, EV_CACHE_WRITE_TOKENS, 50000);
	priced(s, &e, 765000000000LL, COST_SOURCE_PRICE_TABLE, 4,
	    "tiered cache rates");

	/*
	 * Reasoning at its own rate: 1000 in, 3000 out of which 2000 reasoning:
	 * 1000 x 1.1e-6 + 1000 x 4.4e-6 + 2000 x 8.8e-6
	 * = 0.0011 + 0.0044 + 0.0176 = 0.0231
	 */
	event(&e, 1, "o3-mini", NULL, 1000, 3000);
	usage_event_set(&e, EV_REASONING_TOKENS, 2000);
	priced(s, &e, 23100000000LL, COST_SOURCE_PRICE_TABLE, 6,
	    "reasoning tokens");

	/* Rounding once, half up: 1 x 1.5e-12 = 1.5 pico -> 2; 3 x -> 4.5 -> 5 */
	event(&e, 1, "tiny", NULL, 1, 0);
	priced(s, &e, 2, COST_SOURCE_PRICE_TABLE, 7, "half a picodollar rounds up");
	event(&e, 1, "tiny", NULL, 3, 0);
	priced(s, &e, 5, COST_SOURCE_PRICE_TABLE, 7, "4.5 pico rounds to 5");

	/* A failure without usage costs 0 at our price, not "unpriced". */
	event(&e, 1, "openai/gpt-4", NULL, 0, 0);
	e.status = EVENT_STATUS_FAILURE;
	priced(s, &e, 0, COST_SOURCE_PRICE_TABLE, 1, "failure without usage");
	/* A failure with partial usage is charged for it: 100 x 3e-5 = 0.003 */
	event(&e, 1, "openai/gpt-4", NULL, 100, 0);
	e.status = EVENT_STATUS_FAILURE;
	priced(s, &e, 3000000000LL, COST_SOURCE_PRICE_TABLE, 1,
	    "failure with partial usage");
}

static void
test_dates_and_overrides(const struct price_set *s)
{
	struct usage_event	e;

	/* Price change at T0 + 1000: 1000 x 2.5e-6 = 0.0025, then 1000 x 2e-6 */
	event(&e, 1, "gpt-4o", NULL, 1000, 0);
	usage_event_set(&e, EV_START_US, T0 + 999);
	priced(s, &e, 2500000000LL, COST_SOURCE_PRICE_TABLE, 2,
	    "before the effective date: the old price");
	event(&e, 1, "gpt-4o", NULL, 1000, 0);
	usage_event_set(&e, EV_START_US, T0 + 1000);
	priced(s, &e, 2000000000LL, COST_SOURCE_PRICE_TABLE, 3,
	    "on the effective date: the new price");

	/* Org 9's own gpt-4 price: 1000 x 2e-5 + 1000 x 4e-5 = 0.06 */
	event(&e, 9, "openai/gpt-4", NULL, 1000, 1000);
	priced(s, &e, 60000000000LL, COST_SOURCE_OVERRIDE, 10,
	    "organization price beats the default");
	/* Org 9, 10% off: 18 x 2e-8 = 3.6e-7 x 0.9 = 3.24e-7 */
	event(&e, 9, "text-embedding-3-small", NULL, 18, 0);
	pricing_apply(s, COST_PREFER_OURS, &e);
	is_int(e.num[EV_COST], 324000, "organization discount of 10%%");
	is_int(e.discount_id, 11, "... recorded as discount row 11");
	is_int(e.cost_source, COST_SOURCE_OVERRIDE, "... source override");
	usage_event_release(&e);
	/* Org 9, gpt-4o has its own 20%: 1000 x 2e-6 x 0.8 = 0.0016 */
	event(&e, 9, "gpt-4o", NULL, 1000, 0);
	usage_event_set(&e, EV_START_US, T0 + 2000);
	pricing_apply(s, COST_PREFER_OURS, &e);
	is_int(e.num[EV_COST], 1600000000LL, "a model's discount beats '*'");
	is_int(e.discount_id, 12, "... discount row 12");
	usage_event_release(&e);
	/* Org 8's discount starts at T0 + 5000. */
	event(&e, 8, "gpt-4", NULL, 1000, 0);
	priced(s, &e, 30000000000LL, COST_SOURCE_PRICE_TABLE, 1,
	    "a discount before its date does not apply");
	event(&e, 8, "gpt-4", NULL, 1000, 0);
	usage_event_set(&e, EV_START_US, T0 + 5000);
	priced(s, &e, 28500000000LL, COST_SOURCE_OVERRIDE, 1,
	    "... and applies from it (5% off 0.03)");
	/* Other organizations never see org 9's rows. */
	event(&e, 2, "gpt-4", NULL, 1000, 1000);
	priced(s, &e, 90000000000LL, COST_SOURCE_PRICE_TABLE, 1,
	    "another organization pays the default");
}

static void
test_matching_and_unpriced(const struct price_set *s)
{
	struct usage_event	e;

	/* A custom deployment name, priced through its model group. */
	event(&e, 1, "openai/prod-chat", "gpt-4", 12, 10);
	priced(s, &e, 960000000, COST_SOURCE_PRICE_TABLE, 1,
	    "matched by the model group");

	/* Unknown model, LiteLLM says 0 for tokens: unpriced, NULL not 0. */
	event(&e, 1, "openai/my-llama", "my-llama", 100, 100);
	usage_event_set(&e, EV_LITELLM_COST, 0);
	pricing_apply(s, COST_PREFER_OURS, &e);
	ok(!EVENT_HAS(&e, EV_COST) && !EVENT_HAS(&e, EV_OUR_COST),
	    "unknown model: no cost at all");
	is_int(e.cost_source, COST_SOURCE_UNPRICED, "... unpriced");
	is_int(e.price_id, 0, "... no price row");
	usage_event_release(&e);

	/* Unknown model but LiteLLM reported a cost: LiteLLM's. */
	event(&e, 1, "openai/my-llama", NULL, 100, 100);
	usage_event_set(&e, EV_LITELLM_COST, 4200000);
	priced(s, &e, 4200000, COST_SOURCE_LITELLM, 0,
	    "unknown model with LiteLLM's cost");

	/* Unknown model, failed call, LiteLLM 0: free, from LiteLLM. */
	event(&e, 1, "openai/my-llama", NULL, 0, 0);
	e.status = EVENT_STATUS_FAILURE;
	usage_event_set(&e, EV_LITELLM_COST, 0);
	priced(s, &e, 0, COST_SOURCE_LITELLM, 0, "a failure LiteLLM priced at 0");

	/* prefer = litellm: LiteLLM's usable cost wins; ours is still stored. */
	event(&e, 1, "gpt-4", NULL, 12, 10);
	usage_event_set(&e, EV_LITELLM_COST, 999);
	pricing_apply(s, COST_PREFER_LITELLM, &e);
	is_int(e.num[EV_COST], 999, "prefer litellm: LiteLLM's cost counts");
	is_int(e.num[EV_OUR_COST], 960000000, "... ours is kept beside it");
	is_int(e.cost_source, COST_SOURCE_LITELLM, "... source litellm");
	usage_event_release(&e);
	/* prefer = litellm, LiteLLM's 0 for tokens is unknown: ours. */
	event(&e, 1, "gpt-4", NULL, 12, 10);
	usage_event_set(&e, EV_LITELLM_COST, 0);
	pricing_apply(s, COST_PREFER_LITELLM, &e);
	is_int(e.num[EV_COST], 960000000, "prefer litellm, LiteLLM 0: ours");
	usage_event_release(&e);

	/* Without any model name nothing matches. */
	event(&e, 1, NULL, NULL, 10, 10);
	pricing_apply(s, COST_PREFER_OURS, &e);
	is_int(e.cost_source, COST_SOURCE_UNPRICED, "no model: unpriced");
	usage_event_release(&e);
}

int
main(void)
{
	struct price_set	s;

	build(&s);
	test_golden(&s);
	test_dates_and_overrides(&s);
	test_matching_and_unpriced(&s);
	price_set_release(&s);
	return tap_done();
}
