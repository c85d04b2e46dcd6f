/*
 * A minimal TAP producer for the unit tests (automake's tap-driver reads
 * it). Every check prints "ok N - name" or "not ok N - name" with a
 * diagnostic; tap_done() prints the plan and returns the exit status.
 */
#ifndef LLMOPS_TAP_H
#define LLMOPS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int	tap_ok(int, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static inline void	tap_diag(const char *, ...)
			    __attribute__((format(printf, 1, 2)));

static inline int
tap_ok(int cond, const char *fmt, ...)
{
	va_list	ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define ok(cond, ...)	tap_ok((cond) != 0, __VA_ARGS__)

#define is_int(got, want, ...) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (!tap_ok(g_ == w_, __VA_ARGS__))				\
		printf("#   got: %lld\n#   expected: %lld\n", g_, w_);	\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	int same_ = (g_ == NULL && w_ == NULL) ||			\
	    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);		\
	if (!tap_ok(same_, __VA_ARGS__))				\
		printf("#   got: %s%s%s\n#   expected: %s%s%s\n",	\
		    g_ ? "'" : "", g_ ? g_ : "NULL", g_ ? "'" : "",	\
		    w_ ? "'" : "", w_ ? w_ : "NULL", w_ ? "'" : "");	\
} while (0)

static inline void
tap_diag(const char *fmt, ...)
{
	va_list	ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d checks failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

#endif
