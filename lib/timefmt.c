#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

int64_t
time_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * TIME_US_PER_SEC + ts.tv_nsec / 1000;
}

int64_t
time_hour_floor(int64_t us)
{
	return us - ((us % TIME_US_PER_HOUR) + TIME_US_PER_HOUR) %
	    TIME_US_PER_HOUR;
}

int64_t
time_day_floor(int64_t us)
{
	return us - ((us % TIME_US_PER_DAY) + TIME_US_PER_DAY) % TIME_US_PER_DAY;
}

void
time_widen_to_hours(int64_t *since_us, int64_t *until_us)
{
	*since_us = time_hour_floor(*since_us);
	if (time_hour_floor(*until_us) != *until_us)
		*until_us = time_hour_floor(*until_us) + TIME_US_PER_HOUR;
}

static void
split_us(int64_t us, time_t *sec, long *frac)
{
	int64_t	s = us / TIME_US_PER_SEC, f = us % TIME_US_PER_SEC;

	if (f < 0) {
		f += TIME_US_PER_SEC;
		s--;
	}
	*sec = (time_t)s;
	*frac = (long)f;
}

void
time_format_iso(int64_t us, char buf[TIME_ISO_BYTES])
{
	time_t		sec;
	long		frac;
	struct tm	tm;
	char		base[24];

	split_us(us, &sec, &frac);
	gmtime_r(&sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, TIME_ISO_BYTES, "%s.%06ldZ", base, frac);
}

void
time_format_iso_sec(int64_t us, char buf[TIME_ISO_BYTES])
{
	time_t		sec;
	long		frac;
	struct tm	tm;

	split_us(us, &sec, &frac);
	gmtime_r(&sec, &tm);
	strftime(buf, TIME_ISO_BYTES, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Reads exactly n digits. */
static int
read_digits(const char **pp, int n, int *out)
{
	int	v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return 0;
}

int
time_parse_duration(const char *s, int64_t *out)
{
	char		*end;
	long long	 n;
	int64_t		 unit;

	if (!isdigit((unsigned char)*s))
		return -1;
	n = strtoll(s, &end, 10);
	if (end == s || n < 0 || n > 100000)
		return -1;
	if (strcmp(end, "s") == 0 || (n == 0 && *end == '\0'))
		unit = 1;
	else if (strcmp(end, "m") == 0)
		unit = 60;
	else if (strcmp(end, "h") == 0)
		unit = 3600;
	else if (strcmp(end, "d") == 0)
		unit = 86400;
	else if (strcmp(end, "w") == 0)
		unit = 7 * 86400;
	else
		return -1;
	*out = (int64_t)n * unit * TIME_US_PER_SEC;
	return 0;
}

static int
parse_relative(const char *s, int64_t now_us, int64_t *out)
{
	int64_t	d;

	if (time_parse_duration(s, &d) != 0 || strcmp(s, "0") == 0)
		return -1;
	*out = now_us - d;
	return 0;
}

int
time_parse_future(const char *s, int64_t now_us, int64_t *out)
{
	int64_t	d;

	if (time_parse_duration(s, &d) == 0) {
		*out = now_us + d;
		return 0;
	}
	return time_parse_arg(s, now_us, out);
}

int
time_parse_arg(const char *s, int64_t now_us, int64_t *out)
{
	struct tm	 tm;
	const char	*p = s;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, i;
	long		 frac = 0, scale = 100000;
	time_t		 t;

	if (strcmp(s, "now") == 0) {
		*out = now_us;
		return 0;
	}
	if (parse_relative(s, now_us, out) == 0)
		return 0;
	if (read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) ||
	    *p++ != '-' || read_digits(&p, 2, &d))
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (read_digits(&p, 2, &sec))
				return -1;
			if (*p == '.') {
				p++;
				for (i = 0; isdigit((unsigned char)*p); p++, i++) {
					if (i < 6) {
						frac += (*p - '0') * scale;
						scale /= 10;
					}
				}
				if (i == 0)
					return -1;
			}
		}
		if (*p == 'Z')
			p++;
	}
	if (*p != '\0')
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm normalises 2026-02-31 to March: refuse such dates. */
	{
		struct tm	chk;

		gmtime_r(&t, &chk);
		if (chk.tm_mday != d || chk.tm_mon != mo - 1)
			return -1;
	}
	*out = (int64_t)t * TIME_US_PER_SEC + frac;
	return 0;
}
