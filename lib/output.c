#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decimal.h"
#include "log.h"
#include "output.h"
#include "timefmt.h"
#include "writer.h"

static const char *const format_names[OUT__MAX] = {
	"table", "csv", "json", "jsonl",
};

/* Text shown for NULL in a table. */
#define OUT_NULL_TEXT	"-"
/* Longest cell rendered in a table or CSV. */
#define OUT_CELL_BYTES	2048

int
out_format_parse(const char *s, unsigned allowed, enum out_format *f)
{
	int	i;

	for (i = 0; i < OUT__MAX; i++)
		if ((allowed & OUT_ALLOW(i)) && strcmp(s, format_names[i]) == 0) {
			*f = (enum out_format)i;
			return 0;
		}
	return -1;
}

void
out_begin(struct out *o, enum out_format fmt, struct writer *f,
    const struct report_col *cols, size_t ncols)
{
	size_t	i;

	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
	o->f = f;
	o->cols = cols;
	o->ncols = ncols;
	if (fmt == OUT_CSV)
		for (i = 0; i < ncols; i++)
			writer_printf(f, "%s%s", cols[i].name,
			    i + 1 < ncols ? "," : "\r\n");
	else if (fmt == OUT_JSON)
		writer_puts(f, "[");
}

/* The display text of a typed value (not NULL) in buf. */
static void
render(const struct report_col *col, const char *v, char *buf, size_t sz)
{
	char		 iso[TIME_ISO_BYTES];
	long long	 us;

	switch (col->type) {
	case COL_TIME_US:
		us = strtoll(v, NULL, 10);
		time_format_iso(us, iso);
		snprintf(buf, sz, "%s", iso);
		break;
	case COL_DURATION_US:
		us = strtoll(v, NULL, 10);
		if (decimal_format(us, 3, buf, sz) != 0)
			snprintf(buf, sz, "%s", v);
		break;
	case COL_BOOL:
		snprintf(buf, sz, "%s", strcmp(v, "0") == 0 ? "false" : "true");
		break;
	case COL_TEXT:
		/* Control characters would forge lines or move the cursor. */
		log_escape(buf, sz, v);
		break;
	default:
		snprintf(buf, sz, "%s", v);
		break;
	}
}

static void
csv_cell(struct writer *f, const struct report_col *col, const char *v)
{
	char		 buf[OUT_CELL_BYTES];
	const char	*p;

	if (v == NULL)
		return;
	if (col->type != COL_TEXT) {
		render(col, v, buf, sizeof(buf));
		writer_puts(f, buf);
		return;
	}
	/*
	 * Quoted, quotes doubled. A leading = + - @ would make a spreadsheet
	 * evaluate the cell as a formula: such text gets a leading quote.
	 */
	writer_put(f, "\"", 1);
	if (strchr("=+-@\t\r", v[0]) != NULL && v[0] != '\0')
		writer_put(f, "'", 1);
	for (p = v; *p != '\0'; p++) {
		if (*p == '"')
			writer_put(f, "\"", 1);
		writer_put(f, p, 1);
	}
	writer_put(f, "\"", 1);
}

static struct json_object *
json_value(const struct report_col *col, const char *v)
{
	char	buf[OUT_CELL_BYTES];

	if (v == NULL)
		return NULL;
	switch (col->type) {
	case COL_INT:
		return json_object_new_int64(strtoll(v, NULL, 10));
	case COL_DECIMAL:
	case COL_USD:
		/* Keeps the exact decimal text on output. */
		return json_object_new_double_s(strtod(v, NULL), v);
	case COL_DURATION_US:
		render(col, v, buf, sizeof(buf));
		return json_object_new_double_s(strtod(buf, NULL), buf);
	case COL_BOOL:
		return json_object_new_boolean(strcmp(v, "0") != 0);
	case COL_TIME_US:
		render(col, v, buf, sizeof(buf));
		return json_object_new_string(buf);
	case COL_TEXT:
		break;
	}
	return json_object_new_string(v);
}

static int
json_row(struct out *o, const char *const *vals)
{
	struct json_object	*obj = json_object_new_object();
	const char		*s;
	size_t			 i;

	if (obj == NULL)
		return -1;
	for (i = 0; i < o->ncols; i++)
		json_object_object_add(obj, o->cols[i].name,
		    json_value(&o->cols[i], vals[i]));
	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (o->fmt == OUT_JSON)
		writer_printf(o->f, "%s\n%s", o->nrows ? "," : "", s);
	else
		writer_printf(o->f, "%s\n", s);
	json_object_put(obj);
	return 0;
}

int
out_row(struct out *o, const char *const *vals)
{
	char	  buf[OUT_CELL_BYTES];
	char	**cells;
	size_t	  i, cap;

	switch (o->fmt) {
	case OUT_CSV:
		for (i = 0; i < o->ncols; i++) {
			csv_cell(o->f, &o->cols[i], vals[i]);
			writer_puts(o->f, i + 1 < o->ncols ? "," : "\r\n");
		}
		break;
	case OUT_JSON:
	case OUT_JSONL:
		if (json_row(o, vals) != 0)
			return o->failed = -1;
		break;
	case OUT_TABLE:
		if ((o->nrows + 1) * o->ncols > o->cap) {
			cap = o->cap ? o->cap * 2 : o->ncols * 16;
			if ((cells = reallocarray(o->cells, cap,
			    sizeof(*cells))) == NULL)
				return o->failed = -1;
			o->cells = cells;
			o->cap = cap;
		}
		for (i = 0; i < o->ncols; i++) {
			if (vals[i] == NULL)
				snprintf(buf, sizeof(buf), "%s", OUT_NULL_TEXT);
			else
				render(&o->cols[i], vals[i], buf, sizeof(buf));
			if ((o->cells[o->nrows * o->ncols + i] = strdup(buf)) ==
			    NULL) {
				/* Keep the table consistent for out_end's free. */
				while (i-- > 0)
					free(o->cells[o->nrows * o->ncols + i]);
				return o->failed = -1;
			}
		}
		break;
	case OUT__MAX:
		break;
	}
	o->nrows++;
	return o->f->failed ? (o->failed = -1) : 0;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t
width(const char *s)
{
	size_t	w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void
table_print(struct out *o)
{
	size_t	*w, i, r, pad;
	int	 right;

	if ((w = calloc(o->ncols, sizeof(*w))) == NULL) {
		o->failed = -1;
		return;
	}
	for (i = 0; i < o->ncols; i++)
		w[i] = width(o->cols[i].name);
	for (r = 0; r < o->nrows; r++)
		for (i = 0; i < o->ncols; i++)
			if (width(o->cells[r * o->ncols + i]) > w[i])
				w[i] = width(o->cells[r * o->ncols + i]);
	for (r = 0; r <= o->nrows; r++)
		for (i = 0; i < o->ncols; i++) {
			const char	*s = r == 0 ? o->cols[i].name :
			    o->cells[(r - 1) * o->ncols + i];

			right = o->cols[i].type != COL_TEXT &&
			    o->cols[i].type != COL_TIME_US;
			pad = w[i] - width(s);
			if (right)
				writer_printf(o->f, "%*s", (int)pad, "");
			writer_puts(o->f, s);
			if (i + 1 < o->ncols)
				writer_printf(o->f, "%*s",
				    (int)(right ? 2 : pad + 2), "");
			else
				writer_put(o->f, "\n", 1);
		}
	free(w);
}

int
out_row_cb(const char *const *values, void *out)
{
	return out_row(out, values);
}

int
out_end(struct out *o)
{
	size_t	i;

	if (o->fmt == OUT_TABLE && o->failed == 0)
		table_print(o);
	else if (o->fmt == OUT_JSON)
		writer_puts(o->f, o->nrows ? "\n]\n" : "]\n");
	if (o->cells != NULL)
		for (i = 0; i < o->nrows * o->ncols; i++)
			free(o->cells[i]);
	free(o->cells);
	o->cells = NULL;
	if (writer_flush(o->f) != 0)
		o->failed = -1;
	return o->failed;
}
