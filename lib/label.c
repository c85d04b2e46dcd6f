#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "label.h"

int
label_repair_mojibake(char *s)
{
	const unsigned char	*in = (const unsigned char *)s;
	size_t			 len = strlen(s), i = 0, o = 0, n;
	uint32_t		 cp;
	int			 high = 0, repaired = 0;
	unsigned char		*bytes;

	/* All code points must fit in one byte, and some must be above ASCII. */
	while (i < len) {
		n = utf8_decode((const char *)in + i, len - i, &cp);
		if (cp == UTF8_INVALID || cp > 0xff)
			return 0;
		if (cp >= 0x80)
			high = 1;
		i += n;
	}
	if (!high || (bytes = malloc(len + 1)) == NULL)
		return 0;
	for (i = 0; i < len; i += n) {
		n = utf8_decode((const char *)in + i, len - i, &cp);
		bytes[o++] = (unsigned char)cp;
	}
	/* Some byte is >= 0x80, so valid UTF-8 here means a multi-byte sequence. */
	if (utf8_valid(bytes, o)) {
		memcpy(s, bytes, o);
		s[o] = '\0';
		repaired = 1;
	}
	free(bytes);
	return repaired;
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

char *
label_clean(const char *raw, size_t max_chars, int *truncated, int *oom)
{
	*truncated = 0;
	*oom = 0;
	if (raw == NULL)
		return NULL;
	return label_clean_len(raw, strlen(raw), max_chars, truncated, oom);
}

char *
label_clean_len(const char *raw, size_t rawlen, size_t max_chars,
    int *truncated, int *oom)
{
	char		*s, *start, *end;
	size_t		 len, i, chars, n;
	uint32_t	 cp;

	*truncated = 0;
	*oom = 0;
	if (raw == NULL)
		return NULL;
	if ((s = malloc(rawlen + 1)) == NULL) {
		*oom = 1;
		return NULL;
	}
	/* A NUL (\u0000 in JSON) is a control character like the others. */
	for (i = 0; i < rawlen; i++)
		s[i] = raw[i] == '\0' ? ' ' : raw[i];
	s[rawlen] = '\0';
	label_repair_mojibake(s);
	/*
	 * Control characters become spaces before trimming: C0 and DEL, and
	 * the C1 range U+0080..U+009F (two bytes, C2 80..C2 9F, in UTF-8).
	 */
	for (i = 0, n = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] == 0xc2 && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			s[n++] = ' ';
			i++;
		} else if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			s[n++] = ' ';
		else
			s[n++] = s[i];
	}
	s[n] = '\0';
	start = s;
	while (*start != '\0' && is_space((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && is_space((unsigned char)end[-1]))
		end--;
	*end = '\0';
	len = (size_t)(end - start);
	if (len == 0) {
		free(s);
		return NULL;
	}
	/* Cut at max_chars code points, on a sequence boundary. */
	for (i = 0, chars = 0; i < len; i += n, chars++) {
		if (chars == max_chars) {
			start[i] = '\0';
			*truncated = 1;
			/* Cutting may expose trailing blanks again. */
			while (i > 0 && is_space((unsigned char)start[i - 1]))
				start[--i] = '\0';
			break;
		}
		n = utf8_decode(start + i, len - i, &cp);
		if (cp == UTF8_INVALID)
			n = 1;	/* not reached for validated input */
	}
	if (start != s)
		memmove(s, start, strlen(start) + 1);
	return s;
}
