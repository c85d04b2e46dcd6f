#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "decimal.h"
#include "log.h"
#include "timefmt.h"
#include "ui.h"

/* Query parameters a page keeps in its links. */
#define UI_KEPT_MAX	(DIM__MAX + 6)
/* Dimensions named in an untagged=a,b list. */
#define UI_UNTAGGED_BYTES	128

static const struct {
	const char	*name;
	int64_t		 us;
} ranges[] = {
	{ "24h", 24LL * 3600 * TIME_US_PER_SEC },
	{ "7d", 7LL * 86400 * TIME_US_PER_SEC },
	{ "30d", 30LL * 86400 * TIME_US_PER_SEC },
};
#define UI_DEFAULT_RANGE	"7d"

/* Answers with an error and returns -1, for `return refuse(...)`. */
static int
refuse(struct ui *ui, int status, const char *msg)
{
	ui_error(ui, status, msg);
	return -1;
}

static int
scope_org(struct ui *ui)
{
	struct llmops_err	 err;
	struct org		 org;
	const char		*param = web_arg(ui->req, "org");
	char			 ref[16];
	unsigned		 id;

	err_clear(&err);
	if (ui->auth.org_id != 0) {
		/* Anyone but a superadmin reads exactly their own organization. */
		snprintf(ref, sizeof(ref), "%" PRIu32, ui->auth.org_id);
		if (param != NULL && strcmp(param, ref) != 0)
			return refuse(ui, 403, "this organization is not yours");
	} else if (param != NULL) {
		id = (unsigned)strtoul(param, NULL, 10);
		snprintf(ref, sizeof(ref), "%u", id);
		if (id == 0 || strcmp(ref, param) != 0)
			return refuse(ui, 400, "org must be an organization id");
	} else {
		/* A superadmin without a choice: the first organization. */
		if (admin_org_find(ui->app->db, "1", &org, &err) != 0)
			return refuse(ui, err.status == 404 ? 404 : 503,
			    "no organization to show; create one with "
			    "llmopsctl org create");
		snprintf(ref, sizeof(ref), "%" PRIu32, org.id);
	}
	if (admin_org_find(ui->app->db, ref, &org, &err) != 0)
		return refuse(ui, err.status == 404 ? 404 : 503,
		    err.status == 404 ? "no such organization" :
		    "database unavailable");
	ui->org_id = org.id;
	snprintf(ui->org_name, sizeof(ui->org_name), "%s", org.name);
	return 0;
}

/*
 * The range every view counts: whole UTC hours, since rounded down and
 * until up, as the hourly rollups count. Raw events and percentiles then
 * count the same events as the sums beside them, the previous period of
 * the top movers ends where this one starts, and the range a page or the
 * API states is the range it counted.
 */
static void
scope_range(struct ui *ui, int64_t since, int64_t until)
{
	time_widen_to_hours(&since, &until);
	usage_filter_init(&ui->f, ui->org_id, since, until);
}

static int
scope_time(struct ui *ui)
{
	const char	*range = web_arg(ui->req, "range");
	const char	*since = web_arg(ui->req, "since");
	const char	*until = web_arg(ui->req, "until");
	int64_t		 now = time_now_us(), s, u;
	size_t		 i;

	if (range == NULL)
		range = since || until ? "custom" : UI_DEFAULT_RANGE;
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (strcmp(range, ranges[i].name) == 0) {
			ui->range = ranges[i].name;
			scope_range(ui, now - ranges[i].us, now + 1);
			return 0;
		}
	if (strcmp(range, "custom") != 0)
		return refuse(ui, 400, "range: 24h, 7d, 30d or custom");
	ui->range = "custom";
	s = 0;
	u = now + 1;
	if ((since != NULL && time_parse_arg(since, now, &s) != 0) ||
	    (until != NULL && time_parse_arg(until, now, &u) != 0))
		return refuse(ui, 400, "since and until: dates like 2026-11-01 "
		    "or 2026-11-01T10:30 (UTC)");
	if (s >= u)
		return refuse(ui, 400, "since must be before until");
	scope_range(ui, s, u);
	return 0;
}

/* Is dimension d listed in untagged=a,b? */
static int
untagged_has(const char *list, enum dim d)
{
	const char	*name = dim_name(d), *p = list;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return 0;
}

static int
scope_dims(struct ui *ui)
{
	struct llmops_err	 err;
	const char		*untagged = web_arg(ui->req, "untagged");
	const char		*v;
	char			 msg[ERR_MSG_BYTES];
	enum dim		 d;
	int			 rc;

	for (d = 0; d < DIM__MAX; d++) {
		v = web_arg(ui->req, dim_name(d));
		if (v != NULL && untagged_has(untagged, d))
			return refuse(ui, 400, "a dimension is either a value or "
			    "untagged, not both");
		if (untagged_has(untagged, d)) {
			ui->f.set[d] = 1;
			ui->f.value[d] = NULL;
			continue;
		}
		if (v == NULL)
			continue;
		/*
		 * A value this organization never saw is not found: filters
		 * naming another organization's labels show nothing of it.
		 */
		err_clear(&err);
		if ((rc = db_usage_dim_exists(ui->app->db, ui->org_id, d, v,
		    &err)) < 0) {
			ui_db_error(ui, "filter", &err);
			return -1;
		}
		if (rc == 0) {
			snprintf(msg, sizeof(msg), "no %s of that name in this "
			    "organization", dim_name(d));
			return refuse(ui, 404, msg);
		}
		ui->f.set[d] = 1;
		ui->f.value[d] = v;
	}
	return 0;
}

int
ui_scope(struct ui *ui)
{
	if (scope_org(ui) != 0 || scope_time(ui) != 0)
		return -1;
	return scope_dims(ui);
}

int
ui_wants_csv(const struct ui *ui)
{
	const char	*f = web_arg(ui->req, "format");

	return f != NULL && strcmp(f, "csv") == 0;
}

/* The parameters that make the current view, for links. */
static size_t
kept_params(struct ui *ui, struct html_param *p, char *untagged, size_t usz)
{
	size_t		 n = 0, o = 0;
	enum dim	 d;
	static const char *const keep[] = {
		"range", "since", "until", "bucket", "split", "metric",
	};
	size_t		 i;

	if (ui->auth.org_id == 0 && ui->org_id != 0)
		p[n++] = (struct html_param){ "org", web_arg(ui->req, "org") };
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		p[n++] = (struct html_param){ keep[i], web_arg(ui->req, keep[i]) };
	untagged[0] = '\0';
	for (d = 0; d < DIM__MAX; d++) {
		if (!ui->f.set[d])
			continue;
		if (ui->f.value[d] != NULL) {
			p[n++] = (struct html_param){ dim_name(d), ui->f.value[d] };
			continue;
		}
		o += (size_t)snprintf(untagged + o, usz - o, "%s%s",
		    o ? "," : "", dim_name(d));
	}
	p[n++] = (struct html_param){ "untagged", *untagged ? untagged : NULL };
	return n;
}

void
ui_href(struct ui *ui, const char *path, const struct html_param *changes,
    size_t nchanges)
{
	struct html_param	p[UI_KEPT_MAX + 8];
	char			untagged[UI_UNTAGGED_BYTES];
	size_t			n, i, j;

	n = kept_params(ui, p, untagged, sizeof(untagged));
	for (j = 0; j < nchanges; j++) {
		for (i = 0; i < n && strcmp(p[i].key, changes[j].key) != 0; i++)
			;
		if (i < n)
			p[i].value = changes[j].value;
		else if (n < sizeof(p) / sizeof(p[0]))
			p[n++] = changes[j];
	}
	html_attr(ui->w, path);
	html_query_attr(ui->w, p, n);
}

void
ui_link(struct ui *ui, const char *path, const struct html_param *changes,
    size_t n, const char *text)
{
	writer_puts(ui->w, "<a href=\"");
	ui_href(ui, path, changes, n);
	writer_puts(ui->w, "\">");
	html_text(ui->w, text);
	writer_puts(ui->w, "</a>");
}

void
ui_dim_link(struct ui *ui, const char *path, enum dim d, const char *value)
{
	struct html_param	p[2];
	char			untagged[UI_UNTAGGED_BYTES];
	size_t			n = 0;

	if (value != NULL) {
		p[n++] = (struct html_param){ dim_name(d), value };
		ui_link(ui, path, p, n, value);
		return;
	}
	/* Adds d to the untagged list of the current view. */
	snprintf(untagged, sizeof(untagged), "%s", dim_name(d));
	{
		const char	*cur = web_arg(ui->req, "untagged");

		if (cur != NULL && !untagged_has(cur, d))
			snprintf(untagged, sizeof(untagged), "%s,%s", cur,
			    dim_name(d));
		else if (cur != NULL)
			snprintf(untagged, sizeof(untagged), "%s", cur);
	}
	p[n++] = (struct html_param){ "untagged", untagged };
	p[n++] = (struct html_param){ dim_name(d), NULL };
	ui_link(ui, path, p, n, UI_UNTAGGED);
}

static void
select_dim(struct ui *ui, enum dim d);

/* The filter form: a GET to the same page, so filters live in the URL. */
void
ui_filter_form(struct ui *ui)
{
	struct writer	*w = ui->w;
	size_t		 i;
	enum dim	 d;
	char		 iso[TIME_ISO_BYTES];

	writer_puts(w, "<form class=\"filters\" method=\"get\" action=\"");
	html_attr(w, ui->path);
	writer_puts(w, "\">\n");
	if (ui->auth.org_id == 0 && ui->org_id != 0) {
		writer_puts(w, "<input type=\"hidden\" name=\"org\" value=\"");
		html_num(w, ui->org_id);
		writer_puts(w, "\">\n");
	}
	writer_puts(w, "<label>Range <select name=\"range\">");
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		writer_puts(w, "<option value=\"");
		html_attr(w, ranges[i].name);
		writer_puts(w, strcmp(ui->range, ranges[i].name) == 0 ?
		    "\" selected>" : "\">");
		writer_puts(w, strcmp(ranges[i].name, "24h") == 0 ? "Last 24 h" :
		    strcmp(ranges[i].name, "7d") == 0 ? "Last 7 days" :
		    "Last 30 days");
		writer_puts(w, "</option>");
	}
	writer_puts(w, strcmp(ui->range, "custom") == 0 ?
	    "<option value=\"custom\" selected>Custom</option>" :
	    "<option value=\"custom\">Custom</option>");
	writer_puts(w, "</select></label>\n<label>From <input name=\"since\" "
	    "placeholder=\"2026-11-01\" value=\"");
	if (strcmp(ui->range, "custom") == 0) {
		time_format_iso_sec(ui->f.since_us, iso);
		html_attr(w, iso);
	}
	writer_puts(w, "\"></label>\n<label>To <input name=\"until\" "
	    "placeholder=\"2026-11-30\" value=\"");
	if (strcmp(ui->range, "custom") == 0 && web_arg(ui->req, "until")) {
		time_format_iso_sec(ui->f.until_us, iso);
		html_attr(w, iso);
	}
	writer_puts(w, "\"></label>\n");
	for (d = 0; d < DIM__MAX; d++)
		select_dim(ui, d);
	/* Keeps the view's own settings (bucket, split, metric). */
	for (i = 0; i < 3; i++) {
		static const char *const own[] = { "bucket", "split", "metric" };
		const char	*v = web_arg(ui->req, own[i]);

		if (v == NULL)
			continue;
		writer_puts(w, "<input type=\"hidden\" name=\"");
		html_attr(w, own[i]);
		writer_puts(w, "\" value=\"");
		html_attr(w, v);
		writer_puts(w, "\">\n");
	}
	writer_puts(w, "<button type=\"submit\">Apply</button> <a href=\"");
	html_attr(w, ui->path);
	if (ui->auth.org_id == 0 && ui->org_id != 0) {
		writer_puts(w, "?org=");
		html_num(w, ui->org_id);
	}
	writer_puts(w, "\">Reset</a>\n</form>\n");
}

struct option_ctx {
	struct ui	*ui;
	enum dim	 d;
	size_t		 n;
};

static int
option_cb(const char *value, void *arg)
{
	struct option_ctx	*o = arg;
	struct writer		*w = o->ui->w;

	writer_puts(w, "<option value=\"");
	html_attr(w, value);
	writer_puts(w, o->ui->f.set[o->d] && o->ui->f.value[o->d] != NULL &&
	    strcmp(o->ui->f.value[o->d], value) == 0 ? "\" selected>" : "\">");
	html_text(w, value);
	writer_puts(w, "</option>");
	o->n++;
	return 0;
}

static void
select_dim(struct ui *ui, enum dim d)
{
	struct llmops_err	err;
	struct option_ctx	o = { ui, d, 0 };
	struct writer		*w = ui->w;

	writer_puts(w, "<label>");
	/* Capitalised label: the dimension names are ASCII. */
	writer_printf(w, "%c%s", dim_name(d)[0] - 'a' + 'A', dim_name(d) + 1);
	writer_puts(w, " <select name=\"");
	html_attr(w, dim_name(d));
	writer_puts(w, "\"><option value=\"\">Any</option>");
	err_clear(&err);
	db_usage_dim_values(ui->app->db, ui->org_id, d, option_cb, &o, &err);
	writer_puts(w, "</select></label>\n");
	if (ui->f.set[d] && ui->f.value[d] == NULL) {
		writer_puts(w, "<input type=\"hidden\" name=\"untagged\" value=\"");
		html_attr(w, dim_name(d));
		writer_puts(w, "\">");
	}
}

void
ui_notice(struct ui *ui, const char *text)
{
	writer_puts(ui->w, "<p class=\"notice\">");
	html_text(ui->w, text);
	writer_puts(ui->w, "</p>\n");
}

int
ui_pruned(struct ui *ui, struct retention_state *s)
{
	struct llmops_err	err;

	err_clear(&err);
	if (db_retention_get(ui->app->db, s, &err) != 0) {
		ui_db_error(ui, "retention", &err);
		return -1;
	}
	if (s->raw_before_us <= ui->f.since_us)
		memset(s, 0, sizeof(*s));
	return 0;
}

int
ui_table_begin(struct ui *ui, struct ui_table *t)
{
	const char	*want = web_arg(ui->req, "table");
	size_t		 i;

	t->nrows = 0;
	if (ui_wants_csv(ui)) {
		if (want == NULL || strcmp(want, t->id) != 0 ||
		    ui->resp->started) {
			t->mode = UI_TABLE_SKIP;
			return 1;
		}
		t->mode = UI_TABLE_CSV;
		{
			char	disp[128];

			snprintf(disp, sizeof(disp), "attachment; "
			    "filename=\"llmops-%s.csv\"", t->id);
			web_header(ui->resp, "Content-Disposition", disp);
		}
		web_start(ui->resp, 200, WEB_CSV);
		out_begin(&t->out, OUT_CSV, ui->w, t->cols, t->ncols);
		return 0;
	}
	t->mode = UI_TABLE_HTML;
	writer_puts(ui->w, "<section class=\"table\">\n<h2>");
	html_text(ui->w, t->title);
	writer_puts(ui->w, " <a class=\"csv\" href=\"");
	{
		struct html_param	p[2] = {
			{ "format", "csv" }, { "table", t->id },
		};

		ui_href(ui, ui->path, p, 2);
	}
	writer_puts(ui->w, "\">CSV</a></h2>\n<div class=\"scroll\"><table "
	    "class=\"data\" id=\"t-");
	html_attr(ui->w, t->id);
	writer_puts(ui->w, "\">\n<thead><tr>");
	for (i = 0; i < t->ncols; i++) {
		writer_puts(ui->w, t->cols[i].type == COL_TEXT ||
		    t->cols[i].type == COL_TIME_US ? "<th>" : "<th class=\"n\">");
		html_text(ui->w, t->labels[i]);
		writer_puts(ui->w, "</th>");
	}
	writer_puts(ui->w, "</tr></thead>\n<tbody>\n");
	return 0;
}

void
ui_usd(char *buf, size_t sz, const char *exact)
{
	int64_t	 pico, tenth_milli;
	char	 num[48], *dot, *digits;
	size_t	 i, o = 0, intlen;

	if (exact == NULL) {
		snprintf(buf, sz, "unpriced");
		return;
	}
	/* 4 decimals, half up; integers get thousands separators. */
	if (decimal_parse(exact, COST_SCALE_DIGITS, INT64_MAX, &pico) != 0) {
		snprintf(buf, sz, "%s", exact);
		return;
	}
	tenth_milli = (pico + (pico >= 0 ? 50000000 : -50000000)) / 100000000;
	decimal_format(tenth_milli, 4, num, sizeof(num));
	/* The sign before the currency: "-$1,234.5678". */
	digits = num[0] == '-' ? num + 1 : num;
	if (digits != num && o < sz - 1)
		buf[o++] = '-';
	dot = strchr(digits, '.');
	intlen = dot ? (size_t)(dot - digits) : strlen(digits);
	if (o < sz - 1)
		buf[o++] = '$';
	for (i = 0; digits[i] != '\0' && o < sz - 1; i++) {
		if (i > 0 && i < intlen && (intlen - i) % 3 == 0 && o < sz - 2)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

void
ui_int(char *buf, size_t sz, long long v)
{
	char	num[32];
	size_t	i, o = 0, len;
	int	neg = v < 0;

	snprintf(num, sizeof(num), "%lld", v);
	len = strlen(num);
	for (i = 0; i < len && o < sz - 1; i++) {
		if (i > (size_t)neg && (len - i) % 3 == 0 && o < sz - 2)
			buf[o++] = ',';
		buf[o++] = num[i];
	}
	buf[o] = '\0';
}

/* One HTML cell: shown text, exact value in data-v. */
static void
cell(struct ui *ui, const struct ui_table *t, size_t i, const char *v)
{
	struct writer	*w = ui->w;
	char		 shown[64], iso[TIME_ISO_BYTES];
	enum col_type	 type = t->cols[i].type;

	writer_puts(w, type == COL_TEXT || type == COL_TIME_US ? "<td" :
	    "<td class=\"n\"");
	if (v != NULL) {
		writer_puts(w, " data-v=\"");
		html_attr(w, v);
		writer_puts(w, "\"");
	}
	writer_puts(w, ">");
	if (i == 0 && t->link_dim < DIM__MAX) {
		ui_dim_link(ui, t->link_path, t->link_dim, v);
		writer_puts(w, "</td>");
		return;
	}
	switch (type) {
	case COL_USD:
		ui_usd(shown, sizeof(shown), v);
		html_text(w, shown);
		break;
	case COL_INT:
		if (v != NULL) {
			ui_int(shown, sizeof(shown), strtoll(v, NULL, 10));
			html_text(w, shown);
		} else
			writer_puts(w, "&ndash;");
		break;
	case COL_TIME_US:
		if (v != NULL) {
			time_format_iso_sec(strtoll(v, NULL, 10), iso);
			html_text(w, iso);
		} else
			writer_puts(w, "&ndash;");
		break;
	case COL_DURATION_US:
		if (v != NULL && decimal_format(strtoll(v, NULL, 10), 3, shown,
		    sizeof(shown)) == 0)
			html_text(w, shown);
		else
			writer_puts(w, "&ndash;");
		break;
	default:
		if (v != NULL)
			html_text(w, v);
		else
			writer_puts(w, i == 0 ? UI_UNTAGGED : "&ndash;");
		break;
	}
	writer_puts(w, "</td>");
}

void
ui_table_row(struct ui *ui, struct ui_table *t, const char *const *values)
{
	size_t	i;

	t->nrows++;
	if (t->mode == UI_TABLE_CSV) {
		out_row(&t->out, values);
		return;
	}
	if (t->mode != UI_TABLE_HTML)
		return;
	writer_puts(ui->w, "<tr>");
	for (i = 0; i < t->ncols; i++)
		cell(ui, t, i, values[i]);
	writer_puts(ui->w, "</tr>\n");
}

void
ui_table_end(struct ui *ui, struct ui_table *t)
{
	if (t->mode == UI_TABLE_CSV) {
		out_end(&t->out);
		return;
	}
	if (t->mode != UI_TABLE_HTML)
		return;
	if (t->nrows == 0) {
		writer_printf(ui->w, "<tr><td colspan=\"%zu\" class=\"empty\">"
		    "No data for these filters.</td></tr>\n", t->ncols);
	}
	writer_puts(ui->w, "</tbody></table></div>\n</section>\n");
}

int
ui_csv_done(struct ui *ui)
{
	if (!ui_wants_csv(ui) || ui->resp->started)
		return 0;
	ui_error(ui, 404, "no table of that name on this page");
	return -1;
}
