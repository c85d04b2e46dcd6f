/* The host of a URL: see url_host.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "url_host.h"

/* The largest TCP port. */
#define PORT_MAX	65535UL

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static int
is_scheme(char c)
{
	return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
}

/* A host name's characters (ASCII only: IDNs arrive as punycode). */
static int
is_host(char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int
url_host(const char *url, size_t len, char out[LIMIT_API_HOST_BYTES + 1])
{
	size_t		 i, a, end, h0, h1, colons = 0, n;
	unsigned long	 port = 0;
	int		 has_port = 0;

	out[0] = '\0';
	if (len == 0 || !is_alpha(url[0]))
		return -1;
	/* No blank or control character (NUL included) anywhere. */
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return -1;
	for (i = 1; i < len && is_scheme(url[i]); i++)
		;
	if (len - i < 3 || memcmp(url + i, "://", 3) != 0)
		return -1;
	a = i + 3;
	/* The authority ends at the first '/', '?' or '#'. */
	for (end = a; end < len && url[end] != '/' && url[end] != '?' &&
	    url[end] != '#'; end++)
		;
	/*
	 * An '@' after it means a user part with '/', '?' or '#' in it
	 * (a password, maybe): the "host" before it could be a piece of
	 * that password. Refused rather than guessed.
	 */
	if (memchr(url + end, '@', len - end) != NULL)
		return -1;
	/* The user part runs to the last '@' (a raw '@' in a password). */
	for (h0 = a, i = a; i < end; i++)
		if (url[i] == '@')
			h0 = i + 1;
	if (h0 == end)
		return -1;
	if (url[h0] == '[') {
		/* An IPv6 literal; no zone ids, no IPvFuture. */
		for (h1 = h0 + 1; h1 < end && url[h1] != ']'; h1++) {
			if (url[h1] == ':')
				colons++;
			else if (!is_hex(url[h1]) && url[h1] != '.')
				return -1;
		}
		if (h1 == end || colons < 2)
			return -1;
		h1++;
	} else {
		for (h1 = h0; h1 < end && url[h1] != ':'; h1++)
			if (!is_host(url[h1]))
				return -1;
		if (h1 == h0)
			return -1;
	}
	if (h1 < end) {
		if (url[h1] != ':')
			return -1;
		/* "host:" is the host alone, as WHATWG's parser has it. */
		for (i = h1 + 1; i < end; i++) {
			if (!is_digit(url[i]))
				return -1;
			port = port * 10 + (unsigned long)(url[i] - '0');
			if (port > PORT_MAX)
				return -1;
			has_port = 1;
		}
	}
	if ((n = h1 - h0) > LIMIT_API_HOST_BYTES)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = lower(url[h0 + i]);
	out[n] = '\0';
	if (has_port && (size_t)snprintf(out + n, LIMIT_API_HOST_BYTES + 1 - n,
	    ":%lu", port) >= LIMIT_API_HOST_BYTES + 1 - n) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
