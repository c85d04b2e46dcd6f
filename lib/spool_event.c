/* Reduced events to and from spool record payloads: see spool_event.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "spool_event.h"

#define STR_NULL	0xFFFFu
#define FLAG_TOKEN	0x01u
#define FLAG_STREAM	0x02u
/* The fixed part of an encoded event, before its strings. */
#define EVENT_FIXED_BYTES	(4 + 6 * 4 + 8 + TOKEN_HASH_LEN + EVENT_KEY_LEN)

/*
 * The text fields of ev, in encoded order (pointers to the owners):
 * version 1's first, the ones version 2 added after them.
 */
static void
strs_of(struct usage_event *ev, char **s[SPOOL_EVENT_STRS])
{
	s[0] = &ev->litellm_id;
	s[1] = &ev->trace_id;
	s[2] = &ev->call_type;
	s[3] = &ev->model;
	s[4] = &ev->model_group;
	s[5] = &ev->provider;
	s[6] = &ev->department;
	s[7] = &ev->team;
	s[8] = &ev->agent;
	s[9] = &ev->error_code;
	s[10] = &ev->error_class;
	s[11] = &ev->deployment;
	s[12] = &ev->api_host;
	s[13] = &ev->key_alias;
	s[14] = &ev->team_alias;
	s[15] = &ev->org_alias;
	s[16] = &ev->price_key;
}

void
spool_buf_init(struct spool_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
spool_buf_release(struct spool_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int
spool_buf_put(struct spool_buf *b, const void *v, size_t n)
{
	unsigned char	*p;
	size_t		 cap;

	if (b->failed)
		return -1;
	if (n > b->cap - b->len) {
		cap = b->cap ? b->cap : 4096;
		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2) {
				b->failed = 1;
				return -1;
			}
			cap *= 2;
		}
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return -1;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, v, n);
	b->len += n;
	return 0;
}

static void
le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

void
spool_buf_set_u32(struct spool_buf *b, size_t off, uint32_t v)
{
	if (!b->failed && off + 4 <= b->len)
		le32(b->p + off, v);
}

static int
put_u8(struct spool_buf *b, unsigned v)
{
	unsigned char	c = (unsigned char)v;

	return spool_buf_put(b, &c, 1);
}

static int
put_u16(struct spool_buf *b, unsigned v)
{
	unsigned char	p[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	return spool_buf_put(b, p, 2);
}

static int
put_u32(struct spool_buf *b, uint32_t v)
{
	unsigned char	p[4];

	le32(p, v);
	return spool_buf_put(b, p, 4);
}

static int
put_i64(struct spool_buf *b, int64_t v)
{
	unsigned char	p[8];
	uint64_t	u = (uint64_t)v;
	int		i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (8 * i));
	return spool_buf_put(b, p, 8);
}

static int
put_str(struct spool_buf *b, const char *s)
{
	size_t	n;

	if (s == NULL)
		return put_u16(b, STR_NULL);
	/* strlen stops at the first NUL: what we store is what C sees. */
	if ((n = strlen(s)) > SPOOL_STR_MAX)
		return -1;
	if (put_u16(b, (unsigned)n) != 0)
		return -1;
	return spool_buf_put(b, s, n);
}

int
spool_event_put(struct spool_buf *b, const struct usage_event *ev)
{
	const char	*s[SPOOL_EVENT_STRS] = {
		ev->litellm_id, ev->trace_id, ev->call_type, ev->model,
		ev->model_group, ev->provider, ev->department, ev->team,
		ev->agent, ev->error_code, ev->error_class, ev->deployment,
		ev->api_host, ev->key_alias, ev->team_alias, ev->org_alias,
		ev->price_key,
	};
	unsigned char	 zero[TOKEN_HASH_LEN];
	size_t		 at = b->len;
	int		 f, i;

	if (ev->index > UINT32_MAX || (unsigned)ev->status >= EVENT_STATUS__MAX ||
	    (unsigned)ev->token_source >= TOKEN_SOURCE__MAX ||
	    (unsigned)ev->cost_source >= COST_SOURCE__MAX ||
	    (unsigned)ev->cache_hit >= CACHE_HIT__MAX ||
	    (ev->present >> EV__MAX) != 0 ||
	    memchr(ev->token_prefix, '\0', sizeof(ev->token_prefix)) == NULL)
		return -1;
	memset(zero, 0, sizeof(zero));
	put_u32(b, 0);		/* the length, set below */
	put_u8(b, (ev->has_token ? FLAG_TOKEN : 0) | (ev->stream ? FLAG_STREAM : 0));
	put_u8(b, (unsigned)ev->status);
	put_u8(b, (unsigned)ev->token_source);
	put_u8(b, (unsigned)ev->cost_source);
	put_u32(b, (uint32_t)ev->index);
	put_u32(b, ev->org_id);
	put_u32(b, ev->token_id);
	put_u32(b, ev->price_id);
	put_u32(b, ev->discount_id);
	put_u32(b, ev->present);
	put_i64(b, ev->received_us);
	spool_buf_put(b, ev->has_token ? ev->token_hash : zero, TOKEN_HASH_LEN);
	spool_buf_put(b, ev->dedupe_key, EVENT_KEY_LEN);
	if (put_str(b, ev->token_prefix) != 0)
		goto bad;
	for (i = 0; i < SPOOL_EVENT_STRS; i++)
		if (put_str(b, s[i]) != 0)
			goto bad;
	put_u8(b, (unsigned)ev->cache_hit);
	for (f = 0; f < EV__MAX; f++)
		if (EVENT_HAS(ev, f))
			put_i64(b, ev->num[f]);
	if (b->failed || b->len - at - 4 > UINT32_MAX)
		goto bad;
	spool_buf_set_u32(b, at, (uint32_t)(b->len - at - 4));
	return 0;
bad:
	if (!b->failed)
		b->len = at;
	return -1;
}

int
spool_event_encode(struct spool_buf *b, struct usage_event *const *evs,
    size_t n)
{
	size_t	i, at = b->len;

	if (n > UINT32_MAX || put_u32(b, (uint32_t)n) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (spool_event_put(b, evs[i]) != 0) {
			/* Nothing half-encoded stays in the buffer. */
			if (!b->failed)
				b->len = at;
			return -1;
		}
	return 0;
}

/* A cursor over the payload; `bad` once a read went past its end. */
struct cur {
	const unsigned char	*p;
	size_t			 left;
	int			 bad;
};

static const unsigned char *
take(struct cur *c, size_t n)
{
	const unsigned char	*p = c->p;

	if (c->bad || n > c->left) {
		c->bad = 1;
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return p;
}

static unsigned
get_u8(struct cur *c)
{
	const unsigned char	*p = take(c, 1);

	return p ? p[0] : 0;
}

static unsigned
get_u16(struct cur *c)
{
	const unsigned char	*p = take(c, 2);

	return p ? (unsigned)p[0] | (unsigned)p[1] << 8 : 0;
}

static uint32_t
get_u32(struct cur *c)
{
	const unsigned char	*p = take(c, 4);

	return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

static int64_t
get_i64(struct cur *c)
{
	const unsigned char	*p = take(c, 8);
	uint64_t		 u = 0;
	int			 i;

	for (i = 0; p != NULL && i < 8; i++)
		u |= (uint64_t)p[i] << (8 * i);
	return (int64_t)u;
}

static void
get_bytes(struct cur *c, void *out, size_t n)
{
	const unsigned char	*p = take(c, n);

	if (p != NULL)
		memcpy(out, p, n);
}

/*
 * A string into *out (NULL for the NULL marker). -1 when malformed, out
 * of memory, or it holds a NUL.
 */
static int
get_str(struct cur *c, char **out)
{
	const unsigned char	*p;
	unsigned		 n = get_u16(c);

	*out = NULL;
	if (c->bad)
		return -1;
	if (n == STR_NULL)
		return 0;
	if ((p = take(c, n)) == NULL || memchr(p, '\0', n) != NULL)
		return -1;
	if ((*out = malloc((size_t)n + 1)) == NULL)
		return -1;
	memcpy(*out, p, n);
	(*out)[n] = '\0';
	return 0;
}

/* An event of `version` (checked by the caller). */
static int
decode_one(struct cur *c, int version, struct usage_event *ev)
{
	char		**s[SPOOL_EVENT_STRS], *prefix;
	unsigned	  flags, v;
	int		  f, i, nstrs, nnums;

	nstrs = version == 1 ? SPOOL_EVENT_STRS_V1 : SPOOL_EVENT_STRS;
	nnums = version == 1 ? SPOOL_EVENT_NUMS_V1 : EV__MAX;
	if (c->left < EVENT_FIXED_BYTES)
		return -1;
	flags = get_u8(c);
	if (flags & ~(FLAG_TOKEN | FLAG_STREAM))
		return -1;
	ev->has_token = (flags & FLAG_TOKEN) != 0;
	ev->stream = (flags & FLAG_STREAM) != 0;
	if ((v = get_u8(c)) >= EVENT_STATUS__MAX)
		return -1;
	ev->status = (enum event_status)v;
	if ((v = get_u8(c)) >= TOKEN_SOURCE__MAX)
		return -1;
	ev->token_source = (enum token_source)v;
	if ((v = get_u8(c)) >= COST_SOURCE__MAX)
		return -1;
	ev->cost_source = (enum cost_source)v;
	ev->index = get_u32(c);
	ev->org_id = get_u32(c);
	ev->token_id = get_u32(c);
	ev->price_id = get_u32(c);
	ev->discount_id = get_u32(c);
	ev->present = get_u32(c);
	/* A number its version did not have: not a record we wrote. */
	if ((ev->present >> nnums) != 0)
		return -1;
	ev->received_us = get_i64(c);
	get_bytes(c, ev->token_hash, TOKEN_HASH_LEN);
	get_bytes(c, ev->dedupe_key, EVENT_KEY_LEN);
	/* Written as zeros without a token: anything else is not ours. */
	if (!ev->has_token) {
		for (i = 0; i < TOKEN_HASH_LEN; i++)
			if (ev->token_hash[i] != 0)
				return -1;
	}
	if (get_str(c, &prefix) != 0)
		return -1;
	/* The prefix is a fixed array; NULL is never written for it. */
	if (prefix == NULL || strlen(prefix) >= sizeof(ev->token_prefix)) {
		free(prefix);
		return -1;
	}
	memcpy(ev->token_prefix, prefix, strlen(prefix) + 1);
	free(prefix);
	strs_of(ev, s);
	for (i = 0; i < nstrs; i++)
		if (get_str(c, s[i]) != 0)
			return -1;
	/* Version 1 knew no cache_hit: unknown, as for a normal call. */
	if (version >= 2) {
		if ((v = get_u8(c)) >= CACHE_HIT__MAX)
			return -1;
		ev->cache_hit = (enum cache_hit)v;
	}
	for (f = 0; f < nnums; f++)
		if (EVENT_HAS(ev, f))
			ev->num[f] = get_i64(c);
	return c->bad || c->left != 0 ? -1 : 0;
}

void
spool_events_free(struct usage_event *evs, size_t n)
{
	size_t	i;

	for (i = 0; evs != NULL && i < n; i++)
		usage_event_release(&evs[i]);
	free(evs);
}

int
spool_event_decode(const unsigned char *p, size_t len, int version,
    size_t max_events, struct usage_event **evs, size_t *n)
{
	struct cur		 c = { p, len, 0 };
	struct cur		 one;
	struct usage_event	*out = NULL;
	uint32_t		 count, elen;
	size_t			 i = 0;

	*evs = NULL;
	*n = 0;
	if (version < SPOOL_EVENT_VERSION_MIN || version > SPOOL_EVENT_VERSION)
		return -1;
	count = get_u32(&c);
	/* Each event takes at least its fixed part: no huge allocation. */
	if (c.bad || count > max_events ||
	    count > c.left / (4 + EVENT_FIXED_BYTES))
		goto bad;
	if (count > 0 && (out = calloc(count, sizeof(*out))) == NULL)
		goto bad;
	for (i = 0; i < count; i++) {
		elen = get_u32(&c);
		one.p = take(&c, elen);
		one.left = elen;
		one.bad = c.bad;
		if (c.bad || decode_one(&one, version, &out[i]) != 0) {
			i++;	/* its strings so far are freed too */
			goto bad;
		}
	}
	if (c.left != 0)
		goto bad;
	*evs = out;
	*n = count;
	return 0;
bad:
	spool_events_free(out, i);
	return -1;
}
