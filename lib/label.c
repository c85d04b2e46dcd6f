#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "label.h"

/* Length of the UTF-8 sequence starting at s (at most len bytes), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned	c = s[0], v;
	size_t		n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t		i = 0, n;
	unsigned	cp;

	while (i < len) {
		if ((n = utf8_seq(s + i, len - i, &cp)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

int
label_repair_mojibake(char *s)
{
	const unsigned char	*in = (const unsigned char *)s;
	size_t			 len = strlen(s), i = 0, o = 0, n;
	unsigned		 cp;
	int			 high = 0, repaired = 0;
	unsigned char		*bytes;

	/* All code points must fit in one byte, and some must be above ASCII. */
	while (i < len) {
		if ((n = utf8_seq(in + i, len - i, &cp)) == 0 || cp > 0xff)
			return 0;
		if (cp >= 0x80)
			high = 1;
		i += n;
	}
	if (!high || (bytes = malloc(len + 1)) == NULL)
		return 0;
	for (i = 0; i < len; i += n) {
		n = utf8_seq(in + i, len - i, &cp);
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
	char		*s, *start, *end;
	size_t		 len, i, chars, n;
	unsigned	 cp;

	*truncated = 0;
	*oom = 0;
	if (raw == NULL)
		return NULL;
	if ((s = strdup(raw)) == NULL) {
		*oom = 1;
		return NULL;
	}
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
		n = utf8_seq((const unsigned char *)start + i, len - i, &cp);
		if (n == 0)
			n = 1;	/* not reached for validated input */
	}
	if (start != s)
		memmove(s, start, strlen(start) + 1);
	return s;
}
