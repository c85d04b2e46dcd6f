#include "config.h"

#include "cli.h"
#include "timeargs.h"
#include "timefmt.h"

void
timeargs_init(struct timeargs *t)
{
	t->since_us = 0;
	/* One microsecond past now, so events of this instant are included. */
	t->until_us = time_now_us() + 1;
	t->given = 0;
}

int
timeargs_set(struct timeargs *t, int is_until, const char *arg)
{
	int64_t	v;

	if (time_parse_arg(arg, time_now_us(), &v) != 0) {
		cli_error("--%s: cannot read the time '%s'", is_until ? "until" :
		    "since", arg);
		return -1;
	}
	if (is_until)
		t->until_us = v;
	else
		t->since_us = v;
	t->given |= is_until ? 2 : 1;
	return 0;
}

int
timeargs_check(const struct timeargs *t)
{
	if (t->since_us >= t->until_us) {
		cli_error("--since must be before --until");
		return -1;
	}
	return 0;
}
