/*
 * llmopsctl's output formats: CSV (RFC 4180 with a formula guard), JSON
 * array and JSON lines (read back with json-c), and the aligned text
 * table. Output goes to an open_memstream buffer and is compared exactly.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output.h"
#include "tap.h"

/* 2026-11-27T07:43:53.123456Z: 20784 days after the epoch. */
#define T_US	"1795765433123456"
#define T_ISO	"2026-11-27T07:43:53.123456Z"

static const struct report_col cols[] = {
	{ "name", COL_TEXT },
	{ "n", COL_INT },
	{ "cost", COL_DECIMAL },
	{ "at", COL_TIME_US },
	{ "dur", COL_DURATION_US },
	{ "ok", COL_BOOL },
};
#define NCOLS	(sizeof(cols) / sizeof(cols[0]))

/* Rows with the troublesome texts, shared by the formats. */
static const char *const rows[][NCOLS] = {
	{ "Sales", "42", "0.000960000000", T_US, "79816", "1" },
	{ "<script>alert(1)</script>", "-7", "-0.5", "0", "0", "0" },
	{ "\"><img src=x>", "9223372036854775807",
	    "12345678901234.123456789012", T_US, "1500", "1" },
	{ "a,b \"q\"\r\nline2", "0", "0", T_US, "-1500", "0" },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
	{ "=SUM(A1:A9)", "1", "1", "1", "1", "1" },
	{ "+1", "1", "1", "1", "1", "1" },
	{ "-1", "1", "1", "1", "1", "1" },
	{ "@cmd", "1", "1", "1", "1", "1" },
	{ "", "1", "1", "1", "1", "1" },
};
#define NROWS	(sizeof(rows) / sizeof(rows[0]))

/* Runs one table through a format; returns the malloc'd output. */
static char *
render_all(enum out_format fmt, const struct report_col *c, size_t nc,
    const char *const *vals, size_t nr, int *rc)
{
	struct out	 o;
	char		*buf = NULL;
	size_t		 len = 0, r;
	FILE		*f;
	struct writer	 w;

	*rc = -1;
	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	writer_init_file(&w, f);
	out_begin(&o, fmt, &w, c, nc);
	*rc = 0;
	for (r = 0; r < nr; r++)
		if (out_row(&o, vals + r * nc) != 0)
			*rc = -1;
	if (out_end(&o) != 0)
		*rc = -1;
	fclose(f);
	return buf;
}

static char *
render_rows(enum out_format fmt, int *rc)
{
	return render_all(fmt, cols, NCOLS, &rows[0][0], NROWS, rc);
}

static void
test_format_parse(void)
{
	enum out_format	f = OUT__MAX;
	unsigned	all = OUT_ALLOW(OUT_TABLE) | OUT_ALLOW(OUT_CSV) |
			    OUT_ALLOW(OUT_JSON) | OUT_ALLOW(OUT_JSONL);

	is_int(out_format_parse("table", all, &f), 0, "format: table accepted");
	is_int(f, OUT_TABLE, "format: table is OUT_TABLE");
	is_int(out_format_parse("csv", all, &f), 0, "format: csv accepted");
	is_int(f, OUT_CSV, "format: csv is OUT_CSV");
	is_int(out_format_parse("json", all, &f), 0, "format: json accepted");
	is_int(f, OUT_JSON, "format: json is OUT_JSON");
	is_int(out_format_parse("jsonl", all, &f), 0, "format: jsonl accepted");
	is_int(f, OUT_JSONL, "format: jsonl is OUT_JSONL");

	f = OUT__MAX;
	is_int(out_format_parse("table", OUT_ALLOW(OUT_JSONL) | OUT_ALLOW(OUT_CSV),
	    &f), -1, "format: table refused when only jsonl and csv allowed");
	is_int(out_format_parse("json", OUT_ALLOW(OUT_JSONL), &f), -1,
	    "format: json refused when only jsonl allowed");
	is_int(out_format_parse("jsonl", OUT_ALLOW(OUT_JSON), &f), -1,
	    "format: jsonl refused when only json allowed");
	is_int(out_format_parse("csv", 0, &f), -1,
	    "format: csv refused when nothing is allowed");
	is_int(f, OUT__MAX, "format: output untouched when refused");
	is_int(out_format_parse("CSV", all, &f), -1, "format: CSV (upper case)");
	is_int(out_format_parse("", all, &f), -1, "format: empty");
	is_int(out_format_parse("csv ", all, &f), -1, "format: trailing blank");
	is_int(out_format_parse("xml", all, &f), -1, "format: xml");
	is_int(out_format_parse("csv", OUT_ALLOW(OUT_CSV), &f), 0,
	    "format: csv with only csv allowed");
	is_int(f, OUT_CSV, "format: csv with only csv allowed is OUT_CSV");
}

static void
test_csv(void)
{
	char	*s;
	int	 rc;

	s = render_rows(OUT_CSV, &rc);
	is_int(rc, 0, "csv: every row written");
	is_str(s,
	    "name,n,cost,at,dur,ok\r\n"
	    "\"Sales\",42,0.000960000000," T_ISO ",79.816,true\r\n"
	    "\"<script>alert(1)</script>\",-7,-0.5,"
	    "1970-01-01T00:00:00.000000Z,0.000,false\r\n"
	    "\"\"\"><img src=x>\",9223372036854775807,"
	    "12345678901234.123456789012," T_ISO ",1.500,true\r\n"
	    "\"a,b \"\"q\"\"\r\nline2\",0,0," T_ISO ",-1.500,false\r\n"
	    ",,,,,\r\n"
	    "\"'=SUM(A1:A9)\",1,1,1970-01-01T00:00:00.000001Z,0.001,true\r\n"
	    "\"'+1\",1,1,1970-01-01T00:00:00.000001Z,0.001,true\r\n"
	    "\"'-1\",1,1,1970-01-01T00:00:00.000001Z,0.001,true\r\n"
	    "\"'@cmd\",1,1,1970-01-01T00:00:00.000001Z,0.001,true\r\n"
	    "\"\",1,1,1970-01-01T00:00:00.000001Z,0.001,true\r\n",
	    "csv: header, RFC 4180 quoting, NULL empty, formula guard");
	free(s);

	/* Header only. */
	s = render_all(OUT_CSV, cols, NCOLS, NULL, 0, &rc);
	is_str(s, "name,n,cost,at,dur,ok\r\n", "csv: no rows, header only");
	free(s);
}

/* The value of key in obj as a string, or NULL. */
static const char *
jstr(struct json_object *obj, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Checks a row read back from JSON against rows[r]. */
static void
check_json_row(const char *fmt, size_t r, struct json_object *obj)
{
	struct json_object	*v;
	size_t			 i;
	int			 nulls = 0;

	if (!ok(obj != NULL && json_object_is_type(obj, json_type_object),
	    "%s row %zu: an object", fmt, r))
		return;
	is_int(json_object_object_length(obj), NCOLS,
	    "%s row %zu: one key per column", fmt, r);
	if (rows[r][0] != NULL)
		is_str(jstr(obj, "name"), rows[r][0],
		    "%s row %zu: text reads back exactly", fmt, r);
	for (i = 0; i < NCOLS; i++)
		if (rows[r][i] == NULL && json_object_object_get_ex(obj,
		    cols[i].name, &v) && v == NULL)
			nulls++;
	if (rows[r][0] == NULL)
		is_int(nulls, NCOLS, "%s row %zu: every NULL is null", fmt, r);
}

static void
test_json(void)
{
	struct json_object	*arr, *obj, *v;
	char			*s;
	size_t			 i;
	int			 rc;

	s = render_rows(OUT_JSON, &rc);
	is_int(rc, 0, "json: every row written");
	arr = s ? json_tokener_parse(s) : NULL;
	if (ok(arr != NULL && json_object_is_type(arr, json_type_array),
	    "json: output is one JSON array")) {
		is_int(json_object_array_length(arr), NROWS,
		    "json: one element per row");
		for (i = 0; i < NROWS && i < json_object_array_length(arr); i++)
			check_json_row("json", i, json_object_array_get_idx(arr, i));

		obj = json_object_array_get_idx(arr, 0);
		ok(json_object_object_get_ex(obj, "n", &v) &&
		    json_object_is_type(v, json_type_int) &&
		    json_object_get_int64(v) == 42, "json: n is the number 42");
		ok(json_object_object_get_ex(obj, "ok", &v) &&
		    json_object_is_type(v, json_type_boolean) &&
		    json_object_get_boolean(v), "json: ok 1 is true");
		is_str(jstr(obj, "at"), T_ISO, "json: time as an ISO string");
		ok(json_object_object_get_ex(obj, "dur", &v) &&
		    json_object_is_type(v, json_type_double),
		    "json: duration is a number");
		ok(json_object_object_get_ex(obj, "cost", &v) &&
		    json_object_is_type(v, json_type_double),
		    "json: decimal is a number");

		obj = json_object_array_get_idx(arr, 1);
		ok(json_object_object_get_ex(obj, "ok", &v) &&
		    json_object_is_type(v, json_type_boolean) &&
		    !json_object_get_boolean(v), "json: ok 0 is false");
		ok(json_object_object_get_ex(obj, "n", &v) &&
		    json_object_get_int64(v) == -7, "json: n -7");

		obj = json_object_array_get_idx(arr, 2);
		ok(json_object_object_get_ex(obj, "n", &v) &&
		    json_object_is_type(v, json_type_int) &&
		    json_object_get_int64(v) == INT64_MAX,
		    "json: INT64_MAX read back exactly");
		obj = json_object_array_get_idx(arr, 3);
		is_str(jstr(obj, "name"), "a,b \"q\"\r\nline2",
		    "json: quotes, CR LF read back exactly");
	}
	json_object_put(arr);

	/* Exact number texts: the decimal as written, never via a double. */
	ok(s && strstr(s, "\"cost\":0.000960000000") != NULL,
	    "json: 0.000960000000 kept as written");
	ok(s && strstr(s, "\"cost\":12345678901234.123456789012") != NULL,
	    "json: 12345678901234.123456789012 kept as written");
	ok(s && strstr(s, "\"dur\":79.816") != NULL, "json: 79816 us is 79.816");
	ok(s && strstr(s, "\"dur\":-1.500") != NULL, "json: -1500 us is -1.500");
	ok(s && strstr(s, "\"n\":9223372036854775807") != NULL,
	    "json: INT64_MAX written exactly");
	/* The texts are inside JSON strings: their quotes are escaped. */
	ok(s && strstr(s, "\"name\":\"\\\"><img src=x>\"") != NULL,
	    "json: quote of \"><img escaped");
	ok(s && strstr(s, "\"a,b \\\"q\\\"\\r\\nline2\"") != NULL,
	    "json: CR LF escaped as \\r\\n");
	free(s);

	s = render_all(OUT_JSON, cols, NCOLS, NULL, 0, &rc);
	arr = s ? json_tokener_parse(s) : NULL;
	ok(arr != NULL && json_object_is_type(arr, json_type_array) &&
	    json_object_array_length(arr) == 0, "json: no rows is []");
	json_object_put(arr);
	free(s);
}

static void
test_jsonl(void)
{
	struct json_object	*obj;
	char			*s, *line, *save = NULL;
	size_t			 n = 0, nl = 0, i;
	int			 rc;

	s = render_rows(OUT_JSONL, &rc);
	is_int(rc, 0, "jsonl: every row written");
	for (i = 0; s && s[i] != '\0'; i++)
		nl += s[i] == '\n';
	is_int(nl, NROWS, "jsonl: one line per row, none inside a value");
	ok(s && strchr(s, '\r') == NULL, "jsonl: no raw CR");
	for (line = s ? strtok_r(s, "\n", &save) : NULL; line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		obj = json_tokener_parse(line);
		if (n < NROWS)
			check_json_row("jsonl", n, obj);
		json_object_put(obj);
	}
	is_int(n, NROWS, "jsonl: %zu lines", (size_t)NROWS);
	free(s);

	s = render_all(OUT_JSONL, cols, NCOLS, NULL, 0, &rc);
	is_str(s, "", "jsonl: no rows, no output");
	free(s);
}

/* Display columns of s: every byte but UTF-8 continuation bytes. */
static size_t
width_of(const char *s, size_t len)
{
	size_t	w = 0, i;

	for (i = 0; i < len; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/*
 * Splits a two-column table into lines and checks that the second column
 * is aligned: every value starts at the same display column (left) or
 * ends at the same one (right). cells[] are the expected texts.
 */
static void
check_aligned(const char *name, const char *out, const char *const *cells,
    size_t nlines)
{
	const char	*p = out, *eol;
	size_t		 i, start = 0, end = 0, l0, l1, len;
	int		 same_start = 1, same_end = 1, texts = 1;

	for (i = 0; i < nlines; i++) {
		if (p == NULL || (eol = strchr(p, '\n')) == NULL) {
			ok(0, "%s: line %zu present", name, i);
			return;
		}
		len = (size_t)(eol - p);
		l0 = strlen(cells[2 * i]);
		l1 = strlen(cells[2 * i + 1]);
		/* first cell, blanks, second cell, end of line */
		if (len < l0 + 1 + l1 || strncmp(p, cells[2 * i], l0) != 0 ||
		    strncmp(eol - l1, cells[2 * i + 1], l1) != 0 ||
		    strspn(p + l0, " ") < 1) {
			texts = 0;
			tap_diag("%s: line %zu is \"%.*s\"", name, i, (int)len, p);
		}
		if (i == 0) {
			start = width_of(p, len) - width_of(eol - l1, l1);
			end = width_of(p, len);
		} else {
			same_start &= width_of(p, len) - width_of(eol - l1, l1) ==
			    start;
			same_end &= width_of(p, len) == end;
		}
		p = eol + 1;
	}
	ok(texts, "%s: each line holds its two cells", name);
	ok(same_start || same_end, "%s: second column aligned", name);
	is_str(p, "", "%s: nothing after the last line", name);
}

static void
test_table(void)
{
	static const struct report_col tc[] = {
		{ "name", COL_TEXT },
		{ "n", COL_INT },
	};
	static const struct report_col tt[] = {
		{ "department", COL_TEXT },
		{ "team", COL_TEXT },
	};
	const char *const	vals[] = {
		"D\xc3\xa9veloppement", "5",		/* 13 columns, 14 bytes */
		"ab", "12345",
		NULL, NULL,
		"\xc3\xa9\xc3\xa9\xc3\xa9", "-3",
	};
	const char *const	shown[] = {
		"name", "n",
		"D\xc3\xa9veloppement", "5",
		"ab", "12345",
		"-", "-",
		"\xc3\xa9\xc3\xa9\xc3\xa9", "-3",
	};
	const char *const	tvals[] = {
		"R&D", "caf\xc3\xa9",
		"\xc3\x89quipe \xc3\xa0 Paris", "x",
		"z", NULL,
	};
	const char *const	tshown[] = {
		"department", "team",
		"R&D", "caf\xc3\xa9",
		"\xc3\x89quipe \xc3\xa0 Paris", "x",
		"z", "-",
	};
	const char *const	evil[] = {
		"evil\nline", "1",
		"bell\x07 esc\x1b[2J cr\rend", "2",
	};
	char	*s;
	size_t	 i, nl;
	int	 rc;

	s = render_all(OUT_TABLE, tc, 2, vals, 4, &rc);
	is_int(rc, 0, "table: rows buffered and printed");
	check_aligned("table text+int", s ? s : "", shown, 5);
	free(s);

	s = render_all(OUT_TABLE, tt, 2, tvals, 3, &rc);
	check_aligned("table text+text", s ? s : "", tshown, 4);
	free(s);

	/* Control characters never reach the terminal raw. */
	s = render_all(OUT_TABLE, tc, 2, evil, 2, &rc);
	for (i = 0, nl = 0; s && s[i] != '\0'; i++)
		nl += s[i] == '\n';
	is_int(nl, 3, "table: a value with \\n does not start a new line");
	ok(s && strchr(s, '\r') == NULL, "table: no raw CR");
	ok(s && strchr(s, '\x1b') == NULL, "table: no raw ESC");
	ok(s && strchr(s, '\x07') == NULL, "table: no raw BEL");
	ok(s && strstr(s, "evil") != NULL && strstr(s, "line") != NULL,
	    "table: the text around the newline is still shown");
	free(s);

	/* Header only when there are no rows. */
	s = render_all(OUT_TABLE, tc, 2, NULL, 0, &rc);
	ok(s && strncmp(s, "name", 4) == 0 && strchr(s, '\n') != NULL &&
	    strchr(s, '\n')[1] == '\0' && s[strlen(s) - 2] == 'n',
	    "table: no rows, header line only");
	free(s);
}

int
main(void)
{
	test_format_parse();
	test_csv();
	test_json();
	test_jsonl();
	test_table();
	return tap_done();
}
