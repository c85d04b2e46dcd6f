/*
 * Byte encodings every part of llmops needs, pure and small: UTF-8
 * decoding and validation, hexadecimal digits, base64url (RFC 4648 section
 * 5, no padding). Domain modules (labels, HTML, tokens, sessions, the
 * secret file, form decoding) use these instead of their own copies.
 */
#ifndef LLMOPS_ENCODE_H
#define LLMOPS_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* What utf8_decode sets for an invalid sequence: not a code point. */
#define UTF8_INVALID	0x110000U

/*
 * Decodes the code point at s (len >= 1 bytes) and returns the bytes it
 * takes. An ill-formed sequence (overlong, surrogate, past U+10FFFF, cut
 * short) sets *cp to UTF8_INVALID and returns the length of its maximal
 * invalid subpart, as the WHATWG decoder does (at least 1).
 */
size_t	utf8_decode(const char *s, size_t len, uint32_t *cp);
/* 1 when s[0..len) is well-formed UTF-8. */
int	utf8_valid(const unsigned char *s, size_t len);

/* The value of hexadecimal digit c (either case), or -1. */
int	hex_value(int c);

/* Characters of the base64url encoding of n bytes (no padding). */
#define BASE64URL_CHARS(n)	(((n) * 4 + 2) / 3)
/* Writes BASE64URL_CHARS(n) characters and a NUL to dst. */
void	base64url_encode(const unsigned char *src, size_t n, char *dst);
/*
 * Decodes exactly BASE64URL_CHARS(n) characters at s into n bytes,
 * strictly: another character (NUL included, so s may be shorter) or a
 * set unused bit in the last character is refused (-1).
 */
int	base64url_decode(const char *s, unsigned char *out, size_t n);

#endif
