/*
 * Prices: USD per token as exact integers (units of 1e-18 USD), with
 * tiers above a prompt size, effective dates, and the organization
 * overrides (explicit prices or a discount on the default table). A
 * price_set is an in-memory copy of the prices table, sorted for lookup;
 * matching an event to its price is pure and unit-tested.
 */
#ifndef LLMOPS_PRICE_H
#define LLMOPS_PRICE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Prices are integers of 10^-PRICE_SCALE_DIGITS USD per token. */
#define PRICE_SCALE_DIGITS	18
/* Tiers of one price (LiteLLM has 128k and 200k today). */
#define PRICE_TIERS_MAX		8
/* Discounts are millionths of one: 10% = 100000. */
#define PRICE_PPM		1000000LL
/* effective_to of an open price. */
#define PRICE_OPEN_END		INT64_MAX
/* The model of an organization-wide discount. */
#define PRICE_ANY_MODEL		"*"

enum price_rate {
	RATE_INPUT,
	RATE_OUTPUT,
	RATE_CACHE_READ,
	RATE_CACHE_WRITE,	/* 5-minute cache writes (the default TTL) */
	RATE_CACHE_WRITE_1H,	/* 1-hour cache writes */
	RATE_REASONING,		/* reasoning output tokens */
	RATE__MAX
};

struct price_rates {
	int64_t		v[RATE__MAX];
	unsigned	present;	/* 1u << enum price_rate */
};

#define RATE_HAS(r, f)	(((r)->present >> (f)) & 1u)

struct price_tier {
	int64_t			above_tokens;	/* prompt tokens > this */
	struct price_rates	rates;
};

struct price {
	uint32_t		 id;
	uint32_t		 org_id;	/* 0: the default table */
	char			*model;
	char			*provider;	/* NULL when unknown */
	char			*mode;
	struct price_rates	 rates;
	struct price_tier	 tiers[PRICE_TIERS_MAX];
	size_t			 ntiers;	/* ascending above_tokens */
	int			 has_discount;
	int64_t			 discount_ppm;	/* of one: 10% = 100000 */
	int64_t			 from_us;	/* inclusive */
	int64_t			 to_us;		/* exclusive; PRICE_OPEN_END */
};

struct price_set {
	struct price	*p;		/* owned; sorted by price_set_sort */
	size_t		 n, cap;
};

/* What price_set_match found for one event. */
struct price_match {
	const struct price	*rates;		/* NULL: no price of ours */
	const struct price	*discount;	/* NULL: none */
	enum cost_source	 source;	/* PRICE_TABLE or OVERRIDE */
};

const char	*price_rate_name(enum price_rate);
void		 price_rate_set(struct price_rates *, enum price_rate, int64_t);
void		 price_release(struct price *);
/* Tiers sorted by above_tokens; -1 when two tiers share a threshold. */
int		 price_sort_tiers(struct price *);

void		 price_set_init(struct price_set *);
void		 price_set_release(struct price_set *);
/* A zeroed slot at the end of the set (owned by it), or NULL. */
struct price	*price_set_add(struct price_set *);
void		 price_set_sort(struct price_set *);
/* Finds a price by id (linear); NULL if none. */
struct price	*price_set_by_id(struct price_set *, uint32_t id);

/* The row of (model, org, kind) in effect at at_us, or NULL. */
const struct price *price_set_find(const struct price_set *, const char *model,
		    uint32_t org_id, int discount, int64_t at_us);

/*
 * The price of a call of `model` (and `model_group`) by organization
 * org_id at time at_us. Names tried, in order: the model as LiteLLM sent
 * it ("openai/gpt-4o"), the model without its provider prefix ("gpt-4o"),
 * the model group (the name the client asked for). For each: the
 * organization's explicit price first; then the default table, with the
 * organization's discount for that name, else its discount for every
 * model ("*"). Returns 1 with *m filled, or 0 when nothing matches.
 */
int		 price_set_match(const struct price_set *, uint32_t org_id,
		    const char *model, const char *model_group, int64_t at_us,
		    struct price_match *m);

#endif
