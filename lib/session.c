#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "encode.h"
#include "llmops_limits.h"
#include "secret.h"
#include "session.h"
#include "token.h"

#define SESSION_VERSION		"v1."
#define PORT_DIGITS_MAX		5

#if SESSION_B64_CHARS != BASE64URL_CHARS(SESSION_ID_BYTES) || \
    SESSION_B64_CHARS != BASE64URL_CHARS(SESSION_MAC_BYTES) || \
    SESSION_B64_CHARS != BASE64URL_CHARS(SESSION_CSRF_BYTES)
#error "a cookie's id and MAC and a CSRF token are SESSION_B64_CHARS long"
#endif

static int
key_ok(size_t keylen)
{
	return keylen >= SECRET_KEY_MIN && keylen <= SECRET_KEY_MAX;
}

static int
mac(const unsigned char *key, size_t keylen, const char *data, size_t len,
    unsigned char out[SESSION_MAC_BYTES])
{
	unsigned int	n = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
	    len, out, &n) == NULL || n != SESSION_MAC_BYTES)
		return -1;
	return 0;
}

int
session_new(struct session_cookie *s, long long expires,
    struct llmops_err *err)
{
	memset(s, 0, sizeof(*s));
	if (expires < 1 || expires > SESSION_EXPIRES_MAX)
		return err_set(err, 500, "session expiry %lld out of range",
		    expires);
	if (RAND_bytes(s->id, sizeof(s->id)) != 1 ||
	    RAND_bytes(s->csrf, sizeof(s->csrf)) != 1) {
		session_release(s);
		return err_set(err, 500, "no random bytes for a session");
	}
	s->expires = expires;
	return 0;
}

void
session_release(struct session_cookie *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

int
session_cookie_format(const struct session_cookie *s, const unsigned char *key,
    size_t keylen, char out[SESSION_COOKIE_BYTES], struct llmops_err *err)
{
	unsigned char	md[SESSION_MAC_BYTES];
	size_t		n;
	int		len, rc = -1;

	out[0] = '\0';
	if (!key_ok(keylen))
		return err_set(err, 500, "session key of %zu bytes (need %d to "
		    "%d)", keylen, SECRET_KEY_MIN, SECRET_KEY_MAX);
	if (s->expires < 1 || s->expires > SESSION_EXPIRES_MAX)
		return err_set(err, 500, "session expiry %lld out of range",
		    s->expires);
	memcpy(out, SESSION_VERSION, 3);
	base64url_encode(s->id, sizeof(s->id), out + 3);
	n = 3 + SESSION_B64_CHARS;
	out[n++] = '.';
	len = snprintf(out + n, SESSION_EXPIRES_DIGITS + 1, "%lld", s->expires);
	if (len < 1 || len > SESSION_EXPIRES_DIGITS) {
		err_set(err, 500, "session expiry %lld out of range", s->expires);
		goto out;
	}
	n += (size_t)len;
	if (mac(key, keylen, out, n, md) != 0) {
		err_set(err, 500, "HMAC-SHA256 failed");
		goto out;
	}
	out[n++] = '.';
	base64url_encode(md, sizeof(md), out + n);
	rc = 0;
out:
	if (rc != 0)
		OPENSSL_cleanse(out, SESSION_COOKIE_BYTES);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

enum session_parse
session_cookie_parse(const char *value, const unsigned char *key, size_t keylen,
    long long now, unsigned char id[SESSION_ID_BYTES], long long *expires,
    struct llmops_err *err)
{
	unsigned char		 given[SESSION_MAC_BYTES], want[SESSION_MAC_BYTES];
	const char		*p;
	size_t			 ndig = 0, signed_len;
	long long		 e = 0;
	enum session_parse	 rc = SESSION_MALFORMED;

	memset(id, 0, SESSION_ID_BYTES);
	*expires = 0;
	if (!key_ok(keylen)) {
		rc = SESSION_ERROR;
		err_set(err, 500, "session key of %zu bytes (need %d to %d)",
		    keylen, SECRET_KEY_MIN, SECRET_KEY_MAX);
		goto out;
	}
	if (value == NULL ||
	    strnlen(value, SESSION_COOKIE_BYTES) >= SESSION_COOKIE_BYTES) {
		err_set(err, 401, "session cookie: missing or longer than %d "
		    "bytes", SESSION_COOKIE_BYTES - 1);
		goto out;
	}
	if (strncmp(value, SESSION_VERSION, 3) != 0) {
		err_set(err, 401, "session cookie: not a v1 cookie");
		goto out;
	}
	p = value + 3;
	if (base64url_decode(p, id, SESSION_ID_BYTES) != 0 || p[SESSION_B64_CHARS] != '.') {
		err_set(err, 401, "session cookie: bad session id");
		goto out;
	}
	p += SESSION_B64_CHARS + 1;
	while (ndig < SESSION_EXPIRES_DIGITS && p[ndig] >= '0' &&
	    p[ndig] <= '9') {
		e = e * 10 + (p[ndig] - '0');
		ndig++;
	}
	if (ndig == 0 || p[0] == '0' || p[ndig] != '.' ||
	    e > SESSION_EXPIRES_MAX) {
		err_set(err, 401, "session cookie: bad expiry");
		goto out;
	}
	signed_len = (size_t)(p + ndig - value);
	p += ndig + 1;
	if (base64url_decode(p, given, SESSION_MAC_BYTES) != 0 || p[SESSION_B64_CHARS] != '\0') {
		err_set(err, 401, "session cookie: bad signature encoding");
		goto out;
	}
	if (mac(key, keylen, value, signed_len, want) != 0) {
		rc = SESSION_ERROR;
		err_set(err, 500, "HMAC-SHA256 failed");
		goto out;
	}
	if (CRYPTO_memcmp(given, want, sizeof(want)) != 0) {
		rc = SESSION_BAD_SIGNATURE;
		err_set(err, 401, "session cookie: bad signature");
		goto out;
	}
	*expires = e;
	if (e <= now) {
		rc = SESSION_EXPIRED;
		err_set(err, 401, "session cookie: expired");
		goto out;
	}
	rc = SESSION_OK;
out:
	if (rc != SESSION_OK && rc != SESSION_EXPIRED) {
		OPENSSL_cleanse(id, SESSION_ID_BYTES);
		*expires = 0;
	}
	OPENSSL_cleanse(given, sizeof(given));
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

int
session_id_hash(const unsigned char id[SESSION_ID_BYTES],
    unsigned char out[SESSION_ID_HASH_BYTES])
{
	unsigned int	n = 0;

	if (EVP_Digest(id, SESSION_ID_BYTES, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != SESSION_ID_HASH_BYTES)
		return -1;
	return 0;
}

const char *
session_cookie_name(int secure)
{
	return secure ? SESSION_COOKIE_NAME_SECURE : SESSION_COOKIE_NAME;
}

/* RFC 7230 tchar: what a cookie name may hold (RFC 6265 token). */
static int
tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

/* RFC 6265 cookie-octet: printable ASCII but space, '"', ',', ';', '\\'. */
static int
cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	    (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	    (c >= 0x5d && c <= 0x7e);
}

static int
cookie_name_ok(const char *name, int secure)
{
	size_t	i;

	if (name == NULL || *name == '\0')
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (!tchar((unsigned char)name[i]))
			return 0;
	/* Browsers drop prefixed cookies without Secure: refuse early. */
	if (!secure && (strncasecmp(name, "__Host-", 7) == 0 ||
	    strncasecmp(name, "__Secure-", 9) == 0))
		return 0;
	return 1;
}

static int
cookie_value_ok(const char *value)
{
	size_t	i;

	for (i = 0; value[i] != '\0'; i++)
		if (!cookie_octet((unsigned char)value[i]))
			return 0;
	return 1;
}

int
session_set_cookie_header(char *buf, size_t bufsz, const char *name,
    const char *value, long long max_age, int secure)
{
	int	n;

	if (bufsz > 0)
		buf[0] = '\0';
	if (!cookie_name_ok(name, secure) || value == NULL ||
	    !cookie_value_ok(value) || max_age < 0 ||
	    max_age > SESSION_MAX_AGE_MAX)
		return -1;
	n = snprintf(buf, bufsz, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; "
	    "SameSite=Strict%s", name, value, max_age, secure ? "; Secure" : "");
	if (n < 0 || (size_t)n >= bufsz) {
		if (bufsz > 0)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

int
session_clear_cookie_header(char *buf, size_t bufsz, const char *name,
    int secure)
{
	return session_set_cookie_header(buf, bufsz, name, "", 0, secure);
}

static int
ows(char c)
{
	return c == ' ' || c == '\t';
}

enum cookie_find
session_cookie_from_header(const char *h, const char *name, char *out,
    size_t outsz)
{
	const char	*p, *end, *eq, *ne, *v = NULL, *ve;
	size_t		 nlen, vlen = 0;

	if (outsz > 0)
		out[0] = '\0';
	if (h == NULL || name == NULL)
		return COOKIE_ABSENT;
	if (strnlen(h, SESSION_COOKIE_HEADER_MAX + 1) > SESSION_COOKIE_HEADER_MAX)
		return COOKIE_TOO_LONG;
	nlen = strlen(name);
	for (p = h; *p != '\0'; p = *end == ';' ? end + 1 : end) {
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		while (p < end && ows(*p))
			p++;
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
			continue;
		for (ne = eq; ne > p && ows(ne[-1]); ne--)
			continue;
		if ((size_t)(ne - p) != nlen || memcmp(p, name, nlen) != 0)
			continue;
		if (v != NULL)
			return COOKIE_DUPLICATE;
		for (v = eq + 1; v < end && ows(*v); v++)
			continue;
		for (ve = end; ve > v && ows(ve[-1]); ve--)
			continue;
		vlen = (size_t)(ve - v);
	}
	if (v == NULL)
		return COOKIE_ABSENT;
	if (vlen >= outsz)
		return COOKIE_TOO_LONG;
	memcpy(out, v, vlen);
	out[vlen] = '\0';
	return COOKIE_FOUND;
}

void
csrf_token_for(const unsigned char csrf[SESSION_CSRF_BYTES],
    char out[CSRF_TOKEN_BYTES])
{
	base64url_encode(csrf, SESSION_CSRF_BYTES, out);
}

int
csrf_check(const char *expected, const char *given)
{
	if (expected == NULL || given == NULL ||
	    strnlen(expected, CSRF_TOKEN_CHARS + 1) != CSRF_TOKEN_CHARS ||
	    strnlen(given, CSRF_TOKEN_CHARS + 1) != CSRF_TOKEN_CHARS)
		return 0;
	return CRYPTO_memcmp(expected, given, CSRF_TOKEN_CHARS) == 0;
}

struct hostport {
	const char	*host;		/* not NUL-terminated */
	size_t		 hostlen;	/* IPv6 literals keep their brackets */
	unsigned int	 port;
};

static int
alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
xdigit(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * Parses exactly s[0..len) as host[:port] (a Host header, or the authority
 * of an Origin or Referer): a DNS name or IPv4 address of letters, digits,
 * "-", "." and "_", or a bracketed IPv6 literal; the port 1 to 65535 in at
 * most 5 digits, defport when absent. No userinfo, no empty port.
 */
static int
hostport_parse(const char *s, size_t len, unsigned int defport,
    struct hostport *hp)
{
	size_t		i, hl;
	unsigned int	port = 0;

	if (len == 0)
		return -1;
	if (s[0] == '[') {
		for (i = 1; i < len && s[i] != ']'; i++)
			if (!xdigit((unsigned char)s[i]) && s[i] != ':' &&
			    s[i] != '.')
				return -1;
		if (i == len || i == 1)
			return -1;
		hl = i + 1;
	} else {
		for (i = 0; i < len && s[i] != ':'; i++)
			if (!alnum((unsigned char)s[i]) && s[i] != '-' &&
			    s[i] != '.' && s[i] != '_')
				return -1;
		if (i == 0)
			return -1;
		hl = i;
	}
	hp->host = s;
	hp->hostlen = hl;
	hp->port = defport;
	if (hl == len)
		return 0;
	if (s[hl] != ':' || len - hl - 1 < 1 || len - hl - 1 > PORT_DIGITS_MAX)
		return -1;
	for (i = hl + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		port = port * 10 + (unsigned int)(s[i] - '0');
	}
	if (port < 1 || port > 65535)
		return -1;
	hp->port = port;
	return 0;
}

/*
 * The origin of an Origin header (whole: all of s is scheme://host[:port])
 * or of a Referer (the authority ends at "/", "?", "#" or the end).
 */
static int
url_origin(const char *s, int whole, struct hostport *hp, int *https)
{
	size_t	len, off, end;

	if ((len = strnlen(s, ORIGIN_HEADER_MAX + 1)) > ORIGIN_HEADER_MAX)
		return -1;
	if (strncasecmp(s, "https://", 8) == 0) {
		*https = 1;
		off = 8;
	} else if (strncasecmp(s, "http://", 7) == 0) {
		*https = 0;
		off = 7;
	} else
		return -1;
	end = whole ? len : off + strcspn(s + off, "/?#");
	return hostport_parse(s + off, end - off, *https ? 443 : 80, hp);
}

int
origin_ok(const char *origin, const char *referer, const char *host,
    int https)
{
	struct hostport	 want, got;
	const char	*from;
	size_t		 hlen;
	int		 got_https;

	if (host == NULL ||
	    (hlen = strnlen(host, ORIGIN_HEADER_MAX + 1)) > ORIGIN_HEADER_MAX ||
	    hostport_parse(host, hlen, https ? 443 : 80, &want) != 0)
		return 0;
	if ((from = origin != NULL ? origin : referer) == NULL)
		return 0;
	if (url_origin(from, origin != NULL, &got, &got_https) != 0)
		return 0;
	return got_https == (https != 0) && got.port == want.port &&
	    got.hostlen == want.hostlen &&
	    strncasecmp(got.host, want.host, want.hostlen) == 0;
}
