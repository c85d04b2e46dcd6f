/*
 * SVG charts: a small well-formedness checker (balanced tags, only the
 * elements and attributes svg.c emits, quoted attribute values, no raw
 * '<' or '>' in text, only known references) run on every chart; hostile
 * labels that must stay text; nice ticks and their labels; bar widths and
 * stacked heights parsed back and compared with values worked out by hand
 * from the layout in svg.c; time labels for hours, days and months;
 * empty data; limits; byte-identical output for the same input.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "svg.h"
#include "tap.h"
#include "writer.h"

#define US		1000000LL
#define HOUR_US		(3600 * US)
#define DAY_US		(86400 * US)
/* 2026-11-27T00:00:00Z: 20784 days after the epoch, a Friday. */
#define NOV27_US	(20784LL * DAY_US)

/* ---- the checker --------------------------------------------------- */

static const char *const elements[] = {
	"svg", "title", "desc", "rect", "line", "text", NULL,
};
static const char *const attributes[] = {
	"xmlns", "class", "viewBox", "width", "height", "role",
	"aria-labelledby", "font-family", "font-size", "id", "x", "y", "x1",
	"y1", "x2", "y2", "fill", "stroke", "text-anchor", "shape-rendering",
	NULL,
};
static const char *const refs[] = {
	"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#9;", "&#10;", "&#13;",
	NULL,
};

#define CHECK_DEPTH	8

static int
in_list(const char *const *list, const char *s, size_t len)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == len && strncmp(*list, s, len) == 0)
			return 1;
	return 0;
}

/* Length of the reference at s, 0 if it is none of ours. */
static size_t
ref_len(const char *s)
{
	const char *const	*r;

	for (r = refs; *r != NULL; r++)
		if (strncmp(s, *r, strlen(*r)) == 0)
			return strlen(*r);
	return 0;
}

static size_t
name_len(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-");
}

/* NULL when s is one well-formed <svg> element as we write them. */
static const char *
check_svg(const char *s)
{
	static char	 why[128];
	const char	*stack[CHECK_DEPTH], *p = s;
	size_t		 slen[CHECK_DEPTH], n, r;
	int		 depth = 0, roots = 0;

	while (*p != '\0') {
		if (*p == '<' && p[1] == '/') {
			n = name_len(p + 2);
			if (depth == 0 || n != slen[depth - 1] ||
			    strncmp(p + 2, stack[depth - 1], n) != 0 ||
			    p[2 + n] != '>') {
				snprintf(why, sizeof(why), "bad end tag at %d",
				    (int)(p - s));
				return why;
			}
			depth--;
			p += 3 + n;
			continue;
		}
		if (*p == '<') {
			n = name_len(p + 1);
			if (!in_list(elements, p + 1, n)) {
				snprintf(why, sizeof(why), "element %.*s at %d",
				    (int)n, p + 1, (int)(p - s));
				return why;
			}
			if (depth == 0 && (roots++ > 0 || strncmp(p + 1, "svg", 3)))
				return "not one <svg> root";
			if (depth == CHECK_DEPTH)
				return "too deep";
			stack[depth] = p + 1;
			slen[depth] = n;
			p += 1 + n;
			for (;;) {
				if (*p == '/' && p[1] == '>') {
					p += 2;
					break;
				}
				if (*p == '>') {
					p++;
					depth++;
					break;
				}
				if (*p != ' ')
					return "no space before an attribute";
				p++;
				n = name_len(p);
				if (!in_list(attributes, p, n) ||
				    strncmp(p, "on", 2) == 0) {
					snprintf(why, sizeof(why), "attribute "
					    "%.*s at %d", (int)n, p, (int)(p - s));
					return why;
				}
				p += n;
				if (p[0] != '=' || p[1] != '"')
					return "attribute value not in quotes";
				for (p += 2; *p != '"'; p++) {
					if (*p == '\0' || *p == '<' || *p == '>')
						return "bad attribute value";
					if (*p == '&' && (r = ref_len(p)) == 0)
						return "bad reference in attribute";
				}
				p++;
			}
			continue;
		}
		if (depth == 0) {
			if (*p != '\n')
				return "text outside the root";
		} else if (*p == '>')
			return "raw '>' in text";
		else if (*p == '&' && ref_len(p) == 0) {
			snprintf(why, sizeof(why), "bad reference at %d",
			    (int)(p - s));
			return why;
		}
		p++;
	}
	if (depth != 0)
		return "unclosed element";
	if (roots != 1)
		return "no root";
	return NULL;
}

static void
well_formed(const char *out, const char *what)
{
	const char	*why = check_svg(out);

	if (!ok(why == NULL, "%s: well-formed", what))
		tap_diag("%s", why);
}

/* ---- reading output back -------------------------------------------- */

/*
 * The contents of every <text class="cls"> joined by '|', in order, in a
 * static buffer.
 */
static const char *
texts(const char *out, const char *cls)
{
	static char	 buf[8192];
	char		 open[64];
	const char	*p = out, *start, *end;
	size_t		 len = 0;

	snprintf(open, sizeof(open), "<text class=\"%s\"", cls);
	buf[0] = '\0';
	while ((p = strstr(p, open)) != NULL) {
		start = strchr(p, '>') + 1;
		end = strstr(start, "</text>");
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%.*s",
		    len ? "|" : "", (int)(end - start), start);
		if (len >= sizeof(buf))
			return "(overflow)";
		p = end;
	}
	return buf;
}

/* The number in attribute name of the tag at tag, NAN if absent. */
static double
attr_at(const char *tag, const char *name)
{
	char		 key[32];
	const char	*end = strchr(tag, '>'), *p;

	snprintf(key, sizeof(key), " %s=\"", name);
	if ((p = strstr(tag, key)) == NULL || p > end)
		return NAN;
	return strtod(p + strlen(key), NULL);
}

/* The string value of attribute name of the tag at tag, in a static buffer. */
static const char *
attr_str(const char *tag, const char *name)
{
	static char	 buf[128];
	char		 key[32];
	const char	*end = strchr(tag, '>'), *p, *q;

	snprintf(key, sizeof(key), " %s=\"", name);
	if ((p = strstr(tag, key)) == NULL || p > end)
		return "";
	p += strlen(key);
	q = strchr(p, '"');
	snprintf(buf, sizeof(buf), "%.*s", (int)(q - p), p);
	return buf;
}

struct rect {
	double		x, y, w, h;
	char		fill[128];
	const char	*title;	/* into the output, up to "</title>" */
};

/* Up to max rects of class cls, in order; returns how many there are. */
static size_t
rects(const char *out, const char *cls, struct rect *r, size_t max)
{
	char		 open[64];
	const char	*p = out;
	size_t		 n = 0;

	snprintf(open, sizeof(open), "<rect class=\"%s\"", cls);
	for (; (p = strstr(p, open)) != NULL; p++, n++) {
		if (n >= max)
			continue;
		r[n].x = attr_at(p, "x");
		r[n].y = attr_at(p, "y");
		r[n].w = attr_at(p, "width");
		r[n].h = attr_at(p, "height");
		snprintf(r[n].fill, sizeof(r[n].fill), "%s", attr_str(p, "fill"));
		r[n].title = strstr(p, "<title>");
		if (r[n].title != NULL && r[n].title > strchr(p, '\n'))
			r[n].title = NULL;
		if (r[n].title != NULL)
			r[n].title += strlen("<title>");
	}
	return n;
}

static int
title_is(const struct rect *r, const char *want)
{
	return r->title != NULL && strncmp(r->title, want, strlen(want)) == 0 &&
	    strncmp(r->title + strlen(want), "</title>", 8) == 0;
}

static int
near(double a, double b)
{
	return fabs(a - b) < 0.006;
}

static size_t
count(const char *out, const char *needle)
{
	size_t	n = 0;

	while ((out = strstr(out, needle)) != NULL) {
		n++;
		out++;
	}
	return n;
}

/* ---- rendering ------------------------------------------------------- */

/* Renders a chart; returns the malloc'd output ("" when nothing). */
static char *
bar(const struct svg_bar_chart *c, int *rc, struct llmops_err *err)
{
	struct writer	 w;
	struct membuf	 mb;
	char		*s;

	err_clear(err);
	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	*rc = svg_bar_chart(&w, c, err);
	if (writer_flush(&w) != 0)
		*rc = -1;
	s = strdup(membuf_str(&mb));
	membuf_release(&mb);
	return s;
}

static char *
timechart(const struct svg_time_chart *c, int *rc, struct llmops_err *err)
{
	struct writer	 w;
	struct membuf	 mb;
	char		*s;

	err_clear(err);
	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	*rc = svg_time_chart(&w, c, err);
	if (writer_flush(&w) != 0)
		*rc = -1;
	s = strdup(membuf_str(&mb));
	membuf_release(&mb);
	return s;
}

/* ---- ticks ----------------------------------------------------------- */

static void
ticks(double max, int mant, int exp, int cnt, double top)
{
	struct svg_ticks	t;

	if (!ok(svg_nice_ticks(max, &t) == 0, "ticks for %g", max))
		return;
	ok(t.mant == mant && t.exp == exp && t.count == cnt &&
	    fabs(t.top - top) <= top * 1e-12, "ticks for %g: %d x 10^%d, "
	    "%d steps, top %g", max, mant, exp, cnt, top);
	if (t.mant != mant || t.exp != exp || t.count != cnt)
		tap_diag("got %d x 10^%d, %d steps, top %.17g", t.mant, t.exp,
		    t.count, t.top);
}

static void
labels(double max, enum svg_unit unit, const char *want)
{
	struct svg_ticks	t;
	char			buf[SVG_VALUE_BYTES], all[512];
	size_t			len = 0;
	int			i;

	svg_nice_ticks(max, &t);
	all[0] = '\0';
	for (i = 0; i <= t.count; i++) {
		svg_tick_label(&t, i, unit, buf);
		len += (size_t)snprintf(all + len, sizeof(all) - len, "%s%s",
		    i ? "|" : "", buf);
	}
	is_str(all, want, "tick labels for %g %s", max,
	    unit == SVG_UNIT_USD ? "USD" : "");
}

static void
value(double v, enum svg_unit unit, const char *want)
{
	char	buf[SVG_VALUE_BYTES];

	svg_format_value(v, unit, buf);
	is_str(buf, want, "format %g %s", v, unit == SVG_UNIT_USD ? "USD" : "");
}

static void
test_ticks(void)
{
	struct svg_ticks	t;
	char			tb[SVG_VALUE_BYTES];
	double			v;
	int			bad = 0, k;

	/* raw = max / 5 rounded up to 1, 2 or 5 x 10^n; steps to cover max. */
	ticks(100, 2, 1, 5, 100);		/* raw 20 */
	ticks(101, 5, 1, 3, 150);		/* raw 20.2 -> 50 */
	ticks(0.0172455, 5, -3, 4, 0.02);	/* raw 0.0034 -> 0.005 */
	ticks(0, 2, -1, 5, 1);			/* empty: 0..1 */
	ticks(1, 2, -1, 5, 1);			/* raw 0.2 */
	ticks(7, 2, 0, 4, 8);			/* raw 1.4 -> 2 */
	ticks(12345, 5, 3, 3, 15000);		/* raw 2469 -> 5000 */
	ticks(1800, 5, 2, 4, 2000);		/* raw 360 -> 500 */
	ticks(0.3, 1, -1, 3, 0.3);		/* raw 0.06 -> 0.1 */
	ticks(3e6, 1, 6, 3, 3e6);		/* raw 6e5 -> 1e6 */
	ticks(1e15, 2, 14, 5, 1e15);		/* SVG_VALUE_MAX */
	ticks(1e-15, 2, -13, 5, 1e-12);		/* below SVG_VALUE_MIN_TOP */
	ok(svg_nice_ticks(-1, &t) == -1, "ticks refuse a negative max");
	ok(svg_nice_ticks(NAN, &t) == -1, "ticks refuse NaN");
	ok(svg_nice_ticks(INFINITY, &t) == -1, "ticks refuse infinity");
	ok(svg_nice_ticks(2e15, &t) == -1, "ticks refuse above SVG_VALUE_MAX");

	/* A sweep over twelve decades: nice, covering, and not wasteful. */
	for (k = 0, v = 1e-3; v < 1e9; v *= 1.0137, k++) {
		if (svg_nice_ticks(v, &t) != 0 ||
		    (t.mant != 1 && t.mant != 2 && t.mant != 5) ||
		    t.top < v * (1 - 1e-9) ||
		    (t.count - 1) * t.step >= v ||
		    t.count < 2 || t.count > 5 ||
		    fabs(t.step - t.mant * pow(10, t.exp)) > t.step * 1e-12) {
			if (bad++ == 0)
				tap_diag("first bad max %.17g: %d x 10^%d x %d",
				    v, t.mant, t.exp, t.count);
		}
	}
	ok(bad == 0, "sweep of %d maxima: 1/2/5 steps, 2 to 5 of them, the "
	    "last one needed and covering the max", k);

	labels(100, SVG_UNIT_NUMBER, "0|20|40|60|80|100");
	labels(100, SVG_UNIT_USD, "$0|$20|$40|$60|$80|$100");
	labels(0.0172455, SVG_UNIT_USD, "$0|$0.005|$0.010|$0.015|$0.020");
	labels(2, SVG_UNIT_USD, "$0|$0.50|$1.00|$1.50|$2.00");
	labels(0, SVG_UNIT_USD, "$0|$0.20|$0.40|$0.60|$0.80|$1.00");
	labels(0.3, SVG_UNIT_NUMBER, "0|0.1|0.2|0.3");
	labels(1800, SVG_UNIT_NUMBER, "0|0.5k|1.0k|1.5k|2.0k");
	labels(12345, SVG_UNIT_NUMBER, "0|5k|10k|15k");
	labels(12345, SVG_UNIT_USD, "$0|$5k|$10k|$15k");
	labels(3e6, SVG_UNIT_NUMBER, "0|1M|2M|3M");
	labels(4.5e9, SVG_UNIT_NUMBER, "0|1B|2B|3B|4B|5B");
	labels(1e15, SVG_UNIT_NUMBER,
	    "0|200000B|400000B|600000B|800000B|1000000B");
	labels(1e-12, SVG_UNIT_USD, "$0|$0.0000000000002|$0.0000000000004|"
	    "$0.0000000000006|$0.0000000000008|$0.0000000000010");

	value(0, SVG_UNIT_USD, "$0.00");
	value(1234.5, SVG_UNIT_USD, "$1234.50");
	value(0.5, SVG_UNIT_USD, "$0.50");
	value(0.0172455, SVG_UNIT_USD, "$0.0172");
	value(0.00345, SVG_UNIT_USD, "$0.00345");
	value(1.2e-7, SVG_UNIT_USD, "$0.00000012");
	value(0.999999, SVG_UNIT_USD, "$1.00");
	value(-0.5, SVG_UNIT_USD, "-$0.50");
	value(1e-15, SVG_UNIT_USD, "$0.00");
	value(-1e-15, SVG_UNIT_USD, "$0.00");
	value(0, SVG_UNIT_NUMBER, "0");
	value(999, SVG_UNIT_NUMBER, "999");
	value(1.5, SVG_UNIT_NUMBER, "1.5");
	value(1500, SVG_UNIT_NUMBER, "1.5k");
	value(12345, SVG_UNIT_NUMBER, "12.3k");
	value(-1500, SVG_UNIT_NUMBER, "-1.5k");
	value(999999, SVG_UNIT_NUMBER, "1M");
	value(2e9, SVG_UNIT_NUMBER, "2B");
	value(1e15, SVG_UNIT_NUMBER, "1000000B");
	value(1e300, SVG_UNIT_USD, "n/a");
	value(-1e300, SVG_UNIT_NUMBER, "n/a");
	value(NAN, SVG_UNIT_USD, "n/a");
	value(-INFINITY, SVG_UNIT_NUMBER, "n/a");

	/* Ticks not from svg_nice_ticks: no garbage, no overflow. */
	t.mant = 5;
	t.exp = 40;
	t.count = 3;
	svg_tick_label(&t, 1, SVG_UNIT_NUMBER, tb);
	is_str(tb, "?", "tick label of exponent 40: ?");
	t.exp = 0;
	svg_tick_label(&t, 4, SVG_UNIT_NUMBER, tb);
	is_str(tb, "?", "tick label past count: ?");
	svg_tick_label(&t, -1, SVG_UNIT_NUMBER, tb);
	is_str(tb, "?", "negative tick: ?");
	svg_tick_label(&t, 3, SVG_UNIT_NUMBER, tb);
	is_str(tb, "15", "tick 3 of 5 x 10^0: 15");
}

/* ---- bar charts ------------------------------------------------------ */

static const struct svg_bar hostile_bars[] = {
	{ "Sales", 100, "$100.00" },
	{ "<script>alert(1)</script>", 50, NULL },
	{ "\"><img src=x>", 25, "$25.00" },
	{ "A very long agent name that goes on and on", 0, NULL },
	{ "Refunds", -5, "-$5.00" },
};

static void
test_bar_chart(void)
{
	struct svg_bar_chart	 c = {
		"costs", "Cost by agent <b>", "Top agents & teams",
		hostile_bars, 5, SVG_UNIT_USD, 0,
	};
	struct llmops_err	 err;
	struct rect		 r[8];
	char			*out, *again;
	int			 rc;

	out = bar(&c, &rc, &err);
	is_int(rc, 0, "bar chart: rendered");
	well_formed(out, "bar chart");
	ok(strstr(out, "<script") == NULL && strstr(out, "<img") == NULL &&
	    strstr(out, "<b>") == NULL, "bar chart: no hostile markup");
	ok(strncmp(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40) == 0,
	    "bar chart: starts with the svg element");
	/* 5 rows of 24 from y 8: axis at 128, 24 below it. */
	ok(strstr(out, " viewBox=\"0 0 560 152\" width=\"100%\" role=\"img\" "
	    "aria-labelledby=\"costs-title costs-desc\"") != NULL,
	    "bar chart: viewBox, width, role, aria-labelledby");
	ok(strstr(out, "<title id=\"costs-title\">Cost by agent &lt;b&gt;"
	    "</title>") != NULL, "bar chart: title escaped");
	ok(strstr(out, "<desc id=\"costs-desc\">Top agents &amp; teams"
	    "</desc>") != NULL, "bar chart: desc escaped");
	ok(strstr(out, "style") == NULL && strstr(out, "href") == NULL,
	    "bar chart: no style and no link");
	is_int(count(out, "</svg>"), 1, "bar chart: one svg");

	/* Labels cut at 24 columns: 23 and an ellipsis, whole in a title. */
	is_str(texts(out, "svg-label"),
	    "Sales|"
	    "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"
	    "&lt;script&gt;alert(1)&lt;/scrip\xe2\x80\xa6|"
	    "&quot;&gt;&lt;img src=x&gt;|"
	    "<title>A very long agent name that goes on and on</title>"
	    "A very long agent name\xe2\x80\xa6|"
	    "Refunds", "bar chart: labels escaped and cut");
	is_str(texts(out, "svg-value"), "$100.00|$50.00|$25.00|$0.00|-$5.00",
	    "bar chart: value texts, given or formatted");
	is_str(texts(out, "svg-tick"), "$0|$20|$40|$60|$80|$100",
	    "bar chart: ticks to $100");

	/*
	 * Labels end at 4 + 24 * 7 = 172, bars start 8 further at 180. The
	 * widest value text, "$100.00", is 7 columns: 8 + 49 = 57 for the
	 * value column. The plot is 560 - 180 - 57 = 323 wide, and the axis
	 * tops at $100: bars of 323, 161.5, 80.75, 0 and 0 (clamped).
	 */
	is_int(rects(out, "svg-bar", r, 8), 5, "bar chart: five bars");
	ok(near(r[0].x, 180) && near(r[4].x, 180), "bars start at 180");
	ok(near(r[0].w, 323), "bar 100 of 100: 323");
	ok(near(r[1].w, 161.5), "bar 50: 161.5");
	ok(near(r[2].w, 80.75), "bar 25: 80.75");
	ok(near(r[3].w, 0), "bar 0: 0");
	ok(near(r[4].w, 0), "bar -5: clamped to 0");
	ok(near(r[0].y, 12) && near(r[1].y, 36) && near(r[4].y, 108) &&
	    near(r[0].h, 16), "rows 24 apart, bars 16 high, 4 in");
	ok(title_is(&r[1], "&lt;script&gt;alert(1)&lt;/script&gt;: $50.00"),
	    "bar tooltip: full label and value");
	ok(strcmp(r[0].fill, "#0072b2") == 0, "bars in the first colour");
	ok(strstr(out, "<line class=\"svg-grid\" x1=\"503\" y1=\"8\" x2=\"503\" "
	    "y2=\"128\"") != NULL, "the $100 grid line ends the plot at 503");
	ok(strstr(out, "<text class=\"svg-value\" x=\"345.5\"") != NULL,
	    "value text 4 after the bar end");

	again = bar(&c, &rc, &err);
	ok(strcmp(out, again) == 0, "bar chart: same input, same bytes");
	free(again);
	free(out);
}

static void
test_bar_widths(void)
{
	static const struct svg_bar	bars[] = {
		{ "a", 0.0172455, NULL },
		{ "b", 0.0086, NULL },
		{ "c", 0.001, NULL },
		{ "\xe9\x96\x8b\xe7\x99\xba\xe9\x83\xa8\xe9\x96\x80\xe3\x81\xae"
		  "\xe3\x82\xa8\xe3\x83\xbc\xe3\x82\xb8\xe3\x82\xa7\xe3\x83\xb3"
		  "\xe3\x83\x88", 0.0005, NULL },
	};
	struct svg_bar_chart	 c = {
		"w", "Widths", NULL, bars, 4, SVG_UNIT_USD, 10,
	};
	struct llmops_err	 err;
	struct rect		 r[4];
	char			*out;
	int			 rc;

	out = bar(&c, &rc, &err);
	is_int(rc, 0, "small values: rendered");
	well_formed(out, "small values");
	ok(strstr(out, "aria-labelledby=\"w-title\"") != NULL &&
	    strstr(out, "<desc") == NULL, "no desc: labelled by the title alone");
	is_str(texts(out, "svg-tick"), "$0|$0.005|$0.010|$0.015|$0.020",
	    "ticks to $0.020");
	is_str(texts(out, "svg-value"), "$0.0172|$0.0086|$0.001|$0.0005",
	    "formatted values");
	/*
	 * 10 columns: labels end at 74, bars at 82. Value column: "$0.0172"
	 * is 7 columns, 57. Plot 560 - 82 - 57 = 421; top $0.02.
	 */
	rects(out, "svg-bar", r, 4);
	ok(near(r[0].w, round(421 * 0.0172455 / 0.02 * 100) / 100),
	    "0.0172455 of 0.02: %.2f", 421 * 0.0172455 / 0.02);
	ok(near(r[1].w, 181.03), "0.0086 of 0.02 of 421: 181.03");
	ok(near(r[2].w, 21.05), "0.001: 21.05");
	ok(near(r[3].w, 10.525), "0.0005: 10.525 to two decimals");
	/* Eleven wide characters at two columns each: four fit in 9 columns. */
	ok(strstr(out, "\xe9\x96\x8b\xe7\x99\xba\xe9\x83\xa8\xe9\x96\x80"
	    "\xe2\x80\xa6</text>") != NULL, "CJK label cut at 4 characters");
	free(out);
}

static void
test_bar_edges(void)
{
	static const struct svg_bar	zeros[] = {
		{ "idle", 0, NULL }, { "off", 0, "0" },
	};
	struct svg_bar		 many[SVG_BARS_MAX + 1];
	struct svg_bar_chart	 c = {
		"e", "Empty", NULL, NULL, 0, SVG_UNIT_NUMBER, 0,
	};
	struct llmops_err	 err;
	struct writer		 w;
	struct membuf		 mb;
	struct rect		 r[2];
	char			*out;
	size_t			 i;
	int			 rc;

	out = bar(&c, &rc, &err);
	is_int(rc, 0, "no bars: rendered");
	well_formed(out, "no bars");
	is_str(texts(out, "svg-nodata"), "No data", "no bars: No data");
	ok(strstr(out, "viewBox=\"0 0 560 48\"") != NULL, "no bars: 48 high");
	free(out);

	c.bars = zeros;
	c.nbars = 2;
	out = bar(&c, &rc, &err);
	is_int(rc, 0, "all zero: rendered");
	well_formed(out, "all zero");
	is_str(texts(out, "svg-tick"), "0|0.2|0.4|0.6|0.8|1.0",
	    "all zero: an axis to 1");
	rects(out, "svg-bar", r, 2);
	ok(near(r[0].w, 0) && near(r[1].w, 0), "all zero: empty bars");
	free(out);

	for (i = 0; i < SVG_BARS_MAX + 1; i++) {
		many[i].label = "agent";
		many[i].value = (double)i;
		many[i].value_text = NULL;
	}
	c.bars = many;
	c.nbars = SVG_BARS_MAX;
	out = bar(&c, &rc, &err);
	is_int(rc, 0, "SVG_BARS_MAX bars: rendered");
	well_formed(out, "SVG_BARS_MAX bars");
	free(out);
	c.nbars = SVG_BARS_MAX + 1;
	out = bar(&c, &rc, &err);
	is_int(rc, -1, "SVG_BARS_MAX + 1 bars: refused");
	ok(strstr(err.msg, "SVG_BARS_MAX") != NULL, "the message names the "
	    "limit: %s", err.msg);
	is_str(out, "", "a refused chart writes nothing");
	free(out);

	/* A sink that fails mid-chart: the error comes back. */
	c.nbars = SVG_BARS_MAX;
	membuf_init(&mb);
	mb.max = 1000;
	writer_init_membuf(&w, &mb);
	err_clear(&err);
	is_int(svg_bar_chart(&w, &c, &err), -1, "failing sink: -1");
	ok(strstr(err.msg, "output failed") != NULL, "failing sink: %s",
	    err.msg);
	membuf_release(&mb);
}

static void
refused(struct svg_bar_chart *c, const char *why, const char *in_msg)
{
	struct llmops_err	 err;
	char			*out;
	int			 rc;

	out = bar(c, &rc, &err);
	is_int(rc, -1, "refused: %s", why);
	ok(out != NULL && out[0] == '\0', "refused: %s: nothing written", why);
	if (!ok(strstr(err.msg, in_msg) != NULL, "refused: %s: message names "
	    "%s", why, in_msg))
		tap_diag("message: %s", err.msg);
	free(out);
}

static void
test_bar_refusals(void)
{
	struct svg_bar		 b[1] = { { "x", 1, NULL } };
	struct svg_bar_chart	 c = {
		"ok", "T", NULL, b, 1, SVG_UNIT_USD, 0,
	};
	static const char *const bad_ids[] = {
		"", "1abc", "a b", "a\"b", "a<b", "-x", "abcdefghijklmnopqrstuvwxyz012345",
	};
	struct llmops_err	 err;
	char			*out;
	size_t			 i;
	int			 rc;

	out = bar(&c, &rc, &err);
	is_int(rc, 0, "the base chart renders");
	free(out);
	c.id = "abcdefghijklmnopqrstuvwxyz01234";	/* 31 bytes */
	out = bar(&c, &rc, &err);
	is_int(rc, 0, "id of SVG_ID_BYTES - 1 bytes");
	free(out);
	c.id = NULL;
	refused(&c, "NULL id", "SVG_ID_BYTES");
	for (i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		c.id = bad_ids[i];
		refused(&c, bad_ids[i], "SVG_ID_BYTES");
	}
	c.id = "ok";
	c.title = NULL;
	refused(&c, "no title", "title");
	c.title = "T";
	c.unit = SVG_UNIT__MAX;
	refused(&c, "unknown unit", "unit");
	c.unit = SVG_UNIT_USD;
	c.label_chars = SVG_LABEL_CHARS_MIN - 1;
	refused(&c, "label width below min", "SVG_LABEL_CHARS_MIN");
	c.label_chars = SVG_LABEL_CHARS_MAX + 1;
	refused(&c, "label width above max", "SVG_LABEL_CHARS_MAX");
	c.label_chars = SVG_LABEL_CHARS_MAX;
	out = bar(&c, &rc, &err);
	is_int(rc, 0, "label width SVG_LABEL_CHARS_MAX");
	free(out);
	c.label_chars = 0;
	b[0].value = NAN;
	refused(&c, "NaN", "SVG_VALUE_MAX");
	b[0].value = INFINITY;
	refused(&c, "infinity", "SVG_VALUE_MAX");
	b[0].value = 2e15;
	refused(&c, "above SVG_VALUE_MAX", "SVG_VALUE_MAX");
	b[0].value = 1;
	b[0].value_text = "123456789012345678901";	/* 21 */
	refused(&c, "value text too long", "SVG_VALUE_CHARS_MAX");
	b[0].value_text = "12345678901234567890";	/* 20 */
	out = bar(&c, &rc, &err);
	is_int(rc, 0, "value text of SVG_VALUE_CHARS_MAX");
	free(out);
	c.bars = NULL;
	refused(&c, "bars NULL with nbars 1", "no bars");
}

/* ---- time charts ----------------------------------------------------- */

static void
test_time_hourly(void)
{
	static const char *const texts_a[24] = {
		[23] = "$23.000000000000",
	};
	double			 a[24], b[24];
	struct svg_series	 s[2] = {
		{ "gpt-4o", a, texts_a },
		{ "<script>alert(1)</script>", b, NULL },
	};
	struct svg_time_chart	 c = {
		"hourly", "Cost per hour", "Last day, UTC", NOV27_US, HOUR_US,
		24, s, 2, SVG_UNIT_USD,
	};
	struct llmops_err	 err;
	struct rect		 r[64];
	char			*out, *again;
	size_t			 n, i;
	int			 rc;

	for (i = 0; i < 24; i++) {
		a[i] = (double)i;
		b[i] = 1;
	}
	out = timechart(&c, &rc, &err);
	is_int(rc, 0, "hourly: rendered");
	well_formed(out, "hourly");
	ok(strstr(out, "<script") == NULL, "hourly: no script element");
	/*
	 * The tallest bucket is 23 + 1 = 24: raw 4.8, step 5, top 25. The
	 * widest tick label "$25" is 3 columns: 8 + 21 < 40, the left margin
	 * stays 40. Every 3 hours gives 8 labels: 00:00 .. 21:00, the date
	 * under the first.
	 */
	is_str(texts(out, "svg-tick"), "$0|$5|$10|$15|$20|$25|"
	    "00:00|11-27|03:00|06:00|09:00|12:00|15:00|18:00|21:00",
	    "hourly: value ticks, then times with the date once");
	/* 24 buckets of B and 23 of A (A is 0 in bucket 0). */
	n = rects(out, "svg-bar", r, 64);
	is_int(n, 47, "hourly: 47 segments, the zero one left out");
	/*
	 * Plot 560 - 40 - 24 = 496 wide, buckets 496 / 24 = 20.667, bars
	 * 16.53 wide, 2.07 in. Plot 200 high from y 12: baseline 212, 8 per
	 * dollar. Bucket 0: B alone, 204..212. Bucket 23: A 28..212, B
	 * 20..28.
	 */
	ok(near(r[0].x, 42.07) && near(r[0].w, 16.53), "bucket 0 at 42.07, "
	    "16.53 wide");
	ok(near(r[0].y, 204) && near(r[0].h, 8), "bucket 0: B 204..212");
	ok(strcmp(r[0].fill, "#d55e00") == 0, "B in the second colour");
	ok(title_is(&r[0], "&lt;script&gt;alert(1)&lt;/script&gt;, 2026-11-27 "
	    "00:00 UTC: $1.00"), "B tooltip: series escaped, bucket, value");
	ok(near(r[45].x, 40 + 23 * 496.0 / 24 + 2.07) && near(r[45].y, 28) &&
	    near(r[45].h, 184), "bucket 23: A 28..212");
	ok(strcmp(r[45].fill, "#0072b2") == 0, "A in the first colour");
	ok(title_is(&r[45], "gpt-4o, 2026-11-27 23:00 UTC: $23.000000000000"),
	    "A tooltip: the caller's exact text");
	ok(near(r[46].y, 20) && near(r[46].h, 8), "bucket 23: B on top, 20..28");
	ok(title_is(&r[43], "gpt-4o, 2026-11-27 22:00 UTC: $22.00"),
	    "A tooltip without a text: formatted");
	/* Legend: at 40, then 40 + 12 + 4 + 6 * 7 + 16 = 114. */
	n = rects(out, "svg-legend", r, 64);
	is_int(n, 2, "hourly: two legend swatches");
	ok(near(r[0].x, 40) && near(r[1].x, 114) && near(r[1].y, 256),
	    "legend swatches at 40 and 114, row at 252 + 4");
	is_str(texts(out, "svg-legend"), "gpt-4o|"
	    "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"
	    "&lt;script&gt;alert(1)&lt;/scrip\xe2\x80\xa6",
	    "legend names escaped and cut");
	/* 212 + 40 for the time labels, one legend row of 20, 4 below. */
	ok(strstr(out, "viewBox=\"0 0 560 276\"") != NULL, "hourly: 276 high");

	again = timechart(&c, &rc, &err);
	ok(strcmp(out, again) == 0, "hourly: same input, same bytes");
	free(again);
	free(out);
}

/* The time labels (after the value ticks) of a chart of n buckets. */
static const char *
time_labels(int64_t start, int64_t bucket, size_t n)
{
	static double		 zero[SVG_BUCKETS_MAX];
	static char		 buf[1024];
	struct svg_series	 s = { "s", zero, NULL };
	struct svg_time_chart	 c = {
		"t", "T", NULL, start, bucket, n, &s, 1, SVG_UNIT_NUMBER,
	};
	struct llmops_err	 err;
	const char		*all, *p;
	char			*out;
	int			 rc;

	out = timechart(&c, &rc, &err);
	if (rc != 0 || check_svg(out) != NULL) {
		free(out);
		return "(failed)";
	}
	/* An all-zero chart has ticks 0|0.2|...|1.0: skip those six. */
	all = texts(out, "svg-tick");
	p = strstr(all, "1.0|");
	snprintf(buf, sizeof(buf), "%s", p != NULL ? p + 4 : "(no ticks)");
	free(out);
	return buf;
}

static void
test_time_labels(void)
{
	/* 48 hours from 18:00: every 3 h would be 16, every 6 h is 8. */
	is_str(time_labels(NOV27_US - 6 * HOUR_US, HOUR_US, 48),
	    "18:00|11-26|00:00|11-27|06:00|12:00|18:00|00:00|11-28|06:00|12:00",
	    "48 hours: every 6 hours, dates where the day changes");
	/* 30 days from Sunday 11-01: every 2 days is 15, Mondays are 5. */
	is_str(time_labels(NOV27_US - 26 * DAY_US, DAY_US, 30),
	    "11-02|2026|11-09|11-16|11-23|11-30",
	    "30 days: Mondays, the year once");
	/* 7 days from 11-27: every day. */
	is_str(time_labels(NOV27_US, DAY_US, 7),
	    "11-27|2026|11-28|11-29|11-30|12-01|12-02|12-03",
	    "7 days: every day");
	/* 366 days of 2026 and 2027-01-01: every other month is 7 labels. */
	is_str(time_labels(20454 * DAY_US, DAY_US, 366),
	    "01-01|2026|03-01|05-01|07-01|09-01|11-01|01-01|2027",
	    "a year of days: every other month, the year where it changes");
	/* 31 days of hours (744): 2 days would be 16, Mondays are 5. */
	is_str(time_labels(NOV27_US - 26 * DAY_US, HOUR_US, 744),
	    "11-02|2026|11-09|11-16|11-23|11-30",
	    "31 days of hours: Mondays, as dates");
	/* Off the hour: every bucket by index. */
	is_str(time_labels(NOV27_US + 7 * HOUR_US + 30 * 60 * US, HOUR_US, 3),
	    "07:30|11-27|08:30|09:30", "buckets off the hour: by index");
	/* 12 of them: every other bucket. */
	is_str(time_labels(NOV27_US + 30 * 60 * US, HOUR_US, 12),
	    "00:30|11-27|02:30|04:30|06:30|08:30|10:30",
	    "12 buckets off the hour: every other one");
	/* 15-minute buckets for 2 hours: every 15 min is 8. */
	is_str(time_labels(NOV27_US, 900 * US, 8),
	    "00:00|11-27|00:15|00:30|00:45|01:00|01:15|01:30|01:45",
	    "15-minute buckets");
	is_str(time_labels(NOV27_US, HOUR_US, 1), "00:00|11-27", "one bucket");
	/* Weekly buckets from Monday 2026-11-02, a year: months do not
	 * line up with weeks, so every 7th bucket. */
	is_str(time_labels(NOV27_US - 25 * DAY_US, 7 * DAY_US, 52),
	    "11-02|2026|12-21|02-08|2027|03-29|05-17|07-05|08-23|10-11",
	    "weekly buckets: every 7th");
}

static void
test_time_edges(void)
{
	static const char *const colours[] = {
		"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#6a3d9a",
		"#b26f00", "#555555", "#0072b2", "#d55e00",
	};
	double			 v[SVG_BUCKETS_MAX + 1];
	struct svg_series	 s[SVG_SERIES_MAX + 1];
	struct svg_time_chart	 c = {
		"t", "T", NULL, NOV27_US, HOUR_US, 2, s, 1, SVG_UNIT_NUMBER,
	};
	struct llmops_err	 err;
	struct rect		 r[SVG_SERIES_MAX + 1];
	char			*out;
	size_t			 i;
	int			 rc, same;

	for (i = 0; i < SVG_BUCKETS_MAX + 1; i++)
		v[i] = 1;
	for (i = 0; i < SVG_SERIES_MAX + 1; i++) {
		s[i].name = "series";
		s[i].values = v;
		s[i].value_texts = NULL;
	}
	c.nbuckets = 0;
	out = timechart(&c, &rc, &err);
	is_int(rc, 0, "no buckets: rendered");
	well_formed(out, "no buckets");
	is_str(texts(out, "svg-nodata"), "No data", "no buckets: No data");
	free(out);
	c.nbuckets = 2;
	c.nseries = 0;
	out = timechart(&c, &rc, &err);
	is_str(texts(out, "svg-nodata"), "No data", "no series: No data");
	free(out);

	/* Nine series: the palette of seven cycles. */
	c.nseries = 9;
	out = timechart(&c, &rc, &err);
	is_int(rc, 0, "nine series: rendered");
	well_formed(out, "nine series");
	is_int(rects(out, "svg-legend", r, SVG_SERIES_MAX), 9, "nine swatches");
	for (i = 0, same = 1; i < 9; i++)
		same &= strcmp(r[i].fill, colours[i]) == 0;
	ok(same, "colours cycle after seven");
	/* Items 16 + 6 * 7 + 16 = 74 wide from 40: six fit in 536. */
	ok(near(r[5].x, 40 + 5 * 74) && near(r[6].x, 40) &&
	    near(r[6].y, r[0].y + 20), "the legend wraps to a second row");
	free(out);

	c.nseries = SVG_SERIES_MAX;
	c.nbuckets = SVG_BUCKETS_MAX;
	out = timechart(&c, &rc, &err);
	is_int(rc, 0, "SVG_SERIES_MAX x SVG_BUCKETS_MAX: rendered");
	well_formed(out, "largest time chart");
	is_int(count(out, "<rect class=\"svg-bar\""),
	    SVG_SERIES_MAX * SVG_BUCKETS_MAX, "every segment drawn");
	/* Buckets 496 / 744 = 0.67 wide: bars fill them, no gap. */
	ok(strstr(out, "<rect class=\"svg-bar\" x=\"40\" y=\"") != NULL &&
	    strstr(out, " width=\"0.67\"") != NULL, "dense buckets: full width");
	free(out);

	c.nseries = SVG_SERIES_MAX + 1;
	out = timechart(&c, &rc, &err);
	ok(rc == -1 && out[0] == '\0' && strstr(err.msg, "SVG_SERIES_MAX"),
	    "SVG_SERIES_MAX + 1: refused, nothing written");
	free(out);
	c.nseries = 1;
	c.nbuckets = SVG_BUCKETS_MAX + 1;
	out = timechart(&c, &rc, &err);
	ok(rc == -1 && out[0] == '\0' && strstr(err.msg, "SVG_BUCKETS_MAX"),
	    "SVG_BUCKETS_MAX + 1: refused");
	free(out);
	c.nbuckets = 2;

	c.bucket_us = 59 * US;
	out = timechart(&c, &rc, &err);
	ok(rc == -1 && strstr(err.msg, "SVG_BUCKET_US_MIN"), "59 s buckets");
	free(out);
	c.bucket_us = 90 * US + 1;
	out = timechart(&c, &rc, &err);
	ok(rc == -1, "buckets not whole seconds");
	free(out);
	c.bucket_us = 8 * DAY_US;
	out = timechart(&c, &rc, &err);
	ok(rc == -1 && strstr(err.msg, "SVG_BUCKET_US_MAX"), "8-day buckets");
	free(out);
	c.bucket_us = HOUR_US;
	c.start_us = -HOUR_US;
	out = timechart(&c, &rc, &err);
	ok(rc == -1 && strstr(err.msg, "start"), "start before the epoch");
	free(out);
	c.start_us = 7258118400LL * US - HOUR_US;	/* 2200-01-01 less 1 h */
	out = timechart(&c, &rc, &err);
	ok(rc == -1, "two buckets past LIMIT_EPOCH_US_MAX");
	free(out);
	c.nbuckets = 1;
	out = timechart(&c, &rc, &err);
	is_int(rc, 0, "one bucket ending at LIMIT_EPOCH_US_MAX");
	free(out);
	c.start_us = NOV27_US;
	c.nbuckets = 2;

	v[1] = NAN;
	out = timechart(&c, &rc, &err);
	ok(rc == -1 && strstr(err.msg, "bucket 1"), "NaN value: refused, "
	    "bucket named");
	free(out);
	v[1] = 6e14;
	c.nseries = 2;
	out = timechart(&c, &rc, &err);
	ok(rc == -1 && strstr(err.msg, "adds up"), "stacked sum above "
	    "SVG_VALUE_MAX: refused");
	free(out);
	v[1] = -3;
	out = timechart(&c, &rc, &err);
	is_int(rc, 0, "negative values: rendered");
	/* Bucket 0: 1 + 1; bucket 1: both negative, left out. */
	is_int(count(out, "<rect class=\"svg-bar\""), 2,
	    "negative values: no segment");
	free(out);
	v[1] = 1;
	s[1].values = NULL;
	out = timechart(&c, &rc, &err);
	ok(rc == -1 && strstr(err.msg, "no values"), "series without values");
	free(out);
	s[1].values = v;
	c.series = NULL;
	out = timechart(&c, &rc, &err);
	ok(rc == -1, "series NULL");
	free(out);
}

int
main(void)
{
	test_ticks();
	test_bar_chart();
	test_bar_widths();
	test_bar_edges();
	test_bar_refusals();
	test_time_hourly();
	test_time_labels();
	test_time_edges();
	return tap_done();
}
