/*
 * libFuzzer harness for the small text parsers: exact decimals, CLI time
 * arguments, labels (mojibake repair, trimming, cutting) and UTF-8
 * validation. Each must accept or refuse any input without crashing, and
 * decimals must round-trip through decimal_format.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "encode.h"
#include "label.h"
#include "timefmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *l, buf[64];
	int64_t		 v, w;
	int		 trunc, oom;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (decimal_parse(s, 12, INT64_MAX / 10, &v) == 0 &&
	    decimal_format(v, 12, buf, sizeof(buf)) == 0 &&
	    (decimal_parse(buf, 12, INT64_MAX / 10, &w) != 0 || w != v))
		abort();
	time_parse_arg(s, 1800000000000000LL, &v);
	if (utf8_valid((const unsigned char *)s, strlen(s))) {
		l = label_clean(s, 8, &trunc, &oom);
		if (l != NULL && !utf8_valid((const unsigned char *)l, strlen(l)))
			abort();
		free(l);
	}
	free(s);
	return 0;
}
