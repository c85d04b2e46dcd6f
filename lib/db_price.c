/* The prices, price_tiers and price_version tables: see db_price.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_price.h"
#include "decimal.h"

/* Text buffers for the DECIMAL and name columns read back. */
#define PRICE_DB_NUM_BYTES	48
#define PRICE_DB_TEXT_BYTES	(255 * 4 + 1)
/* The DECIMAL(9,6) discount column holds percent: ppm / 10^4. */
#define PRICE_DB_PCT_SCALE	4
/* Rows per INSERT statement of a seed migration. */
#define PRICE_SQL_ROWS	200

enum {
	STMT_PRICE_VERSION,
	STMT_PRICE_BUMP,
	STMT_PRICE_LOAD,
	STMT_TIER_LOAD,
	STMT_PRICE_CONFLICT,
	STMT_PRICE_CLOSE,
	STMT_PRICE_INSERT,
	STMT_TIER_INSERT,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_PRICE_VERSION] = { "price.version",
	    "SELECT version FROM price_version WHERE id = 1" },
	[STMT_PRICE_BUMP] = { "price.bump",
	    "UPDATE price_version SET version = version + 1 WHERE id = 1" },
	/* Ordered by id for load_tiers' search; rates as enum price_rate */
	[STMT_PRICE_LOAD] = { "price.load",
	    "SELECT id, COALESCE(org_id, 0), model, provider, mode, "
	    "CAST(input AS CHAR), CAST(output AS CHAR), "
	    "CAST(cache_read AS CHAR), CAST(cache_write AS CHAR), "
	    "CAST(cache_write_1h AS CHAR), CAST(reasoning AS CHAR), "
	    "CAST(discount_pct AS CHAR), effective_from_us, effective_to_us "
	    "FROM prices ORDER BY id" },
	[STMT_TIER_LOAD] = { "price_tier.load",
	    "SELECT price_id, above_tokens, CAST(input AS CHAR), "
	    "CAST(output AS CHAR), CAST(cache_read AS CHAR), "
	    "CAST(cache_write AS CHAR), CAST(cache_write_1h AS CHAR) "
	    "FROM price_tiers ORDER BY price_id, above_tokens" },
	/* Rows of the same kind starting at or after */
	[STMT_PRICE_CONFLICT] = { "price.conflict",
	    "SELECT COUNT(*) FROM prices WHERE org_id <=> ? AND model = ? AND "
	    "(discount_pct IS NOT NULL) = ? AND effective_from_us >= ?" },
	[STMT_PRICE_CLOSE] = { "price.close",
	    "UPDATE prices SET effective_to_us = ? WHERE org_id <=> ? AND "
	    "model = ? AND (discount_pct IS NOT NULL) = ? AND "
	    "effective_from_us < ? AND (effective_to_us IS NULL OR "
	    "effective_to_us > ?)" },
	/* The rates in the order of enum price_rate */
	[STMT_PRICE_INSERT] = { "price.insert",
	    "INSERT INTO prices (org_id, model, provider, mode, input, output, "
	    "cache_read, cache_write, cache_write_1h, reasoning, discount_pct, "
	    "effective_from_us, effective_to_us, created_us) VALUES (?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
	/* The first five rates of enum price_rate (no reasoning) */
	[STMT_TIER_INSERT] = { "price_tier.insert",
	    "INSERT INTO price_tiers (price_id, above_tokens, input, output, "
	    "cache_read, cache_write, cache_write_1h) VALUES (?, ?, ?, ?, ?, ?, "
	    "?)" },
};

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

/*
 * The first n rates of the row just fetched, from columns first.. of q
 * (text in num), into r.
 */
static int
rates_from_row(const struct db_q *q, unsigned first,
    char num[][PRICE_DB_NUM_BYTES], int n, struct price_rates *r,
    struct llmops_err *err)
{
	int	i;

	for (i = 0; i < n; i++)
		if (rate_from_text(r, (enum price_rate)i, num[i],
		    db_col_null(q, first + (unsigned)i), err) != 0)
			return -1;
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
	struct db_q		*q = db_q(db, &stmts[STMT_TIER_LOAD], err);
	int64_t			 pid = 0, above = 0;
	char			 num[5][PRICE_DB_NUM_BYTES];
	struct price		*p;
	struct price_tier	*t;
	int			 rc, i;

	db_col_i64(q, &pid);
	db_col_i64(q, &above);
	for (i = 0; i < 5; i++)
		db_col_str(q, num[i], sizeof(num[i]));
	if (db_select(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
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
		if (rates_from_row(q, 2, num, 5, &t->rates, err) != 0) {
			rc = -1;
			break;
		}
	}
	db_end(q);
	return rc < 0 ? -1 : 0;
}

int
db_price_load(struct db *db, struct price_set *s, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_PRICE_LOAD], err);
	int64_t		 id = 0, org = 0, from = 0, to = 0, ppm;
	char		 model[PRICE_DB_TEXT_BYTES], provider[PRICE_DB_NUM_BYTES + 32];
	char		 mode[PRICE_DB_NUM_BYTES], num[7][PRICE_DB_NUM_BYTES];
	struct price	*p;
	int		 rc, i;

	price_set_init(s);
	db_col_i64(q, &id);
	db_col_i64(q, &org);
	db_col_str(q, model, sizeof(model));
	db_col_str(q, provider, sizeof(provider));
	db_col_str(q, mode, sizeof(mode));
	for (i = 0; i < 7; i++)
		db_col_str(q, num[i], sizeof(num[i]));
	db_col_i64(q, &from);
	db_col_i64(q, &to);
	if (db_select(q, err) != 0)
		return -1;
	while ((rc = db_fetch(q, err)) == 1) {
		if ((p = price_set_add(s)) == NULL ||
		    dupstr(&p->model, model, 0) != 0 ||
		    dupstr(&p->provider, provider, db_col_null(q, 3)) != 0 ||
		    dupstr(&p->mode, mode, db_col_null(q, 4)) != 0) {
			rc = err_set(err, 500, "out of memory");
			break;
		}
		p->id = (uint32_t)id;
		p->org_id = (uint32_t)org;
		p->from_us = from;
		p->to_us = db_col_null(q, 13) ? PRICE_OPEN_END : to;
		if (rates_from_row(q, 5, num, RATE__MAX, &p->rates, err) != 0)
			rc = -1;
		if (rc == 1 && !db_col_null(q, 11)) {
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
	db_end(q);
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
db_price_version(struct db *db, uint64_t *version, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_PRICE_VERSION], err);
	int64_t		 v = 0;

	db_col_i64(q, &v);
	if (db_one(q, err) < 0)
		return -1;
	*version = (uint64_t)v;
	return 0;
}

int
db_price_bump(struct db *db, struct llmops_err *err)
{
	return db_exec(db_q(db, &stmts[STMT_PRICE_BUMP], err), NULL, NULL, err);
}

/* The organization, model and kind of p: what price.conflict and price.close match. */
static void
bind_kind(struct db_q *q, const struct price *p)
{
	db_bind_i64_opt(q, p->org_id != 0, p->org_id);
	db_bind_str(q, p->model);
	db_bind_i64(q, p->has_discount ? 1 : 0);
}

int
db_price_conflicts(struct db *db, const struct price *p, int64_t *n,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_PRICE_CONFLICT], err);

	*n = 0;
	bind_kind(q, p);
	db_bind_i64(q, p->from_us);
	db_col_i64(q, n);
	return db_one(q, err) < 0 ? -1 : 0;
}

int
db_price_close(struct db *db, const struct price *p, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_PRICE_CLOSE], err);

	db_bind_i64(q, p->from_us);
	bind_kind(q, p);
	db_bind_i64(q, p->from_us);
	db_bind_i64(q, p->from_us);
	return db_exec(q, NULL, NULL, err);
}

static void
bind_rates(struct db_q *q, const struct price_rates *r, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		db_bind_decimal(q, RATE_HAS(r, i), r->v[i], PRICE_SCALE_DIGITS);
}

int
db_price_insert(struct db *db, struct price *p, int64_t created_us,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_PRICE_INSERT], err);
	uint64_t	 id = 0;
	size_t		 i;

	db_bind_i64_opt(q, p->org_id != 0, p->org_id);
	db_bind_str(q, p->model);
	db_bind_str(q, p->provider);
	db_bind_str(q, p->mode);
	bind_rates(q, &p->rates, RATE__MAX);
	db_bind_decimal(q, p->has_discount, p->discount_ppm, PRICE_DB_PCT_SCALE);
	db_bind_i64(q, p->from_us);
	db_bind_i64_opt(q, p->to_us != PRICE_OPEN_END, p->to_us);
	db_bind_i64(q, created_us);
	if (db_exec(q, NULL, &id, err) != 0)
		return -1;
	p->id = (uint32_t)id;
	for (i = 0; i < p->ntiers; i++) {
		q = db_q(db, &stmts[STMT_TIER_INSERT], err);
		db_bind_i64(q, p->id);
		db_bind_i64(q, p->tiers[i].above_tokens);
		/* Tiers have no reasoning rate: the first five rates only. */
		bind_rates(q, &p->tiers[i].rates, RATE_REASONING);
		if (db_exec(q, NULL, NULL, err) != 0)
			return -1;
	}
	return 0;
}

/* --- a seed migration: SQL text, not statements run here */

/* A SQL string literal: quotes doubled, backslashes doubled, no controls. */
static void
sql_string(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("NULL", f);
		return;
	}
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			fputc(*s, f);
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
	}
	fputc('\'', f);
}

static void
sql_rate(FILE *f, const struct price_rates *r, enum price_rate k)
{
	char	buf[48];

	if (!RATE_HAS(r, k) ||
	    decimal_format(r->v[k], PRICE_SCALE_DIGITS, buf, sizeof(buf)) != 0)
		fputs(", NULL", f);
	else
		fprintf(f, ", %s", buf);
}

/* Starts a new multi-row INSERT every PRICE_SQL_ROWS rows. */
static void
sql_row_start(FILE *f, size_t row, const char *insert)
{
	if (row % PRICE_SQL_ROWS != 0) {
		fputs(",\n", f);
		return;
	}
	if (row > 0)
		fputs(";\n", f);
	fputs(insert, f);
}

int
db_price_write_seed(const struct price_set *set, FILE *f)
{
	static const char prices_insert[] = "INSERT INTO prices (id, org_id, "
	    "model, provider, mode, input, output, cache_read, cache_write, "
	    "cache_write_1h, reasoning, effective_from_us, created_us) VALUES\n";
	static const char tiers_insert[] = "INSERT INTO price_tiers (price_id, "
	    "above_tokens, input, output, cache_read, cache_write, "
	    "cache_write_1h) VALUES\n";
	size_t	i, j, rows = 0;
	int	k;

	for (i = 0; i < set->n; i++) {
		const struct price	*p = &set->p[i];

		sql_row_start(f, i, prices_insert);
		fprintf(f, "(%zu, NULL, ", i + 1);
		sql_string(f, p->model);
		fputs(", ", f);
		sql_string(f, p->provider);
		fputs(", ", f);
		sql_string(f, p->mode);
		for (k = 0; k < RATE__MAX; k++)
			sql_rate(f, &p->rates, (enum price_rate)k);
		fprintf(f, ", %lld, 0)", (long long)p->from_us);
	}
	if (set->n > 0)
		fputs(";\n", f);
	for (i = 0; i < set->n; i++)
		for (j = 0; j < set->p[i].ntiers; j++) {
			const struct price_tier	*t = &set->p[i].tiers[j];

			sql_row_start(f, rows++, tiers_insert);
			fprintf(f, "(%zu, %lld", i + 1, (long long)t->above_tokens);
			/* Tiers have no reasoning rate. */
			for (k = 0; k < RATE_REASONING; k++)
				sql_rate(f, &t->rates, (enum price_rate)k);
			fputc(')', f);
		}
	if (rows > 0)
		fputs(";\n", f);
	fputs("UPDATE price_version SET version = version + 1 WHERE id = 1;\n", f);
	return ferror(f) ? -1 : 0;
}
