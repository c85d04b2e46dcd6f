/*
 * Charts for the dashboard as SVG written on the server: horizontal bars
 * for ranked tables, and stacked bars over time buckets. No script, no
 * event handler, no external reference, no <style> and no style
 * attribute: colours and fonts are presentation attributes, which a page
 * CSP of "default-src 'none'; style-src 'self'" allows. Every element
 * also carries a class (svg-chart, svg-bg, svg-bar, svg-label, svg-value,
 * svg-axis, svg-grid, svg-tick, svg-legend, svg-nodata) so the page's own
 * stylesheet can override the defaults (CSS wins over presentation
 * attributes), e.g. for a dark theme.
 *
 * The <svg> has a viewBox, width="100%" and no height, so it scales with
 * its container and keeps its aspect ratio; role="img" with
 * aria-labelledby pointing at its <title> and <desc>. The numbers behind a
 * chart belong in an HTML table next to it: the chart is a picture of it.
 *
 * Values are doubles used for geometry only. Where the exact figure
 * matters (money) the caller passes the text to show; otherwise it is
 * formatted from the double (svg_format_value). Negative values are drawn
 * as zero (their text still shows the true value); NaN, infinities and
 * values above SVG_VALUE_MAX are refused. Every chart is checked before
 * the first byte is written: a refused chart writes nothing, and the page
 * can show the error text instead.
 *
 * Output is deterministic: the same input gives the same bytes.
 */
#ifndef LLMOPS_SVG_H
#define LLMOPS_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "writer.h"

/* Rows of a bar chart: a ranked table shows its top entries. */
#define SVG_BARS_MAX		100
/* Buckets of a time chart: 31 days of hours, two years of days. */
#define SVG_BUCKETS_MAX		744
/* Series stacked in one time chart (the palette cycles after 7). */
#define SVG_SERIES_MAX		12
/* Width of bar labels in columns (CJK characters take two); longer
 * labels are cut with an ellipsis and shown whole in a tooltip. */
#define SVG_LABEL_CHARS_DEFAULT	24
#define SVG_LABEL_CHARS_MIN	4
#define SVG_LABEL_CHARS_MAX	40
/* Legend entries of a time chart are cut like bar labels at this width. */
#define SVG_LEGEND_CHARS	24
/* Value texts shown next to bars: longer ones are refused. */
#define SVG_VALUE_CHARS_MAX	20
/* Largest value (and stacked sum) drawn; the axis resolves down to 1e-12. */
#define SVG_VALUE_MAX		1e15
#define SVG_VALUE_MIN_TOP	1e-12
/* Time buckets: whole seconds, one minute to one week. */
#define SVG_BUCKET_US_MIN	(60LL * 1000000)
#define SVG_BUCKET_US_MAX	(7LL * 86400 * 1000000)
/* Chart ids: [A-Za-z][A-Za-z0-9_-]*, shorter than this. */
#define SVG_ID_BYTES		32
/* Room for svg_format_value and svg_tick_label output. */
#define SVG_VALUE_BYTES		48

/* How axis labels and default value texts read. */
enum svg_unit {
	SVG_UNIT_NUMBER,	/* 950, 1.5k, 12M, 3B */
	SVG_UNIT_USD,		/* $0.005, $1.50, $2.5k */
	SVG_UNIT__MAX
};

struct svg_bar {
	const char	*label;		/* NULL: empty */
	double		 value;
	const char	*value_text;	/* NULL: svg_format_value(value) */
};

struct svg_bar_chart {
	const char		*id;		/* unique in the page */
	const char		*title;		/* required */
	const char		*desc;		/* optional */
	const struct svg_bar	*bars;
	size_t			 nbars;		/* 0: a "No data" chart */
	enum svg_unit		 unit;
	size_t			 label_chars;	/* 0: SVG_LABEL_CHARS_DEFAULT */
};

struct svg_series {
	const char		*name;
	const double		*values;	/* nbuckets of them */
	const char *const	*value_texts;	/* NULL, or nbuckets (entries may be NULL) */
};

/*
 * Buckets are fixed width (no calendar months): bucket i covers
 * [start_us + i * bucket_us, start_us + (i + 1) * bucket_us), in
 * microseconds since the epoch, UTC. Under a day, labels read "HH:MM"
 * with the date "MM-DD" below at the first label and where the day
 * changes; from a day up, "MM-DD" with the year below likewise. Label
 * spacing is a round period (hours, days, Mondays, months) chosen so that
 * at most eight labels show.
 */
struct svg_time_chart {
	const char		*id;
	const char		*title;
	const char		*desc;
	int64_t			 start_us;
	int64_t			 bucket_us;
	size_t			 nbuckets;	/* 0 (or no series): "No data" */
	const struct svg_series	*series;	/* stacked bottom up in this order */
	size_t			 nseries;
	enum svg_unit		 unit;
};

/* Axis ticks at 0, step, ..., count * step = top, step = mant * 10^exp. */
struct svg_ticks {
	int	mant;	/* 1, 2 or 5 */
	int	exp;
	int	count;
	double	step;
	double	top;	/* >= the max asked for */
};

/* Each returns 0, or -1 with err (may be NULL) filled. */
int	svg_bar_chart(struct writer *, const struct svg_bar_chart *,
	    struct llmops_err *);
int	svg_time_chart(struct writer *, const struct svg_time_chart *,
	    struct llmops_err *);

/*
 * "Nice" ticks for an axis from 0 to max: steps of 1, 2 or 5 times a
 * power of ten, about five intervals, the last at or above max. A max of
 * 0 gives an axis to 1. Returns -1 when max is negative, not finite or
 * above SVG_VALUE_MAX.
 */
int	svg_nice_ticks(double max, struct svg_ticks *);
/*
 * The label of tick i (0 .. count) of ticks from svg_nice_ticks, exact:
 * "0", "2.5k", "$0.010", "$1.50"; "?" for anything else.
 */
void	svg_tick_label(const struct svg_ticks *, int i, enum svg_unit,
	    char buf[SVG_VALUE_BYTES]);
/*
 * A value for display: "1234", "12.3k", "$0.00345", "$12.50"; "n/a" when
 * not finite or beyond SVG_VALUE_MAX either way.
 */
void	svg_format_value(double, enum svg_unit, char buf[SVG_VALUE_BYTES]);

#endif
