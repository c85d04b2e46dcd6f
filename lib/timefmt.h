/*
 * Times are microseconds since the Unix epoch (UTC) everywhere in llmops.
 * These helpers print them as ISO 8601 and read the time arguments of the
 * CLI and the reports.
 */
#ifndef LLMOPS_TIMEFMT_H
#define LLMOPS_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIME_US_PER_SEC		1000000LL
#define TIME_US_PER_HOUR	(3600 * TIME_US_PER_SEC)
#define TIME_US_PER_DAY		(24 * TIME_US_PER_HOUR)
#define TIME_ISO_BYTES		32

int64_t	time_now_us(void);
/* The start of the UTC hour of us (also before 1970). */
int64_t	time_hour_floor(int64_t us);
/* The start of the UTC day of us (also before 1970). */
int64_t	time_day_floor(int64_t us);
/*
 * [*since_us, *until_us) widened to whole UTC hours, the unit of the
 * rollups: the start rounded down, the end up.
 */
void	time_widen_to_hours(int64_t *since_us, int64_t *until_us);
/* "2026-11-27T07:43:53.123456Z" */
void	time_format_iso(int64_t us, char buf[TIME_ISO_BYTES]);
/* "2026-11-27T07:43:53Z" */
void	time_format_iso_sec(int64_t us, char buf[TIME_ISO_BYTES]);
/*
 * Reads "now", a relative time in the past ("90m", "24h", "7d", "2w"), a
 * date ("2026-11-01", midnight UTC), or a date and time
 * ("2026-11-01T10:30", "2026-11-01 10:30:15", optional ".ffffff" and "Z").
 * Returns -1 on anything else.
 */
int	time_parse_arg(const char *, int64_t now_us, int64_t *out_us);
/* "0", "90s", "90m", "24h", "7d", "2w" in microseconds; -1 for anything else. */
int	time_parse_duration(const char *, int64_t *out_us);
/* A time in the future: a duration from now ("30d"), or an absolute time. */
int	time_parse_future(const char *, int64_t now_us, int64_t *out_us);

#endif
