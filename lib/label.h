/*
 * Department, team and agent labels as users typed them into HTTP headers:
 * repaired when LiteLLM turned UTF-8 into Latin-1 mojibake, trimmed, control
 * characters replaced by spaces, and cut to a maximum number of characters.
 */
#ifndef LLMOPS_LABEL_H
#define LLMOPS_LABEL_H

#include <stddef.h>

/*
 * Returns a newly allocated clean label, or NULL when nothing is left
 * (absent, blank: stored as untagged) or on allocation failure (*oom set).
 * *truncated is set when the label was cut to max_chars. The input must
 * be valid UTF-8 (json-c validated it).
 */
char	*label_clean(const char *raw, size_t max_chars, int *truncated, int *oom);
/* The same for rawlen bytes that may hold NULs (a JSON "\u0000"), which
 * become spaces like the other control characters. */
char	*label_clean_len(const char *raw, size_t rawlen, size_t max_chars,
	    int *truncated, int *oom);

/*
 * LiteLLM decodes header bytes as Latin-1, so "Développement" arrives as
 * "DÃ©veloppement". When every code point of s is below 256 and those
 * bytes form valid multi-byte UTF-8, rewrites s in place to that UTF-8
 * and returns 1; otherwise leaves s alone and returns 0.
 */
int	label_repair_mojibake(char *s);

#endif
