#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "encode.h"
#include "json_skim.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * The grammar is json-c 0.16's with JSON_TOKENER_STRICT, byte for byte
 * (json_tokener.c), including its quirks, because the fuzz harness holds
 * us to its verdict:
 * - blanks are space, tab, CR and LF;
 * - a string may hold raw control characters, but a NUL byte ends the
 *   input; escapes are \" \\ \/ \b \f \n \r \t and \u with 4 hex digits
 *   (lone surrogates are accepted and read as U+FFFD);
 * - UTF-8 is checked loosely, as json-c does: a lead byte C0..F7 and the
 *   right number of continuation bytes (overlong forms pass);
 * - an integer is -?[0-9]+, a non-negative one may not start with 0 unless
 *   it is all zeros ("00" passes, "-01" too); too large, it is clamped to
 *   INT64_MIN or UINT64_MAX; a double is what strtod reads whole from the
 *   characters [0-9.eE+-] in json-c's order ("1." and "-.5" pass, "1e"
 *   does not); 1e999 is Infinity;
 * - true, false, null, NaN, Infinity and -Infinity, case-sensitive.
 */

/* A byte a string can hold without a closer look: ASCII but NUL, '"', '\\'. */
#define PLAIN(c)	((unsigned char)((c) - 1) < 0x7f && (c) != '"' && \
			    (c) != '\\')

void
json_skim_init(struct json_skim *sk, const char *s, size_t len, int max_depth)
{
	sk->s = s;
	sk->len = len;
	sk->pos = 0;
	if (max_depth < 1)
		max_depth = 1;
	if (max_depth > LIMIT_JSON_DEPTH_MAX)
		max_depth = LIMIT_JSON_DEPTH_MAX;
	sk->max_depth = max_depth;
	sk->err_pos = 0;
	sk->err_what = NULL;
	sk->err_depth = 0;
	sk->err_eof = 0;
}

static int
fail(struct json_skim *sk, size_t pos, const char *what)
{
	if (sk->err_what == NULL && !sk->err_depth && !sk->err_eof) {
		if (pos >= sk->len)
			sk->err_eof = 1;
		sk->err_pos = pos >= sk->len ? sk->len : pos;
		sk->err_what = what;
	}
	return -1;
}

static int
fail_depth(struct json_skim *sk, size_t pos)
{
	if (sk->err_what == NULL && !sk->err_eof) {
		sk->err_depth = 1;
		sk->err_pos = pos;
	}
	return -1;
}

int
json_skim_error(const struct json_skim *sk, struct llmops_err *err)
{
	if (sk->err_depth)
		return err_set(err, 400, "malformed JSON: nested deeper than the "
		    "max_json_depth limit (%d) at byte %zu", sk->max_depth,
		    sk->err_pos);
	if (sk->err_eof)
		return err_set(err, 400, "malformed JSON: unexpected end of body "
		    "at byte %zu", sk->len);
	return err_set(err, 400, "malformed JSON at byte %zu: %s", sk->err_pos,
	    sk->err_what ? sk->err_what : "unexpected character");
}

const char *
json_skim_kind_name(enum json_skim_kind k)
{
	static const char *const names[JSON_SKIM__MAX] = {
		"object", "array", "string", "int", "double", "boolean", "null",
	};

	return k < JSON_SKIM__MAX ? names[k] : "?";
}

static void
skip_ws(struct json_skim *sk)
{
	const char	*s = sk->s;
	size_t		 p = sk->pos, len = sk->len;

	while (p < len && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' ||
	    s[p] == '\r'))
		p++;
	sk->pos = p;
}

int
json_skim_peek(struct json_skim *sk)
{
	skip_ws(sk);
	return sk->pos < sk->len ? (unsigned char)sk->s[sk->pos] : -1;
}

/*
 * The end of the run of PLAIN bytes at p (most of a body is plain text in
 * strings): 16 bytes a turn with SSE2 (every x86-64 has it), else 8.
 */
static size_t
plain_run(const unsigned char *s, size_t p, size_t len)
{
#ifdef __SSE2__
	const __m128i	quote = _mm_set1_epi8('"');
	const __m128i	bslash = _mm_set1_epi8('\\');
	const __m128i	zero = _mm_setzero_si128();
	__m128i		v, stop;
	unsigned	mask;

	while (p + 16 <= len) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(s + p));
		stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
		    _mm_cmpeq_epi8(v, bslash)), _mm_cmpeq_epi8(v, zero));
		/* The sign bit: bytes >= 0x80. */
		mask = (unsigned)(_mm_movemask_epi8(stop) |
		    _mm_movemask_epi8(v));
		if (mask != 0)
			return p + (size_t)__builtin_ctz(mask);
		p += 16;
	}
#else
	while (p + 8 <= len && PLAIN(s[p]) && PLAIN(s[p + 1]) &&
	    PLAIN(s[p + 2]) && PLAIN(s[p + 3]) && PLAIN(s[p + 4]) &&
	    PLAIN(s[p + 5]) && PLAIN(s[p + 6]) && PLAIN(s[p + 7]))
		p += 8;
#endif
	while (p < len && PLAIN(s[p]))
		p++;
	return p;
}

/* Continuation bytes a UTF-8 lead byte wants (json-c's check), or -1. */
static int
utf8_follow(unsigned char c)
{
	if ((c & 0xe0) == 0xc0)
		return 1;
	if ((c & 0xf0) == 0xe0)
		return 2;
	if ((c & 0xf8) == 0xf0)
		return 3;
	return -1;
}

static int
hex4(const char *s, unsigned *v)
{
	int	i, h;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if ((h = hex_value((unsigned char)s[i])) < 0)
			return -1;
		*v = *v << 4 | (unsigned)h;
	}
	return 0;
}

/* Appends code point cp as UTF-8 if it fits; returns 0, or -1 (cut). */
static int
put_cp(char *buf, size_t cap, size_t *n, unsigned cp)
{
	unsigned char	u[4];
	size_t		k;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | ((cp >> 18) & 0x07));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*n + k > cap)
		return -1;
	memcpy(buf + *n, u, k);
	*n += k;
	return 0;
}

#define REPLACEMENT	0xfffdU
#define IS_HIGH(c)	((c) >= 0xd800 && (c) <= 0xdbff)
#define IS_LOW(c)	((c) >= 0xdc00 && (c) <= 0xdfff)

/*
 * The string at pos (a '"'): validated, and when buf is not NULL decoded
 * as json-c decodes it into at most cap bytes (*cut set when it did not
 * fit; never inside a character). Leaves pos after the closing quote.
 */
static int
skim_string(struct json_skim *sk, char *buf, size_t cap, size_t *outlen,
    int *cut)
{
	const unsigned char	*s = (const unsigned char *)sk->s;
	size_t			 p = sk->pos + 1, len = sk->len, n = 0, run, i;
	unsigned		 cp, high = 0;
	int			 k, full = 0, is_u;

	for (;;) {
		run = p;
		p = plain_run(s, p, len);
		if (p > run && buf != NULL && !full) {
			/* json-c: a high surrogate not followed by \u is U+FFFD. */
			if (high)
				full = put_cp(buf, cap, &n, REPLACEMENT) != 0;
			high = 0;
			if (!full && n + (p - run) <= cap) {
				memcpy(buf + n, s + run, p - run);
				n += p - run;
			} else if (!full) {
				/* Plain bytes are ASCII: any cut is a boundary. */
				memcpy(buf + n, s + run, cap - n);
				n = cap;
				full = 1;
			}
		}
		if (p >= len)
			return fail(sk, len, "unterminated string");
		if (s[p] == '"')
			break;
		if (s[p] == 0)
			return fail(sk, p, "NUL byte in the body");
		if (s[p] >= 0x80) {
			if ((k = utf8_follow(s[p])) < 0)
				return fail(sk, p, "invalid UTF-8");
			for (i = 1; i <= (size_t)k; i++) {
				if (p + i >= len)
					return fail(sk, len, "invalid UTF-8");
				if ((s[p + i] & 0xc0) != 0x80)
					return fail(sk, p + i, "invalid UTF-8");
			}
			if (buf != NULL && !full) {
				if (high)
					full = put_cp(buf, cap, &n,
					    REPLACEMENT) != 0;
				high = 0;
				if (!full && n + (size_t)k + 1 <= cap) {
					memcpy(buf + n, s + p, (size_t)k + 1);
					n += (size_t)k + 1;
				} else
					full = 1;
			}
			p += (size_t)k + 1;
			continue;
		}
		/* A backslash. */
		if (p + 1 >= len)
			return fail(sk, len, "unterminated string");
		is_u = 0;
		switch (s[p + 1]) {
		case '"': case '\\': case '/':
			cp = s[p + 1];
			break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			for (i = p + 2; i < p + 6; i++) {
				if (i >= len)
					return fail(sk, len, "unterminated string");
				if (hex_value(s[i]) < 0)
					return fail(sk, i, "invalid \\u escape");
			}
			hex4((const char *)s + p + 2, &cp);
			is_u = 1;
			p += 4;
			break;
		default:
			return fail(sk, p + 1, "invalid escape in a string");
		}
		p += 2;
		if (buf == NULL || full)
			continue;
		if (high) {
			if (is_u && IS_LOW(cp)) {
				cp = 0x10000 + ((high - 0xd800) << 10) +
				    (cp - 0xdc00);
				high = 0;
				full = put_cp(buf, cap, &n, cp) != 0;
				continue;
			}
			high = 0;
			if ((full = put_cp(buf, cap, &n, REPLACEMENT) != 0))
				continue;
		}
		if (is_u && IS_HIGH(cp)) {
			high = cp;
			continue;
		}
		if (is_u && IS_LOW(cp))
			cp = REPLACEMENT;
		full = put_cp(buf, cap, &n, cp) != 0;
	}
	if (buf != NULL && high && !full)
		full = put_cp(buf, cap, &n, REPLACEMENT) != 0;
	sk->pos = p + 1;
	if (buf != NULL) {
		*outlen = n;
		*cut = full;
	}
	return 0;
}

/*
 * The number at pos, json-c's way: the longest run of number characters
 * in the order json-c takes them, then strtod's or strtoll's grammar
 * over all of it. -Infinity is handed to the literal reader.
 */
static int
skim_number(struct json_skim *sk, enum json_skim_kind *kind, size_t *start,
    size_t *end)
{
	const char	*s = sk->s;
	size_t		 p = sk->pos, len = sk->len, i, d1, d2;
	int		 neg_ok = 1, pos_ok = 0, is_double = 0, is_exp = 0, c;

	*start = p;
	while (p < len) {
		c = (unsigned char)s[p];
		if (c >= '0' && c <= '9')
			neg_ok = pos_ok = 0;
		else if ((c == 'e' || c == 'E') && !is_exp)
			is_exp = is_double = neg_ok = pos_ok = 1;
		else if ((c == '-' && neg_ok) || (c == '+' && pos_ok))
			neg_ok = pos_ok = 0;
		else if (c == '.' && !is_double)
			is_double = neg_ok = pos_ok = 1;
		else
			break;
		p++;
	}
	*end = p;
	if (p - *start == 1 && s[*start] == '-' && p < len && s[p] == 'I') {
		if (len - p < 8 || memcmp(s + p, "Infinity", 8) != 0)
			return fail(sk, p, "invalid literal");
		sk->pos = *end = p + 8;
		*kind = JSON_SKIM_DOUBLE;
		return 0;
	}
	i = *start;
	if (s[i] == '-')
		i++;
	if (!is_double) {
		/* -?[0-9]+; strict json-c refuses 0123 but not 00 or -01. */
		if (i == p)
			return fail(sk, p, "invalid number");
		if (s[*start] == '0')
			for (; i < p; i++)
				if (s[i] != '0')
					return fail(sk, *start, "invalid number "
					    "(leading zero)");
		*kind = JSON_SKIM_INT;
		sk->pos = p;
		return 0;
	}
	/* strtod must read it all: D+(.D*)? or .D+, then ([eE][+-]?D+)? */
	for (d1 = 0; i < p && s[i] >= '0' && s[i] <= '9'; i++)
		d1++;
	d2 = 0;
	if (i < p && s[i] == '.')
		for (i++; i < p && s[i] >= '0' && s[i] <= '9'; i++)
			d2++;
	if (d1 + d2 == 0)
		return fail(sk, *start, "invalid number");
	if (i < p && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < p && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d1 = 0; i < p && s[i] >= '0' && s[i] <= '9'; i++)
			d1++;
		if (d1 == 0)
			return fail(sk, *start, "invalid number");
	}
	if (i != p)
		return fail(sk, *start, "invalid number");
	*kind = JSON_SKIM_DOUBLE;
	sk->pos = p;
	return 0;
}

static int
skim_literal(struct json_skim *sk, enum json_skim_kind *kind, int *truth)
{
	static const struct {
		const char		*word;
		size_t			 len;
		enum json_skim_kind	 kind;
		int			 truth;
	} lits[] = {
		{ "true", 4, JSON_SKIM_BOOLEAN, 1 },
		{ "false", 5, JSON_SKIM_BOOLEAN, 0 },
		{ "null", 4, JSON_SKIM_NULL, 0 },
		{ "NaN", 3, JSON_SKIM_DOUBLE, 0 },
		{ "Infinity", 8, JSON_SKIM_DOUBLE, 1 },
	};
	const char	*s = sk->s + sk->pos;
	size_t		 i, left = sk->len - sk->pos, k;

	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		if (s[0] != lits[i].word[0])
			continue;
		for (k = 1; k < lits[i].len; k++) {
			if (k >= left)
				return fail(sk, sk->len, "truncated literal");
			if (s[k] != lits[i].word[k])
				return fail(sk, sk->pos + k, "invalid literal");
		}
		sk->pos += lits[i].len;
		*kind = lits[i].kind;
		*truth = lits[i].truth;
		return 0;
	}
	return fail(sk, sk->pos, "unexpected character");
}

/* Where a value starts in a container of depth index level - 1. */
static int
child_ok(struct json_skim *sk, int level)
{
	if (level >= sk->max_depth)
		return fail_depth(sk, sk->pos);
	return 0;
}

/* The scalar at pos; containers are the caller's. */
static int
skim_scalar(struct json_skim *sk, int c, enum json_skim_kind *kind,
    size_t *start, size_t *end, int *truth)
{
	*start = sk->pos;
	if (c == '"') {
		*kind = JSON_SKIM_STRING;
		if (skim_string(sk, NULL, 0, NULL, NULL) != 0)
			return -1;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		if (skim_number(sk, kind, start, end) != 0)
			return -1;
		if (*kind == JSON_SKIM_DOUBLE && sk->s[*start] == '-' &&
		    sk->s[*start + 1] == 'I')
			*truth = -1;
		return 0;
	} else if (skim_literal(sk, kind, truth) != 0)
		return -1;
	*end = sk->pos;
	return 0;
}

/* An object key and its ':' at pos (a '"' is checked here). */
static int
skim_key(struct json_skim *sk, char *key, size_t cap, size_t *keylen,
    int *cut)
{
	if (sk->pos >= sk->len)
		return fail(sk, sk->len, "expected a key");
	if (sk->s[sk->pos] != '"')
		return fail(sk, sk->pos, "expected a quoted key");
	if (skim_string(sk, key, cap, keylen, cut) != 0)
		return -1;
	if (json_skim_peek(sk) != ':')
		return fail(sk, sk->pos, "expected ':' after a key");
	sk->pos++;
	skip_ws(sk);
	if (sk->pos >= sk->len)
		return fail(sk, sk->len, "expected a value");
	return 0;
}

int
json_skim_value(struct json_skim *sk, int level, enum json_skim_kind *kind)
{
	/* Open containers: 1 for an object, 0 for an array. */
	unsigned char		 open[LIMIT_JSON_DEPTH_MAX + 1];
	enum json_skim_kind	 k;
	size_t			 sp = 0, a, b;
	int			 c, t, first = 1;

	for (;;) {
		/* A value is expected at pos. */
		if ((c = json_skim_peek(sk)) < 0)
			return fail(sk, sk->len, "expected a value");
		if (c == '{' || c == '[') {
			if (first)
				*kind = c == '{' ? JSON_SKIM_OBJECT :
				    JSON_SKIM_ARRAY;
			first = 0;
			sk->pos++;
			open[sp++] = c == '{';
			c = json_skim_peek(sk);
			if (c == (open[sp - 1] ? '}' : ']')) {
				sk->pos++;
				sp--;
				goto closed;
			}
			if (open[sp - 1] && skim_key(sk, NULL, 0, NULL,
			    NULL) != 0)
				return -1;
			if (c < 0)
				return fail(sk, sk->len, "expected a value");
			if (child_ok(sk, level + (int)sp) != 0)
				return -1;
			continue;
		}
		if (skim_scalar(sk, c, &k, &a, &b, &t) != 0)
			return -1;
		if (first)
			*kind = k;
		first = 0;
closed:
		for (;;) {
			if (sp == 0)
				return 0;
			c = json_skim_peek(sk);
			if (c == ',') {
				sk->pos++;
				c = json_skim_peek(sk);
				if (c == (open[sp - 1] ? '}' : ']'))
					return fail(sk, sk->pos, "trailing comma");
				if (open[sp - 1] && skim_key(sk, NULL, 0, NULL,
				    NULL) != 0)
					return -1;
				if (c < 0)
					return fail(sk, sk->len,
					    "expected a value");
				if (child_ok(sk, level + (int)sp) != 0)
					return -1;
				break;
			}
			if (c == (open[sp - 1] ? '}' : ']')) {
				sk->pos++;
				sp--;
				continue;
			}
			return fail(sk, sk->pos, open[sp - 1] ?
			    "expected ',' or '}' in an object" :
			    "expected ',' or ']' in an array");
		}
	}
}

/* json-c's reading of a number's text (json_parse_int64 and friends). */
static struct json_object *
number_object(const char *text, enum json_skim_kind kind)
{
	char	*end;

	if (kind == JSON_SKIM_DOUBLE)
		return json_object_new_double_s(strtod(text, &end), text);
	errno = 0;
	if (text[0] == '-')
		return json_object_new_int64(strtoll(text, &end, 10));
	{
		uint64_t	u = strtoull(text, &end, 10);

		if (u <= INT64_MAX)
			return json_object_new_int64((int64_t)u);
		return json_object_new_uint64(u);
	}
}

/*
 * The value at pos, kept as a scalar (JSON_KEEP_VALUE): strings cut at
 * JSON_SKIM_STRING_BYTES, numbers up to JSON_SKIM_NUMBER_BYTES long,
 * containers skipped and replaced by an empty one. *out is NULL for null.
 */
static int
keep_value(struct json_skim *sk, int level, struct json_object **out,
    int *oom)
{
	enum json_skim_kind	 kind;
	size_t			 a, b, n;
	int			 c, truth, cut;
	char			 num[JSON_SKIM_NUMBER_BYTES + 1];

	*out = NULL;
	c = json_skim_peek(sk);
	if (c == '{' || c == '[') {
		if (json_skim_value(sk, level, &kind) != 0)
			return -1;
		*out = kind == JSON_SKIM_OBJECT ? json_object_new_object() :
		    json_object_new_array();
		goto made;
	}
	if (c == '"') {
		if (skim_string(sk, sk->buf, JSON_SKIM_STRING_BYTES, &n,
		    &cut) != 0)
			return -1;
		*out = json_object_new_string_len(sk->buf, (int)n);
		goto made;
	}
	if (skim_scalar(sk, c, &kind, &a, &b, &truth) != 0)
		return -1;
	switch (kind) {
	case JSON_SKIM_BOOLEAN:
		*out = json_object_new_boolean(truth);
		break;
	case JSON_SKIM_NULL:
		return 0;
	case JSON_SKIM_DOUBLE:
	case JSON_SKIM_INT:
		if (sk->s[a] == 'N')
			*out = json_object_new_double(NAN);
		else if (sk->s[a] == 'I' || sk->s[b - 1] == 'y')
			*out = json_object_new_double(sk->s[a] == '-' ?
			    -INFINITY : INFINITY);
		else if (b - a > JSON_SKIM_NUMBER_BYTES)
			*out = json_object_new_array();
		else {
			memcpy(num, sk->s + a, b - a);
			num[b - a] = '\0';
			*out = number_object(num, kind);
		}
		break;
	default:
		break;
	}
made:
	if (*out == NULL)
		*oom = 1;
	return 0;
}

static const char *
name_match(const char *const *names, const char *s, size_t len, int prefix)
{
	size_t	nlen;

	for (; *names != NULL; names++) {
		nlen = strlen(*names);
		if (prefix ? (len > nlen && s[nlen] == ':' &&
		    strncasecmp(s, *names, nlen) == 0) :
		    (len == nlen && strncasecmp(s, *names, nlen) == 0))
			return *names;
	}
	return NULL;
}

/* json-c keeps a key up to its first NUL (it strdup()s it). */
static void
key_as_jsonc(char *key, size_t *keylen, int *cut)
{
	key[*keylen] = '\0';
	if (memchr(key, '\0', *keylen) != NULL) {
		*keylen = strlen(key);
		*cut = 0;
	}
}

static int	keep_object(struct json_skim *, int, const struct json_keep *,
		    struct json_object *, size_t *, int *);

/* Members of a headers object whose names are wanted, in any case. */
static int
keep_headers(struct json_skim *sk, int level, const char *const *names,
    struct json_object *obj, int *oom)
{
	struct json_object	*v;
	char			 key[JSON_SKIM_KEY_BYTES + 1];
	size_t			 keylen;
	int			 c, cut, first = 1;

	sk->pos++;	/* '{' */
	for (;;) {
		c = json_skim_peek(sk);
		if (c == '}' && first) {
			sk->pos++;
			return 0;
		}
		if (!first) {
			if (c == '}') {
				sk->pos++;
				return 0;
			}
			if (c != ',')
				return fail(sk, sk->pos, "expected ',' or '}' "
				    "in an object");
			sk->pos++;
			if (json_skim_peek(sk) == '}')
				return fail(sk, sk->pos, "trailing comma");
		}
		first = 0;
		if (skim_key(sk, key, JSON_SKIM_KEY_BYTES, &keylen, &cut) != 0)
			return -1;
		if (child_ok(sk, level + 1) != 0)
			return -1;
		key_as_jsonc(key, &keylen, &cut);
		if (cut || name_match(names, key, keylen, 0) == NULL ||
		    (json_object_object_length(obj) >= JSON_SKIM_HEADER_KEYS &&
		    !json_object_object_get_ex(obj, key, NULL))) {
			enum json_skim_kind	kind;

			if (json_skim_value(sk, level + 1, &kind) != 0)
				return -1;
			continue;
		}
		if (keep_value(sk, level + 1, &v, oom) != 0)
			return -1;
		if (*oom || json_object_object_add(obj, key, v) != 0) {
			json_object_put(v);
			*oom = 1;
		}
	}
}

/* The first string of the array starting with "name:" for each name. */
static int
keep_tags(struct json_skim *sk, int level, const char *const *names,
    struct json_object *arr, int *oom)
{
	const char		*got[8];
	const char		*m;
	enum json_skim_kind	 kind;
	size_t			 n, ngot = 0, i;
	int			 c, cut, first = 1;

	sk->pos++;	/* '[' */
	for (;;) {
		c = json_skim_peek(sk);
		if (c == ']' && first) {
			sk->pos++;
			return 0;
		}
		if (!first) {
			if (c == ']') {
				sk->pos++;
				return 0;
			}
			if (c != ',')
				return fail(sk, sk->pos, "expected ',' or ']' "
				    "in an array");
			sk->pos++;
			if ((c = json_skim_peek(sk)) == ']')
				return fail(sk, sk->pos, "trailing comma");
		}
		first = 0;
		if (c < 0)
			return fail(sk, sk->len, "expected a value");
		if (child_ok(sk, level + 1) != 0)
			return -1;
		if (c != '"') {
			if (json_skim_value(sk, level + 1, &kind) != 0)
				return -1;
			continue;
		}
		if (skim_string(sk, sk->buf, JSON_SKIM_STRING_BYTES, &n,
		    &cut) != 0)
			return -1;
		if ((m = name_match(names, sk->buf, n, 1)) == NULL)
			continue;
		for (i = 0; i < ngot && got[i] != m; i++)
			;
		if (i < ngot || ngot == sizeof(got) / sizeof(got[0]) || *oom)
			continue;
		got[ngot++] = m;
		if (json_object_array_add(arr,
		    json_object_new_string_len(sk->buf, (int)n)) != 0)
			*oom = 1;
	}
}

/* One member's value by its table entry; NULL entry: skipped. */
static int
keep_member(struct json_skim *sk, int level, const struct json_keep *k,
    struct json_object **v, int *oom)
{
	enum json_skim_kind	kind;
	size_t			unlisted;
	int			c = json_skim_peek(sk);

	*v = NULL;
	if (k == NULL)
		return json_skim_value(sk, level, &kind);
	if ((k->kind == JSON_KEEP_OBJECT || k->kind == JSON_KEEP_HEADERS) &&
	    c == '{') {
		if ((*v = json_object_new_object()) == NULL) {
			*oom = 1;
			return json_skim_value(sk, level, &kind);
		}
		if (k->kind == JSON_KEEP_HEADERS)
			return keep_headers(sk, level, k->names, *v, oom);
		return keep_object(sk, level, k->child, *v, &unlisted, oom);
	}
	if (k->kind == JSON_KEEP_TAGS && c == '[') {
		if ((*v = json_object_new_array()) == NULL) {
			*oom = 1;
			return json_skim_value(sk, level, &kind);
		}
		return keep_tags(sk, level, k->names, *v, oom);
	}
	return keep_value(sk, level, v, oom);
}

/*
 * The members of the object at pos that keep names, added to obj (json-c
 * keeps the last of duplicate keys; so does json_object_object_add).
 * Recursion follows the table, a few levels at most, never the body.
 */
static int
keep_object(struct json_skim *sk, int level, const struct json_keep *keep,
    struct json_object *obj, size_t *unlisted, int *oom)
{
	const struct json_keep	*k;
	struct json_object	*v;
	char			 key[JSON_SKIM_KEY_BYTES + 1];
	size_t			 keylen;
	int			 c, cut, first = 1;

	*unlisted = 0;
	sk->pos++;	/* '{' */
	for (;;) {
		c = json_skim_peek(sk);
		if (c == '}') {
			sk->pos++;
			return 0;
		}
		if (!first) {
			if (c != ',')
				return fail(sk, sk->pos, "expected ',' or '}' "
				    "in an object");
			sk->pos++;
			if (json_skim_peek(sk) == '}')
				return fail(sk, sk->pos, "trailing comma");
		}
		first = 0;
		if (skim_key(sk, key, JSON_SKIM_KEY_BYTES, &keylen, &cut) != 0)
			return -1;
		if (child_ok(sk, level + 1) != 0)
			return -1;
		key_as_jsonc(key, &keylen, &cut);
		for (k = keep; k != NULL && k->key != NULL; k++)
			if (!cut && k->key[0] == key[0] &&
			    strcmp(k->key, key) == 0)
				break;
		if (k == NULL || k->key == NULL) {
			(*unlisted)++;
			k = NULL;
		}
		if (keep_member(sk, level + 1, k, &v, oom) != 0) {
			json_object_put(v);
			return -1;
		}
		if (k == NULL)
			continue;
		if (*oom || json_object_object_add(obj, key, v) != 0) {
			json_object_put(v);
			*oom = 1;
		}
	}
}

int
json_skim_keep(struct json_skim *sk, int level, const struct json_keep *keep,
    struct json_object **out, size_t *unlisted)
{
	struct json_object	*obj;
	int			 oom = 0;

	*out = NULL;
	*unlisted = 0;
	if (json_skim_peek(sk) != '{')
		return fail(sk, sk->pos, "expected an object");
	if ((obj = json_object_new_object()) == NULL)
		oom = 1;
	if (keep_object(sk, level, keep, obj, unlisted, &oom) != 0) {
		json_object_put(obj);
		return -1;
	}
	if (oom) {
		json_object_put(obj);
		sk->err_what = "out of memory";
		return -2;
	}
	*out = obj;
	return 0;
}

int
json_skim_tree(struct json_skim *sk, int level, struct json_object **out)
{
	struct json_tokener	*tok;
	enum json_skim_kind	 kind;
	size_t			 start;

	*out = NULL;
	skip_ws(sk);
	start = sk->pos;
	if (json_skim_value(sk, level, &kind) != 0)
		return -1;
	if ((tok = json_tokener_new_ex(sk->max_depth)) == NULL)
		return -2;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8);
	/* json-c wants a byte after a scalar to know that it has ended. */
	*out = json_tokener_parse_ex(tok, sk->s + start, (int)(sk->pos - start +
	    (sk->pos < sk->len ? 1 : 0)));
	json_tokener_free(tok);
	return 0;
}
