/* --since/--until of the report commands. */
#ifndef LLMOPS_TIMEARGS_H
#define LLMOPS_TIMEARGS_H

#include <stdint.h>

#define TIMEARGS_HELP \
    "Times: now, 90m, 24h, 7d, 2w (ago), 2026-11-01 (UTC midnight) or\n" \
    "2026-11-01T10:30[:00][Z] (UTC).\n"

struct timeargs {
	int64_t	since_us;	/* default: the beginning */
	int64_t	until_us;	/* default: now */
	int	given;		/* bit 0: since, bit 1: until */
};

void	timeargs_init(struct timeargs *);
/* Returns 0, or prints the error and returns -1. */
int	timeargs_set(struct timeargs *, int is_until, const char *arg);
/* -1 (printed) when since is not before until. */
int	timeargs_check(const struct timeargs *);

#endif
