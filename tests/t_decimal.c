/*
 * decimal_parse and decimal_format: JSON number text to exact integer
 * units of 10^-scale and back. Expected values are worked out by hand
 * from the digits (see the comment on each case), never from a double.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "llmops_limits.h"
#include "tap.h"

#define PICO	COST_SCALE_DIGITS

/* Checks that text parses to want at scale, within max. */
static void
parses(const char *text, int scale, int64_t max, int64_t want)
{
	int64_t	got = -12345;
	int	rc;

	rc = decimal_parse(text, scale, max, &got);
	is_int(rc, 0, "parse \"%s\" scale %d: accepted", text, scale);
	if (rc == 0)
		is_int(got, want, "parse \"%s\" scale %d: value %lld", text,
		    scale, (long long)want);
}

static void
refuses(const char *text, int scale, int64_t max, const char *why)
{
	int64_t	got;

	is_int(decimal_parse(text, scale, max, &got), -1,
	    "parse \"%s\" scale %d: refused (%s)", text, scale, why);
}

static void
formats(int64_t units, int scale, const char *want)
{
	char	buf[64];
	int	rc;

	memset(buf, 'X', sizeof(buf));
	rc = decimal_format(units, scale, buf, sizeof(buf));
	is_int(rc, 0, "format %lld scale %d: ok", (long long)units, scale);
	is_str(rc == 0 ? buf : NULL, want, "format %lld scale %d: \"%s\"",
	    (long long)units, scale, want);
}

static void
test_litellm_floats(void)
{
	/* 0.0009600000000000001 * 10^12 = 960000000.0000000001: the tail
	 * digit rounds away. */
	parses("0.0009600000000000001", PICO, INT64_MAX, 960000000);
	/* 1.2000000000000002e-07 * 10^12 = 120000.00000000002 */
	parses("1.2000000000000002e-07", PICO, INT64_MAX, 120000);
	/* 3.6e-07 * 10^12 = 360000 */
	parses("3.6e-07", PICO, INT64_MAX, 360000);
	/* 0.0172455 * 10^12 = 17245500000 */
	parses("0.0172455", PICO, INT64_MAX, 17245500000LL);
	/* A LiteLLM startTime in seconds, to the microsecond. */
	parses("1795753587.36935", 6, INT64_MAX, 1795753587369350LL);
	/* Seven fraction digits at scale 6: ...3695|5 rounds up. */
	parses("1795753587.3693555", 6, INT64_MAX, 1795753587369356LL);
	/* ...3695|49 rounds down. */
	parses("1795753587.36935549", 6, INT64_MAX, 1795753587369355LL);
}

static void
test_rounding(void)
{
	/* 5 * 10^-13 = 0.5 units: half rounds away from zero. */
	parses("0.0000000000005", PICO, INT64_MAX, 1);
	/* 0.49 units */
	parses("0.00000000000049", PICO, INT64_MAX, 0);
	/* 0.4999999999 units: only the first dropped digit matters, and
	 * it is a 4. */
	parses("0.0000000000004999999999", PICO, INT64_MAX, 0);
	/* 0.50000000001 units */
	parses("0.00000000000050000000001", PICO, INT64_MAX, 1);
	/* -0.5 units -> -1, away from zero */
	parses("-0.0000000000005", PICO, INT64_MAX, -1);
	parses("-1.5", 0, INT64_MAX, -2);
	parses("1.5", 0, INT64_MAX, 2);
	parses("2.5", 0, INT64_MAX, 3);
	parses("-2.4", 0, INT64_MAX, -2);
	parses("0.5", 0, INT64_MAX, 1);
	parses("0.05", 1, INT64_MAX, 1);
	parses("0.04", 1, INT64_MAX, 0);
	/* 9.995 at scale 2: 999.5 -> 1000, the carry ripples through. */
	parses("9.995", 2, INT64_MAX, 1000);
	/* Far below a unit: 1e-300 at scale 12 is 0. */
	parses("1e-300", PICO, INT64_MAX, 0);
	/* 6e-13 = 0.6 units */
	parses("6e-13", PICO, INT64_MAX, 1);
	/* 4e-13 = 0.4 units */
	parses("4e-13", PICO, INT64_MAX, 0);
}

static void
test_plain(void)
{
	parses("12", 0, INT64_MAX, 12);
	parses("12", 3, INT64_MAX, 12000);
	parses("1E+3", 0, INT64_MAX, 1000);
	parses("1e3", 0, INT64_MAX, 1000);
	parses("1e+3", 2, INT64_MAX, 100000);
	parses("25E-1", 0, INT64_MAX, 3);	/* 2.5 */
	parses("0", 0, INT64_MAX, 0);
	parses("0", PICO, INT64_MAX, 0);
	parses("-0", 0, INT64_MAX, 0);
	parses("-0.0", PICO, INT64_MAX, 0);
	parses("0.0", 2, INT64_MAX, 0);
	parses("0e5", 0, INT64_MAX, 0);
	parses("100", 0, INT64_MAX, 100);	/* inner zeros kept */
	parses("10.01", 2, INT64_MAX, 1001);
	parses("-7", 2, INT64_MAX, -700);
	parses("123.456", 3, INT64_MAX, 123456);
	parses("123.456", 1, INT64_MAX, 1235);	/* 1234.56 */
	/* Exponent and fraction together: 1.5e-3 * 10^6 = 1500 */
	parses("1.5e-3", 6, INT64_MAX, 1500);
}

static void
test_not_numbers(void)
{
	static const char *const bad[] = {
		"", "abc", "1.", ".5", "-.5", "1e", "1e+", "1e-", "NaN",
		"Infinity", "-Infinity", "--1", "-", "+1", "1 ", " 1", "0x10",
		"1.2.3", "1e5e5", "1,5", "1_000", "\xef\xbc\x91", "e5",
		"1.e5", "- 1",
	};
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refuses(bad[i], PICO, INT64_MAX, "not a JSON number");
}

static void
test_limits(void)
{
	char	big[64];
	int64_t	v;

	/* max_units is inclusive, on both sides of zero. */
	parses("100000", PICO, LIMIT_COST_USD_MAX * 1000000000000LL,
	    100000000000000000LL);
	parses("-100000", PICO, LIMIT_COST_USD_MAX * 1000000000000LL,
	    -100000000000000000LL);
	refuses("100000.000000000001", PICO,
	    LIMIT_COST_USD_MAX * 1000000000000LL, "one unit above max");
	refuses("-100000.000000000001", PICO,
	    LIMIT_COST_USD_MAX * 1000000000000LL, "one unit below -max");
	/* 100000.0000000000004 rounds down to exactly max. */
	parses("100000.0000000000004", PICO,
	    LIMIT_COST_USD_MAX * 1000000000000LL, 100000000000000000LL);
	/* ... and 100000.0000000000005 rounds up past it. */
	refuses("100000.0000000000005", PICO,
	    LIMIT_COST_USD_MAX * 1000000000000LL, "rounds above max");
	parses("99", 0, 99, 99);
	refuses("100", 0, 99, "above max 99");
	parses("0", 0, 0, 0);
	refuses("1", 0, 0, "max 0");

	/* int64 edges: INT64_MAX = 9223372036854775807 */
	parses("9223372036854775807", 0, INT64_MAX, INT64_MAX);
	parses("-9223372036854775807", 0, INT64_MAX, -INT64_MAX);
	refuses("9223372036854775808", 0, INT64_MAX, "INT64_MAX + 1");
	refuses("18446744073709551615", 0, INT64_MAX, "UINT64_MAX");
	refuses("18446744073709551616", 0, INT64_MAX, "UINT64_MAX + 1");
	refuses("99999999999999999999", 0, INT64_MAX, "20 nines");
	refuses("9223372036854775807", 1, INT64_MAX, "overflows after scaling");
	/* 9223372.036854775807 at scale 12 is INT64_MAX exactly. */
	parses("9223372.036854775807", PICO, INT64_MAX, INT64_MAX);
	refuses("9223372.036854775808", PICO, INT64_MAX, "one above INT64_MAX");

	/* 50 digits, far too large for any limit. */
	refuses("12345678901234567890123456789012345678901234567890", 0,
	    INT64_MAX, "50-digit integer");
	refuses("-12345678901234567890123456789012345678901234567890", PICO,
	    INT64_MAX, "negative 50-digit integer");
	/* 50 digits, 49 of them trailing fraction zeros: exactly 1 USD. */
	parses("1.0000000000000000000000000000000000000000000000000", PICO,
	    INT64_MAX, 1000000000000LL);
	/* 50 digits with an exponent bringing the value down to 1.2345...:
	 * at scale 12 that is 1234567890123|4 -> 1234567890123. */
	parses("12345678901234567890123456789012345678901234567890e-49", PICO,
	    INT64_MAX, 1234567890123LL);
	/* 1 followed by 49 zeros, times 10^-49, is 1. */
	parses("10000000000000000000000000000000000000000000000000e-49", 0,
	    INT64_MAX, 1);
	/* 50 fraction digits: only the first 12 and the 13th (a 5) count. */
	parses("0.12345678901257890123456789012345678901234567890123", PICO,
	    INT64_MAX, 123456789013LL);
	/* 60 digits after the point, all zeros but the last: 0 units. */
	parses("0.000000000000000000000000000000000000000000000000000000000001",
	    PICO, INT64_MAX, 0);

	/* Exponents: at most 400 in magnitude. */
	parses("1e-400", PICO, INT64_MAX, 0);
	parses("0e400", 0, INT64_MAX, 0);
	refuses("1e400", 0, INT64_MAX, "1e400 is too large");
	refuses("1e-401", PICO, INT64_MAX, "exponent below -400");
	refuses("1e401", PICO, INT64_MAX, "exponent above 400");
	refuses("0e401", PICO, INT64_MAX, "exponent above 400 even for 0");
	refuses("1e99999999999999999999999", PICO, INT64_MAX,
	    "exponent that overflows a long");
	refuses("1e-99999999999999999999999", PICO, INT64_MAX,
	    "negative exponent that overflows a long");
	refuses("1e19", 0, INT64_MAX, "10^19 > INT64_MAX");
	parses("1e18", 0, INT64_MAX, 1000000000000000000LL);
	parses("1e6", PICO, INT64_MAX, 1000000000000000000LL);
	refuses("1e7", PICO, INT64_MAX, "10^19 units");

	/* A negative max refuses everything, including zero's neighbours. */
	v = 5;
	is_int(decimal_parse("1", 0, -1, &v), -1, "max_units -1 refuses 1");

	snprintf(big, sizeof(big), "%lld", (long long)INT64_MAX);
	parses(big, 0, INT64_MAX, INT64_MAX);
}

static void
test_format(void)
{
	char	buf[64];

	formats(960000000, PICO, "0.000960000000");
	formats(-5, 2, "-0.05");
	formats(0, 0, "0");
	formats(0, 2, "0.00");
	formats(5, 0, "5");
	formats(-5, 0, "-5");
	formats(1234, 3, "1.234");
	formats(-1234, 3, "-1.234");
	formats(1000, 3, "1.000");
	formats(1, PICO, "0.000000000001");
	formats(-1, PICO, "-0.000000000001");
	formats(1795753587369350LL, 6, "1795753587.369350");
	formats(INT64_MAX, 0, "9223372036854775807");
	formats(INT64_MIN, 0, "-9223372036854775808");
	formats(INT64_MAX, PICO, "9223372.036854775807");
	formats(INT64_MIN, PICO, "-9223372.036854775808");
	formats(79816, 3, "79.816");

	/* "-0.05" needs 6 bytes with the NUL. */
	is_int(decimal_format(-5, 2, buf, 6), 0, "format -0.05 in 6 bytes");
	is_str(buf, "-0.05", "format -0.05 in exactly enough bytes");
	is_int(decimal_format(-5, 2, buf, 5), -1,
	    "format -0.05 in 5 bytes: too small");
	is_int(decimal_format(960000000, PICO, buf, 14), -1,
	    "format 0.000960000000 in 14 bytes: too small");
	is_int(decimal_format(960000000, PICO, buf, 15), 0,
	    "format 0.000960000000 in 15 bytes: fits");
	is_int(decimal_format(0, 0, buf, 1), -1, "format 0 in 1 byte: too small");
	is_int(decimal_format(0, 0, buf, 2), 0, "format 0 in 2 bytes: fits");
}

/* A deterministic generator, so a failure can be reproduced. */
static uint64_t
next_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void
test_round_trip(void)
{
	static const int	scales[] = { 0, 1, 2, 3, 6, 9, 12, 15, 18 };
	uint64_t		st = 0x9e3779b97f4a7c15ULL, r;
	int64_t			units, back;
	char			buf[64];
	int			i, scale, bad = 0, n = 0, shift;

	for (i = 0; i < 400; i++) {
		r = next_rand(&st);
		scale = scales[r % (sizeof(scales) / sizeof(scales[0]))];
		/* Magnitudes of every size, from 0 to near INT64_MAX. */
		shift = (int)((r >> 8) % 64);
		units = (int64_t)((next_rand(&st) >> 1) >> shift);
		if (r & (1ULL << 40))
			units = -units;
		if (i == 0)
			units = INT64_MAX;
		else if (i == 1)
			units = -INT64_MAX;
		else if (i == 2)
			units = 0;
		n++;
		if (decimal_format(units, scale, buf, sizeof(buf)) != 0 ||
		    decimal_parse(buf, scale, INT64_MAX, &back) != 0 ||
		    back != units) {
			if (bad++ < 5)
				tap_diag("round trip of %lld at scale %d via "
				    "\"%s\" failed", (long long)units, scale, buf);
		}
	}
	is_int(bad, 0, "format then parse gives the same units for %d values",
	    n);
}

int
main(void)
{
	test_litellm_floats();
	test_rounding();
	test_plain();
	test_not_numbers();
	test_limits();
	test_format();
	test_round_trip();
	return tap_done();
}
