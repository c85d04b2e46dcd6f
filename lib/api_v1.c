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
 *                                           following page;
 *                                           "raw_events_before" the time
 *                                           before which they are pruned
 *                                           when the range starts earlier
 *                                           (else null)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db_usage.h"
#include "log.h"
#include "output.h"
#include "timefmt.h"
#include "ui.h"
#include "ui_pages.h"
#include "usage.h"

#define API_EVENTS_DEFAULT	100

/* The columns after the key's, in order. */
static const enum usage_col usage_cols[] = {
	UCOL_COST, UCOL_PRICED_REQUESTS, UCOL_REQUESTS, UCOL_ERRORS,
	UCOL_PROMPT_TOKENS, UCOL_COMPLETION_TOKENS, UCOL_TOTAL_TOKENS,
	UCOL_CACHE_READ_TOKENS, UCOL_CACHE_WRITE_TOKENS, UCOL_REASONING_TOKENS,
	UCOL_LITELLM_COST, UCOL_OUR_COST, UCOL_AVG_LATENCY, UCOL_AVG_TTFT,
	UCOL_CACHE_HITS, UCOL_SAVED_CACHE_COST,
};

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
	struct usage_out	 o;
	struct json_object	*extra;
	struct llmops_err	 err;
	const char		*g = web_arg(ui->req, "group_by");
	enum dim		 group = DIM_NONE;
	int			 rc;

	if (ui_scope(ui) != 0)
		return;
	if (g != NULL && dim_parse(g, &group) != 0) {
		ui_error(ui, 400, "group_by: source, department, team, agent, "
		    "model, provider, status, hour or day");
		return;
	}
	web_start(ui->resp, 200, WEB_JSON);
	extra = json_object_new_object();
	json_object_object_add(extra, "group_by",
	    json_object_new_string(dim_name(group)));
	envelope(ui, extra, "rows");
	usage_out_begin(&o, OUT_JSON, ui->w, group, usage_cols,
	    sizeof(usage_cols) / sizeof(usage_cols[0]));
	err_clear(&err);
	rc = db_usage_by(ui->app->db, &ui->f, group, DIM_NONE,
	    LIMIT_USAGE_GROUPS, usage_out_row, &o, &err);
	usage_out_end(&o);
	if (rc != 0)
		log_error(LOG_TAG_DB, "GET %s: usage: %s", ui->req->path, err.msg);
	writer_puts(ui->w, rc == 0 ? "}\n" : ",\"error\":\"database "
	    "unavailable\"}\n");
}

struct events_ctx {
	struct out	out;
	int		n;
	char		cursor[USAGE_CURSOR_BYTES];
};

static int
event_row(const char *const *v, void *arg)
{
	struct events_ctx	*c = arg;

	usage_event_cursor(v, c->cursor);
	c->n++;
	return out_row(&c->out, v);
}

void
api_v1_events(struct ui *ui)
{
	struct events_ctx	 c;
	struct retention_state	 pruned;
	struct json_object	*extra;
	struct llmops_err	 err;
	const char		*before = web_arg(ui->req, "before");
	const char		*lim = web_arg(ui->req, "limit");
	int64_t			 occ = 0, id = 0;
	long			 limit = API_EVENTS_DEFAULT;
	char			*end, msg[32], at[TIME_ISO_BYTES];
	int			 rc;

	if (ui_scope(ui) != 0)
		return;
	if (lim != NULL && ((limit = strtol(lim, &end, 10)) < 1 ||
	    limit > LIMIT_EVENTS_PAGE || *end != '\0')) {
		snprintf(msg, sizeof(msg), "limit: 1 to %d", LIMIT_EVENTS_PAGE);
		ui_error(ui, 400, msg);
		return;
	}
	if (before != NULL && usage_cursor_parse(before, &occ, &id) != 0) {
		ui_error(ui, 400, "before: the \"next\" cursor of a page");
		return;
	}
	if (ui_pruned(ui, &pruned) != 0)
		return;
	memset(&c, 0, sizeof(c));
	web_start(ui->resp, 200, WEB_JSON);
	extra = json_object_new_object();
	json_object_object_add(extra, "limit", json_object_new_int64(limit));
	time_format_iso(pruned.raw_before_us, at);
	json_object_object_add(extra, "raw_events_before",
	    pruned.raw_before_us > 0 ? json_object_new_string(at) : NULL);
	envelope(ui, extra, "events");
	out_begin(&c.out, OUT_JSON, ui->w, usage_event_cols, USAGE_EVENT_NCOLS);
	err_clear(&err);
	rc = db_usage_events_page(ui->app->db, &ui->f, occ, id, (int)limit,
	    event_row, &c, &err);
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
