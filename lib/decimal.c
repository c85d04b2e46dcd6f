#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"

/* Significant digits kept; more cannot change a 64-bit result's rounding
 * except through the sticky digit, which half-up rounding does not need. */
#define DEC_MAX_DIGITS		40
#define DEC_MAX_EXPONENT	400

int
decimal_parse(const char *text, int scale, int64_t max_units, int64_t *out)
{
	char		 digits[DEC_MAX_DIGITS + 1];
	const char	*p = text;
	int		 neg = 0, ndig = 0, nfrac = 0, seen = 0;
	long		 exp10 = 0, shift;
	int		 keep, i, round_up;
	uint64_t	 v = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	/* Integer and fraction digits, leading zeros dropped. */
	for (; isdigit((unsigned char)*p); p++) {
		seen = 1;
		if (ndig == 0 && *p == '0')
			continue;
		if (ndig < DEC_MAX_DIGITS)
			digits[ndig++] = *p;
		else
			exp10++;	/* dropped integer digit still scales */
	}
	if (*p == '.') {
		/* JSON wants a digit on both sides of the point. */
		if (!seen)
			return -1;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			seen = 1;
			if (ndig == 0 && *p == '0') {
				nfrac++;
				continue;
			}
			if (ndig < DEC_MAX_DIGITS) {
				digits[ndig++] = *p;
				nfrac++;
			}
		}
	}
	if (!seen)
		return -1;
	if (*p == 'e' || *p == 'E') {
		int	eneg = 0;
		long	e = 0;

		p++;
		if (*p == '+' || *p == '-')
			eneg = (*p++ == '-');
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			e = e * 10 + (*p - '0');
			if (e > DEC_MAX_EXPONENT)
				return -1;
		}
		exp10 += eneg ? -e : e;
	}
	if (*p != '\0')
		return -1;

	/* value = digits * 10^(exp10 - nfrac); units = value * 10^scale */
	shift = exp10 - nfrac + scale;
	if (ndig == 0) {
		*out = 0;
		return 0;
	}
	keep = (int)(shift >= 0 ? ndig : ndig + shift);
	if (keep > 19 + 1 || (shift > 0 && ndig + shift > 20))
		return -1;
	round_up = 0;
	if (keep < ndig && keep >= 0)
		round_up = digits[keep] >= '5';
	for (i = 0; i < keep && i < ndig; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(digits[i] - '0');
	}
	for (i = 0; shift > 0 && i < shift; i++) {
		if (v > UINT64_MAX / 10)
			return -1;
		v *= 10;
	}
	v += (uint64_t)round_up;
	if (max_units < 0 || v > (uint64_t)max_units)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int
decimal_format_short(int64_t units, int scale, char *buf, size_t bufsz)
{
	char	*dot, *end;

	if (decimal_format(units, scale, buf, bufsz) != 0)
		return -1;
	if ((dot = strchr(buf, '.')) == NULL)
		return 0;
	end = buf + strlen(buf);
	while (end > dot + 1 && end[-1] == '0')
		*--end = '\0';
	if (end == dot + 1)
		*dot = '\0';
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	return 0;
}

int
decimal_format(int64_t units, int scale, char *buf, size_t bufsz)
{
	uint64_t	 mag, div = 1;
	int		 i, n;

	for (i = 0; i < scale; i++)
		div *= 10;
	mag = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
	if (scale == 0)
		n = snprintf(buf, bufsz, "%s%llu", units < 0 ? "-" : "",
		    (unsigned long long)mag);
	else
		n = snprintf(buf, bufsz, "%s%llu.%0*llu", units < 0 ? "-" : "",
		    (unsigned long long)(mag / div), scale,
		    (unsigned long long)(mag % div));
	return (n < 0 || (size_t)n >= bufsz) ? -1 : 0;
}
