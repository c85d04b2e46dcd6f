/*
 * Login throttling: the delay schedule, the check at its boundaries, odd
 * clocks, and what an attacker who tries whenever allowed gets in a day
 * when the caller counts failures over a sliding THROTTLE_WINDOW.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "throttle.h"
#include "tap.h"

static void
test_schedule(void)
{
	static const long long	want[] = {
		0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900,
	};
	unsigned int		i;
	int			monotonic = 1;

	is_int(THROTTLE_FREE, 5, "THROTTLE_FREE is 5");
	is_int(THROTTLE_WINDOW, 3600, "THROTTLE_WINDOW is an hour");
	is_int(THROTTLE_CAP, 900, "THROTTLE_CAP is 15 minutes");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		is_int(throttle_delay(i), want[i], "after %u failures: %lld s", i,
		    want[i]);
	is_int(throttle_delay(35), THROTTLE_CAP, "35 failures: the cap");
	is_int(throttle_delay(36), THROTTLE_CAP, "36 failures: the cap");
	is_int(throttle_delay(100), THROTTLE_CAP, "100 failures: the cap");
	is_int(throttle_delay(UINT32_MAX), THROTTLE_CAP,
	    "UINT32_MAX failures: the cap");
	for (i = 1; i < 200; i++)
		if (throttle_delay(i) < throttle_delay(i - 1))
			monotonic = 0;
	ok(monotonic, "the delay never decreases with more failures");
}

static void
check(unsigned int failures, long long last, long long now, int want_ok,
    long long want_wait, const char *name)
{
	long long	wait = -1;
	int		got;

	got = throttle_check(failures, last, now, &wait);
	is_int(got, want_ok, "%s: %s", name, want_ok ? "allowed" : "refused");
	is_int(wait, want_wait, "%s: wait %lld", name, want_wait);
}

static void
test_check(void)
{
	const long long	t = 1800000000LL;

	check(0, 0, t, 1, 0, "no failures");
	check(0, t, t, 1, 0, "no failures, last ignored");
	check(4, t, t, 1, 0, "4 failures, the last just now");
	check(5, t, t, 0, 1, "5 failures, the last just now");
	check(5, t - 1, t, 1, 0, "5 failures, the last 1 s ago");
	check(6, t - 1, t, 0, 1, "6 failures, the last 1 s ago");
	check(6, t - 2, t, 1, 0, "6 failures, the last 2 s ago");
	check(10, t - 31, t, 0, 1, "10 failures, 31 of 32 s waited");
	check(10, t - 32, t, 1, 0, "10 failures, 32 s waited");
	check(15, t, t, 0, 900, "15 failures, the last just now");
	check(15, t - 899, t, 0, 1, "15 failures, 899 s waited");
	check(15, t - 900, t, 1, 0, "15 failures, 900 s waited");
	check(1000, t - 100, t, 0, 800, "1000 failures, 100 s waited");
	check(15, t + 3600, t, 0, 900,
	    "a last failure in the future waits the whole delay, no more");
	/* <stdint.h>: -I lib makes <limits.h> the project's own. */
	check(15, INT64_MIN, INT64_MAX, 1, 0, "extreme times (no overflow)");
	check(15, INT64_MAX, INT64_MIN, 0, 900, "extreme times, reversed");
	check(15, -1000, 0, 1, 0, "negative times");
}

/*
 * An attacker who may try once a second and always tries as soon as
 * allowed; the caller counts failures over a sliding THROTTLE_WINDOW.
 * Returns the failures in `seconds`.
 */
static long
attack(long long seconds)
{
	long long	*fails, t = 0, wait;
	long		n = 0, first = 0;

	if ((fails = calloc((size_t)seconds + 1, sizeof(*fails))) == NULL)
		return -1;
	while (t < seconds) {
		while (first < n && fails[first] <= t - THROTTLE_WINDOW)
			first++;
		if (throttle_check((unsigned int)(n - first),
		    n > 0 ? fails[n - 1] : 0, t, &wait)) {
			fails[n++] = t;
			t++;
		} else if (wait < 1) {
			n = -1;		/* refused without a wait: a bug */
			break;
		} else
			t += wait;
	}
	free(fails);
	return n;
}

static void
test_attack(void)
{
	long	day = attack(86400), hour = attack(3600);

	tap_diag("an attacker gets %ld failures in an hour, %ld in a day", hour,
	    day);
	ok(day > 0 && day <= 320, "at most 320 guesses a day per key (%ld)", day);
	ok(hour >= THROTTLE_FREE && hour <= 20,
	    "at most 20 guesses in the first hour (%ld)", hour);
}

int
main(void)
{
	test_schedule();
	test_check();
	test_attack();
	return tap_done();
}
