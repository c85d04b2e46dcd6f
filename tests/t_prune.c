/*
 * prune_horizon: the start of the UTC day raw_days before now. The
 * expected instants were computed apart (Python's datetime), and a sweep
 * checks the three properties every horizon has.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "llmops_limits.h"
#include "prune.h"
#include "tap.h"

#define DAY	PRUNE_US_PER_DAY

static void
check(const char *now_text, int64_t now_us, int days, int64_t want,
    const char *want_text)
{
	char	iso[TIME_ISO_BYTES];
	int64_t	got = prune_horizon(now_us, days);

	is_int(got, want, "%d days before %s: %s", days, now_text, want_text);
	if (got != want) {
		time_format_iso(got, iso);
		tap_diag("got %s", iso);
	}
}

static void
test_known(void)
{
	/* 2026-03-15T13:45:30.123456Z */
	check("2026-03-15T13:45:30.123456Z", 1773582330123456LL, 400,
	    1738972800000000LL, "2025-02-08T00:00:00Z");
	/* At midnight exactly, that day is whole: it starts the kept days. */
	check("2026-03-15T00:00:00Z", 1773532800000000LL, 1,
	    1773446400000000LL, "2026-03-14T00:00:00Z");
	/* A microsecond before midnight: still the day before. */
	check("2026-03-14T23:59:59.999999Z", 1773532800000000LL - 1, 1,
	    1773360000000000LL, "2026-03-13T00:00:00Z");
	check("2024-03-01T12:00:00Z", 1709294400000000LL, 1,
	    1709164800000000LL, "2024-02-29T00:00:00Z (a leap day)");
	/* The largest retention at the latest time LiteLLM may report. */
	check("2200-01-01T00:00:00Z", LIMIT_EPOCH_US_MAX, RETENTION_RAW_DAYS_MAX,
	    4104518400000000LL, "2100-01-25T00:00:00Z");
	is_int(LIMIT_EPOCH_US_MAX, 7258118400000000LL,
	    "... which is 2200-01-01T00:00:00Z");
}

static void
test_nothing(void)
{
	is_int(prune_horizon(1773582330123456LL, 0), 0,
	    "raw_days 0 keeps everything: horizon 0");
	is_int(prune_horizon(1773582330123456LL, -5), 0,
	    "a negative raw_days prunes nothing");
	is_int(prune_horizon(1773582330123456LL, RETENTION_RAW_DAYS_MAX), 0,
	    "100 years before 2026 is before 1970: horizon 0");
	is_int(prune_horizon(DAY, 1), 0, "1970-01-02 minus a day is the epoch: "
	    "horizon 0 (nothing is older)");
	is_int(prune_horizon(DAY + 1, 1), 0, "... and a microsecond later, still "
	    "the first day");
	is_int(prune_horizon(2 * DAY + 1, 1), DAY, "1970-01-03 minus a day: "
	    "1970-01-02");
}

/* Every horizon: a day's start, at least raw_days back, less than one more. */
static void
test_sweep(void)
{
	static const int	days[] = { 1, 2, 30, 400, RETENTION_RAW_DAYS_DEFAULT };
	int64_t			now, h;
	size_t			i;
	int			bad_align = 0, bad_low = 0, bad_high = 0, n = 0;

	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		for (now = 1704067200000000LL;		/* 2024-01-01 */
		    now < 1767225600000000LL;		/* 2026-01-01 */
		    now += 7 * TIME_US_PER_HOUR + 13 * 60 * TIME_US_PER_SEC +
		    17) {
			h = prune_horizon(now, days[i]);
			n++;
			bad_align += h % DAY != 0;
			bad_high += h > now - (int64_t)days[i] * DAY;
			bad_low += h <= now - (int64_t)(days[i] + 1) * DAY;
		}
	ok(n > 10000, "the sweep covers %d instants", n);
	is_int(bad_align, 0, "every horizon is the start of a UTC day");
	is_int(bad_high, 0, "every horizon keeps at least raw_days whole days");
	is_int(bad_low, 0, "... and less than raw_days + 1");
}

int
main(void)
{
	test_known();
	test_nothing();
	test_sweep();
	return tap_done();
}
