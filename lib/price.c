#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "price.h"

#define PRICE_SET_INITIAL_CAP	256
/* Model names tried for one event (see price_set_match). */
#define PRICE_NAMES_MAX		3

static const char *const rate_names[RATE__MAX] = {
	"input", "output", "cache_read", "cache_write", "cache_write_1h",
	"reasoning",
};

const char *
price_rate_name(enum price_rate r)
{
	return r < RATE__MAX ? rate_names[r] : "?";
}

void
price_rate_set(struct price_rates *r, enum price_rate f, int64_t v)
{
	r->v[f] = v;
	r->present |= 1u << f;
}

void
price_release(struct price *p)
{
	free(p->model);
	free(p->provider);
	free(p->mode);
	memset(p, 0, sizeof(*p));
}

static int
tier_cmp(const void *a, const void *b)
{
	const struct price_tier	*x = a, *y = b;

	return (x->above_tokens > y->above_tokens) -
	    (x->above_tokens < y->above_tokens);
}

int
price_sort_tiers(struct price *p)
{
	size_t	i;

	qsort(p->tiers, p->ntiers, sizeof(p->tiers[0]), tier_cmp);
	for (i = 1; i < p->ntiers; i++)
		if (p->tiers[i].above_tokens == p->tiers[i - 1].above_tokens)
			return -1;
	return 0;
}

void
price_set_init(struct price_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
price_set_release(struct price_set *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		price_release(&s->p[i]);
	free(s->p);
	memset(s, 0, sizeof(*s));
}

struct price *
price_set_add(struct price_set *s)
{
	struct price	*p;
	size_t		 cap;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : PRICE_SET_INITIAL_CAP;
		if ((p = reallocarray(s->p, cap, sizeof(*p))) == NULL)
			return NULL;
		s->p = p;
		s->cap = cap;
	}
	p = &s->p[s->n++];
	memset(p, 0, sizeof(*p));
	p->to_us = PRICE_OPEN_END;
	return p;
}

static int
price_cmp(const void *a, const void *b)
{
	const struct price	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->model, y->model)) != 0)
		return c;
	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	return (x->from_us > y->from_us) - (x->from_us < y->from_us);
}

void
price_set_sort(struct price_set *s)
{
	qsort(s->p, s->n, sizeof(s->p[0]), price_cmp);
}

struct price *
price_set_by_id(struct price_set *s, uint32_t id)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].id == id)
			return &s->p[i];
	return NULL;
}

/* The first price of `model` in the sorted set, or s->n. */
static size_t
lower_bound(const struct price_set *s, const char *model)
{
	size_t	lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(s->p[mid].model, model) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The row of (model, org) in effect at at_us: with effective periods that
 * do not overlap there is at most one; if they do, the latest start wins.
 */
const struct price *
price_set_find(const struct price_set *s, const char *model, uint32_t org_id,
    int discount, int64_t at_us)
{
	const struct price	*best = NULL, *p;
	size_t			 i;

	for (i = lower_bound(s, model); i < s->n; i++) {
		p = &s->p[i];
		if (strcmp(p->model, model) != 0)
			break;
		if (p->org_id != org_id || (p->has_discount != 0) != discount ||
		    at_us < p->from_us || at_us >= p->to_us)
			continue;
		if (best == NULL || p->from_us >= best->from_us)
			best = p;
	}
	return best;
}

int
price_set_match(const struct price_set *s, uint32_t org_id, const char *model,
    const char *model_group, int64_t at_us, struct price_match *m)
{
	const char	*names[PRICE_NAMES_MAX];
	const char	*slash;
	size_t		 n = 0, i;

	memset(m, 0, sizeof(*m));
	if (model != NULL) {
		names[n++] = model;
		/* "openai/gpt-4o" -> "gpt-4o"; "a/b/c" -> "b/c" */
		if ((slash = strchr(model, '/')) != NULL && slash[1] != '\0')
			names[n++] = slash + 1;
	}
	if (model_group != NULL && (model == NULL ||
	    (strcmp(model_group, model) != 0 &&
	    (n < 2 || strcmp(model_group, names[1]) != 0))))
		names[n++] = model_group;

	if (org_id != 0)
		for (i = 0; i < n; i++)
			if ((m->rates = price_set_find(s, names[i], org_id, 0, at_us)) != NULL) {
				m->source = COST_SOURCE_OVERRIDE;
				return 1;
			}
	for (i = 0; i < n; i++)
		if ((m->rates = price_set_find(s, names[i], 0, 0, at_us)) != NULL)
			break;
	if (m->rates == NULL)
		return 0;
	m->source = COST_SOURCE_PRICE_TABLE;
	if (org_id == 0)
		return 1;
	for (i = 0; i < n && m->discount == NULL; i++)
		m->discount = price_set_find(s, names[i], org_id, 1, at_us);
	if (m->discount == NULL)
		m->discount = price_set_find(s, PRICE_ANY_MODEL, org_id, 1, at_us);
	if (m->discount != NULL)
		m->source = COST_SOURCE_OVERRIDE;
	return 1;
}
