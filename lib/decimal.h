/*
 * Exact decimal arithmetic on JSON number text. LiteLLM writes costs and
 * timestamps as Python floats ("0.0009600000000000001", "1.2e-07",
 * "1795753587.36935"); we read the digits as written, never through a C
 * double, and keep money as integer units of 10^-COST_SCALE_DIGITS USD.
 */
#ifndef LLMOPS_DECIMAL_H
#define LLMOPS_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses a JSON number (optional '-', digits, optional fraction and
 * exponent) into integer units of 10^-scale, rounding half away from zero.
 * Returns 0, or -1 when the text is not a finite number or the result is
 * outside [-max_units, max_units].
 */
int	decimal_parse(const char *text, int scale, int64_t max_units, int64_t *out);

/* Writes units (10^-scale each) as plain decimal text, e.g. "0.000960000000". */
int	decimal_format(int64_t units, int scale, char *buf, size_t bufsz);
/* The same without trailing zeros after the point: "0.00096", "30". */
int	decimal_format_short(int64_t units, int scale, char *buf, size_t bufsz);

#endif
