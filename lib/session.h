/*
 * Dashboard sessions: the signed session cookie, its Set-Cookie header,
 * finding it in a Cookie header, the CSRF token bound to a session, and the
 * same-origin check for state-changing requests. Pure: no database, no
 * FastCGI. The server keeps a sessions table keyed by session_id_hash()
 * (never the id itself), so logout and disabling a user revoke sessions
 * whatever cookie a browser still holds: a valid signature is necessary,
 * never sufficient.
 *
 * Cookie value (ASCII, at most SESSION_COOKIE_BYTES - 1 = 103 characters):
 *
 *	v1.<id>.<expires>.<mac>
 *
 *	id	 the 32-byte session id in base64url without padding: exactly
 *		 43 characters of [A-Za-z0-9_-], the last one canonical (its
 *		 two unused bits zero)
 *	expires	 seconds since the epoch (UTC), decimal, 1 to 12 digits, no
 *		 sign, no leading zero, at most SESSION_EXPIRES_MAX
 *	mac	 HMAC-SHA256(server secret, "v1." id "." expires), i.e. of every
 *		 byte before the last ".", in base64url: 43 characters
 *
 * Anything else is malformed: other versions ("v2."), padding, "+" or "/",
 * spaces, quotes, leading or trailing bytes. A cookie is expired when
 * expires <= now. The session id is what the server looks up; the CSRF
 * token is not in the cookie (it lives in the sessions table and in forms).
 */
#ifndef LLMOPS_SESSION_H
#define LLMOPS_SESSION_H

#include <stddef.h>

#include "err.h"
#include "llmops_limits.h"

#define SESSION_ID_BYTES	32
#define SESSION_CSRF_BYTES	32
#define SESSION_MAC_BYTES	32	/* HMAC-SHA256 */
#define SESSION_ID_HASH_BYTES	32	/* SHA-256 */
#define SESSION_B64_CHARS	43	/* base64url of 32 bytes, no padding */
#define SESSION_EXPIRES_DIGITS	12
#define SESSION_EXPIRES_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */
/* "v1." id "." expires "." mac NUL */
#define SESSION_COOKIE_BYTES	(3 + SESSION_B64_CHARS + 1 + \
	SESSION_EXPIRES_DIGITS + 1 + SESSION_B64_CHARS + 1)

/*
 * Cookie names. Over HTTPS use SESSION_COOKIE_NAME_SECURE: browsers only
 * accept a "__Host-" cookie that is Secure, has Path=/ and no Domain, so
 * neither a sibling subdomain nor a plain-HTTP page on the same host can
 * plant or overwrite it. Plain HTTP cannot use the prefix (and sessions
 * over plain HTTP are for loopback and tests only).
 */
#define SESSION_COOKIE_NAME		"llmops_session"
#define SESSION_COOKIE_NAME_SECURE	"__Host-llmops_session"
/* Longest Max-Age: 400 days, what browsers cap it to anyway. */
#define SESSION_MAX_AGE_MAX		(400LL * 86400)
/* A Set-Cookie value for our cookies always fits in this. */
#define SESSION_SET_COOKIE_BYTES	256

/* CSRF tokens as sent in forms: base64url of the session's csrf bytes. */
#define CSRF_TOKEN_CHARS	SESSION_B64_CHARS
#define CSRF_TOKEN_BYTES	(CSRF_TOKEN_CHARS + 1)

struct session_cookie {
	unsigned char	id[SESSION_ID_BYTES];
	unsigned char	csrf[SESSION_CSRF_BYTES];
	long long	expires;	/* seconds since the epoch */
};

enum session_parse {
	SESSION_OK,
	SESSION_MALFORMED,	/* not our format: ignore it, maybe clear it */
	SESSION_BAD_SIGNATURE,	/* our format, not our MAC: forged or old secret */
	SESSION_EXPIRED,	/* authentic, expires <= now */
	SESSION_ERROR,		/* libcrypto failed (err says so) */
	SESSION_PARSE__MAX
};

enum cookie_find {
	COOKIE_ABSENT,		/* no header, or no cookie of that name */
	COOKIE_FOUND,
	COOKIE_DUPLICATE,	/* the name appears twice: ambiguous, refused */
	COOKIE_TOO_LONG,	/* header over the limit, or value over outsz */
	COOKIE_FIND__MAX
};

/*
 * A new session: 32 random bytes of id and 32 of CSRF token from the
 * OpenSSL CSPRNG, expiring at expires (seconds since the epoch, 1 to
 * SESSION_EXPIRES_MAX). Returns 0 or -1 with err.
 */
int	session_new(struct session_cookie *, long long expires,
	    struct llmops_err *);
/* Wipes a session_cookie (id and CSRF token are secrets). */
void	session_release(struct session_cookie *);
/*
 * The cookie value of s signed with key (SECRET_KEY_MIN to SECRET_KEY_MAX
 * bytes, see secret.h). Returns 0 or -1 with err.
 */
int	session_cookie_format(const struct session_cookie *s,
	    const unsigned char *key, size_t keylen,
	    char out[SESSION_COOKIE_BYTES], struct llmops_err *);
/*
 * Checks value (a cookie value, NUL-terminated, any bytes) against key and
 * now: the format first, then the MAC in constant time, then the expiry.
 * On SESSION_OK and SESSION_EXPIRED, id and *expires are filled (an
 * expired session's row may then be deleted); otherwise they are zeroed.
 * err is filled for every result but SESSION_OK, safe to log.
 */
enum session_parse
	session_cookie_parse(const char *value, const unsigned char *key,
	    size_t keylen, long long now, unsigned char id[SESSION_ID_BYTES],
	    long long *expires, struct llmops_err *);
/* SHA-256 of the id's 32 bytes: the sessions table's key. 0 or -1. */
int	session_id_hash(const unsigned char id[SESSION_ID_BYTES],
	    unsigned char out[SESSION_ID_HASH_BYTES]);

/* SESSION_COOKIE_NAME_SECURE when secure, else SESSION_COOKIE_NAME. */
const char	*session_cookie_name(int secure);
/*
 * The value of a Set-Cookie header (without "Set-Cookie: "):
 *	NAME=VALUE; Path=/; Max-Age=N; HttpOnly; SameSite=Strict[; Secure]
 * name must be an RFC 6265 token and value cookie-octets (so no header can
 * be injected); a "__Host-" or "__Secure-" name needs secure; max_age is 0
 * to SESSION_MAX_AGE_MAX. Returns 0, or -1 when refused or buf too small.
 */
int	session_set_cookie_header(char *buf, size_t bufsz, const char *name,
	    const char *value, long long max_age, int secure);
/* The logout variant: NAME=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict[; Secure] */
int	session_clear_cookie_header(char *buf, size_t bufsz, const char *name,
	    int secure);
/*
 * Finds cookie name in a raw Cookie header (HTTP_COOKIE): pairs separated
 * by ";", spaces and tabs around names and values ignored, names compared
 * exactly (case matters), pairs without "=" skipped. A name that appears
 * twice is refused (COOKIE_DUPLICATE) rather than picking one: browsers
 * order duplicates by path, and another path or domain is exactly how an
 * attacker would plant a second cookie. The value is copied to out as is
 * (no unquoting): session_cookie_parse judges it. A NULL header is
 * COOKIE_ABSENT; headers over SESSION_COOKIE_HEADER_MAX are not read.
 */
enum cookie_find
	session_cookie_from_header(const char *http_cookie, const char *name,
	    char *out, size_t outsz);

/* The form/header text of a session's CSRF bytes (base64url, 43 chars). */
void	csrf_token_for(const unsigned char csrf[SESSION_CSRF_BYTES],
	    char out[CSRF_TOKEN_BYTES]);
/*
 * 1 when given (from the request: a form field or X-CSRF-Token) equals
 * expected (csrf_token_for of the session's bytes), in constant time; 0
 * for NULL, wrong length or any difference.
 */
int	csrf_check(const char *expected, const char *given);
/*
 * Same-origin check for a state-changing request, on top of the CSRF token.
 * host is the request's Host header, https whether the request came over
 * TLS. When the Origin header is present (not NULL) it alone decides and
 * must be exactly "scheme://host[:port]" naming the same scheme, host
 * (case-insensitive) and port (defaults 80/443 filled in) as the request;
 * "null" and anything malformed are refused. Without Origin, the Referer's
 * scheme://host[:port] is compared the same way. Neither present: refused
 * (send "Referrer-Policy: same-origin" so same-origin Referers survive).
 * 1 when same origin, else 0.
 */
int	origin_ok(const char *origin, const char *referer, const char *host,
	    int https);

#endif
