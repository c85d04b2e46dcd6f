/*
 * Session cookies: a known-answer vector computed independently (Python's
 * hmac), round trips, every single-character change, truncation and
 * extension refused, other secrets, expiry boundaries, strict format;
 * Set-Cookie attributes exactly; finding the cookie in Cookie headers;
 * CSRF tokens; same-origin checks.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "tap.h"

/*
 * Key 0x40..0x5f, id 0x00..0x1f, expires 1700000000, computed with:
 *	import base64, hashlib, hmac
 *	b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
 *	m = "v1." + b64(bytes(range(32))) + ".1700000000"
 *	print(m + "." + b64(hmac.new(bytes(range(0x40, 0x60)), m.encode(),
 *	    hashlib.sha256).digest()))
 */
#define KAT_COOKIE	"v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8." \
			"1700000000.r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0"
#define KAT_EXPIRES	1700000000LL

static unsigned char	key[32], key2[32];

static const char *const parse_names[SESSION_PARSE__MAX] = {
	"OK", "MALFORMED", "BAD_SIGNATURE", "EXPIRED", "ERROR",
};

static enum session_parse
parse(const char *value, long long now)
{
	unsigned char	id[SESSION_ID_BYTES];
	long long	exp;

	return session_cookie_parse(value, key, sizeof(key), now, id, &exp, NULL);
}

static void
parses(const char *value, long long now, enum session_parse want,
    const char *name)
{
	enum session_parse	got = parse(value, now);

	if (!tap_ok(got == want, "parse %s: %s", name, parse_names[want]))
		tap_diag("got %s", got < SESSION_PARSE__MAX ? parse_names[got] :
		    "?");
}

static void
kat_session(struct session_cookie *s)
{
	size_t	i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < SESSION_ID_BYTES; i++)
		s->id[i] = (unsigned char)i;
	s->expires = KAT_EXPIRES;
}

static void
test_format_parse(void)
{
	struct session_cookie	s, t;
	struct llmops_err	err;
	char			c[SESSION_COOKIE_BYTES], c2[SESSION_COOKIE_BYTES];
	unsigned char		id[SESSION_ID_BYTES];
	long long		exp = -1;

	kat_session(&s);
	err_clear(&err);
	is_int(session_cookie_format(&s, key, sizeof(key), c, &err), 0,
	    "format the known-answer session");
	is_str(c, KAT_COOKIE, "known answer: v1.<id>.<expires>.<HMAC-SHA256>");
	is_int(strlen(c), 101, "a 10-digit expiry makes 101 characters");
	is_int(session_cookie_parse(c, key, sizeof(key), KAT_EXPIRES - 1, id,
	    &exp, &err), SESSION_OK, "parse it back one second before expiry");
	ok(memcmp(id, s.id, sizeof(id)) == 0, "the id round-trips");
	is_int(exp, KAT_EXPIRES, "the expiry round-trips");

	err_clear(&err);
	is_int(session_new(&t, 4102444800LL, &err), 0, "session_new");
	ok(memcmp(t.id, t.csrf, SESSION_ID_BYTES) != 0, "id and CSRF differ");
	is_int(session_cookie_format(&t, key, sizeof(key), c2, &err), 0,
	    "format a new session");
	is_int(session_cookie_parse(c2, key, sizeof(key), 1800000000LL, id, &exp,
	    &err), SESSION_OK, "and parse it");
	ok(memcmp(id, t.id, sizeof(id)) == 0 && exp == 4102444800LL,
	    "id and expiry round-trip");
	session_new(&s, 4102444800LL, NULL);
	ok(memcmp(s.id, t.id, SESSION_ID_BYTES) != 0 &&
	    memcmp(s.csrf, t.csrf, SESSION_CSRF_BYTES) != 0,
	    "two sessions share nothing");
	session_release(&t);
	ok(t.expires == 0 && t.id[0] == 0 && t.id[31] == 0,
	    "session_release wipes");

	is_int(session_new(&t, 0, &err), -1, "session_new: expiry 0 refused");
	is_int(session_new(&t, SESSION_EXPIRES_MAX + 1, &err), -1,
	    "session_new: expiry past 9999 refused");
	kat_session(&s);
	s.expires = SESSION_EXPIRES_MAX;
	is_int(session_cookie_format(&s, key, sizeof(key), c, &err), 0,
	    "format the largest expiry");
	is_int(strlen(c), SESSION_COOKIE_BYTES - 1,
	    "which fills SESSION_COOKIE_BYTES");
	parses(c, 1800000000LL, SESSION_OK, "the largest expiry");
	kat_session(&s);
	s.expires = 1;
	is_int(session_cookie_format(&s, key, sizeof(key), c, &err), 0,
	    "format expiry 1");
	parses(c, 0, SESSION_OK, "expiry 1 at time 0");

	kat_session(&s);
	is_int(session_cookie_format(&s, key, 31, c, &err), -1,
	    "format refuses a 31-byte key");
	is_str(c, "", "and leaves no cookie");
	is_int(session_cookie_parse(KAT_COOKIE, key, 31, 0, id, &exp, &err),
	    SESSION_ERROR, "parse refuses a 31-byte key");
	is_int(session_cookie_parse(KAT_COOKIE, key, 65, 0, id, &exp, &err),
	    SESSION_ERROR, "parse refuses a 65-byte key");
}

static void
test_tamper(void)
{
	static const char	repl[] = "AB-_.0v1Z9=+/ ";
	char			c[SESSION_COOKIE_BYTES + 2];
	size_t			len = strlen(KAT_COOKIE), i, r;
	int			accepted = 0, wrong = 0, tries = 0;
	enum session_parse	got;

	/* Every position, every replacement character. */
	for (i = 0; i < len; i++)
		for (r = 0; repl[r] != '\0'; r++) {
			memcpy(c, KAT_COOKIE, len + 1);
			if (c[i] == repl[r])
				continue;
			c[i] = repl[r];
			tries++;
			got = parse(c, 0);
			if (got == SESSION_OK)
				accepted++;
			else if (got != SESSION_MALFORMED &&
			    got != SESSION_BAD_SIGNATURE)
				wrong++;
		}
	is_int(accepted, 0, "none of %d one-character changes is accepted",
	    tries);
	is_int(wrong, 0, "each is MALFORMED or BAD_SIGNATURE");
	/* Flipping the low bit of each character, where that stays base64url,
	 * changes the MAC's input or the MAC: always a bad signature... */
	for (i = 3, wrong = 0, tries = 0; i < len; i++) {
		if (KAT_COOKIE[i] == '.')
			continue;
		memcpy(c, KAT_COOKIE, len + 1);
		c[i] ^= 1;
		tries++;
		got = parse(c, 0);
		if (got == SESSION_OK || got == SESSION_EXPIRED ||
		    got == SESSION_ERROR)
			wrong++;
	}
	is_int(wrong, 0, "%d low-bit flips are all refused", tries);
	/* ...for example an expiry digit, which stays well-formed. */
	memcpy(c, KAT_COOKIE, len + 1);
	c[3 + 43 + 1] = '2';
	parses(c, 0, SESSION_BAD_SIGNATURE, "a later expiry (2700000000)");
	memcpy(c, KAT_COOKIE, len + 1);
	c[3] = 'B';
	parses(c, 0, SESSION_BAD_SIGNATURE, "another id");
	/* The id's last character carries 2 unused bits: '8' (60) and '9'
	 * (61) decode to the same bytes, and only '8' is canonical. */
	memcpy(c, KAT_COOKIE, len + 1);
	c[3 + 42] = c[3 + 42] == '8' ? '9' : c[3 + 42] + 1;
	parses(c, 0, SESSION_MALFORMED, "non-canonical last id character");

	for (i = 0, accepted = 0; i < len; i++) {
		memcpy(c, KAT_COOKIE, i);
		c[i] = '\0';
		if (parse(c, 0) == SESSION_OK)
			accepted++;
	}
	is_int(accepted, 0, "no truncation of the cookie is accepted");
	for (r = 0, accepted = 0; repl[r] != '\0'; r++) {
		memcpy(c, KAT_COOKIE, len);
		c[len] = repl[r];
		c[len + 1] = '\0';
		if (parse(c, 0) != SESSION_MALFORMED)
			accepted++;
	}
	is_int(accepted, 0, "one more character at the end is malformed");

	{
		unsigned char	id[SESSION_ID_BYTES];
		long long	exp;

		is_int(session_cookie_parse(KAT_COOKIE, key2, sizeof(key2), 0, id,
		    &exp, NULL), SESSION_BAD_SIGNATURE,
		    "signed with another secret: bad signature");
		ok(id[0] == 0 && id[1] == 0 && id[31] == 0 && exp == 0,
		    "and no id or expiry comes back");
	}
}

static void
test_expiry(void)
{
	unsigned char		id[SESSION_ID_BYTES];
	long long		exp = 0;
	struct llmops_err	err;

	parses(KAT_COOKIE, KAT_EXPIRES - 1, SESSION_OK, "now = expires - 1");
	parses(KAT_COOKIE, KAT_EXPIRES, SESSION_EXPIRED, "now = expires");
	parses(KAT_COOKIE, KAT_EXPIRES + 1, SESSION_EXPIRED, "now = expires + 1");
	err_clear(&err);
	is_int(session_cookie_parse(KAT_COOKIE, key, sizeof(key), KAT_EXPIRES,
	    id, &exp, &err), SESSION_EXPIRED, "expired");
	ok(id[31] == 31 && exp == KAT_EXPIRES,
	    "an expired authentic cookie still gives its id and expiry");
	is_str(err.msg, "session cookie: expired", "and says expired");
	/* An expired cookie with a bad MAC is a bad signature, not expired. */
	is_int(session_cookie_parse(KAT_COOKIE, key2, sizeof(key2), KAT_EXPIRES +
	    1, id, &exp, NULL), SESSION_BAD_SIGNATURE,
	    "the signature is checked before the expiry");
}

static void
test_malformed(void)
{
	char	buf[12000];
	char	c[SESSION_COOKIE_BYTES + 8];
	size_t	len = strlen(KAT_COOKIE);

	parses(NULL, 0, SESSION_MALFORMED, "NULL");
	parses("", 0, SESSION_MALFORMED, "empty");
	parses("v1.", 0, SESSION_MALFORMED, "\"v1.\"");
	parses("v1...", 0, SESSION_MALFORMED, "\"v1...\"");
	parses("v2.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "v2.");
	parses("V1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "V1.");
	parses(" " KAT_COOKIE, 0, SESSION_MALFORMED, "a leading space");
	parses(KAT_COOKIE " ", 0, SESSION_MALFORMED, "a trailing space");
	parses(KAT_COOKIE "\n", 0, SESSION_MALFORMED, "a trailing newline");
	parses("\"" KAT_COOKIE "\"", 0, SESSION_MALFORMED, "quoted");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=.1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "a padded id");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0=", 0, SESSION_MALFORMED,
	    "a padded MAC");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.01700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "a leading zero in the expiry");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.+1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "a + in the expiry");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.-1."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "a negative expiry");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.0."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "expiry 0");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "no expiry");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.999999999999."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "expiry past 9999-12-31");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.1000000000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "a 13-digit expiry");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.99999999999999999"
	    "999999.r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0,
	    SESSION_MALFORMED, "an expiry that overflows 64 bits");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh.1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "a 42-character id");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A.1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0", 0, SESSION_MALFORMED,
	    "a 44-character id");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh", 0, SESSION_MALFORMED,
	    "a 42-character MAC");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.1700000000", 0,
	    SESSION_MALFORMED, "no MAC");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.1700000000.", 0,
	    SESSION_MALFORMED, "an empty MAC");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0.x", 0, SESSION_MALFORMED,
	    "a fifth part");
	parses("v1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8.1700000000."
	    "r3ECzvdYC7km9g8vRO8TFGHR44aCvrGd3CRCBkPKrh0\xc3\xa9", 0,
	    SESSION_MALFORMED, "trailing UTF-8");
	/* Standard base64 letters for the URL-safe ones. */
	memcpy(c, KAT_COOKIE, len + 1);
	c[strlen(c) - 5] = '+';
	parses(c, 0, SESSION_MALFORMED, "a + in the MAC");
	c[strlen(c) - 5] = '/';
	parses(c, 0, SESSION_MALFORMED, "a / in the MAC");
	/* A NUL inside: what is before it is a truncated cookie. */
	memcpy(c, KAT_COOKIE, len + 1);
	c[20] = '\0';
	parses(c, 0, SESSION_MALFORMED, "a NUL inside");
	memset(buf, 'A', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf, "v1.", 3);
	parses(buf, 0, SESSION_MALFORMED, "12000 bytes");
	memset(buf, '.', 200);
	buf[200] = '\0';
	parses(buf, 0, SESSION_MALFORMED, "200 dots");
	memcpy(buf, KAT_COOKIE, len);
	memset(buf + len, 'A', SESSION_COOKIE_BYTES - len);
	buf[SESSION_COOKIE_BYTES] = '\0';
	parses(buf, 0, SESSION_MALFORMED, "SESSION_COOKIE_BYTES characters");
}

static void
test_id_hash(void)
{
	static const unsigned char	zero[SESSION_ID_BYTES];
	unsigned char			id[SESSION_ID_BYTES], md[32];
	char				hex[65];
	size_t				i;

	is_int(session_id_hash(zero, md), 0, "session_id_hash");
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	is_str(hex, "66687aadf862bd776c8fc18b8e9f8e20"
	    "089714856ee233b3902a591d0d5f2925", "SHA-256 of 32 zero bytes");
	for (i = 0; i < 32; i++)
		id[i] = (unsigned char)i;
	session_id_hash(id, md);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	is_str(hex, "630dcd2966c4336691125448bbb25b4f"
	    "f412a49c732db2c8abc1b8581bd710dd", "SHA-256 of 00 01 ... 1f");
}

static void
test_set_cookie(void)
{
	char	buf[SESSION_SET_COOKIE_BYTES], small[64];
	char	c[SESSION_COOKIE_BYTES];
	struct session_cookie	s;
	size_t	n;

	is_str(session_cookie_name(1), "__Host-llmops_session",
	    "the HTTPS cookie name has the __Host- prefix");
	is_str(session_cookie_name(0), "llmops_session", "the HTTP cookie name");
	is_int(session_set_cookie_header(buf, sizeof(buf), session_cookie_name(1),
	    KAT_COOKIE, 28800, 1), 0, "Set-Cookie, secure");
	is_str(buf, "__Host-llmops_session=" KAT_COOKIE "; Path=/; Max-Age=28800; "
	    "HttpOnly; SameSite=Strict; Secure", "Set-Cookie, secure: exactly");
	is_int(session_set_cookie_header(buf, sizeof(buf), session_cookie_name(0),
	    KAT_COOKIE, 28800, 0), 0, "Set-Cookie, plain HTTP");
	is_str(buf, "llmops_session=" KAT_COOKIE "; Path=/; Max-Age=28800; "
	    "HttpOnly; SameSite=Strict", "Set-Cookie, plain HTTP: exactly");
	is_int(session_clear_cookie_header(buf, sizeof(buf),
	    session_cookie_name(1), 1), 0, "clearing Set-Cookie, secure");
	is_str(buf, "__Host-llmops_session=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Strict; Secure", "clearing Set-Cookie, secure: exactly");
	is_int(session_clear_cookie_header(buf, sizeof(buf),
	    session_cookie_name(0), 0), 0, "clearing Set-Cookie, plain");
	is_str(buf, "llmops_session=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Strict", "clearing Set-Cookie, plain: exactly");

	/* The longest real one fits SESSION_SET_COOKIE_BYTES. */
	kat_session(&s);
	s.expires = SESSION_EXPIRES_MAX;
	session_cookie_format(&s, key, sizeof(key), c, NULL);
	is_int(session_set_cookie_header(buf, sizeof(buf), session_cookie_name(1),
	    c, SESSION_MAX_AGE_MAX, 1), 0,
	    "the longest cookie fits SESSION_SET_COOKIE_BYTES");

	is_int(session_set_cookie_header(buf, sizeof(buf), "__Host-x", "v", 1, 0),
	    -1, "a __Host- name without Secure is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "__host-x", "v", 1, 0),
	    -1, "a __host- name without Secure is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "__Secure-x", "v", 1,
	    0), -1, "a __Secure- name without Secure is refused");
	is_str(buf, "", "a refusal leaves an empty buffer");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", "a;b", 1, 1), -1,
	    "a value with ; is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n",
	    "a\r\nSet-Cookie: x=y", 1, 1), -1, "a value with CR LF is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", "a b", 1, 1), -1,
	    "a value with a space is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", "\"ab\"", 1, 1),
	    -1, "a value with quotes is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", "a,b", 1, 1), -1,
	    "a value with a comma is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", "a\\b", 1, 1), -1,
	    "a value with a backslash is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", "\xc3\xa9", 1, 1),
	    -1, "a non-ASCII value is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", NULL, 1, 1), -1,
	    "a NULL value is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "a=b", "v", 1, 1), -1,
	    "a name with = is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "a b", "v", 1, 1), -1,
	    "a name with a space is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "", "v", 1, 1), -1,
	    "an empty name is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), NULL, "v", 1, 1), -1,
	    "a NULL name is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", "v", -1, 1), -1,
	    "a negative Max-Age is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", "v",
	    SESSION_MAX_AGE_MAX + 1, 1), -1, "Max-Age over 400 days is refused");
	is_int(session_set_cookie_header(buf, sizeof(buf), "n", "v",
	    SESSION_MAX_AGE_MAX, 1), 0, "Max-Age of 400 days is accepted");

	/* "n=v; Path=/; Max-Age=1; HttpOnly; SameSite=Strict" is 50 bytes. */
	n = strlen("n=v; Path=/; Max-Age=1; HttpOnly; SameSite=Strict");
	is_int(session_set_cookie_header(small, n + 1, "n", "v", 1, 0), 0,
	    "a buffer of exactly the right size");
	is_int(session_set_cookie_header(small, n, "n", "v", 1, 0), -1,
	    "a buffer one byte short is refused");
	is_str(small, "", "and left empty");
}

static const char *const find_names[COOKIE_FIND__MAX] = {
	"ABSENT", "FOUND", "DUPLICATE", "TOO_LONG",
};

static void
finds(const char *header, const char *name, enum cookie_find want,
    const char *want_value, const char *what)
{
	char			out[128];
	enum cookie_find	got;

	memset(out, 'X', sizeof(out));
	got = session_cookie_from_header(header, name, out, sizeof(out));
	if (!tap_ok(got == want, "Cookie %s: %s", what, find_names[want]))
		tap_diag("got %s", got < COOKIE_FIND__MAX ? find_names[got] : "?");
	if (want == COOKIE_FOUND)
		is_str(out, want_value, "Cookie %s: the value", what);
	else
		is_str(out, "", "Cookie %s: nothing copied", what);
}

static void
test_cookie_header(void)
{
	const char	*n = SESSION_COOKIE_NAME;
	char		*big, out[8];
	size_t		len;

	finds("llmops_session=abc", n, COOKIE_FOUND, "abc", "alone");
	finds("a=1; llmops_session=abc; b=2", n, COOKIE_FOUND, "abc",
	    "in the middle");
	finds("a=1; b=2; llmops_session=abc", n, COOKIE_FOUND, "abc", "last");
	finds("a=1;llmops_session=abc;b=2", n, COOKIE_FOUND, "abc", "no spaces");
	finds("  a=1 ;   llmops_session  =  abc  ;b=2  ", n, COOKIE_FOUND, "abc",
	    "hostile spacing");
	finds("\ta=1;\tllmops_session\t=\tabc\t", n, COOKIE_FOUND, "abc", "tabs");
	finds("llmops_session=", n, COOKIE_FOUND, "", "an empty value");
	finds("llmops_session=a=b", n, COOKIE_FOUND, "a=b", "a value with =");
	finds("llmops_session=\"abc\"", n, COOKIE_FOUND, "\"abc\"",
	    "a quoted value, as is");
	finds("llmops_session=a b", n, COOKIE_FOUND, "a b",
	    "an inner space kept (the parser refuses it)");
	finds(";;; llmops_session=abc;;;", n, COOKIE_FOUND, "abc",
	    "empty pairs around");
	finds("llmops_session=abc; llmops_session=def", n, COOKIE_DUPLICATE, NULL,
	    "twice");
	finds("llmops_session=abc; llmops_session=abc", n, COOKIE_DUPLICATE, NULL,
	    "twice with the same value");
	finds("llmops_session=abc;x=1;  llmops_session =", n, COOKIE_DUPLICATE,
	    NULL, "twice, once empty");
	finds("__Host-llmops_session=abc; llmops_session=def",
	    SESSION_COOKIE_NAME_SECURE, COOKIE_FOUND, "abc",
	    "the __Host- cookie next to the plain one");
	finds("__Host-llmops_session=abc; llmops_session=def", n, COOKIE_FOUND,
	    "def", "the plain cookie next to the __Host- one");
	finds("llmops_sessionx=abc", n, COOKIE_ABSENT, NULL, "a longer name");
	finds("xllmops_session=abc", n, COOKIE_ABSENT, NULL, "a prefixed name");
	finds("llmops_sessio=abc", n, COOKIE_ABSENT, NULL, "a shorter name");
	finds("LLMOPS_SESSION=abc", n, COOKIE_ABSENT, NULL, "upper case");
	finds("a=llmops_session=abc", n, COOKIE_ABSENT, NULL,
	    "the name inside a value");
	finds("llmops_session; a=1", n, COOKIE_ABSENT, NULL, "the name without =");
	finds("llmops session=abc", n, COOKIE_ABSENT, NULL, "a name with a space");
	finds("", n, COOKIE_ABSENT, NULL, "empty");
	finds(";;;", n, COOKIE_ABSENT, NULL, "only semicolons");
	finds("=abc", n, COOKIE_ABSENT, NULL, "an empty name");
	finds(NULL, n, COOKIE_ABSENT, NULL, "NULL");

	finds("llmops_session=0123456789", n, COOKIE_FOUND, "0123456789",
	    "a value that fits");
	is_int(session_cookie_from_header("llmops_session=1234567", n, out,
	    sizeof(out)), COOKIE_FOUND, "7 characters fit 8 bytes");
	is_int(session_cookie_from_header("llmops_session=12345678", n, out,
	    sizeof(out)), COOKIE_TOO_LONG, "8 characters do not");
	is_str(out, "", "and nothing is copied");

	if ((big = malloc(SESSION_COOKIE_HEADER_MAX + 2)) == NULL) {
		ok(0, "malloc");
		return;
	}
	len = SESSION_COOKIE_HEADER_MAX;
	memset(big, 'a', len);
	big[0] = 'x';
	big[1] = '=';
	memcpy(big + len - 18, ";llmops_session=ok", 18);
	big[len] = '\0';
	finds(big, n, COOKIE_FOUND, "ok", "at the end of 8192 bytes");
	big[len] = 'k';
	big[len + 1] = '\0';
	finds(big, n, COOKIE_TOO_LONG, NULL, "at the end of 8193 bytes");
	free(big);
}

static void
test_csrf(void)
{
	unsigned char	b[SESSION_CSRF_BYTES];
	char		t[CSRF_TOKEN_BYTES], u[CSRF_TOKEN_BYTES], v[CSRF_TOKEN_BYTES + 1];
	struct session_cookie	s1, s2;

	memset(b, 0xff, sizeof(b));
	csrf_token_for(b, t);
	is_str(t, "__________________________________________8",
	    "csrf_token_for 32 x ff");
	is_int(strlen(t), CSRF_TOKEN_CHARS, "43 characters");
	is_int(csrf_check(t, t), 1, "the same token");
	memcpy(u, t, sizeof(u));
	is_int(csrf_check(t, u), 1, "an equal copy");
	u[42] = '9';
	is_int(csrf_check(t, u), 0, "last character differs");
	memcpy(u, t, sizeof(u));
	u[0] = 'A';
	is_int(csrf_check(t, u), 0, "first character differs");
	memcpy(v, t, sizeof(u));
	v[42] = '\0';
	is_int(csrf_check(t, v), 0, "one character short");
	memcpy(v, t, CSRF_TOKEN_CHARS);
	v[43] = '8';
	v[44] = '\0';
	is_int(csrf_check(t, v), 0, "one character more");
	is_int(csrf_check(t, ""), 0, "empty");
	is_int(csrf_check(t, NULL), 0, "NULL given");
	is_int(csrf_check(NULL, t), 0, "NULL expected");
	is_int(csrf_check("", ""), 0, "both empty");
	is_int(csrf_check("short", "short"), 0, "equal but not a token");

	session_new(&s1, 4102444800LL, NULL);
	session_new(&s2, 4102444800LL, NULL);
	csrf_token_for(s1.csrf, t);
	csrf_token_for(s2.csrf, u);
	is_int(csrf_check(t, u), 0, "another session's token");
	session_release(&s1);
	session_release(&s2);
}

static void
same(const char *origin, const char *referer, const char *host, int https,
    int want, const char *name)
{
	is_int(origin_ok(origin, referer, host, https), want, "origin_ok %s: %s",
	    name, want ? "same origin" : "refused");
}

static void
test_origin(void)
{
	const char	*h = "dash.example.com";

	same("https://dash.example.com", NULL, h, 1, 1, "https");
	same("http://dash.example.com", NULL, h, 0, 1, "http");
	same("http://dash.example.com", NULL, h, 1, 0, "http Origin, https request");
	same("https://dash.example.com", NULL, h, 0, 0,
	    "https Origin, http request");
	same("https://dash.example.com:443", NULL, h, 1, 1,
	    "explicit default port in Origin");
	same("https://dash.example.com", NULL, "dash.example.com:443", 1, 1,
	    "explicit default port in Host");
	same("http://dash.example.com:80", NULL, h, 0, 1, "explicit port 80");
	same("https://dash.example.com:80", NULL, h, 1, 0, "https on port 80");
	same("https://dash.example.com:8080", NULL, "dash.example.com:8080", 0, 0,
	    "same host and port, https Origin, http request");
	same("http://dash.example.com:8443", NULL, "dash.example.com:8443", 1, 0,
	    "same host and port, http Origin, https request");
	same(NULL, "http://dash.example.com:8443/", "dash.example.com:8443", 1, 0,
	    "same host and port, http Referer, https request");
	same("https://dash.example.com:8443", NULL, h, 1, 0, "port mismatch");
	same("https://dash.example.com", NULL, "dash.example.com:8443", 1, 0,
	    "port mismatch (Host)");
	same("https://dash.example.com:8443", NULL, "dash.example.com:8443", 1, 1,
	    "same other port");
	same("https://DASH.Example.COM", NULL, h, 1, 1, "host case");
	same("HTTPS://dash.example.com", NULL, h, 1, 1, "scheme case");
	same("https://evil.example.com", NULL, h, 1, 0, "another host");
	same("https://dash.example.com.evil.net", NULL, h, 1, 0, "a longer host");
	same("https://ash.example.com", NULL, h, 1, 0, "a shorter host");
	same("https://dash.example.com/", NULL, h, 1, 0,
	    "an Origin with a slash");
	same("https://dash.example.com/x", NULL, h, 1, 0, "an Origin with a path");
	same("https://user@dash.example.com", NULL, h, 1, 0, "userinfo");
	same("null", NULL, h, 1, 0, "Origin null");
	same("", NULL, h, 1, 0, "an empty Origin");
	same("dash.example.com", NULL, h, 1, 0, "no scheme");
	same("ftp://dash.example.com", NULL, h, 1, 0, "ftp");
	same("https://dash.example.com:", NULL, h, 1, 0, "an empty port");
	same("https://dash.example.com:0", NULL, h, 1, 0, "port 0");
	same("https://dash.example.com:65536", NULL, "dash.example.com:65536", 1,
	    0, "port 65536");
	same("https://dash.example.com:4433a", NULL, h, 1, 0, "a bad port");
	same("https://dash.example.com ", NULL, h, 1, 0, "a trailing space");
	same("https://evil.net", "https://dash.example.com/", h, 1, 0,
	    "a bad Origin is not saved by a good Referer");

	same(NULL, "https://dash.example.com/orgs/3/users?x=1#y", h, 1, 1,
	    "Referer with a path");
	same(NULL, "https://dash.example.com", h, 1, 1, "Referer without a path");
	same(NULL, "https://dash.example.com?x", h, 1, 1, "Referer with a query");
	same(NULL, "https://dash.example.com:443/", h, 1, 1,
	    "Referer with the default port");
	same(NULL, "http://dash.example.com/", h, 1, 0, "Referer over http");
	same(NULL, "https://dash.example.com:8443/", h, 1, 0,
	    "Referer on another port");
	same(NULL, "https://evil.net/dash.example.com", h, 1, 0,
	    "Referer from another host");
	same(NULL, "https://dash.example.com.evil.net/", h, 1, 0,
	    "Referer from a longer host");
	same(NULL, "https://dash.example.com@evil.net/", h, 1, 0,
	    "Referer with userinfo");
	same(NULL, "https://evil.net\\@dash.example.com/", h, 1, 0,
	    "Referer with a backslash");
	same(NULL, "//dash.example.com/", h, 1, 0, "Referer without a scheme");
	same(NULL, "", h, 1, 0, "an empty Referer");
	same(NULL, NULL, h, 1, 0, "neither Origin nor Referer");

	same("https://dash.example.com", NULL, NULL, 1, 0, "no Host");
	same("https://dash.example.com", NULL, "", 1, 0, "an empty Host");
	same("https://dash.example.com", NULL, "dash.example.com/x", 1, 0,
	    "a Host with a path");
	same("https://dash.example.com", NULL, "dash.example.com:", 1, 0,
	    "a Host with an empty port");
	same("http://127.0.0.1:8080", NULL, "127.0.0.1:8080", 0, 1, "IPv4");
	same("http://127.0.0.1:8081", NULL, "127.0.0.1:8080", 0, 0,
	    "IPv4, another port");
	same("http://[::1]:8080", NULL, "[::1]:8080", 0, 1, "IPv6");
	same("http://[::1]", NULL, "[::1]:80", 0, 1, "IPv6, default port");
	same("http://[::2]:8080", NULL, "[::1]:8080", 0, 0, "another IPv6");
	same("http://[::1", NULL, "[::1]", 0, 0, "an unclosed bracket");
	same("http://[]", NULL, "[]", 0, 0, "empty brackets");
}

int
main(void)
{
	size_t	i;

	for (i = 0; i < sizeof(key); i++) {
		key[i] = (unsigned char)(0x40 + i);
		key2[i] = (unsigned char)(0x41 + i);
	}
	test_format_parse();
	test_tamper();
	test_expiry();
	test_malformed();
	test_id_hash();
	test_set_cookie();
	test_cookie_header();
	test_csrf();
	test_origin();
	return tap_done();
}
