/*
 * time_format_iso, time_format_iso_sec and time_parse_arg. Expected
 * instants are computed with our own civil-date arithmetic (not timegm),
 * so the test does not share the code under test.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "timefmt.h"
#include "tap.h"

#define US	TIME_US_PER_SEC

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t
utc_us(int y, int mo, int d, int h, int mi, int s, int64_t frac_us)
{
	return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 * US +
	    (int64_t)s * US + frac_us;
}

/* A fixed "now": 2026-11-27T07:43:53.123456Z. */
static int64_t
fixed_now(void)
{
	return utc_us(2026, 11, 27, 7, 43, 53, 123456);
}

static void
test_civil_helper(void)
{
	/* Anchor our own arithmetic on instants everyone knows. */
	is_int(days_from_civil(1970, 1, 1), 0, "helper: epoch is day 0");
	is_int(days_from_civil(2000, 1, 1) * 86400, 946684800,
	    "helper: 2000-01-01 is 946684800");
	is_int(days_from_civil(1969, 12, 31), -1, "helper: 1969-12-31 is day -1");
}

static void
test_format(void)
{
	char	buf[TIME_ISO_BYTES];

	time_format_iso(0, buf);
	is_str(buf, "1970-01-01T00:00:00.000000Z", "iso: epoch");
	time_format_iso(1, buf);
	is_str(buf, "1970-01-01T00:00:00.000001Z", "iso: epoch + 1 us");
	time_format_iso(-1, buf);
	is_str(buf, "1969-12-31T23:59:59.999999Z", "iso: epoch - 1 us");
	time_format_iso(-US, buf);
	is_str(buf, "1969-12-31T23:59:59.000000Z", "iso: epoch - 1 s");
	time_format_iso(-US - 1, buf);
	is_str(buf, "1969-12-31T23:59:58.999999Z", "iso: epoch - 1 s - 1 us");
	time_format_iso(fixed_now(), buf);
	is_str(buf, "2026-11-27T07:43:53.123456Z", "iso: 2026-11-27T07:43:53.123456Z");
	time_format_iso(utc_us(2024, 2, 29, 23, 59, 59, 999999), buf);
	is_str(buf, "2024-02-29T23:59:59.999999Z", "iso: leap day, last us");
	time_format_iso(utc_us(2024, 3, 1, 0, 0, 0, 0), buf);
	is_str(buf, "2024-03-01T00:00:00.000000Z", "iso: day after a leap day");
	time_format_iso(utc_us(2199, 12, 31, 23, 59, 59, 0), buf);
	is_str(buf, "2199-12-31T23:59:59.000000Z", "iso: end of the accepted range");

	time_format_iso_sec(0, buf);
	is_str(buf, "1970-01-01T00:00:00Z", "iso_sec: epoch");
	time_format_iso_sec(fixed_now(), buf);
	is_str(buf, "2026-11-27T07:43:53Z", "iso_sec: fraction dropped, not rounded");
	time_format_iso_sec(utc_us(2026, 11, 27, 7, 43, 53, 999999), buf);
	is_str(buf, "2026-11-27T07:43:53Z", "iso_sec: .999999 still truncated");
	time_format_iso_sec(-1, buf);
	is_str(buf, "1969-12-31T23:59:59Z", "iso_sec: epoch - 1 us floors");
}

static void
parses(const char *s, int64_t want, const char *name)
{
	int64_t	got = 0;
	int	rc;

	rc = time_parse_arg(s, fixed_now(), &got);
	is_int(rc, 0, "parse \"%s\": accepted (%s)", s, name);
	if (rc == 0)
		is_int(got, want, "parse \"%s\": %s", s, name);
}

static void
refuses(const char *s, const char *why)
{
	int64_t	got;

	is_int(time_parse_arg(s, fixed_now(), &got), -1,
	    "parse \"%s\": refused (%s)", s, why);
}

static void
test_parse(void)
{
	int64_t	now = fixed_now();

	parses("now", now, "the fixed now");
	parses("90m", now - 90 * 60 * US, "90 minutes ago");
	parses("24h", now - 24 * 3600 * US, "24 hours ago");
	parses("7d", now - 7 * 86400 * US, "7 days ago");
	parses("2w", now - 14 * 86400 * US, "2 weeks ago");
	parses("1h", now - 3600 * US, "1 hour ago");

	parses("2026-11-01", utc_us(2026, 11, 1, 0, 0, 0, 0),
	    "midnight UTC");
	/* 2026-11-01 is day 20393; checked by hand: 9801 days from 2000. */
	parses("2026-11-01", 1793491200LL * US, "1793491200 s");
	parses("2026-11-01T10:30", utc_us(2026, 11, 1, 10, 30, 0, 0),
	    "date, hours and minutes");
	parses("2026-11-01 10:30:15", utc_us(2026, 11, 1, 10, 30, 15, 0),
	    "space as separator, seconds");
	parses("2026-11-01T10:30:15", utc_us(2026, 11, 1, 10, 30, 15, 0),
	    "T as separator, seconds");
	parses("2026-11-01T10:30:15Z", utc_us(2026, 11, 1, 10, 30, 15, 0),
	    "Z suffix");
	parses("2026-11-01T10:30:15.5Z", utc_us(2026, 11, 1, 10, 30, 15, 500000),
	    ".5 is 500000 us");
	parses("2026-11-01T10:30:15.000001", utc_us(2026, 11, 1, 10, 30, 15, 1),
	    ".000001 is 1 us");
	parses("2026-11-01T10:30:15.123456Z",
	    utc_us(2026, 11, 1, 10, 30, 15, 123456), "six fraction digits");
	parses("2026-11-01T10:30:15.05", utc_us(2026, 11, 1, 10, 30, 15, 50000),
	    ".05 is 50000 us");
	parses("2024-02-29", utc_us(2024, 2, 29, 0, 0, 0, 0), "a leap day");
	parses("2000-02-29", utc_us(2000, 2, 29, 0, 0, 0, 0),
	    "2000 is a leap year");
	parses("2026-12-31T23:59:59", utc_us(2026, 12, 31, 23, 59, 59, 0),
	    "last second of a year");
	parses("1970-01-01", 0, "the epoch");

	/* A time printed by time_format_iso reads back. */
	{
		char	buf[TIME_ISO_BYTES];
		int64_t	back = 0;

		time_format_iso(now, buf);
		is_int(time_parse_arg(buf, 0, &back), 0,
		    "parse of time_format_iso output accepted");
		is_int(back, now, "time_format_iso output reads back exactly");
	}

	refuses("2026-02-30", "February has no 30th");
	refuses("2026-02-29", "2026 is not a leap year");
	refuses("2100-02-29", "2100 is not a leap year");
	refuses("2026-04-31", "April has 30 days");
	refuses("2026-13-01", "month 13");
	refuses("2026-00-10", "month 0");
	refuses("2026-11-00", "day 0");
	refuses("2026-11-32", "day 32");
	refuses("26-11-01", "two-digit year");
	refuses("2026-11-1", "one-digit day");
	refuses("2026-1-01", "one-digit month");
	refuses("2026/11/01", "slashes");
	refuses("2026-11-01T25:00", "hour 25");
	refuses("2026-11-01T24:00", "hour 24");
	refuses("2026-11-01T10:60", "minute 60");
	refuses("2026-11-01T10", "hour without minutes");
	refuses("2026-11-01T", "T without a time");
	refuses("2026-11-01T10:30:15.", "point without fraction digits");
	refuses("2026-11-01T10:30:61", "second 61");
	refuses("7x", "unknown unit");
	refuses("7", "number without unit");
	refuses("h", "unit without number");
	refuses("", "empty");
	refuses("-1h", "negative relative time");
	refuses("+1h", "signed relative time");
	refuses(" 1h", "leading blank");
	refuses("1h ", "trailing blank");
	refuses("1h30m", "two units");
	refuses("1.5h", "fractional relative time");
	refuses("NOW", "now is lower case");
	refuses("now ", "now with a trailing blank");
	refuses("2026-11-01x", "trailing junk after a date");
	refuses("2026-11-01 ", "trailing blank after a date");
	refuses("2026-11-01T10:30:15Zjunk", "trailing junk after Z");
	refuses("2026-11-01T10:30:15+02:00", "numeric offsets");
	refuses("yesterday", "a word");
}

static void
test_hours(void)
{
	const int64_t	h = TIME_US_PER_HOUR;
	/* 2026-11-27T09:41:37.5Z */
	const int64_t	t = 1795772497500000LL, t0 = 1795770000000000LL;
	int64_t		s, u;

	is_int(TIME_US_PER_HOUR, 3600000000LL, "an hour in microseconds");
	is_int(time_hour_floor(t), t0, "09:41:37.5 floors to 09:00");
	is_int(time_hour_floor(t0), t0, "a whole hour stays");
	is_int(time_hour_floor(t0 - 1), t0 - h, "one microsecond before: the "
	    "hour before");
	is_int(time_hour_floor(0), 0, "the epoch");
	is_int(time_hour_floor(-1), -h, "before 1970: rounded down too");
	is_int(time_hour_floor(-h), -h, "a whole hour before 1970 stays");
	s = t;
	u = t + 1;
	time_widen_to_hours(&s, &u);
	ok(s == t0 && u == t0 + h, "a range inside one hour: that hour");
	s = t0;
	u = t0 + 2 * h;
	time_widen_to_hours(&s, &u);
	ok(s == t0 && u == t0 + 2 * h, "whole hours stay as they are");
	s = t0 - h / 2;
	u = t0 + h / 2;
	time_widen_to_hours(&s, &u);
	ok(s == t0 - h && u == t0 + h, "half hours on both sides: both widened");
	s = -h - 1;
	u = -1;
	time_widen_to_hours(&s, &u);
	ok(s == -2 * h && u == 0, "before 1970: start down, end up");
}

int
main(void)
{
	test_civil_helper();
	test_format();
	test_parse();
	test_hours();
	return tap_done();
}
