#include "config.h"
#include "db_legacy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report.h"
#include "timefmt.h"


static const struct {
	const char	*name;
	enum stmt	 stmt;
} groups[GROUP__MAX] = {
	[GROUP_NONE] = { "none", STMT_USAGE_TOTAL },
	[GROUP_DEPARTMENT] = { "department", STMT_USAGE_BY_DEPARTMENT },
	[GROUP_TEAM] = { "team", STMT_USAGE_BY_TEAM },
	[GROUP_AGENT] = { "agent", STMT_USAGE_BY_AGENT },
	[GROUP_MODEL] = { "model", STMT_USAGE_BY_MODEL },
	[GROUP_PROVIDER] = { "provider", STMT_USAGE_BY_PROVIDER },
	[GROUP_STATUS] = { "status", STMT_USAGE_BY_STATUS },
	[GROUP_DAY] = { "day", STMT_USAGE_BY_DAY },
	[GROUP_HOUR] = { "hour", STMT_USAGE_BY_HOUR },
};

const char *
report_group_name(enum report_group g)
{
	return g < GROUP__MAX ? groups[g].name : "?";
}

int
report_group_parse(const char *s, enum report_group *g)
{
	int	i;

	for (i = 0; i < GROUP__MAX; i++)
		if (strcasecmp(s, groups[i].name) == 0) {
			*g = (enum report_group)i;
			return 0;
		}
	return -1;
}

int
report_group_is_time(enum report_group g)
{
	return g == GROUP_DAY || g == GROUP_HOUR;
}

int
report_usage(struct db *db, uint32_t org_id, enum report_group g,
    int64_t *since_us, int64_t *until_us,
    int (*cb)(const struct usage_row *, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	p;
	struct db_cols		c;
	struct usage_row	r;
	enum stmt		s = groups[g].stmt;
	int			rc;

	time_widen_to_hours(since_us, until_us);
	if (db_ensure(db, err) != 0)
		return -1;
	memset(&r, 0, sizeof(r));
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_i64(&p, *since_us);
	dbp_i64(&p, *until_us);
	dbc_init(&c);
	dbc_str(&c, r.group, sizeof(r.group));
	dbc_i64(&c, &r.requests);
	dbc_i64(&c, &r.errors);
	dbc_i64(&c, &r.prompt_tokens);
	dbc_i64(&c, &r.completion_tokens);
	dbc_i64(&c, &r.total_tokens);
	dbc_i64(&c, &r.cache_read_tokens);
	dbc_i64(&c, &r.cache_write_tokens);
	dbc_i64(&c, &r.reasoning_tokens);
	dbc_str(&c, r.cost, sizeof(r.cost));
	dbc_i64(&c, &r.priced_requests);
	dbc_str(&c, r.our_cost, sizeof(r.our_cost));
	dbc_i64(&c, &r.our_cost_events);
	dbc_str(&c, r.litellm_cost, sizeof(r.litellm_cost));
	dbc_i64(&c, &r.litellm_cost_events);
	dbc_i64(&c, &r.latency_us_sum);
	dbc_i64(&c, &r.latency_count);
	dbc_i64(&c, &r.ttft_us_sum);
	dbc_i64(&c, &r.ttft_count);
	if (dbl_select(db, s, &p, &c, err) != 0)
		return -1;
	while ((rc = dbl_fetch(db, s, &c, err)) == 1) {
		/* The total over an empty range is one row of NULL sums: skip it. */
		if (dbc_null(&c, 1))
			continue;
		r.group_null = dbc_null(&c, 0);
		if (cb(&r, arg) != 0)
			break;
	}
	dbl_select_end(db, s);
	return rc < 0 ? -1 : 0;
}

int
report_cost_check(struct db *db, uint32_t org_id, int64_t *since_us,
    int64_t *until_us, const char *threshold_pct,
    int (*cb)(const char *const *values, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	 p;
	struct db_cols		 c;
	char			 buf[6][REPORT_DECIMAL_BYTES + REPORT_TEXT_BYTES];
	const char		*vals[6];
	int			 i, rc;

	time_widen_to_hours(since_us, until_us);
	if (db_ensure(db, err) != 0)
		return -1;
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_i64(&p, *since_us);
	dbp_i64(&p, *until_us);
	dbp_str(&p, threshold_pct);
	dbc_init(&c);
	for (i = 0; i < 6; i++)
		dbc_str(&c, buf[i], sizeof(buf[i]));
	if (dbl_select(db, STMT_COST_CHECK, &p, &c, err) != 0)
		return -1;
	while ((rc = dbl_fetch(db, STMT_COST_CHECK, &c, err)) == 1) {
		for (i = 0; i < 6; i++)
			vals[i] = dbc_null(&c, (unsigned)i) ? NULL : buf[i];
		if (cb(vals, arg) != 0)
			break;
	}
	dbl_select_end(db, STMT_COST_CHECK);
	return rc < 0 ? -1 : 0;
}

const struct report_col report_event_cols[REPORT_EVENT_NCOLS] = {
	{ "id", COL_INT },
	{ "source", COL_TEXT },
	{ "token_id", COL_INT },
	{ "litellm_id", COL_TEXT },
	{ "trace_id", COL_TEXT },
	{ "call_type", COL_TEXT },
	{ "status", COL_TEXT },
	{ "model", COL_TEXT },
	{ "model_group", COL_TEXT },
	{ "provider", COL_TEXT },
	{ "department", COL_TEXT },
	{ "team", COL_TEXT },
	{ "agent", COL_TEXT },
	{ "prompt_tokens", COL_INT },
	{ "completion_tokens", COL_INT },
	{ "total_tokens", COL_INT },
	{ "cache_read_tokens", COL_INT },
	{ "cache_write_tokens", COL_INT },
	{ "cache_write_1h_tokens", COL_INT },
	{ "reasoning_tokens", COL_INT },
	{ "litellm_cost", COL_DECIMAL },
	{ "our_cost", COL_DECIMAL },
	{ "cost", COL_DECIMAL },
	{ "cost_source", COL_TEXT },
	{ "price_id", COL_INT },
	{ "start_time", COL_TIME_US },
	{ "end_time", COL_TIME_US },
	{ "latency_ms", COL_DURATION_US },
	{ "ttft_ms", COL_DURATION_US },
	{ "stream", COL_BOOL },
	{ "error_code", COL_TEXT },
	{ "error_class", COL_TEXT },
	{ "received_at", COL_TIME_US },
};

int
report_events(struct db *db, uint32_t org_id, int64_t since_us,
    int64_t until_us, int64_t limit,
    int (*cb)(const char *const *values, void *), void *arg,
    struct llmops_err *err)
{
	struct db_params	  p;
	struct db_cols		  c;
	char			(*buf)[REPORT_TEXT_BYTES];
	const char		 *vals[REPORT_EVENT_NCOLS];
	int			  i, rc = -1;

	if (db_ensure(db, err) != 0)
		return -1;
	/* Every column is read as text into its own buffer. */
	if ((buf = calloc(REPORT_EVENT_NCOLS, sizeof(*buf))) == NULL)
		return err_set(err, 500, "out of memory");
	dbp_init(&p);
	dbp_i64(&p, org_id);
	dbp_i64(&p, since_us);
	dbp_i64(&p, until_us);
	dbp_i64(&p, limit > 0 ? limit : INT64_MAX);
	dbc_init(&c);
	for (i = 0; i < REPORT_EVENT_NCOLS; i++)
		dbc_str(&c, buf[i], sizeof(buf[i]));
	if (dbl_select(db, STMT_EVENTS_LIST, &p, &c, err) != 0)
		goto out;
	while ((rc = dbl_fetch(db, STMT_EVENTS_LIST, &c, err)) == 1) {
		for (i = 0; i < REPORT_EVENT_NCOLS; i++)
			vals[i] = dbc_null(&c, (unsigned)i) ? NULL : buf[i];
		if (cb(vals, arg) != 0)
			break;
	}
	dbl_select_end(db, STMT_EVENTS_LIST);
	rc = rc < 0 ? -1 : 0;
out:
	free(buf);
	return rc;
}
