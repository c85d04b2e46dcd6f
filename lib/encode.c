#include "config.h"

#include <stdint.h>
#include <string.h>

#include "encode.h"

size_t
utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char	*s = (const unsigned char *)str;
	unsigned char		 lo = 0x80, hi = 0xbf;
	uint32_t		 v;
	size_t			 n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	/* The lead byte bounds the second byte: no overlong forms, no
	 * surrogates, nothing past U+10FFFF. */
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		v = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		v = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		*cp = UTF8_INVALID;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			/* The bytes so far are one maximal invalid subpart. */
			*cp = UTF8_INVALID;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return n;
}

int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t		i = 0;
	uint32_t	cp;

	while (i < len) {
		i += utf8_decode((const char *)s + i, len - i, &cp);
		if (cp == UTF8_INVALID)
			return 0;
	}
	return 1;
}

int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const char	b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
base64url_encode(const unsigned char *src, size_t n, char *dst)
{
	unsigned long	acc = 0;
	unsigned int	bits = 0;
	size_t		i;

	for (i = 0; i < n; i++) {
		acc = acc << 8 | src[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			*dst++ = b64url[(acc >> bits) & 63];
		}
		acc &= (1UL << bits) - 1;
	}
	if (bits > 0)
		*dst++ = b64url[(acc << (6 - bits)) & 63];
	*dst = '\0';
}

int
base64url_decode(const char *s, unsigned char *out, size_t n)
{
	unsigned long	 acc = 0;
	unsigned int	 bits = 0;
	size_t		 i, o = 0, chars = BASE64URL_CHARS(n);
	const char	*p;

	for (i = 0; i < chars; i++) {
		if (s[i] == '\0' || (p = strchr(b64url, s[i])) == NULL)
			return -1;
		acc = acc << 6 | (unsigned long)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	return acc == 0 && o == n ? 0 : -1;
}
