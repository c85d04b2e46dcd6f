#include "config.h"

#include <string.h>

#include "llmops_limits.h"
#include "pricing.h"

/* 1e-18 (price units x tokens) to 1e-12 (stored cost units). */
#define PRICING_TO_PICO	1000000

static const char *const prefer_names[COST_PREFER__MAX] = {
	"ours", "litellm",
};

int
cost_prefer_parse(const char *s, enum cost_prefer *out)
{
	int	i;

	for (i = 0; i < COST_PREFER__MAX; i++)
		if (strcmp(s, prefer_names[i]) == 0) {
			*out = (enum cost_prefer)i;
			return 0;
		}
	return -1;
}

static int64_t
count(const struct usage_event *ev, enum event_num f)
{
	return EVENT_HAS(ev, f) && ev->num[f] > 0 ? ev->num[f] : 0;
}

/* The rate f: the tier's, else the base price's, else a fallback rate. */
static int
rate(const struct price *p, const struct price_tier *t, enum price_rate f,
    int64_t *out)
{
	if (t != NULL && RATE_HAS(&t->rates, f)) {
		*out = t->rates.v[f];
		return 1;
	}
	if (RATE_HAS(&p->rates, f)) {
		*out = p->rates.v[f];
		return 1;
	}
	return 0;
}

int
pricing_cost(const struct price *p, const struct price *discount,
    const struct usage_event *ev, int64_t *cost_pico)
{
	const struct price_tier	*tier = NULL;
	int64_t			 prompt, completion, cread, cwrite, cwrite_1h;
	int64_t			 reasoning, uncached, r_in = 0, r_out = 0, r;
	__int128		 atto = 0, pico;
	size_t			 i;

	prompt = count(ev, EV_PROMPT_TOKENS);
	completion = count(ev, EV_COMPLETION_TOKENS);
	cread = count(ev, EV_CACHE_READ_TOKENS);
	cwrite = count(ev, EV_CACHE_WRITE_TOKENS);
	cwrite_1h = count(ev, EV_CACHE_WRITE_1H_TOKENS);
	reasoning = count(ev, EV_REASONING_TOKENS);
	if (cwrite_1h > cwrite)
		cwrite = cwrite_1h;
	if (reasoning > completion)
		reasoning = completion;
	/* The highest tier the prompt is above. */
	for (i = 0; i < p->ntiers; i++)
		if (prompt > p->tiers[i].above_tokens)
			tier = &p->tiers[i];
	rate(p, tier, RATE_INPUT, &r_in);
	rate(p, tier, RATE_OUTPUT, &r_out);

	/* Older LiteLLMs left cache writes out of prompt_tokens: never negative. */
	uncached = prompt - cread - cwrite;
	if (uncached < 0)
		uncached = 0;
	atto += (__int128)uncached * r_in;
	if (!rate(p, tier, RATE_CACHE_READ, &r))
		r = r_in;
	atto += (__int128)cread * r;
	if (!rate(p, tier, RATE_CACHE_WRITE, &r))
		r = r_in;
	atto += (__int128)(cwrite - cwrite_1h) * r;
	if (!rate(p, tier, RATE_CACHE_WRITE_1H, &r) &&
	    !rate(p, tier, RATE_CACHE_WRITE, &r))
		r = r_in;
	atto += (__int128)cwrite_1h * r;
	if (rate(p, tier, RATE_REASONING, &r)) {
		atto += (__int128)(completion - reasoning) * r_out;
		atto += (__int128)reasoning * r;
	} else
		atto += (__int128)completion * r_out;

	/* One rounding, half up, after the discount. */
	if (discount != NULL && discount->has_discount) {
		atto *= PRICE_PPM - discount->discount_ppm;
		pico = (atto + (__int128)PRICING_TO_PICO * PRICE_PPM / 2) /
		    ((__int128)PRICING_TO_PICO * PRICE_PPM);
	} else
		pico = (atto + PRICING_TO_PICO / 2) / PRICING_TO_PICO;
	if (pico < 0 || pico > (__int128)LIMIT_COST_USD_MAX * 1000000000000LL)
		return -1;
	*cost_pico = (int64_t)pico;
	return 0;
}

int
pricing_litellm_usable(const struct usage_event *ev)
{
	if (!EVENT_HAS(ev, EV_LITELLM_COST))
		return 0;
	if (ev->num[EV_LITELLM_COST] > 0)
		return 1;
	return ev->status == EVENT_STATUS_FAILURE ||
	    (count(ev, EV_PROMPT_TOKENS) == 0 &&
	    count(ev, EV_COMPLETION_TOKENS) == 0 &&
	    count(ev, EV_TOTAL_TOKENS) == 0);
}

void
pricing_apply(const struct price_set *set, enum cost_prefer prefer,
    struct usage_event *ev)
{
	struct price_match	m;
	int64_t			ours = 0;
	int			have_ours = 0, have_litellm;

	ev->present &= ~((1u << EV_OUR_COST) | (1u << EV_COST));
	ev->price_id = ev->discount_id = 0;
	ev->cost_source = COST_SOURCE_UNPRICED;

	if (price_set_match(set, ev->org_id, ev->model, ev->model_group,
	    usage_event_time(ev), &m) &&
	    pricing_cost(m.rates, m.discount, ev, &ours) == 0) {
		have_ours = 1;
		usage_event_set(ev, EV_OUR_COST, ours);
		ev->price_id = m.rates->id;
		ev->discount_id = m.discount ? m.discount->id : 0;
	}
	have_litellm = pricing_litellm_usable(ev);
	if (have_ours && (prefer == COST_PREFER_OURS || !have_litellm)) {
		usage_event_set(ev, EV_COST, ours);
		ev->cost_source = m.source;
	} else if (have_litellm) {
		usage_event_set(ev, EV_COST, ev->num[EV_LITELLM_COST]);
		ev->cost_source = COST_SOURCE_LITELLM;
	}
}
