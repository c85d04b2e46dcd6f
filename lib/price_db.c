#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "audit.h"
#include "db_price.h"
#include "price_db.h"
#include "timefmt.h"

static int
read_txn(struct db *db, void *arg, struct llmops_err *err)
{
	return db_price_load(db, arg, err);
}

int
price_db_load(struct db *db, struct price_set *s, struct llmops_err *err)
{
	price_set_init(s);
	return db_txn(db, DB_READ, read_txn, s, err);
}

/* Adds p in the caller's transaction: see price_db_set. */
static int
add(struct db *db, struct price *p, struct llmops_err *err)
{
	int64_t	n = 0;

	if (db_price_conflicts(db, p, &n, err) != 0)
		return -1;
	if (n > 0)
		return err_set(err, 409, "a %s for %s already starts at or "
		    "after that time; choose a later --from", p->has_discount ?
		    "discount" : "price", p->model);
	if (db_price_close(db, p, err) != 0 ||
	    db_price_insert(db, p, time_now_us(), err) != 0)
		return -1;
	return db_price_bump(db, err);
}

struct price_change {
	const char		*actor;
	struct price		*p;		/* set */
	struct price_set	*in;		/* import */
	const char		*file;
	struct json_object	*details;	/* one reference per run */
	size_t			 added, same;
};

static int
set_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct price_change	*c = arg;

	if (add(db, c->p, err) != 0)
		return -1;
	return audit_record(db, c->actor, c->p->org_id, c->p->has_discount ?
	    "prices.discount" : "prices.set", c->p->model,
	    json_object_get(c->details), err);
}

int
price_db_set(struct db *db, const char *actor, struct price *p,
    struct json_object *details, struct llmops_err *err)
{
	struct price_change	c;
	int			rc;

	memset(&c, 0, sizeof(c));
	c.actor = actor;
	c.p = p;
	c.details = details;
	rc = db_txn(db, DB_WRITE, set_txn, &c, err);
	json_object_put(details);
	return rc;
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

/* Same rates, tiers, provider, mode and discount. */
static int
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

static int
import_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct price_change	*c = arg;
	struct price_set	 cur;
	struct json_object	*d;
	const struct price	*old;
	struct price		*p;
	size_t			 i;
	int			 rc = -1;

	c->added = c->same = 0;
	if (db_price_load(db, &cur, err) != 0)
		return -1;
	for (i = 0; i < c->in->n; i++) {
		p = &c->in->p[i];
		old = price_set_find(&cur, p->model, 0, 0, p->from_us);
		if (old != NULL && price_equal(old, p)) {
			c->same++;
			continue;
		}
		if (add(db, p, err) != 0)
			goto out;
		c->added++;
	}
	d = json_object_new_object();
	json_object_object_add(d, "file", json_object_new_string(c->file));
	json_object_object_add(d, "added",
	    json_object_new_int64((int64_t)c->added));
	json_object_object_add(d, "unchanged",
	    json_object_new_int64((int64_t)c->same));
	rc = audit_record(db, c->actor, 0, "prices.import", NULL, d, err);
out:
	price_set_release(&cur);
	return rc;
}

int
price_db_import(struct db *db, const char *actor, struct price_set *in,
    const char *file, size_t *added, size_t *same, struct llmops_err *err)
{
	struct price_change	c;

	memset(&c, 0, sizeof(c));
	c.actor = actor;
	c.in = in;
	c.file = file;
	if (db_txn(db, DB_WRITE, import_txn, &c, err) != 0)
		return -1;
	*added = c.added;
	*same = c.same;
	return 0;
}
