/*
 * libFuzzer harness for the session and API key parsers: session cookies,
 * Cookie headers, Authorization headers, Origin/Referer/Host and CSRF
 * tokens. Each must accept or refuse any input without crashing, and:
 *   - an accepted cookie is canonical: formatting its id and expiry again
 *     gives the same bytes;
 *   - a valid cookie with any bytes changed (the input XORed over it) is
 *     never accepted, and unchanged it always is;
 *   - a value found in a Cookie or Authorization header is part of it,
 *     fits its buffer, and a Bearer key is well-formed.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"
#include "session.h"

#define NOW	1800000000LL

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const unsigned char	key[32] = {
	0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
	0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
	0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57,
	0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
};

/* A cookie value: accepted ones must be canonical. */
static void
cookie(const char *s)
{
	struct session_cookie	sc;
	char			again[SESSION_COOKIE_BYTES];
	enum session_parse	r;

	memset(&sc, 0, sizeof(sc));
	r = session_cookie_parse(s, key, sizeof(key), NOW, sc.id, &sc.expires,
	    NULL);
	if (r >= SESSION_PARSE__MAX)
		abort();
	if (r != SESSION_OK && r != SESSION_EXPIRED)
		return;
	if (session_cookie_format(&sc, key, sizeof(key), again, NULL) != 0 ||
	    strcmp(again, s) != 0)
		abort();
}

/* The input XORed over a valid cookie: accepted only when unchanged. */
static void
tamper(const uint8_t *data, size_t size)
{
	struct session_cookie	sc;
	char			c[SESSION_COOKIE_BYTES];
	unsigned char		id[SESSION_ID_BYTES];
	long long		exp;
	size_t			i, len;
	int			changed = 0;
	enum session_parse	r;

	memset(&sc, 0, sizeof(sc));
	for (i = 0; i < SESSION_ID_BYTES; i++)
		sc.id[i] = (unsigned char)(i * 7);
	sc.expires = NOW + 3600;
	if (session_cookie_format(&sc, key, sizeof(key), c, NULL) != 0)
		abort();
	len = strlen(c);
	for (i = 0; i < size && i < len; i++) {
		c[i] ^= (char)data[i];
		changed |= data[i] != 0;
	}
	r = session_cookie_parse(c, key, sizeof(key), NOW, id, &exp, NULL);
	if (changed ? r == SESSION_OK : r != SESSION_OK)
		abort();
}

static void
cookie_header(const char *s, const char *name)
{
	char	out[SESSION_COOKIE_BYTES];

	switch (session_cookie_from_header(s, name, out, sizeof(out))) {
	case COOKIE_FOUND:
		if (strlen(out) >= sizeof(out) || strstr(s, out) == NULL)
			abort();
		cookie(out);
		break;
	case COOKIE_ABSENT:
	case COOKIE_DUPLICATE:
	case COOKIE_TOO_LONG:
		if (out[0] != '\0')
			abort();
		break;
	default:
		abort();
	}
}

static void
authorization(const char *s)
{
	char	out[APIKEY_GENERATED_BYTES];

	if (apikey_from_authorization(s, out, sizeof(out)) == APIKEY_AUTH_OK) {
		if (!apikey_format_ok(out) || strstr(s, out) == NULL)
			abort();
	} else if (out[0] != '\0')
		abort();
}

/* "origin\nreferer\nhost", each part possibly missing (NULL). */
static void
origin(char *s)
{
	char	*o = s, *r = NULL, *h = NULL;

	if ((r = strchr(o, '\n')) != NULL) {
		*r++ = '\0';
		if ((h = strchr(r, '\n')) != NULL)
			*h++ = '\0';
	}
	origin_ok(*o ? o : NULL, r, h != NULL ? h : o, 1);
	origin_ok(*o ? o : NULL, r, h != NULL ? h : o, 0);
	origin_ok(NULL, o, h != NULL ? h : "localhost", 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	cookie(s);
	tamper(data, size);
	cookie_header(s, SESSION_COOKIE_NAME);
	cookie_header(s, SESSION_COOKIE_NAME_SECURE);
	authorization(s);
	csrf_check(s, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
	csrf_check(s, s);
	origin(s);
	free(s);
	return 0;
}
