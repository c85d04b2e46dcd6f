/*
 * Login throttling policy, pure: the caller counts the failed logins of a
 * key (an account, an address, or both together) within the last
 * THROTTLE_WINDOW seconds and knows the time of the last one; this says
 * whether another attempt may be checked now, or how long to wait.
 *
 * Schedule: THROTTLE_FREE failures cost nothing. After failure number
 * THROTTLE_FREE + k (k = 0, 1, ...) the next attempt waits
 * THROTTLE_BASE << k seconds after that failure, at most THROTTLE_CAP:
 * 5 failures: 1 s, 6: 2 s, 7: 4 s, ... 14: 512 s, 15 and more: 900 s.
 * Failures leave the count THROTTLE_WINDOW after they happened.
 *
 * What it costs an attacker: trying whenever allowed, one key gets at
 * most about 310 failures a day (tests/t_throttle.c simulates it); a user
 * who mistypes a few times waits seconds. Throttle before running the
 * password KDF (it also spares the CPU), record every failure, and log
 * the refusals.
 */
#ifndef LLMOPS_THROTTLE_H
#define LLMOPS_THROTTLE_H

#define THROTTLE_WINDOW		3600	/* seconds a failure is counted */
#define THROTTLE_FREE		5	/* failures in the window before delays */
#define THROTTLE_BASE		1	/* seconds: the first delay */
#define THROTTLE_CAP		900	/* seconds: the longest delay */

/* Seconds to wait after the last of `failures` failures (0 when free). */
long long	throttle_delay(unsigned int failures);
/*
 * 1 when an attempt may be checked at now, 0 when it must be refused with
 * *wait set to the seconds left (1 to THROTTLE_CAP, for a Retry-After).
 * failures: failures of the key in (now - THROTTLE_WINDOW, now];
 * last_failure: the time of the latest (ignored when failures is 0). A
 * last_failure in the future (clock step) counts as now.
 */
int		throttle_check(unsigned int failures, long long last_failure,
		    long long now, long long *wait);

#endif
