#include "config.h"

#include "throttle.h"

long long
throttle_delay(unsigned int failures)
{
	unsigned int	k;

	if (failures < THROTTLE_FREE)
		return 0;
	k = failures - THROTTLE_FREE;
	/* THROTTLE_BASE << k passes the cap long before it could overflow. */
	if (k >= 30 || (long long)THROTTLE_BASE << k >= THROTTLE_CAP)
		return THROTTLE_CAP;
	return (long long)THROTTLE_BASE << k;
}

int
throttle_check(unsigned int failures, long long last_failure, long long now,
    long long *wait)
{
	long long		d = throttle_delay(failures);
	unsigned long long	since = 0;

	*wait = 0;
	if (d == 0)
		return 1;
	/* Unsigned: the exact difference, whatever the two times are. */
	if (last_failure < now)
		since = (unsigned long long)now - (unsigned long long)last_failure;
	if (since >= (unsigned long long)d)
		return 1;
	*wait = d - (long long)since;
	return 0;
}
