#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "html.h"
#include "llmops_limits.h"
#include "svg.h"
#include "writer.h"

/*
 * Layout, in viewBox units (CSS pixels when the chart is 560 wide). Text
 * widths are estimated at CHAR_PX per column: good enough for sans-serif
 * at 13px, and deterministic.
 */
#define VIEW_W		560
#define FONT_PX		13
#define CHAR_PX		7
#define PAD		4
#define NODATA_H	48
/* Bar chart: one row per bar, the value axis below. */
#define BAR_TOP		8
#define ROW_H		24
#define BAR_H		16
#define BAR_AXIS_H	24
/* Time chart: the plot, two lines of time labels, the legend. */
#define T_LEFT_MIN	40
#define T_RIGHT		24
#define T_TOP		12
#define T_PLOT_H	200
#define T_XLABEL_H	40
#define LEGEND_ROW_H	20
#define SWATCH		12
/* Share of a bucket's width its bar takes; buckets narrower than
 * T_GAP_MIN_W get no gap (gaps under a pixel only shimmer). */
#define T_BAR_SHARE	0.8
#define T_GAP_MIN_W	4
/* Baseline of a text line below the middle of its row. */
#define BASELINE_DY	4

/* About this many intervals on a value axis. */
#define TICKS_TARGET	5
/* At most this many time labels. */
#define X_LABELS_MAX	8
/* Slack for floating point when matching 1, 2, 5 and counting ticks. */
#define TICK_EPS	1e-9

#define COLOR_BG	"#ffffff"
#define COLOR_TEXT	"#333333"
#define COLOR_AXIS	"#666666"
#define COLOR_GRID	"#e0e0e0"

#define ELLIPSIS	"\xe2\x80\xa6"	/* U+2026 */
#define US_PER_S	1000000LL
#define S_PER_DAY	86400LL
/* 1970-01-05, the first Monday after the epoch: weekly labels fall on Mondays. */
#define MONDAY_OFFSET_S	(4 * S_PER_DAY)

/*
 * Okabe and Ito's colour-blind safe palette, orange darkened and yellow
 * and sky blue replaced, so that every colour has at least 3:1 contrast
 * on white (WCAG 1.4.11).
 */
static const char *const palette[] = {
	"#0072b2",	/* blue 5.2:1 */
	"#d55e00",	/* vermillion 3.9:1 */
	"#009e73",	/* bluish green 3.4:1 */
	"#cc79a7",	/* reddish purple 3.1:1 */
	"#6a3d9a",	/* purple 7.6:1 */
	"#b26f00",	/* ochre 4.1:1 */
	"#555555",	/* grey 7.5:1 */
};
#define PALETTE_N	(sizeof(palette) / sizeof(palette[0]))

/* Time label periods, in seconds, finest first. */
static const int64_t label_secs[] = {
	60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
	S_PER_DAY, 2 * S_PER_DAY, 7 * S_PER_DAY, 14 * S_PER_DAY,
};
static const int label_months[] = { 1, 2, 3, 6, 12 };

enum period_kind {
	PERIOD_SECONDS,	/* buckets starting at a multiple of n seconds */
	PERIOD_MONTHS,	/* buckets starting a month, every n months */
	PERIOD_INDEX,	/* every n-th bucket, for buckets off the clock */
};

/* Time texts: labels under the axis, bucket names in tooltips. */
enum time_fmt {
	TF_CLOCK,	/* 07:00 */
	TF_DATE,	/* 11-27 */
	TF_YEAR,	/* 2026 */
	TF_MINUTE,	/* 2026-11-27 07:00 UTC */
	TF_DAY,		/* 2026-11-27 UTC */
};

struct period {
	enum period_kind	kind;
	int64_t			n;
};

/* Where a legend entry goes, worked out before anything is written. */
struct legend_item {
	double	x;
	int	row;
};

/* East Asian wide and emoji code points take two columns. */
static int
cp_wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) ||
	    (cp >= 0x2e80 && cp <= 0xa4cf && cp != 0x303f) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) ||
	    (cp >= 0x1f300 && cp <= 0x1f64f) ||
	    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
	    (cp >= 0x20000 && cp <= 0x3fffd);
}

static size_t
text_cols(const char *s)
{
	size_t		len = strlen(s), i, n, cols = 0;
	uint32_t	cp;

	for (i = 0; i < len; i += n) {
		n = html_utf8_decode(s + i, len - i, &cp);
		cols += cp_wide(cp) ? 2 : 1;
	}
	return cols;
}

/*
 * Whether s is wider than max columns; if so, *prefix is the length of
 * the part that fits in max - 1 columns (the ellipsis takes the last),
 * without trailing blanks.
 */
static int
text_fit(const char *s, size_t max, size_t *prefix)
{
	size_t		len = strlen(s), i, n, cols = 0, w;
	uint32_t	cp;

	*prefix = len;
	if (text_cols(s) <= max)
		return 0;
	for (i = 0; i < len; i += n) {
		n = html_utf8_decode(s + i, len - i, &cp);
		w = cp_wide(cp) ? 2 : 1;
		if (cols + w > max - 1)
			break;
		cols += w;
	}
	while (i > 0 && s[i - 1] == ' ')
		i--;
	*prefix = i;
	return 1;
}

/* A coordinate to two decimals, trailing zeros dropped, never "-0". */
static void
put_num(struct writer *w, double v)
{
	char	buf[64];
	int	n;

	v = round(v * 100) / 100;
	if (v == 0)
		v = 0;
	n = snprintf(buf, sizeof(buf), "%.2f", v);
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return;
	while (buf[n - 1] == '0')
		n--;
	if (buf[n - 1] == '.')
		n--;
	writer_put(w, buf, (size_t)n);
}

static void
attr_num(struct writer *w, const char *name, double v)
{
	writer_printf(w, " %s=\"", name);
	put_num(w, v);
	writer_put(w, "\"", 1);
}

static double
round2(double v)
{
	return round(v * 100) / 100;
}

static void
line(struct writer *w, const char *cls, const char *color, double x1,
    double y1, double x2, double y2)
{
	writer_printf(w, "<line class=\"%s\"", cls);
	attr_num(w, "x1", x1);
	attr_num(w, "y1", y1);
	attr_num(w, "x2", x2);
	attr_num(w, "y2", y2);
	writer_printf(w, " stroke=\"%s\"/>\n", color);
}

/* Opens a <text>; anchor is "start", "middle" or "end". */
static void
text_open(struct writer *w, const char *cls, double x, double y,
    const char *anchor)
{
	writer_printf(w, "<text class=\"%s\"", cls);
	attr_num(w, "x", x);
	attr_num(w, "y", y);
	writer_printf(w, " text-anchor=\"%s\" fill=\"%s\">", anchor, COLOR_TEXT);
}

/* Text cut to max columns, whole in a tooltip when cut. */
static void
text_cut(struct writer *w, const char *s, size_t max)
{
	size_t	prefix;

	if (!text_fit(s, max, &prefix)) {
		html_text(w, s);
		return;
	}
	writer_puts(w, "<title>");
	html_text(w, s);
	writer_puts(w, "</title>");
	html_ntext(w, s, prefix);
	writer_puts(w, ELLIPSIS);
}

static int
valid_id(const char *id)
{
	size_t	i;

	if (id == NULL || !((id[0] >= 'A' && id[0] <= 'Z') ||
	    (id[0] >= 'a' && id[0] <= 'z')))
		return 0;
	for (i = 1; id[i] != '\0'; i++)
		if (i + 1 >= SVG_ID_BYTES || !((id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
		    id[i] == '_'))
			return 0;
	return 1;
}

static int
check_head(const char *id, const char *title, enum svg_unit unit,
    struct llmops_err *err)
{
	if (!valid_id(id))
		return err_set(err, 0, "chart id must match [A-Za-z][A-Za-z0-9_-]* "
		    "and be shorter than SVG_ID_BYTES (%d)", SVG_ID_BYTES);
	if (title == NULL)
		return err_set(err, 0, "chart %s has no title", id);
	if ((int)unit < 0 || unit >= SVG_UNIT__MAX)
		return err_set(err, 0, "chart %s: unknown unit %d", id, (int)unit);
	return 0;
}

static int
check_value(double v, const char *id, const char *what, size_t i,
    struct llmops_err *err)
{
	if (!isfinite(v) || v > SVG_VALUE_MAX)
		return err_set(err, 0, "chart %s: %s %zu is not a finite number "
		    "up to SVG_VALUE_MAX (%g)", id, what, i, SVG_VALUE_MAX);
	return 0;
}

static void
svg_open(struct writer *w, const char *id, const char *title,
    const char *desc, double height)
{
	writer_puts(w, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"svg-chart\" viewBox=\"0 0 ");
	put_num(w, VIEW_W);
	writer_put(w, " ", 1);
	put_num(w, height);
	writer_puts(w, "\" width=\"100%\" role=\"img\" aria-labelledby=\"");
	html_attr(w, id);
	writer_puts(w, "-title");
	if (desc != NULL) {
		writer_put(w, " ", 1);
		html_attr(w, id);
		writer_puts(w, "-desc");
	}
	writer_printf(w, "\" font-family=\"sans-serif\" font-size=\"%d\">\n",
	    FONT_PX);
	writer_puts(w, "<title id=\"");
	html_attr(w, id);
	writer_puts(w, "-title\">");
	html_text(w, title);
	writer_puts(w, "</title>\n");
	if (desc != NULL) {
		writer_puts(w, "<desc id=\"");
		html_attr(w, id);
		writer_puts(w, "-desc\">");
		html_text(w, desc);
		writer_puts(w, "</desc>\n");
	}
	writer_puts(w, "<rect class=\"svg-bg\"");
	attr_num(w, "width", VIEW_W);
	attr_num(w, "height", height);
	writer_printf(w, " fill=\"%s\"/>\n", COLOR_BG);
}

static int
svg_close(struct writer *w, const char *id, struct llmops_err *err)
{
	if (writer_puts(w, "</svg>\n") != 0)
		return err_set(err, 0, "chart %s: output failed", id);
	return 0;
}

static int
nodata(struct writer *w, const char *id, const char *title, const char *desc,
    struct llmops_err *err)
{
	svg_open(w, id, title, desc, NODATA_H);
	text_open(w, "svg-nodata", VIEW_W / 2, NODATA_H / 2 + BASELINE_DY,
	    "middle");
	writer_puts(w, "No data</text>\n");
	return svg_close(w, id, err);
}

/* 10^e for 0 <= e <= 18. */
static int64_t
ipow10(int e)
{
	int64_t	v = 1;

	while (e-- > 0)
		v *= 10;
	return v;
}

int
svg_nice_ticks(double max, struct svg_ticks *t)
{
	double	raw, f;
	int	e, m;

	if (!isfinite(max) || max < 0 || max > SVG_VALUE_MAX)
		return -1;
	if (max == 0)
		max = 1;
	else if (max < SVG_VALUE_MIN_TOP)
		max = SVG_VALUE_MIN_TOP;
	raw = max / TICKS_TARGET;
	e = (int)floor(log10(raw));
	f = raw / pow(10, e);
	/* log10 may land a hair off at exact powers of ten. */
	if (f < 1) {
		e--;
		f *= 10;
	} else if (f >= 10) {
		e++;
		f /= 10;
	}
	if (f <= 1 + TICK_EPS)
		m = 1;
	else if (f <= 2 + TICK_EPS)
		m = 2;
	else if (f <= 5 + TICK_EPS)
		m = 5;
	else {
		m = 1;
		e++;
	}
	t->mant = m;
	t->exp = e;
	/* Dividing by an exact power of ten rounds once, multiplying by
	 * an inexact one (0.1) twice. */
	t->step = e >= 0 ? m * pow(10, e) : m / pow(10, -e);
	t->count = (int)ceil(max / t->step - TICK_EPS);
	if (t->count < 1)
		t->count = 1;
	t->top = e >= 0 ? (double)t->count * m * pow(10, e) :
	    (double)t->count * m / pow(10, -e);
	return 0;
}

/* Whether q * 10^e >= 10^p. */
static int
reaches(int64_t q, int e, int p)
{
	if (e >= p)
		return q >= 1;
	if (p - e > 18)
		return 0;
	return q >= ipow10(p - e);
}

void
svg_tick_label(const struct svg_ticks *t, int i, enum svg_unit unit,
    char buf[SVG_VALUE_BYTES])
{
	static const char *const sfx[] = { "", "k", "M", "B" };
	const char	*cur = unit == SVG_UNIT_USD ? "$" : "";
	int64_t		 q = (int64_t)i * t->mant;
	char		 digits[32];
	int		 s = 0, d, n;

	/* Ticks from svg_nice_ticks stay well inside these bounds. */
	if (i < 0 || i > t->count || t->count > TICKS_TARGET * 3 ||
	    t->exp < -18 || t->exp > 15) {
		snprintf(buf, SVG_VALUE_BYTES, "?");
		return;
	}
	if (i == 0) {
		snprintf(buf, SVG_VALUE_BYTES, "%s0", cur);
		return;
	}
	/* One suffix for the whole axis: the largest its top reaches. */
	while (s < 3 && reaches((int64_t)t->count * t->mant, t->exp, 3 * (s + 1)))
		s++;
	/* The label is q * 10^(exp - 3s): d decimals of q. */
	d = 3 * s - t->exp;
	if (d < 0) {
		q *= ipow10(-d);
		d = 0;
	}
	if (unit == SVG_UNIT_USD && s == 0 && d == 1) {
		q *= 10;	/* cents: $1.50, not $1.5 */
		d = 2;
	}
	n = snprintf(digits, sizeof(digits), "%0*lld", d + 1, (long long)q);
	if (d == 0)
		snprintf(buf, SVG_VALUE_BYTES, "%s%s%s", cur, digits, sfx[s]);
	else
		snprintf(buf, SVG_VALUE_BYTES, "%s%.*s.%s%s", cur, n - d, digits,
		    digits + n - d, sfx[s]);
}

void
svg_format_value(double v, enum svg_unit unit, char buf[SVG_VALUE_BYTES])
{
	static const char *const sfx[] = { "", "k", "M", "B" };
	char	num[SVG_VALUE_BYTES - 2];	/* room for "-$" */
	double	a = fabs(v), scaled;
	int	s = 0, d, n;

	if (!isfinite(v) || a > SVG_VALUE_MAX) {
		snprintf(buf, SVG_VALUE_BYTES, "n/a");
		return;
	}
	if (unit == SVG_UNIT_USD) {
		/* Cents from a dollar up, three significant digits below. */
		d = a >= 1 || a == 0 ? 2 : 2 - (int)floor(log10(a));
		if (d > COST_SCALE_DIGITS)
			d = COST_SCALE_DIGITS;
		/* At most 16 digits, a point and 12 decimals: it fits. */
		n = snprintf(num, sizeof(num), "%.*f", d, a);
		if (n < 0 || (size_t)n >= sizeof(num)) {
			snprintf(buf, SVG_VALUE_BYTES, "n/a");
			return;
		}
		while (n > 0 && d > 2 && num[n - 1] == '0') {
			n--;
			d--;
		}
		num[n] = '\0';
		snprintf(buf, SVG_VALUE_BYTES, "%s$%s",
		    v < 0 && strspn(num, "0.") != strlen(num) ? "-" : "", num);
		return;
	}
	while (s < 3 && a / pow(10, 3 * s) >= 999.5)
		s++;
	scaled = v / pow(10, 3 * s);
	if (fabs(scaled) >= 999.5 || (s == 0 && scaled == floor(scaled)))
		snprintf(buf, SVG_VALUE_BYTES, "%.0f%s", scaled, sfx[s]);
	else
		snprintf(buf, SVG_VALUE_BYTES, "%.3g%s", scaled, sfx[s]);
}

/* Widest tick label of an axis, in columns. */
static size_t
tick_cols(const struct svg_ticks *t, enum svg_unit unit)
{
	char	buf[SVG_VALUE_BYTES];
	size_t	cols = 0;
	int	i;

	for (i = 0; i <= t->count; i++) {
		svg_tick_label(t, i, unit, buf);
		if (strlen(buf) > cols)
			cols = strlen(buf);
	}
	return cols;
}

int
svg_bar_chart(struct writer *w, const struct svg_bar_chart *c,
    struct llmops_err *err)
{
	struct svg_ticks	 t;
	const struct svg_bar	*b;
	char			 vbuf[SVG_VALUE_BYTES], tbuf[SVG_VALUE_BYTES];
	const char		*vt;
	size_t			 lc, i, cols, vcols = 1;
	double			 max = 0, v, label_x, plot_x, plot_w, value_w,
				 axis_y, y, bw;
	int			 k;

	if (check_head(c->id, c->title, c->unit, err) != 0)
		return -1;
	lc = c->label_chars ? c->label_chars : SVG_LABEL_CHARS_DEFAULT;
	if (lc < SVG_LABEL_CHARS_MIN || lc > SVG_LABEL_CHARS_MAX)
		return err_set(err, 0, "chart %s: label width %zu outside "
		    "SVG_LABEL_CHARS_MIN..SVG_LABEL_CHARS_MAX (%d..%d)", c->id,
		    lc, SVG_LABEL_CHARS_MIN, SVG_LABEL_CHARS_MAX);
	if (c->nbars > SVG_BARS_MAX)
		return err_set(err, 0, "chart %s: %zu bars, more than "
		    "SVG_BARS_MAX (%d)", c->id, c->nbars, SVG_BARS_MAX);
	if (c->nbars > 0 && c->bars == NULL)
		return err_set(err, 0, "chart %s: no bars given", c->id);
	for (i = 0; i < c->nbars; i++) {
		b = &c->bars[i];
		if (check_value(b->value, c->id, "bar", i, err) != 0)
			return -1;
		if (b->value > max)
			max = b->value;
		if (b->value_text != NULL)
			vt = b->value_text;
		else {
			svg_format_value(b->value, c->unit, vbuf);
			vt = vbuf;
		}
		if ((cols = text_cols(vt)) > SVG_VALUE_CHARS_MAX)
			return err_set(err, 0, "chart %s: value text of bar %zu "
			    "longer than SVG_VALUE_CHARS_MAX (%d)", c->id, i,
			    SVG_VALUE_CHARS_MAX);
		if (cols > vcols)
			vcols = cols;
	}
	if (c->nbars == 0)
		return nodata(w, c->id, c->title, c->desc, err);
	if (svg_nice_ticks(max, &t) != 0)
		return err_set(err, 0, "chart %s: no axis for %g", c->id, max);

	/*
	 * Labels end at label_x, bars start at plot_x, values follow the
	 * bars; the value column also holds half of the last tick label.
	 */
	label_x = PAD + (double)lc * CHAR_PX;
	plot_x = label_x + 2 * PAD;
	value_w = 2 * PAD + (double)vcols * CHAR_PX;
	if (value_w < PAD + (double)tick_cols(&t, c->unit) * CHAR_PX / 2)
		value_w = PAD + (double)tick_cols(&t, c->unit) * CHAR_PX / 2;
	plot_w = VIEW_W - plot_x - value_w;
	axis_y = BAR_TOP + (double)c->nbars * ROW_H;

	svg_open(w, c->id, c->title, c->desc, axis_y + BAR_AXIS_H);
	for (k = 0; k <= t.count; k++) {
		double	x = plot_x + plot_w * k / t.count;

		line(w, k == 0 ? "svg-axis" : "svg-grid",
		    k == 0 ? COLOR_AXIS : COLOR_GRID, x, BAR_TOP, x, axis_y);
		svg_tick_label(&t, k, c->unit, tbuf);
		text_open(w, "svg-tick", x, axis_y + ROW_H / 2 + BASELINE_DY,
		    "middle");
		html_text(w, tbuf);
		writer_puts(w, "</text>\n");
	}
	line(w, "svg-axis", COLOR_AXIS, plot_x, axis_y, plot_x + plot_w, axis_y);
	for (i = 0; i < c->nbars; i++) {
		b = &c->bars[i];
		y = BAR_TOP + (double)i * ROW_H;
		v = b->value > 0 ? b->value : 0;
		bw = round2(plot_w * v / t.top);
		if (b->value_text != NULL)
			vt = b->value_text;
		else {
			svg_format_value(b->value, c->unit, vbuf);
			vt = vbuf;
		}
		text_open(w, "svg-label", label_x, y + ROW_H / 2 + BASELINE_DY,
		    "end");
		text_cut(w, b->label != NULL ? b->label : "", lc);
		writer_puts(w, "</text>\n<rect class=\"svg-bar\"");
		attr_num(w, "x", plot_x);
		attr_num(w, "y", y + (ROW_H - BAR_H) / 2);
		attr_num(w, "width", bw);
		attr_num(w, "height", BAR_H);
		writer_printf(w, " fill=\"%s\"><title>", palette[0]);
		html_text(w, b->label);
		writer_puts(w, ": ");
		html_text(w, vt);
		writer_puts(w, "</title></rect>\n");
		text_open(w, "svg-value", plot_x + bw + PAD,
		    y + ROW_H / 2 + BASELINE_DY, "start");
		html_text(w, vt);
		writer_puts(w, "</text>\n");
	}
	return svg_close(w, c->id, err);
}

static int
is_label(const struct period *p, int64_t t, size_t i)
{
	struct tm	tm;
	time_t		tt;
	int64_t		off;

	switch (p->kind) {
	case PERIOD_SECONDS:
		off = p->n % (7 * S_PER_DAY) == 0 ? MONDAY_OFFSET_S : 0;
		return (t - off) % p->n == 0;
	case PERIOD_MONTHS:
		if (t % S_PER_DAY != 0)
			return 0;
		tt = (time_t)t;
		if (gmtime_r(&tt, &tm) == NULL)
			return 0;
		return tm.tm_mday == 1 && tm.tm_mon % p->n == 0;
	case PERIOD_INDEX:
		return i % (size_t)p->n == 0;
	}
	return 0;
}

static size_t
count_labels(const struct period *p, int64_t start_s, int64_t bucket_s,
    size_t n)
{
	size_t	i, count = 0;

	for (i = 0; i < n; i++)
		count += is_label(p, start_s + (int64_t)i * bucket_s, i);
	return count;
}

/*
 * The finest round period that labels between two (one for a single
 * bucket) and X_LABELS_MAX buckets. A period is only tried when every
 * period boundary is a bucket boundary (it is a multiple of the bucket;
 * months need buckets that divide a day), so labels fall at regular
 * steps. Every n-th bucket when no round period fits.
 */
static void
choose_period(int64_t start_s, int64_t bucket_s, size_t n, struct period *p)
{
	size_t	i, count, least = n < 2 ? n : 2;

	p->kind = PERIOD_SECONDS;
	for (i = 0; i < sizeof(label_secs) / sizeof(label_secs[0]); i++) {
		if (label_secs[i] % bucket_s != 0)
			continue;
		p->n = label_secs[i];
		count = count_labels(p, start_s, bucket_s, n);
		if (count >= least && count <= X_LABELS_MAX)
			return;
	}
	p->kind = PERIOD_MONTHS;
	for (i = 0; S_PER_DAY % bucket_s == 0 &&
	    i < sizeof(label_months) / sizeof(label_months[0]); i++) {
		p->n = label_months[i];
		count = count_labels(p, start_s, bucket_s, n);
		if (count >= least && count <= X_LABELS_MAX)
			return;
	}
	p->kind = PERIOD_INDEX;
	p->n = (int64_t)((n + X_LABELS_MAX - 1) / X_LABELS_MAX);
}

static void
format_time(int64_t t, enum time_fmt f, char *buf, size_t sz)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	buf[0] = '\0';
	if (gmtime_r(&tt, &tm) == NULL)
		return;
	/* Literal formats, one per case, so the compiler checks them. */
	switch (f) {
	case TF_CLOCK:
		strftime(buf, sz, "%H:%M", &tm);
		break;
	case TF_DATE:
		strftime(buf, sz, "%m-%d", &tm);
		break;
	case TF_YEAR:
		strftime(buf, sz, "%Y", &tm);
		break;
	case TF_MINUTE:
		strftime(buf, sz, "%Y-%m-%d %H:%M UTC", &tm);
		break;
	case TF_DAY:
		strftime(buf, sz, "%Y-%m-%d UTC", &tm);
		break;
	}
}

/* Lays the legend out in rows; returns the number of rows. */
static int
legend_layout(const struct svg_time_chart *c, double left,
    struct legend_item *items)
{
	const char	*name;
	double		 x = left, iw;
	int		 row = 0;
	size_t		 s, cols;

	for (s = 0; s < c->nseries; s++) {
		name = c->series[s].name != NULL ? c->series[s].name : "";
		cols = text_cols(name);
		if (cols > SVG_LEGEND_CHARS)
			cols = SVG_LEGEND_CHARS;
		iw = SWATCH + PAD + (double)cols * CHAR_PX + 4 * PAD;
		if (x > left && x + iw > VIEW_W - T_RIGHT) {
			x = left;
			row++;
		}
		items[s].x = x;
		items[s].row = row;
		x += iw;
	}
	return row + 1;
}

static int
check_time_chart(const struct svg_time_chart *c, struct llmops_err *err)
{
	const struct svg_series	*sr;
	double			 sum;
	size_t			 i, s;

	if (check_head(c->id, c->title, c->unit, err) != 0)
		return -1;
	if (c->nbuckets > SVG_BUCKETS_MAX)
		return err_set(err, 0, "chart %s: %zu buckets, more than "
		    "SVG_BUCKETS_MAX (%d)", c->id, c->nbuckets, SVG_BUCKETS_MAX);
	if (c->nseries > SVG_SERIES_MAX)
		return err_set(err, 0, "chart %s: %zu series, more than "
		    "SVG_SERIES_MAX (%d)", c->id, c->nseries, SVG_SERIES_MAX);
	if (c->bucket_us < SVG_BUCKET_US_MIN || c->bucket_us > SVG_BUCKET_US_MAX ||
	    c->bucket_us % US_PER_S != 0)
		return err_set(err, 0, "chart %s: bucket of %lld us is not whole "
		    "seconds from SVG_BUCKET_US_MIN to SVG_BUCKET_US_MAX", c->id,
		    (long long)c->bucket_us);
	/* nbuckets and bucket_us are bounded: the product cannot overflow. */
	if (c->start_us < 0 || c->start_us % US_PER_S != 0 ||
	    c->start_us > LIMIT_EPOCH_US_MAX -
	    (int64_t)c->nbuckets * c->bucket_us)
		return err_set(err, 0, "chart %s: start %lld us is not whole "
		    "seconds within LIMIT_EPOCH_US_MAX", c->id,
		    (long long)c->start_us);
	if (c->nseries > 0 && c->series == NULL)
		return err_set(err, 0, "chart %s: no series given", c->id);
	for (s = 0; s < c->nseries; s++)
		if (c->nbuckets > 0 && c->series[s].values == NULL)
			return err_set(err, 0, "chart %s: series %zu has no "
			    "values", c->id, s);
	for (i = 0; i < c->nbuckets; i++) {
		sum = 0;
		for (s = 0; s < c->nseries; s++) {
			sr = &c->series[s];
			if (check_value(sr->values[i], c->id, "value of bucket",
			    i, err) != 0)
				return -1;
			if (sr->values[i] > 0)
				sum += sr->values[i];
		}
		if (sum > SVG_VALUE_MAX)
			return err_set(err, 0, "chart %s: bucket %zu adds up to "
			    "more than SVG_VALUE_MAX (%g)", c->id, i,
			    SVG_VALUE_MAX);
	}
	return 0;
}

int
svg_time_chart(struct writer *w, const struct svg_time_chart *c,
    struct llmops_err *err)
{
	struct legend_item	 items[SVG_SERIES_MAX];
	struct svg_ticks	 t;
	struct period		 p;
	const struct svg_series	*sr;
	char			 tbuf[SVG_VALUE_BYTES], vbuf[SVG_VALUE_BYTES];
	char			 fine[16], coarse[16], prev[16], when[40];
	enum time_fmt		 fine_fmt, coarse_fmt, when_fmt;
	const char		*vt;
	int64_t			 start_s, bucket_s, ts;
	double			 max = 0, sum, v, left, plot_w, axis_y, bw,
				 share, x, y, ytop, ybot, legend_y;
	size_t			 i, s;
	int			 k, rows, fine_time;

	if (check_time_chart(c, err) != 0)
		return -1;
	if (c->nbuckets == 0 || c->nseries == 0)
		return nodata(w, c->id, c->title, c->desc, err);
	for (i = 0; i < c->nbuckets; i++) {
		sum = 0;
		for (s = 0; s < c->nseries; s++)
			if (c->series[s].values[i] > 0)
				sum += c->series[s].values[i];
		if (sum > max)
			max = sum;
	}
	if (svg_nice_ticks(max, &t) != 0)
		return err_set(err, 0, "chart %s: no axis for %g", c->id, max);

	start_s = c->start_us / US_PER_S;
	bucket_s = c->bucket_us / US_PER_S;
	choose_period(start_s, bucket_s, c->nbuckets, &p);
	/* Clock times under a day, with the date below; dates otherwise,
	 * with the year below. */
	fine_time = bucket_s < S_PER_DAY && (p.kind == PERIOD_INDEX ||
	    (p.kind == PERIOD_SECONDS && p.n < S_PER_DAY));
	fine_fmt = fine_time ? TF_CLOCK : TF_DATE;
	coarse_fmt = fine_time ? TF_DATE : TF_YEAR;
	when_fmt = bucket_s < S_PER_DAY ? TF_MINUTE : TF_DAY;

	left = 2 * PAD + (double)tick_cols(&t, c->unit) * CHAR_PX;
	if (left < T_LEFT_MIN)
		left = T_LEFT_MIN;
	plot_w = VIEW_W - left - T_RIGHT;
	axis_y = T_TOP + T_PLOT_H;
	bw = plot_w / (double)c->nbuckets;
	share = bw < T_GAP_MIN_W ? 1 : T_BAR_SHARE;
	legend_y = axis_y + T_XLABEL_H;
	rows = legend_layout(c, left, items);

	svg_open(w, c->id, c->title, c->desc,
	    legend_y + rows * LEGEND_ROW_H + PAD);
	/* The value axis: grid lines and labels. */
	for (k = 0; k <= t.count; k++) {
		y = axis_y - (double)T_PLOT_H * k / t.count;
		line(w, k == 0 ? "svg-axis" : "svg-grid",
		    k == 0 ? COLOR_AXIS : COLOR_GRID, left, y, left + plot_w, y);
		svg_tick_label(&t, k, c->unit, tbuf);
		text_open(w, "svg-tick", left - PAD, y + BASELINE_DY, "end");
		html_text(w, tbuf);
		writer_puts(w, "</text>\n");
	}
	/* The time axis: a tick and one or two lines under labelled buckets. */
	prev[0] = '\0';
	for (i = 0; i < c->nbuckets; i++) {
		ts = start_s + (int64_t)i * bucket_s;
		if (!is_label(&p, ts, i))
			continue;
		x = left + bw * ((double)i + 0.5);
		line(w, "svg-axis", COLOR_AXIS, x, axis_y, x, axis_y + PAD);
		format_time(ts, fine_fmt, fine, sizeof(fine));
		format_time(ts, coarse_fmt, coarse, sizeof(coarse));
		text_open(w, "svg-tick", x, axis_y + 16, "middle");
		html_text(w, fine);
		writer_puts(w, "</text>\n");
		if (strcmp(coarse, prev) != 0) {
			text_open(w, "svg-tick", x, axis_y + 30, "middle");
			html_text(w, coarse);
			writer_puts(w, "</text>\n");
			memcpy(prev, coarse, sizeof(prev));
		}
	}
	/* Stacked bars, series 0 at the bottom; zero segments are left out. */
	for (i = 0; i < c->nbuckets; i++) {
		format_time(start_s + (int64_t)i * bucket_s, when_fmt, when,
		    sizeof(when));
		sum = 0;
		for (s = 0; s < c->nseries; s++) {
			sr = &c->series[s];
			v = sr->values[i];
			if (v <= 0)
				continue;
			ybot = round2(axis_y - T_PLOT_H * sum / t.top);
			sum += v;
			ytop = round2(axis_y - T_PLOT_H * sum / t.top);
			if (sr->value_texts != NULL && sr->value_texts[i] != NULL)
				vt = sr->value_texts[i];
			else {
				svg_format_value(v, c->unit, vbuf);
				vt = vbuf;
			}
			writer_puts(w, "<rect class=\"svg-bar\"");
			attr_num(w, "x", left + bw * ((double)i +
			    (1 - share) / 2));
			attr_num(w, "y", ytop);
			attr_num(w, "width", bw * share);
			attr_num(w, "height", ybot - ytop);
			/* Crisp edges: stacked and adjacent segments would
			 * otherwise show anti-aliased seams. */
			writer_printf(w, " fill=\"%s\" shape-rendering="
			    "\"crispEdges\"><title>", palette[s % PALETTE_N]);
			html_text(w, sr->name);
			writer_puts(w, ", ");
			html_text(w, when);
			writer_puts(w, ": ");
			html_text(w, vt);
			writer_puts(w, "</title></rect>\n");
		}
	}
	/* The legend. */
	for (s = 0; s < c->nseries; s++) {
		y = legend_y + items[s].row * LEGEND_ROW_H;
		writer_puts(w, "<rect class=\"svg-legend\"");
		attr_num(w, "x", items[s].x);
		attr_num(w, "y", y + (LEGEND_ROW_H - SWATCH) / 2);
		attr_num(w, "width", SWATCH);
		attr_num(w, "height", SWATCH);
		writer_printf(w, " fill=\"%s\"/>\n", palette[s % PALETTE_N]);
		text_open(w, "svg-legend", items[s].x + SWATCH + PAD,
		    y + LEGEND_ROW_H / 2 + BASELINE_DY, "start");
		text_cut(w, c->series[s].name != NULL ? c->series[s].name : "",
		    SVG_LEGEND_CHARS);
		writer_puts(w, "</text>\n");
	}
	return svg_close(w, c->id, err);
}
