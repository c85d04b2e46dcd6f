/*
 * The cost of one call from our prices, and which cost counts.
 *
 * Our cost, in USD, following LiteLLM's own rules (see the payload
 * reference, section 5):
 *   uncached input = prompt - cache read - cache write (prompt_tokens
 *                    already includes cached tokens, for OpenAI and, since
 *                    LiteLLM 1.77, for Anthropic: never count them twice)
 *   input  = uncached x input + cache read x cache_read
 *            + 5-minute writes x cache_write + 1-hour writes x cache_write_1h
 *   output = (completion - reasoning) x output + reasoning x reasoning
 * where a missing cache or reasoning rate falls back to the input, cache
 * write or output rate, and above a tier's prompt size the tier's rates
 * replace the base ones. An organization discount multiplies the result.
 * The sum is exact (integers of 1e-18 USD, 128-bit) and rounded once, half
 * up, to 1e-12 USD: the unit every stored cost has, so rollups are sums of
 * exactly the stored event costs.
 */
#ifndef LLMOPS_PRICING_H
#define LLMOPS_PRICING_H

#include <stdint.h>

#include "event.h"
#include "price.h"

/* Which cost counts when both exist (configuration cost.prefer). */
enum cost_prefer {
	COST_PREFER_OURS,	/* ours when we have a price, else LiteLLM's */
	COST_PREFER_LITELLM,	/* LiteLLM's when usable, else ours */
	COST_PREFER__MAX
};

int	cost_prefer_parse(const char *, enum cost_prefer *);

/*
 * Our cost of ev in 1e-12 USD at the rates of `rates`, less `discount`
 * (may be NULL). Returns 0, or -1 when the result is beyond
 * LIMIT_COST_USD_MAX (absurd counts).
 */
int	pricing_cost(const struct price *rates, const struct price *discount,
	    const struct usage_event *ev, int64_t *cost_pico);

/*
 * LiteLLM reports 0.0 both for free and for unknown: its cost is usable
 * when positive, or 0 for a call that used no tokens or failed.
 */
int	pricing_litellm_usable(const struct usage_event *ev);

/*
 * Prices ev for its organization (ev->org_id): sets EV_OUR_COST,
 * price_id, discount_id, and the cost that counts (EV_COST, absent when
 * unpriced) with its cost_source.
 */
void	pricing_apply(const struct price_set *, enum cost_prefer,
	    struct usage_event *ev);

#endif
