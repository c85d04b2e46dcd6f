/*
 * The JSON API, read-only, for a session or an API key
 * (Authorization: Bearer llk_...), scoped to the caller's organization
 * like every page, with the dashboard's filters (range, since, until,
 * source, department, team, agent, model, provider, status, untagged).
 *
 *   GET /api/v1/usage?group_by=agent        totals per group, or per
 *                                           hour/day, or overall
 *   GET /api/v1/events?limit=100&before=C   raw events, newest first;
 *                                           "next" is the cursor of the
 *                                           following page
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decimal.h"
#include "html.h"
#include "log.h"
#include "output.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_pages.h"

#define API_EVENTS_DEFAULT	100

static const struct report_col usage_cols[] = {
	{ "key", COL_TEXT },
	{ "cost_usd", COL_USD },
	{ "priced_requests", COL_INT },
	{ "requests", COL_INT },
	{ "errors", COL_INT },
	{ "prompt_tokens", COL_INT },
	{ "completion_tokens", COL_INT },
	{ "total_tokens", COL_INT },
	{ "cache_read_tokens", COL_INT },
	{ "cache_write_tokens", COL_INT },
	{ "reasoning_tokens", COL_INT },
	{ "litellm_cost_usd", COL_USD },
	{ "our_cost_usd", COL_USD },
	{ "avg_latency_ms", COL_DECIMAL },
	{ "avg_ttft_ms", COL_DECIMAL },
};
#define USAGE_NCOLS	(sizeof(usage_cols) / sizeof(usage_cols[0]))

struct usage_ctx {
	struct out		out;
	int			time_key;
};

static int
usage_row(const struct dash_row *r, void *arg)
{
	struct usage_ctx	*c = arg;
	const struct dash_sums	*s = &r->s;
	const char		*v[USAGE_NCOLS];
	char			 n[9][24], lat[24], ttft[24], key[TIME_ISO_BYTES];
	int			 i = 0;

	if (c->time_key) {
		time_format_iso_sec(r->bucket_us, key);
		v[i++] = key;
	} else
		v[i++] = r->key_null ? NULL : r->key;
	snprintf(n[0], sizeof(n[0]), "%lld", (long long)s->priced_requests);
	snprintf(n[1], sizeof(n[1]), "%lld", (long long)s->requests);
	snprintf(n[2], sizeof(n[2]), "%lld", (long long)s->errors);
	snprintf(n[3], sizeof(n[3]), "%lld", (long long)s->prompt_tokens);
	snprintf(n[4], sizeof(n[4]), "%lld", (long long)s->completion_tokens);
	snprintf(n[5], sizeof(n[5]), "%lld", (long long)s->total_tokens);
	snprintf(n[6], sizeof(n[6]), "%lld", (long long)s->cache_read_tokens);
	snprintf(n[7], sizeof(n[7]), "%lld", (long long)s->cache_write_tokens);
	snprintf(n[8], sizeof(n[8]), "%lld", (long long)s->reasoning_tokens);
	dash_ratio(s->latency_us_sum, s->latency_count, 1, 3, lat, sizeof(lat));
	dash_ratio(s->ttft_us_sum, s->ttft_count, 1, 3, ttft, sizeof(ttft));
	/* Unpriced is null, never 0. */
	v[i++] = s->priced_requests > 0 ? s->cost : NULL;
	v[i++] = n[0];
	v[i++] = n[1];
	v[i++] = n[2];
	v[i++] = n[3];
	v[i++] = n[4];
	v[i++] = n[5];
	v[i++] = n[6];
	v[i++] = n[7];
	v[i++] = n[8];
	v[i++] = s->litellm_cost;
	v[i++] = s->our_cost;
	v[i++] = *lat ? lat : NULL;
	v[i++] = *ttft ? ttft : NULL;
	return out_row(&c->out, v);
}

/* {"organization": {...}, "since": ..., "until": ..., <extra> "<rows>": */
static void
envelope(struct ui *ui, struct json_object *extra, const char *rows_key)
{
	struct json_object	*o = json_object_new_object(), *org;
	char			 since[TIME_ISO_BYTES], until[TIME_ISO_BYTES];
	const char		*s;
	size_t			 len;

	org = json_object_new_object();
	json_object_object_add(org, "id", json_object_new_int64(ui->org_id));
	json_object_object_add(org, "name", json_object_new_string(ui->org_name));
	json_object_object_add(o, "organization", org);
	time_format_iso(ui->f.since_us, since);
	time_format_iso(ui->f.until_us, until);
	json_object_object_add(o, "since", json_object_new_string(since));
	json_object_object_add(o, "until", json_object_new_string(until));
	if (extra != NULL) {
		json_object_object_foreach(extra, k, v)
			json_object_object_add(o, k, json_object_get(v));
	}
	json_object_object_add(o, rows_key, NULL);
	/* Printed without its closing "null}": the rows stream in its place. */
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(s);
	writer_put(ui->w, s, len - strlen("null}"));
	json_object_put(o);
	json_object_put(extra);
}

void
api_v1_usage(struct ui *ui)
{
	struct usage_ctx	 c;
	struct report_col	 cols[USAGE_NCOLS];
	struct json_object	*extra;
	struct llmops_err	 err;
	struct dash_sums	 tot;
	struct dash_row		 row;
	const char		*g = web_arg(ui->req, "group_by");
	enum dim		 d = DIM__MAX;
	int			 rc, daily = 0, bucketed = 0;

	if (ui_scope(ui) != 0)
		return;
	if (g != NULL && strcmp(g, "day") == 0)
		bucketed = daily = 1;
	else if (g != NULL && strcmp(g, "hour") == 0)
		bucketed = 1;
	else if (g != NULL && dim_parse(g, &d) != 0) {
		ui_error(ui, 400, "group_by: source, department, team, agent, "
		    "model, provider, status, hour or day");
		return;
	}
	memcpy(cols, usage_cols, sizeof(cols));
	cols[0].name = bucketed ? (daily ? "day" : "hour") :
	    d < DIM__MAX ? dim_name(d) : "range";
	memset(&c, 0, sizeof(c));
	c.time_key = bucketed;
	web_start(ui->resp, 200, WEB_JSON);
	extra = json_object_new_object();
	json_object_object_add(extra, "group_by",
	    json_object_new_string(g != NULL ? g : "none"));
	envelope(ui, extra, "rows");
	out_begin(&c.out, OUT_JSON, ui->w, cols, USAGE_NCOLS);
	err_clear(&err);
	if (bucketed)
		rc = dash_series(ui->app->db, &ui->f, daily, DIM__MAX, usage_row,
		    &c, &err);
	else if (d < DIM__MAX)
		rc = dash_by(ui->app->db, &ui->f, d, usage_row, &c, &err);
	else if ((rc = dash_totals(ui->app->db, &ui->f, &tot, &err)) == 0 &&
	    tot.requests > 0) {
		memset(&row, 0, sizeof(row));
		row.key_null = 1;
		row.s = tot;
		rc = usage_row(&row, &c);
	}
	out_end(&c.out);
	if (rc != 0)
		log_error(LOG_TAG_DB, "GET %s: usage: %s", ui->req->path, err.msg);
	writer_puts(ui->w, rc == 0 ? "}\n" : ",\"error\":\"database "
	    "unavailable\"}\n");
}

/* Column positions in report_event_cols, for the paging cursor. */
static int
col_index(const char *name)
{
	int	i;

	for (i = 0; i < REPORT_EVENT_NCOLS; i++)
		if (strcmp(report_event_cols[i].name, name) == 0)
			return i;
	return -1;
}

struct events_ctx {
	struct out	out;
	int		n;
	char		cursor[64];
	int		id_col, start_col, end_col, received_col;
};

static int
event_row(const char *const *v, void *arg)
{
	struct events_ctx	*c = arg;
	const char		*t;

	/* The cursor: when the call happened (occurred_us), then the id. */
	t = v[c->start_col] ? v[c->start_col] : v[c->end_col] ?
	    v[c->end_col] : v[c->received_col];
	snprintf(c->cursor, sizeof(c->cursor), "%s.%s", t ? t : "0",
	    v[c->id_col] ? v[c->id_col] : "0");
	c->n++;
	return out_row(&c->out, v);
}

void
api_v1_events(struct ui *ui)
{
	struct events_ctx	 c;
	struct json_object	*extra;
	struct llmops_err	 err;
	const char		*before = web_arg(ui->req, "before");
	const char		*lim = web_arg(ui->req, "limit");
	int64_t			 occ = 0, id = 0;
	long			 limit = API_EVENTS_DEFAULT;
	char			*end;
	int			 rc;

	if (ui_scope(ui) != 0)
		return;
	if (lim != NULL && ((limit = strtol(lim, &end, 10)) < 1 ||
	    limit > DASH_EVENTS_PAGE_MAX || *end != '\0')) {
		ui_error(ui, 400, "limit: 1 to 500");
		return;
	}
	if (before != NULL && dash_cursor_parse(before, &occ, &id) != 0) {
		ui_error(ui, 400, "before: the \"next\" cursor of a page");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.id_col = col_index("id");
	c.start_col = col_index("start_time");
	c.end_col = col_index("end_time");
	c.received_col = col_index("received_at");
	web_start(ui->resp, 200, WEB_JSON);
	extra = json_object_new_object();
	json_object_object_add(extra, "limit", json_object_new_int64(limit));
	envelope(ui, extra, "events");
	out_begin(&c.out, OUT_JSON, ui->w, report_event_cols, REPORT_EVENT_NCOLS);
	err_clear(&err);
	rc = dash_events(ui->app->db, &ui->f, occ, id, (int)limit, event_row, &c,
	    &err);
	out_end(&c.out);
	if (rc != 0) {
		log_error(LOG_TAG_DB, "GET %s: events: %s", ui->req->path,
		    err.msg);
		writer_puts(ui->w, ",\"error\":\"database unavailable\"}\n");
	}
	else if (c.n == limit) {
		writer_puts(ui->w, ",\"next\":\"");
		writer_puts(ui->w, c.cursor);	/* digits and one dot */
		writer_puts(ui->w, "\"}\n");
	} else
		writer_puts(ui->w, ",\"next\":null}\n");
}
