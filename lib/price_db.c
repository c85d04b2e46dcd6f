#include "config.h"
#include "db_legacy.h"

#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "price_db.h"
#include "timefmt.h"

/* Text buffers for the DECIMAL and name columns read back. */
#define PRICE_DB_NUM_BYTES	48
#define PRICE_DB_TEXT_BYTES	(255 * 4 + 1)
/* The DECIMAL(9,6) discount column holds percent: ppm / 10^4. */
#define PRICE_DB_PCT_SCALE	4

/* Reads a price DECIMAL read as text into rates (NULL leaves it unset). */
static int
rate_from_text(struct price_rates *r, enum price_rate f, const char *text,
    int isnull, struct llmops_err *err)
{
	int64_t	v;

	if (isnull)
		return 0;
	if (decimal_parse(text, PRICE_SCALE_DIGITS, INT64_MAX, &v) != 0 || v < 0)
		return err_set(err, 500, "prices: cannot read the %s rate '%s'",
		    price_rate_name(f), text);
	price_rate_set(r, f, v);
	return 0;
}

static int
dupstr(char **out, const char *s, int isnull)
{
	*out = NULL;
	if (isnull)
		return 0;
	return (*out = strdup(s)) == NULL ? -1 : 0;
}

static int
price_cmp_id(const void *key, const void *elem)
{
	uint32_t		 id = *(const uint32_t *)key;
	const struct price	*p = elem;

	return (id > p->id) - (id < p->id);
}

static int
load_tiers(struct db *db, struct price_set *s, struct llmops_err *err)
{
	struct db_cols		 c;
	int64_t			 pid = 0, above = 0;
	char			 num[5][PRICE_DB_NUM_BYTES];
	struct price		*p;
	struct price_tier	*t;
	int			 rc, i;

	dbc_init(&c);
	dbc_i64(&c, &pid);
	dbc_i64(&c, &above);
	for (i = 0; i < 5; i++)
		dbc_str(&c, num[i], sizeof(num[i]));
	if (dbl_select(db, STMT_TIER_LOAD, NULL, &c, err) != 0)
		return -1;
	while ((rc = dbl_fetch(db, STMT_TIER_LOAD, &c, err)) == 1) {
		uint32_t	key = (uint32_t)pid;

		/* The set is still in id order here. */
		p = bsearch(&key, s->p, s->n, sizeof(s->p[0]), price_cmp_id);
		if (p == NULL)
			continue;
		if (p->ntiers == PRICE_TIERS_MAX) {
			rc = err_set(err, 500, "prices: price %u has more than %d "
			    "tiers", p->id, PRICE_TIERS_MAX);
			break;
		}
		t = &p->tiers[p->ntiers++];
		memset(t, 0, sizeof(*t));
		t->above_tokens = above;
		for (i = 0; i < 5; i++)
			if (rate_from_text(&t->rates, (enum price_rate)i, num[i],
			    dbc_null(&c, (unsigned)(2 + i)), err) != 0) {
				rc = -1;
				break;
			}
		if (rc < 0)
			break;
	}
	dbl_select_end(db, STMT_TIER_LOAD);
	return rc < 0 ? -1 : 0;
}

int
price_db_load(struct db *db, struct price_set *s, struct llmops_err *err)
{
	struct db_cols	 c;
	int64_t		 id = 0, org = 0, from = 0, to = 0, ppm;
	char		 model[PRICE_DB_TEXT_BYTES], provider[PRICE_DB_NUM_BYTES + 32];
	char		 mode[PRICE_DB_NUM_BYTES], num[7][PRICE_DB_NUM_BYTES];
	struct price	*p;
	int		 rc, i;

	price_set_init(s);
	if (db_ensure(db, err) != 0)
		return -1;
	dbc_init(&c);
	dbc_i64(&c, &id);
	dbc_i64(&c, &org);
	dbc_str(&c, model, sizeof(model));
	dbc_str(&c, provider, sizeof(provider));
	dbc_str(&c, mode, sizeof(mode));
	for (i = 0; i < 7; i++)
		dbc_str(&c, num[i], sizeof(num[i]));
	dbc_i64(&c, &from);
	dbc_i64(&c, &to);
	if (dbl_select(db, STMT_PRICE_LOAD, NULL, &c, err) != 0)
		return -1;
	while ((rc = dbl_fetch(db, STMT_PRICE_LOAD, &c, err)) == 1) {
		if ((p = price_set_add(s)) == NULL ||
		    dupstr(&p->model, model, 0) != 0 ||
		    dupstr(&p->provider, provider, dbc_null(&c, 3)) != 0 ||
		    dupstr(&p->mode, mode, dbc_null(&c, 4)) != 0) {
			rc = err_set(err, 500, "out of memory");
			break;
		}
		p->id = (uint32_t)id;
		p->org_id = (uint32_t)org;
		p->from_us = from;
		p->to_us = dbc_null(&c, 13) ? PRICE_OPEN_END : to;
		for (i = 0; i < RATE__MAX && rc == 1; i++)
			if (rate_from_text(&p->rates, (enum price_rate)i, num[i],
			    dbc_null(&c, (unsigned)(5 + i)), err) != 0)
				rc = -1;
		if (rc == 1 && !dbc_null(&c, 11)) {
			if (decimal_parse(num[6], PRICE_DB_PCT_SCALE, PRICE_PPM,
			    &ppm) != 0 || ppm < 0)
				rc = err_set(err, 500, "prices: bad discount '%s'",
				    num[6]);
			p->has_discount = 1;
			p->discount_ppm = ppm;
		}
		if (rc < 0)
			break;
	}
	dbl_select_end(db, STMT_PRICE_LOAD);
	if (rc < 0 || load_tiers(db, s, err) != 0) {
		price_set_release(s);
		return -1;
	}
	for (i = 0; (size_t)i < s->n; i++)
		price_sort_tiers(&s->p[i]);
	price_set_sort(s);
	return 0;
}

int
price_db_version(struct db *db, uint64_t *version, struct llmops_err *err)
{
	struct db_cols	c;
	int64_t		v = 0;
	int		rc;

	dbc_init(&c);
	dbc_i64(&c, &v);
	if (dbl_select(db, STMT_PRICE_VERSION, NULL, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, STMT_PRICE_VERSION, &c, err);
	dbl_select_end(db, STMT_PRICE_VERSION);
	if (rc < 0)
		return -1;
	*version = (uint64_t)v;
	return 0;
}

int
price_db_bump(struct db *db, struct llmops_err *err)
{
	return dbl_exec(db, STMT_PRICE_BUMP, NULL, NULL, NULL, err);
}

static void
bind_rates(struct db_params *p, const struct price_rates *r, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		dbp_decimal(p, RATE_HAS(r, i), r->v[i], PRICE_SCALE_DIGITS);
}

static int
add_once(struct db *db, struct price *pr, struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	int64_t			n = 0;
	uint64_t		id = 0;
	size_t			i;
	int			rc;

	dbp_init(&p);
	dbp_i64_opt(&p, pr->org_id != 0, pr->org_id);
	dbp_str(&p, pr->model);
	dbp_i64(&p, pr->has_discount ? 1 : 0);
	dbp_i64(&p, pr->from_us);
	dbc_init(&c);
	dbc_i64(&c, &n);
	if (dbl_select(db, STMT_PRICE_CONFLICT, &p, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, STMT_PRICE_CONFLICT, &c, err);
	dbl_select_end(db, STMT_PRICE_CONFLICT);
	if (rc < 0)
		return -1;
	if (n > 0)
		return err_set(err, 409, "a %s for %s already starts at or "
		    "after that time; choose a later --from", pr->has_discount ?
		    "discount" : "price", pr->model);

	dbp_init(&p);
	dbp_i64(&p, pr->from_us);
	dbp_i64_opt(&p, pr->org_id != 0, pr->org_id);
	dbp_str(&p, pr->model);
	dbp_i64(&p, pr->has_discount ? 1 : 0);
	dbp_i64(&p, pr->from_us);
	dbp_i64(&p, pr->from_us);
	if (dbl_exec(db, STMT_PRICE_CLOSE, &p, NULL, NULL, err) != 0)
		return -1;

	dbp_init(&p);
	dbp_i64_opt(&p, pr->org_id != 0, pr->org_id);
	dbp_str(&p, pr->model);
	dbp_str(&p, pr->provider);
	dbp_str(&p, pr->mode);
	bind_rates(&p, &pr->rates, RATE__MAX);
	dbp_decimal(&p, pr->has_discount, pr->discount_ppm, PRICE_DB_PCT_SCALE);
	dbp_i64(&p, pr->from_us);
	dbp_i64_opt(&p, pr->to_us != PRICE_OPEN_END, pr->to_us);
	dbp_i64(&p, time_now_us());
	if (dbl_exec(db, STMT_PRICE_INSERT, &p, NULL, &id, err) != 0)
		return -1;
	pr->id = (uint32_t)id;
	for (i = 0; i < pr->ntiers; i++) {
		dbp_init(&p);
		dbp_i64(&p, pr->id);
		dbp_i64(&p, pr->tiers[i].above_tokens);
		/* Tiers have no reasoning rate: the first five rates only. */
		bind_rates(&p, &pr->tiers[i].rates, RATE_REASONING);
		if (dbl_exec(db, STMT_TIER_INSERT, &p, NULL, NULL, err) != 0)
			return -1;
	}
	return price_db_bump(db, err);
}

int
price_db_add(struct db *db, struct price *pr, int in_tx, struct llmops_err *err)
{
	if (in_tx)
		return add_once(db, pr, err);
	if (db_ensure(db, err) != 0 || db_begin(db, err) != 0)
		return -1;
	if (add_once(db, pr, err) != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db, err);
}

static int
rates_equal(const struct price_rates *a, const struct price_rates *b)
{
	int	i;

	if (a->present != b->present)
		return 0;
	for (i = 0; i < RATE__MAX; i++)
		if (RATE_HAS(a, i) && a->v[i] != b->v[i])
			return 0;
	return 1;
}

static int
str_equal(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
price_equal(const struct price *a, const struct price *b)
{
	size_t	i;

	if (!rates_equal(&a->rates, &b->rates) || a->ntiers != b->ntiers ||
	    a->has_discount != b->has_discount ||
	    (a->has_discount && a->discount_ppm != b->discount_ppm) ||
	    !str_equal(a->provider, b->provider) || !str_equal(a->mode, b->mode))
		return 0;
	for (i = 0; i < a->ntiers; i++)
		if (a->tiers[i].above_tokens != b->tiers[i].above_tokens ||
		    !rates_equal(&a->tiers[i].rates, &b->tiers[i].rates))
			return 0;
	return 1;
}
