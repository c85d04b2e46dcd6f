/*
 * libFuzzer harness for the request parsers of the dashboard: the query
 * string and form decoder (web_params_parse) and the search for the session
 * cookie in a Cookie header (session_cookie_from_header). Each is checked
 * against a plain reference written here, differently (split first, then
 * decode; split, then trim), and:
 *   - accepted parameters are at most WEB_PARAMS_MAX, each key and value
 *     strict UTF-8 of at most WEB_PARAM_BYTES bytes without NUL, and they
 *     come back the same after encoding them again (%XX and '+') and
 *     parsing that;
 *   - a refusal is a 400 and leaves no parameters behind;
 *   - the cookie found is the reference's, and fits its buffer.
 * The input is the body (NUL bytes included) and, up to its first NUL,
 * the Cookie header; its first byte picks the cookie name and the size of
 * the buffer.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "session.h"
#include "web.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int
ref_utf8(const unsigned char *s, size_t len)
{
	size_t		i = 0, n, k;
	unsigned	cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static int
ref_hex(unsigned char c)
{
	const char	*digits = "0123456789abcdef", *p;

	if (c >= 'A' && c <= 'F')
		c = (unsigned char)(c - 'A' + 'a');
	if (c == '\0' || (p = strchr(digits, c)) == NULL)
		return -1;
	return (int)(p - digits);
}

/* Decodes s[0..len) into out (at least len + 1 bytes); the length, or -1. */
static long
ref_decode(const unsigned char *s, size_t len, unsigned char *out)
{
	size_t	i = 0, o = 0;
	int	hi, lo;

	while (i < len) {
		if (s[i] == '%') {
			if (len - i < 3 || (hi = ref_hex(s[i + 1])) < 0 ||
			    (lo = ref_hex(s[i + 2])) < 0)
				return -1;
			out[o++] = (unsigned char)(hi * 16 + lo);
			i += 3;
		} else {
			out[o++] = s[i] == '+' ? ' ' : s[i];
			i++;
		}
	}
	if (o > WEB_PARAM_BYTES || memchr(out, '\0', o) != NULL ||
	    !ref_utf8(out, o))
		return -1;
	out[o] = '\0';
	return (long)o;
}

/*
 * The reference: 0 when it agrees with ps (accepted, same pairs in the
 * same order), -1 when it would refuse, abort() when they disagree.
 */
static int
ref_params(const unsigned char *s, size_t len, const struct web_params *ps)
{
	unsigned char	*buf;
	size_t		 start, end, eq, n = 0;
	long		 kl, vl;
	int		 rc = 0;

	if ((buf = malloc(len + 1)) == NULL)
		abort();
	for (start = 0; start < len && rc == 0; start = end + 1) {
		for (end = start; end < len && s[end] != '&'; end++)
			continue;
		if (end == start)
			continue;
		if (++n > WEB_PARAMS_MAX) {
			rc = -1;
			break;
		}
		for (eq = start; eq < end && s[eq] != '='; eq++)
			continue;
		if ((kl = ref_decode(s + start, eq - start, buf)) < 0) {
			rc = -1;
			break;
		}
		if (ps != NULL && (n > ps->n || strlen(ps->p[n - 1].key) !=
		    (size_t)kl || memcmp(ps->p[n - 1].key, buf, (size_t)kl) != 0))
			abort();
		vl = eq < end ? ref_decode(s + eq + 1, end - eq - 1, buf) :
		    ref_decode(s, 0, buf);
		if (vl < 0) {
			rc = -1;
			break;
		}
		if (ps != NULL && (strlen(ps->p[n - 1].value) != (size_t)vl ||
		    memcmp(ps->p[n - 1].value, buf, (size_t)vl) != 0))
			abort();
	}
	free(buf);
	if (rc == 0 && ps != NULL && n != ps->n)
		abort();
	return rc;
}

/* Appends s encoded: unreserved bytes as they are, spaces as '+' or %20. */
static size_t
encode(char *out, const char *s, int plus)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 o = 0;
	unsigned char		 c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			out[o++] = (char)c;
		else if (c == ' ' && plus)
			out[o++] = '+';
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = plus ? hex[c & 15] : (char)(hex[c & 15] |
			    0x20);	/* lower case: either must work */
		}
	}
	return o;
}

/* Encodes ps again and parses that: the same pairs must come back. */
static void
round_trip(const struct web_params *ps, int plus)
{
	struct web_params	 again;
	struct llmops_err	 err;
	char			*text;
	size_t			 i, len = 0;

	/* Each byte takes at most 3; '=' and '&' one per pair. */
	if ((text = malloc(ps->n * (WEB_PARAM_BYTES * 6 + 2) + 1)) == NULL)
		abort();
	for (i = 0; i < ps->n; i++) {
		if (i > 0)
			text[len++] = '&';
		len += encode(text + len, ps->p[i].key, plus);
		/*
		 * An empty value is written with and without '=' (but an
		 * empty key needs it, or the pair is an empty segment).
		 */
		if (ps->p[i].value[0] != '\0' || ps->p[i].key[0] == '\0' ||
		    (i + plus) % 2) {
			text[len++] = '=';
			len += encode(text + len, ps->p[i].value, plus);
		}
	}
	if (web_params_parse(&again, text, len, &err) != 0 ||
	    again.n != ps->n)
		abort();
	for (i = 0; i < ps->n; i++)
		if (strcmp(again.p[i].key, ps->p[i].key) != 0 ||
		    strcmp(again.p[i].value, ps->p[i].value) != 0)
			abort();
	web_params_release(&again);
	free(text);
}

static void
params(const uint8_t *data, size_t size)
{
	struct web_params	ps;
	struct llmops_err	err;
	size_t			i;

	memset(&ps, 0xa5, sizeof(ps));
	err_clear(&err);
	if (web_params_parse(&ps, (const char *)data, size, &err) != 0) {
		if (err.status != 400 && err.status != 500)
			abort();
		if (ps.p != NULL || ps.n != 0)
			abort();
		if (err.status == 400 && ref_params(data, size, NULL) == 0)
			abort();
		return;
	}
	if (ps.n > WEB_PARAMS_MAX || (ps.n > 0 && ps.p == NULL))
		abort();
	for (i = 0; i < ps.n; i++)
		if (strlen(ps.p[i].key) > WEB_PARAM_BYTES ||
		    strlen(ps.p[i].value) > WEB_PARAM_BYTES ||
		    !ref_utf8((const unsigned char *)ps.p[i].key,
		    strlen(ps.p[i].key)) ||
		    !ref_utf8((const unsigned char *)ps.p[i].value,
		    strlen(ps.p[i].value)) ||
		    web_params_get(&ps, ps.p[i].key) == NULL)
			abort();
	if (ref_params(data, size, &ps) != 0)
		abort();
	round_trip(&ps, 0);
	round_trip(&ps, 1);
	web_params_release(&ps);
}

static int
ows(char c)
{
	return c == ' ' || c == '\t';
}

/* The reference search: split at ';', cut at the first '=', trim. */
static enum cookie_find
ref_cookie(const char *h, const char *name, char *out, size_t outsz)
{
	const char	*seg, *next, *eq, *ns, *ne, *vs, *ve;
	const char	*found = NULL;
	size_t		 flen = 0;

	if (strlen(h) > SESSION_COOKIE_HEADER_MAX)
		return COOKIE_TOO_LONG;
	for (seg = h; seg != NULL; seg = next) {
		next = strchr(seg, ';');
		ve = next != NULL ? next : seg + strlen(seg);
		if (next != NULL)
			next++;
		if ((eq = memchr(seg, '=', (size_t)(ve - seg))) == NULL)
			continue;
		for (ns = seg; ns < eq && ows(*ns); ns++)
			continue;
		for (ne = eq; ne > ns && ows(ne[-1]); ne--)
			continue;
		if ((size_t)(ne - ns) != strlen(name) ||
		    strncmp(ns, name, (size_t)(ne - ns)) != 0)
			continue;
		if (found != NULL)
			return COOKIE_DUPLICATE;
		for (vs = eq + 1; vs < ve && ows(*vs); vs++)
			continue;
		while (ve > vs && ows(ve[-1]))
			ve--;
		found = vs;
		flen = (size_t)(ve - vs);
	}
	if (found == NULL)
		return COOKIE_ABSENT;
	if (flen >= outsz)
		return COOKIE_TOO_LONG;
	memcpy(out, found, flen);
	out[flen] = '\0';
	return COOKIE_FOUND;
}

static void
cookie(const char *h, unsigned char pick)
{
	static const char *const	names[] = {
		SESSION_COOKIE_NAME, SESSION_COOKIE_NAME_SECURE, "a", "",
	};
	static const size_t		sizes[] = {
		SESSION_COOKIE_BYTES, 16, 1, 0,
	};
	const char		*name = names[pick % 4];
	size_t			 outsz = sizes[(pick / 4) % 4];
	char			 out[SESSION_COOKIE_BYTES + 1], want[SESSION_COOKIE_BYTES];
	enum cookie_find	 r, w;

	memset(out, 'Z', sizeof(out));
	r = session_cookie_from_header(h, name, out, outsz);
	w = ref_cookie(h, name, want, outsz);
	if (r != w || out[outsz] != 'Z')
		abort();
	if (r == COOKIE_FOUND && (strcmp(out, want) != 0 ||
	    strlen(out) >= outsz))
		abort();
	if (r != COOKIE_FOUND && outsz > 0 && out[0] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	params(data, size);

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	cookie(s, size > 0 ? data[0] : 0);
	cookie(s, size > 1 ? data[1] : 5);
	free(s);
	return 0;
}
