#include "config.h"
#include "db_legacy.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dash.h"
#include "decimal.h"
#include "timefmt.h"

static const char *const dim_names[DIM__MAX] = {
	"source", "department", "team", "agent", "model", "provider", "status",
};

static const enum stmt by_stmt[DIM__MAX] = {
	STMT_DASH_BY_SOURCE, STMT_DASH_BY_DEPARTMENT, STMT_DASH_BY_TEAM,
	STMT_DASH_BY_AGENT, STMT_DASH_BY_MODEL, STMT_DASH_BY_PROVIDER,
	STMT_DASH_BY_STATUS,
};
static const enum stmt hour_by_stmt[DIM__MAX] = {
	STMT_DASH_SERIES_HOUR_BY_SOURCE, STMT_DASH_SERIES_HOUR_BY_DEPARTMENT,
	STMT_DASH_SERIES_HOUR_BY_TEAM, STMT_DASH_SERIES_HOUR_BY_AGENT,
	STMT_DASH_SERIES_HOUR_BY_MODEL, STMT_DASH_SERIES_HOUR_BY_PROVIDER,
	STMT_DASH_SERIES_HOUR_BY_STATUS,
};
static const enum stmt day_by_stmt[DIM__MAX] = {
	STMT_DASH_SERIES_DAY_BY_SOURCE, STMT_DASH_SERIES_DAY_BY_DEPARTMENT,
	STMT_DASH_SERIES_DAY_BY_TEAM, STMT_DASH_SERIES_DAY_BY_AGENT,
	STMT_DASH_SERIES_DAY_BY_MODEL, STMT_DASH_SERIES_DAY_BY_PROVIDER,
	STMT_DASH_SERIES_DAY_BY_STATUS,
};
static const enum stmt p95_by_stmt[DIM__MAX] = {
	STMT_DASH_P95_BY_SOURCE, STMT_DASH_P95_BY_DEPARTMENT,
	STMT_DASH_P95_BY_TEAM, STMT_DASH_P95_BY_AGENT, STMT_DASH_P95_BY_MODEL,
	STMT_DASH_P95_BY_PROVIDER, STMT_DASH_P95_BY_STATUS,
};

/* The values source and status can take (not in dimension_values). */
static const char *const sources[] = { "litellm", NULL };
static const char *const statuses[] = { "success", "failure", NULL };

const char *
dim_name(enum dim d)
{
	return d < DIM__MAX ? dim_names[d] : "?";
}

int
dim_parse(const char *s, enum dim *out)
{
	int	i;

	for (i = 0; i < DIM__MAX; i++)
		if (strcmp(s, dim_names[i]) == 0) {
			*out = (enum dim)i;
			return 0;
		}
	return -1;
}

void
dash_filter_init(struct dash_filter *f, uint32_t org_id, int64_t since_us,
    int64_t until_us)
{
	memset(f, 0, sizeof(*f));
	f->org_id = org_id;
	f->since_us = since_us;
	f->until_us = until_us;
}

/* org_id, the range and the filters, in the order of DASH_FILTER. */
static void
bind_filter(struct db_params *p, const struct dash_filter *f, int hourly)
{
	int64_t	since = f->since_us, until = f->until_us;
	int	i;

	/* Rollups have whole hours: the range is widened to them. */
	if (hourly)
		time_widen_to_hours(&since, &until);
	dbp_i64(p, f->org_id);
	dbp_i64(p, since);
	dbp_i64(p, until);
	for (i = 0; i < DIM__MAX; i++) {
		dbp_i64(p, f->set[i] ? 1 : 0);
		dbp_str(p, f->set[i] ? f->value[i] : NULL);
	}
}

/* Binds the USAGE_SUMS columns into s. */
static void
bind_sums(struct db_cols *c, struct dash_sums *s, int64_t *our_events,
    int64_t *litellm_events)
{
	dbc_i64(c, &s->requests);
	dbc_i64(c, &s->errors);
	dbc_i64(c, &s->prompt_tokens);
	dbc_i64(c, &s->completion_tokens);
	dbc_i64(c, &s->total_tokens);
	dbc_i64(c, &s->cache_read_tokens);
	dbc_i64(c, &s->cache_write_tokens);
	dbc_i64(c, &s->reasoning_tokens);
	dbc_str(c, s->cost, sizeof(s->cost));
	dbc_i64(c, &s->priced_requests);
	dbc_str(c, s->our_cost, sizeof(s->our_cost));
	dbc_i64(c, our_events);
	dbc_str(c, s->litellm_cost, sizeof(s->litellm_cost));
	dbc_i64(c, litellm_events);
	dbc_i64(c, &s->latency_us_sum);
	dbc_i64(c, &s->latency_count);
	dbc_i64(c, &s->ttft_us_sum);
	dbc_i64(c, &s->ttft_count);
}

/* SUM over no rows is NULL: an empty range reads as zeros. */
static void
sums_fix_nulls(const struct db_cols *c, unsigned first, struct dash_sums *s)
{
	if (dbc_null(c, first)) {
		memset(s, 0, sizeof(*s));
		strcpy(s->cost, "0");
		strcpy(s->our_cost, "0");
		strcpy(s->litellm_cost, "0");
	}
}

int
dash_totals(struct db *db, const struct dash_filter *f, struct dash_sums *s,
    struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	int64_t			oe = 0, le = 0;
	int			rc;

	memset(s, 0, sizeof(*s));
	if (db_ensure(db, err) != 0)
		return -1;
	dbp_init(&p);
	bind_filter(&p, f, 1);
	dbc_init(&c);
	bind_sums(&c, s, &oe, &le);
	if (dbl_select(db, STMT_DASH_TOTALS, &p, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, STMT_DASH_TOTALS, &c, err);
	dbl_select_end(db, STMT_DASH_TOTALS);
	if (rc < 0)
		return -1;
	sums_fix_nulls(&c, 0, s);
	return 0;
}

/* Runs a grouped statement whose rows are (bucket, key, USAGE_SUMS). */
static int
grouped(struct db *db, enum stmt st, const struct dash_filter *f,
    int (*cb)(const struct dash_row *, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	 p;
	struct db_cols		 c;
	struct dash_row		*r;
	int64_t			 oe = 0, le = 0;
	int			 rc;

	if (db_ensure(db, err) != 0)
		return -1;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return err_set(err, 500, "out of memory");
	dbp_init(&p);
	bind_filter(&p, f, 1);
	dbc_init(&c);
	dbc_i64(&c, &r->bucket_us);
	dbc_str(&c, r->key, sizeof(r->key));
	bind_sums(&c, &r->s, &oe, &le);
	if ((rc = dbl_select(db, st, &p, &c, err)) == 0) {
		while ((rc = dbl_fetch(db, st, &c, err)) == 1) {
			r->key_null = dbc_null(&c, 1);
			if (r->key_null)
				r->key[0] = '\0';
			if (cb(r, arg) != 0)
				break;
		}
		dbl_select_end(db, st);
	}
	free(r);
	return rc < 0 ? -1 : 0;
}

int
dash_by(struct db *db, const struct dash_filter *f, enum dim d,
    int (*cb)(const struct dash_row *, void *), void *arg,
    struct llmops_err *err)
{
	if (d >= DIM__MAX)
		return err_set(err, 400, "no such dimension");
	return grouped(db, by_stmt[d], f, cb, arg, err);
}

int
dash_series(struct db *db, const struct dash_filter *f, int daily,
    enum dim split, int (*cb)(const struct dash_row *, void *), void *arg,
    struct llmops_err *err)
{
	enum stmt	st;

	if (split >= DIM__MAX)
		st = daily ? STMT_DASH_SERIES_DAY : STMT_DASH_SERIES_HOUR;
	else
		st = daily ? day_by_stmt[split] : hour_by_stmt[split];
	return grouped(db, st, f, cb, arg, err);
}

/* Rows of (bucket, class, code, model, provider, requests). */
static int
error_rows(struct db *db, enum stmt st, const struct dash_filter *f,
    int (*cb)(const struct dash_error_row *, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	 p;
	struct db_cols		 c;
	struct dash_error_row	*r;
	int			 rc;

	if (db_ensure(db, err) != 0)
		return -1;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return err_set(err, 500, "out of memory");
	dbp_init(&p);
	bind_filter(&p, f, 1);
	dbc_init(&c);
	dbc_i64(&c, &r->bucket_us);
	dbc_str(&c, r->error_class, sizeof(r->error_class));
	dbc_str(&c, r->error_code, sizeof(r->error_code));
	dbc_str(&c, r->model, sizeof(r->model));
	dbc_str(&c, r->provider, sizeof(r->provider));
	dbc_i64(&c, &r->requests);
	if ((rc = dbl_select(db, st, &p, &c, err)) == 0) {
		while ((rc = dbl_fetch(db, st, &c, err)) == 1) {
			r->class_null = dbc_null(&c, 1);
			r->code_null = dbc_null(&c, 2);
			r->model_null = dbc_null(&c, 3);
			r->provider_null = dbc_null(&c, 4);
			if (cb(r, arg) != 0)
				break;
		}
		dbl_select_end(db, st);
	}
	free(r);
	return rc < 0 ? -1 : 0;
}

int
dash_errors(struct db *db, const struct dash_filter *f,
    int (*cb)(const struct dash_error_row *, void *), void *arg,
    struct llmops_err *err)
{
	return error_rows(db, STMT_DASH_ERRORS, f, cb, arg, err);
}

int
dash_errors_series(struct db *db, const struct dash_filter *f, int daily,
    int (*cb)(const struct dash_error_row *, void *), void *arg,
    struct llmops_err *err)
{
	return error_rows(db, daily ? STMT_DASH_ERRORS_DAY : STMT_DASH_ERRORS_HOUR,
	    f, cb, arg, err);
}

int
dash_percentiles(struct db *db, const struct dash_filter *f, enum dim d,
    int pct, int (*cb)(const struct dash_pctl *, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	 p;
	struct db_cols		 c;
	struct dash_pctl	*r;
	enum stmt		 st = d < DIM__MAX ? p95_by_stmt[d] : STMT_DASH_P95;
	int			 rc;

	/* The statements compute the 95th; other percentiles would need their own. */
	if (pct != 95)
		return err_set(err, 400, "only the 95th percentile is available");
	if (db_ensure(db, err) != 0)
		return -1;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return err_set(err, 500, "out of memory");
	dbp_init(&p);
	bind_filter(&p, f, 0);
	dbc_init(&c);
	dbc_str(&c, r->key, sizeof(r->key));
	dbc_i64(&c, &r->latency_us);
	dbc_i64(&c, &r->ttft_us);
	if ((rc = dbl_select(db, st, &p, &c, err)) == 0) {
		while ((rc = dbl_fetch(db, st, &c, err)) == 1) {
			r->key_null = dbc_null(&c, 0);
			if (r->key_null)
				r->key[0] = '\0';
			if (dbc_null(&c, 1))
				r->latency_us = -1;
			if (dbc_null(&c, 2))
				r->ttft_us = -1;
			if (cb(r, arg) != 0)
				break;
		}
		dbl_select_end(db, st);
	}
	free(r);
	return rc < 0 ? -1 : 0;
}

/* A decimal number that fits an int64_t at *s; advances *s past it. */
static int
cursor_number(const char **s, int64_t *v)
{
	const char	*p = *s;
	int64_t		 n = 0;
	int		 d;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		d = *p - '0';
		if (n > (INT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	*s = p;
	return 0;
}

int
dash_cursor_parse(const char *s, int64_t *occurred_us, int64_t *id)
{
	if (cursor_number(&s, occurred_us) != 0 || *s++ != '.' ||
	    cursor_number(&s, id) != 0 || *s != '\0' || *id <= 0)
		return -1;
	return 0;
}

int
dash_events(struct db *db, const struct dash_filter *f, int64_t before_occ,
    int64_t before_id, int limit, int (*cb)(const char *const *, void *),
    void *arg, struct llmops_err *err)
{
	struct db_params	  p;
	struct db_cols		  c;
	char			(*buf)[REPORT_TEXT_BYTES];
	const char		 *vals[REPORT_EVENT_NCOLS];
	int			  i, rc = -1;

	if (limit < 1 || limit > DASH_EVENTS_PAGE_MAX)
		limit = DASH_EVENTS_PAGE_MAX;
	if (db_ensure(db, err) != 0)
		return -1;
	if ((buf = calloc(REPORT_EVENT_NCOLS, sizeof(*buf))) == NULL)
		return err_set(err, 500, "out of memory");
	dbp_init(&p);
	bind_filter(&p, f, 0);
	dbp_i64(&p, before_id > 0 ? 1 : 0);
	dbp_i64(&p, before_occ);
	dbp_i64(&p, before_occ);
	dbp_i64(&p, before_id);
	dbp_i64(&p, limit);
	dbc_init(&c);
	for (i = 0; i < REPORT_EVENT_NCOLS; i++)
		dbc_str(&c, buf[i], sizeof(buf[i]));
	if (dbl_select(db, STMT_DASH_EVENTS, &p, &c, err) != 0)
		goto out;
	while ((rc = dbl_fetch(db, STMT_DASH_EVENTS, &c, err)) == 1) {
		for (i = 0; i < REPORT_EVENT_NCOLS; i++)
			vals[i] = dbc_null(&c, (unsigned)i) ? NULL : buf[i];
		if (cb(vals, arg) != 0)
			break;
	}
	dbl_select_end(db, STMT_DASH_EVENTS);
	rc = rc < 0 ? -1 : 0;
out:
	free(buf);
	return rc;
}

static int
in_list(const char *const *list, const char *v)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, v) == 0)
			return 1;
	return 0;
}

int
dash_dim_exists(struct db *db, uint32_t org_id, enum dim d, const char *value,
    struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	int64_t			n = 0;
	int			rc;

	if (d == DIM_SOURCE)
		return in_list(sources, value);
	if (d == DIM_STATUS)
		return in_list(statuses, value);
	if (d >= DIM__MAX)
		return 0;
	if (db_ensure(db, err) != 0)
		return -1;
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_str(&p, dim_names[d]);
	dbp_str(&p, value);
	dbc_init(&c);
	dbc_i64(&c, &n);
	if (dbl_select(db, STMT_DASH_DIM_EXISTS, &p, &c, err) != 0)
		return -1;
	rc = dbl_fetch(db, STMT_DASH_DIM_EXISTS, &c, err);
	dbl_select_end(db, STMT_DASH_DIM_EXISTS);
	if (rc < 0)
		return -1;
	return n > 0;
}

int
dash_dim_values(struct db *db, uint32_t org_id, enum dim d,
    int (*cb)(const char *, void *), void *arg, struct llmops_err *err)
{
	struct db_params	 p;
	struct db_cols		 c;
	const char *const	*fixed = d == DIM_SOURCE ? sources :
				    d == DIM_STATUS ? statuses : NULL;
	char			*value;
	int			 rc;

	if (fixed != NULL) {
		for (; *fixed != NULL; fixed++)
			if (cb(*fixed, arg) != 0)
				break;
		return 0;
	}
	if (d >= DIM__MAX)
		return 0;
	if (db_ensure(db, err) != 0)
		return -1;
	if ((value = malloc(REPORT_TEXT_BYTES)) == NULL)
		return err_set(err, 500, "out of memory");
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_str(&p, dim_names[d]);
	dbc_init(&c);
	dbc_str(&c, value, REPORT_TEXT_BYTES);
	if ((rc = dbl_select(db, STMT_DASH_DIM_VALUES, &p, &c, err)) == 0) {
		while ((rc = dbl_fetch(db, STMT_DASH_DIM_VALUES, &c, err)) == 1)
			if (cb(value, arg) != 0)
				break;
		dbl_select_end(db, STMT_DASH_DIM_VALUES);
	}
	free(value);
	return rc < 0 ? -1 : 0;
}

void
dash_ratio(int64_t a, int64_t b, int64_t mul, int digits, char *buf, size_t sz)
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
