/*
 * The paging cursor of the Events view and /api/v1/events: what
 * usage_cursor_parse accepts ("OCCURRED_US.ID" and nothing else) and what
 * it refuses.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "db_usage.h"
#include "tap.h"

static void
test_good(void)
{
	static const struct {
		const char	*s;
		int64_t		 occ, id;
	} good[] = {
		{ "1772210200100000.1", 1772210200100000LL, 1 },
		{ "0.1", 0, 1 },
		{ "1764000000000000.987654321", 1764000000000000LL, 987654321 },
		{ "007.08", 7, 8 },
		{ "9223372036854775807.9223372036854775807", INT64_MAX,
		    INT64_MAX },
	};
	int64_t		occ, id;
	size_t		i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		occ = id = -1;
		ok(usage_cursor_parse(good[i].s, &occ, &id) == 0 &&
		    occ == good[i].occ && id == good[i].id, "cursor %s",
		    good[i].s);
	}
}

static void
test_bad(void)
{
	static const char *const bad[] = {
		"", ".", "1", "1.", ".1", "1.0", "1.-1", "-1.1", "+1.1", " 1.1",
		"1.1 ", "1.1x", "5.3xyz", "1.1.1", "1,1", "1e3.1", "0x10.1",
		"1.2\t", "9223372036854775808.1", "1.9223372036854775808",
		"99999999999999999999999.1",
	};
	int64_t		occ, id;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(usage_cursor_parse(bad[i], &occ, &id) == -1,
		    "cursor \"%s\" refused", bad[i]);
}

int
main(void)
{
	test_good();
	test_bad();
	return tap_done();
}
