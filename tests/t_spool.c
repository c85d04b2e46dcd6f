/*
 * The spool (spool.c, spool_event.c): events encoded and decoded exactly,
 * version 1 payloads (built by hand) still read, garbage refused by the
 * decoder and the record check; appended records
 * read back in order and marked loaded; a torn tail and a flipped byte
 * detected, the bad record skipped, every intact record read, and the
 * segment set aside (also when the damage was found while its writer was
 * still writing); one loader at a time; spool_grown; the status.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"
#include "spool_event.h"
#include "tap.h"

static char	dir[64];

static void
fill(struct usage_event *ev, size_t i, int full)
{
	char	buf[64];
	int	f;

	memset(ev, 0, sizeof(*ev));
	ev->index = i;
	memset(ev->dedupe_key, (int)(i & 0xff), EVENT_KEY_LEN);
	ev->dedupe_key[0] = (unsigned char)(i >> 8);
	ev->received_us = 1700000000000000LL + (int64_t)i;
	ev->org_id = (uint32_t)(i % 3);	/* 0: unchecked */
	snprintf(buf, sizeof(buf), "id-%zu", i);
	ev->litellm_id = strdup(buf);
	if (!full)
		return;
	ev->has_token = 1;
	memset(ev->token_hash, 0xab, TOKEN_HASH_LEN);
	snprintf(ev->token_prefix, sizeof(ev->token_prefix), "ct_ab");
	ev->token_source = TOKEN_SOURCE_WEBHOOK_HEADER;
	ev->token_id = 7;
	ev->trace_id = strdup("trace");
	ev->call_type = strdup("acompletion");
	ev->model = strdup("gpt-4o");
	ev->model_group = strdup("");
	ev->provider = strdup("openai");
	ev->department = strdup("R&D \xc3\xa9");
	ev->team = strdup("t");
	ev->agent = strdup("a");
	ev->error_code = strdup("429");
	ev->error_class = strdup("RateLimitError");
	ev->deployment = strdup("0d269c5fe07a5557a589696fb76866e2");
	ev->api_host = strdup("[2001:db8::1]:8443");
	ev->key_alias = strdup("prod-app");
	ev->team_alias = strdup("ml \xc3\xa9quipe");
	ev->org_alias = strdup("acme");
	ev->price_key = strdup("claude-sonnet-4-20250514");
	ev->cache_hit = CACHE_HIT_YES;
	ev->status = EVENT_STATUS_FAILURE;
	ev->stream = 1;
	ev->cost_source = COST_SOURCE_OVERRIDE;
	ev->price_id = 3;
	ev->discount_id = 4;
	for (f = 0; f < EV__MAX; f += 2)
		usage_event_set(ev, (enum event_num)f, INT64_MAX - f);
	usage_event_set(ev, EV_TTFT_US, INT64_MIN);
}

/* Writes v little-endian at p. */
static void
le_at(unsigned char *p, uint32_t v)
{
	int	i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
same(const struct usage_event *a, const struct usage_event *b)
{
	int	f;

	if (a->index != b->index || a->has_token != b->has_token ||
	    memcmp(a->token_hash, b->token_hash, TOKEN_HASH_LEN) != 0 ||
	    strcmp(a->token_prefix, b->token_prefix) != 0 ||
	    a->token_source != b->token_source || a->org_id != b->org_id ||
	    a->token_id != b->token_id ||
	    memcmp(a->dedupe_key, b->dedupe_key, EVENT_KEY_LEN) != 0 ||
	    a->status != b->status || a->stream != b->stream ||
	    a->cost_source != b->cost_source || a->price_id != b->price_id ||
	    a->discount_id != b->discount_id || a->present != b->present ||
	    a->received_us != b->received_us || a->cache_hit != b->cache_hit)
		return 0;
	for (f = 0; f < EV__MAX; f++)
		if (EVENT_HAS(a, f) && a->num[f] != b->num[f])
			return 0;
	return same_str(a->litellm_id, b->litellm_id) &&
	    same_str(a->trace_id, b->trace_id) &&
	    same_str(a->call_type, b->call_type) &&
	    same_str(a->model, b->model) &&
	    same_str(a->model_group, b->model_group) &&
	    same_str(a->provider, b->provider) &&
	    same_str(a->department, b->department) &&
	    same_str(a->team, b->team) && same_str(a->agent, b->agent) &&
	    same_str(a->error_code, b->error_code) &&
	    same_str(a->error_class, b->error_class) &&
	    same_str(a->deployment, b->deployment) &&
	    same_str(a->api_host, b->api_host) &&
	    same_str(a->key_alias, b->key_alias) &&
	    same_str(a->team_alias, b->team_alias) &&
	    same_str(a->org_alias, b->org_alias) &&
	    same_str(a->price_key, b->price_key);
}

static void
test_encoding(void)
{
	struct usage_event	 ev[2], *pev[2] = { &ev[0], &ev[1] }, *out;
	struct spool_buf	 b;
	unsigned char		*copy;
	size_t			 n, len, cut, refused;
	int			 rc;

	fill(&ev[0], 1, 1);
	fill(&ev[1], 70000, 0);
	spool_buf_init(&b);
	ok(spool_event_encode(&b, pev, 2) == 0, "encode: two events");
	rc = spool_event_decode(b.p, b.len, SPOOL_EVENT_VERSION, 10, &out, &n);
	ok(rc == 0 && n == 2, "decode: two events");
	ok(rc == 0 && n == 2 && same(&out[0], &ev[0]), "decode: every field "
	    "of a full event, extreme numbers included");
	ok(rc == 0 && n == 2 && same(&out[1], &ev[1]), "decode: a bare event "
	    "(no token, NULL texts)");
	spool_events_free(out, n);

	ok(spool_event_decode(b.p, b.len, SPOOL_EVENT_VERSION + 1, 10, &out,
	    &n) == -1 && out == NULL && n == 0, "decode: another version refused");
	ok(spool_event_decode(b.p, b.len, SPOOL_EVENT_VERSION_MIN - 1, 10, &out,
	    &n) == -1 && out == NULL && n == 0, "decode: version 0 refused");
	ok(spool_event_decode(b.p, b.len, 1, 10, &out, &n) == -1 && out == NULL,
	    "decode: version 2 bytes are no version 1 payload");
	ok(spool_event_decode(b.p, b.len, SPOOL_EVENT_VERSION, 1, &out,
	    &n) == -1, "decode: more events than max_events refused");

	/* Every cut short of the whole payload is refused (ASan: no leak). */
	for (cut = 0, refused = 0; cut < b.len; cut++)
		if (spool_event_decode(b.p, cut, SPOOL_EVENT_VERSION, 10, &out,
		    &n) == -1 && out == NULL)
			refused++;
	is_int(refused, b.len, "decode: every truncation refused");

	/* Trailing bytes, a huge count, bad enums, flags, a NUL in text. */
	len = b.len;
	copy = malloc(len + 1);
	memcpy(copy, b.p, len);
	copy[len] = 0;
	ok(spool_event_decode(copy, len + 1, SPOOL_EVENT_VERSION, 10, &out,
	    &n) == -1, "decode: trailing byte refused");
	copy[0] = 0xff; copy[1] = 0xff; copy[2] = 0xff; copy[3] = 0x7f;
	ok(spool_event_decode(copy, len, SPOOL_EVENT_VERSION, SIZE_MAX, &out,
	    &n) == -1, "decode: a count beyond the bytes refused (no huge "
	    "allocation)");
	memcpy(copy, b.p, len);
	copy[8] = 0x80;		/* first event's flags */
	ok(spool_event_decode(copy, len, SPOOL_EVENT_VERSION, 10, &out,
	    &n) == -1, "decode: unknown flag refused");
	memcpy(copy, b.p, len);
	copy[9] = EVENT_STATUS__MAX;
	ok(spool_event_decode(copy, len, SPOOL_EVENT_VERSION, 10, &out,
	    &n) == -1, "decode: status out of range refused");
	memcpy(copy, b.p, len);
	copy[11] = COST_SOURCE__MAX;
	ok(spool_event_decode(copy, len, SPOOL_EVENT_VERSION, 10, &out,
	    &n) == -1, "decode: cost source out of range refused");
	memcpy(copy, b.p, len);
	/* "ct_ab" is the first text after the fixed part: NUL inside it. */
	copy[4 + 4 + 4 + 24 + 8 + TOKEN_HASH_LEN + EVENT_KEY_LEN + 2 + 1] = 0;
	ok(spool_event_decode(copy, len, SPOOL_EVENT_VERSION, 10, &out,
	    &n) == -1, "decode: NUL inside a text refused");
	free(copy);
	spool_buf_release(&b);

	/* Encoding refuses what it cannot write back exactly. */
	spool_buf_init(&b);
	free(ev[1].model);
	ev[1].model = malloc(SPOOL_STR_MAX + 2);
	memset(ev[1].model, 'm', SPOOL_STR_MAX + 1);
	ev[1].model[SPOOL_STR_MAX + 1] = '\0';
	ok(spool_event_encode(&b, pev, 2) == -1 && b.len == 0,
	    "encode: a text over SPOOL_STR_MAX refused, nothing left behind");
	ev[1].model[SPOOL_STR_MAX] = '\0';
	ok(spool_event_encode(&b, pev, 2) == 0, "encode: a text of "
	    "SPOOL_STR_MAX bytes");
	rc = spool_event_decode(b.p, b.len, SPOOL_EVENT_VERSION, 10, &out, &n);
	ok(rc == 0 && n == 2 && same(&out[1], &ev[1]), "decode: it comes back");
	spool_events_free(out, n);
	spool_buf_release(&b);
	usage_event_release(&ev[0]);
	usage_event_release(&ev[1]);
}

static void
put_le(unsigned char **p, uint64_t v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		*(*p)++ = (unsigned char)(v >> (8 * i));
}

static void
put_text(unsigned char **p, const char *s)
{
	if (s == NULL) {
		put_le(p, 0xffff, 2);
		return;
	}
	put_le(p, strlen(s), 2);
	memcpy(*p, s, strlen(s));
	*p += strlen(s);
}

/* The texts of the version 1 event below, in its order. */
static const char *const v1_texts[SPOOL_EVENT_STRS_V1] = {
	"id-v1", "trace-v1", "acompletion", "gpt-4o", NULL, "openai",
	"R&D", NULL, "bot", NULL, NULL,
};

/*
 * A payload of one event as the code before version 2 wrote it, byte by
 * byte from the version 1 layout (spool_event.h), not by the encoder;
 * present is its numbers' bits, each number 1000 + its bit.
 */
static size_t
v1_payload(unsigned char *buf, uint32_t present)
{
	unsigned char	*p = buf + 8;
	int		 i;

	*p++ = 0x03;				/* has_token, stream */
	*p++ = EVENT_STATUS_SUCCESS;
	*p++ = TOKEN_SOURCE_EVENT_HEADERS;
	*p++ = COST_SOURCE_LITELLM;
	put_le(&p, 5, 4);			/* index */
	put_le(&p, 2, 4);			/* org_id */
	put_le(&p, 9, 4);			/* token_id */
	put_le(&p, 0, 4);			/* price_id */
	put_le(&p, 0, 4);			/* discount_id */
	put_le(&p, present, 4);
	put_le(&p, 1700000000000000ULL, 8);	/* received_us */
	memset(p, 0xab, TOKEN_HASH_LEN);
	p += TOKEN_HASH_LEN;
	memset(p, 0x5a, EVENT_KEY_LEN);
	p += EVENT_KEY_LEN;
	put_text(&p, "trk_v1");
	for (i = 0; i < SPOOL_EVENT_STRS_V1; i++)
		put_text(&p, v1_texts[i]);
	for (i = 0; i < 32; i++)
		if ((present >> i) & 1u)
			put_le(&p, 1000 + (uint64_t)i, 8);
	p[0] = 0;	/* the byte after it, for "a byte longer" */
	le_at(buf, 1);
	le_at(buf + 4, (uint32_t)(p - buf - 8));
	return (size_t)(p - buf);
}

static void
test_version1(void)
{
	unsigned char		 buf[1024];
	uint32_t		 present = 1u << EV_PROMPT_TOKENS |
				    1u << EV_COMPLETION_TOKENS |
				    1u << EV_LITELLM_COST | 1u << EV_TTFT_US;
	struct usage_event	*out = NULL, *again = NULL, *pev;
	struct spool_buf	 b;
	size_t			 len, n = 0, m = 0;
	int			 rc, i, texts = 1;

	len = v1_payload(buf, present);
	rc = spool_event_decode(buf, len, 1, 10, &out, &n);
	ok(rc == 0 && n == 1, "version 1: a payload written before version 2 "
	    "decodes");
	if (rc != 0 || n != 1)
		return;
	ok(out[0].has_token && out[0].stream && out[0].index == 5 &&
	    out[0].org_id == 2 && out[0].token_id == 9 &&
	    out[0].status == EVENT_STATUS_SUCCESS &&
	    out[0].cost_source == COST_SOURCE_LITELLM &&
	    out[0].token_source == TOKEN_SOURCE_EVENT_HEADERS &&
	    out[0].received_us == 1700000000000000LL &&
	    out[0].token_hash[0] == 0xab && out[0].dedupe_key[15] == 0x5a &&
	    strcmp(out[0].token_prefix, "trk_v1") == 0,
	    "version 1: its fixed fields");
	for (i = 0; i < SPOOL_EVENT_STRS_V1; i++) {
		const char *const got[SPOOL_EVENT_STRS_V1] = {
			out[0].litellm_id, out[0].trace_id, out[0].call_type,
			out[0].model, out[0].model_group, out[0].provider,
			out[0].department, out[0].team, out[0].agent,
			out[0].error_code, out[0].error_class,
		};
		texts &= same_str(got[i], v1_texts[i]);
	}
	ok(texts, "version 1: its 11 texts");
	ok(out[0].present == present && out[0].num[EV_PROMPT_TOKENS] == 1000 &&
	    out[0].num[EV_COMPLETION_TOKENS] == 1001 &&
	    out[0].num[EV_LITELLM_COST] == 1000 + EV_LITELLM_COST &&
	    out[0].num[EV_TTFT_US] == 1000 + EV_TTFT_US,
	    "version 1: its numbers");
	ok(out[0].deployment == NULL && out[0].api_host == NULL &&
	    out[0].key_alias == NULL && out[0].team_alias == NULL &&
	    out[0].org_alias == NULL && out[0].price_key == NULL &&
	    out[0].cache_hit == CACHE_HIT_UNKNOWN &&
	    !EVENT_HAS(&out[0], EV_SAVED_CACHE_COST) &&
	    !EVENT_HAS(&out[0], EV_CB_INPUT_COST),
	    "version 1: the fields version 2 added are absent");

	/* Written again, it is a version 2 payload of the same event. */
	spool_buf_init(&b);
	pev = &out[0];
	rc = spool_event_encode(&b, &pev, 1);
	ok(rc == 0 && spool_event_decode(b.p, b.len, SPOOL_EVENT_VERSION, 10,
	    &again, &m) == 0 && m == 1 && same(&again[0], &out[0]),
	    "version 1 event encoded again as version 2: the same event");
	spool_events_free(again, m);
	spool_buf_release(&b);
	spool_events_free(out, n);

	ok(spool_event_decode(buf, len, 2, 10, &out, &n) == -1 && out == NULL,
	    "version 1 bytes are no version 2 payload");
	len = v1_payload(buf, present | 1u << EV_SAVED_CACHE_COST);
	ok(spool_event_decode(buf, len, 1, 10, &out, &n) == -1 && out == NULL,
	    "version 1: a number it did not have refused");
	len = v1_payload(buf, present);
	ok(spool_event_decode(buf, len - 1, 1, 10, &out, &n) == -1 &&
	    spool_event_decode(buf, len + 1, 1, 10, &out, &n) == -1,
	    "version 1: cut short or a byte longer refused");
}

static void
test_record_check(void)
{
	struct spool_buf	b;
	unsigned char		payload[100];
	size_t			total, i, bad;

	memset(payload, 'x', sizeof(payload));
	spool_buf_init(&b);
	ok(spool_record_build(&b, payload, sizeof(payload), 1, 5) == 0,
	    "record: built");
	ok(spool_record_check(b.p, b.len, &total) == 1 &&
	    total == SPOOL_REC_HEADER_BYTES + sizeof(payload), "record: intact");
	ok(spool_record_check(b.p, b.len - 1, &total) == 0,
	    "record: one byte short is incomplete");
	for (i = 0, bad = 0; i < b.len; i++) {
		b.p[i] ^= 0x01;
		if (spool_record_check(b.p, b.len, &total) != 1)
			bad++;
		b.p[i] ^= 0x01;
	}
	is_int(bad, b.len, "record: every flipped bit detected");
	ok(spool_record_check((const unsigned char *)"garbage!", 8, &total) ==
	    -1, "record: garbage is not a record");
	spool_buf_release(&b);
}

/* Appends events [from, from + n) in one call. */
static int
append(struct spool_writer *w, size_t from, size_t n)
{
	struct usage_event	*ev = calloc(n, sizeof(*ev));
	struct usage_event	**p = calloc(n, sizeof(*p));
	struct llmops_err	 err;
	size_t			 i;
	int			 rc;

	for (i = 0; i < n; i++) {
		fill(&ev[i], from + i, i % 2);
		p[i] = &ev[i];
	}
	memset(&err, 0, sizeof(err));
	rc = spool_append(w, p, n, 1700000000000000LL + (int64_t)from, &err);
	if (rc != 0)
		tap_diag("append: %s", err.msg);
	for (i = 0; i < n; i++)
		usage_event_release(&ev[i]);
	free(ev);
	free(p);
	return rc;
}

/*
 * Reads everything pending with a fresh lock: how many events, whether
 * their indices are the expected sequence (want[] of nwant), and marks
 * them done. -1 on failure.
 */
static long
drain(const size_t *want, size_t nwant, struct spool_damage *dmg)
{
	struct spool_reader	 r;
	struct spool_chunk	 c;
	struct llmops_err	 err;
	size_t			 got = 0, i;
	int			 inorder = 1;
	long			 rc = -1;

	spool_reader_init(&r);
	spool_chunk_init(&c);
	if (spool_lock(&r, dir, 0, &err) != 0)
		goto out;
	for (;;) {
		if (spool_read(&r, &c, 100, &err) != 0)
			goto out;
		for (i = 0; i < c.nev; i++, got++)
			if (want != NULL && (got >= nwant ||
			    c.ev[i].index != want[got]))
				inorder = 0;
		/* Also when nothing was read: finished segments go. */
		if (spool_done(&r, &c, &err) != 0)
			goto out;
		if (c.nev == 0)
			break;
	}
	if (dmg != NULL)
		*dmg = r.damage;
	rc = inorder ? (long)got : -2;
out:
	if (rc == -1)
		tap_diag("drain: %s", err.msg);
	spool_chunk_release(&c);
	spool_reader_release(&r);
	return rc;
}

static size_t
count_files(const char *sub)
{
	char	cmd[256], buf[32];
	FILE	*p;
	size_t	 n = 0;

	snprintf(cmd, sizeof(cmd), "ls %s/%s 2>/dev/null | grep -c spool", dir,
	    sub);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fgets(buf, sizeof(buf), p) != NULL)
			n = strtoul(buf, NULL, 10);
		pclose(p);
	}
	return n;
}

/* The name of the only segment in dir. */
static int
only_segment(char *path, size_t sz)
{
	char	cmd[256];
	FILE	*p;
	int	 ok_ = 0;

	snprintf(cmd, sizeof(cmd), "ls %s/seg-*.spool", dir);
	if ((p = popen(cmd, "r")) != NULL) {
		ok_ = fgets(path, (int)sz, p) != NULL;
		pclose(p);
	}
	path[strcspn(path, "\n")] = '\0';
	return ok_;
}

static void
test_append_read(void)
{
	struct spool_writer	w;
	struct spool_status	st;
	struct spool_reader	r, r2;
	struct llmops_err	err;
	size_t			want[700], i;

	spool_writer_init(&w, dir, SPOOL_SEGMENT_BYTES_DEFAULT);
	ok(append(&w, 0, 3) == 0, "append: 3 events");
	ok(append(&w, 3, 600) == 0, "append: 600 events (two records)");
	ok(spool_status(dir, &st, &err) == 0 && st.segments == 1 &&
	    st.active == 1 && st.pending_events == 603 &&
	    st.oldest_us == 1700000000000000LL && st.set_aside == 0,
	    "status: one active segment, 603 events pending since the first "
	    "append");

	/* One loader at a time. */
	spool_reader_init(&r);
	spool_reader_init(&r2);
	ok(spool_lock(&r, dir, 0, &err) == 0, "lock: taken");
	ok(spool_lock(&r2, dir, 30, &err) == 1, "lock: a second loader waits "
	    "a bounded time and gives up");
	spool_reader_release(&r);
	spool_reader_release(&r2);

	for (i = 0; i < 603; i++)
		want[i] = i;
	is_int(drain(want, 603, NULL), 603, "read: all 603 events, in order");
	ok(spool_status(dir, &st, &err) == 0 && st.pending_events == 0 &&
	    st.pending_bytes == 0 && st.oldest_us == 0 && st.segments == 1,
	    "status: nothing pending; the live writer's segment stays");
	is_int(drain(NULL, 0, NULL), 0, "read: marked loaded, nothing comes "
	    "back");

	/* spool_grown: a record appended after the lock was released. */
	spool_reader_init(&r);
	spool_lock(&r, dir, 0, &err);
	spool_unlock(&r);
	ok(!spool_grown(&r, dir), "grown: nothing new");
	ok(append(&w, 603, 2) == 0, "append: 2 more");
	ok(spool_grown(&r, dir), "grown: the new record is seen");
	spool_reader_release(&r);
	want[0] = 603;
	want[1] = 604;
	is_int(drain(want, 2, NULL), 2, "read: the 2 new ones only");

	spool_writer_seal(&w);
	is_int(drain(NULL, 0, NULL), 0, "read: a sealed, loaded segment");
	ok(spool_status(dir, &st, &err) == 0 && st.segments == 0,
	    "done: the sealed segment read to its end is removed");
	ok(append(&w, 605, 1) == 0 && count_files(".") == 1,
	    "append after seal: a new segment");
	spool_writer_release(&w);
	want[0] = 605;
	is_int(drain(want, 1, NULL), 1, "read: another writer's segment");
	ok(count_files(".") == 0, "done: removed");
}

static void
test_damage(void)
{
	struct spool_writer	w;
	struct spool_status	st;
	struct spool_damage	dmg;
	struct llmops_err	err;
	struct stat		sb;
	char			path[512];
	size_t			want[8];
	off_t			mid;
	int			fd;
	unsigned char		c;

	/* Torn tail: the last record cut in the middle. */
	spool_writer_init(&w, dir, SPOOL_SEGMENT_BYTES_DEFAULT);
	append(&w, 0, 1);
	append(&w, 1, 1);
	append(&w, 2, 1);
	spool_writer_release(&w);
	ok(only_segment(path, sizeof(path)) && stat(path, &sb) == 0,
	    "torn: a segment");
	ok(truncate(path, sb.st_size - 20) == 0, "torn: cut 20 bytes short");
	want[0] = 0;
	want[1] = 1;
	memset(&dmg, 0, sizeof(dmg));
	is_int(drain(want, 2, &dmg), 2, "torn: the two intact records read");
	is_int(dmg.bad_records, 1, "torn: one bad record");
	is_int(dmg.set_aside_files, 1, "torn: segment set aside");
	ok(spool_status(dir, &st, &err) == 0 && st.segments == 0 &&
	    st.set_aside == 1, "torn: status reports 1 set-aside file");

	/* A flipped byte in the middle record of three. */
	spool_writer_init(&w, dir, SPOOL_SEGMENT_BYTES_DEFAULT);
	append(&w, 10, 1);
	mid = (off_t)w.size + SPOOL_REC_HEADER_BYTES + 10;
	append(&w, 11, 1);
	append(&w, 12, 1);
	spool_writer_release(&w);
	only_segment(path, sizeof(path));
	fd = open(path, O_RDWR);
	ok(fd >= 0 && pread(fd, &c, 1, mid) == 1, "flip: read a byte");
	c ^= 0x40;
	ok(pwrite(fd, &c, 1, mid) == 1, "flip: flipped a payload byte of the "
	    "second record");
	close(fd);
	want[0] = 10;
	want[1] = 12;
	memset(&dmg, 0, sizeof(dmg));
	is_int(drain(want, 2, &dmg), 2, "flip: records 1 and 3 read, 2 "
	    "skipped");
	ok(dmg.bad_records == 1 && dmg.set_aside_files == 1,
	    "flip: one bad record, segment set aside");
	ok(spool_status(dir, &st, &err) == 0 && st.set_aside == 2,
	    "flip: 2 set-aside files");

	/* Damage found while the writer still writes: set aside later. */
	spool_writer_init(&w, dir, SPOOL_SEGMENT_BYTES_DEFAULT);
	append(&w, 20, 1);
	mid = (off_t)w.size + 2;	/* the second record's magic */
	append(&w, 21, 1);
	append(&w, 22, 1);
	only_segment(path, sizeof(path));
	fd = open(path, O_RDWR);
	c = 0;
	ok(fd >= 0 && pwrite(fd, &c, 1, mid) == 1, "live: broke a header");
	close(fd);
	want[0] = 20;
	want[1] = 22;
	is_int(drain(want, 2, NULL), 2, "live: intact records read");
	ok(count_files(".") == 1, "live: segment kept while written");
	append(&w, 23, 1);
	spool_writer_release(&w);
	want[0] = 23;
	is_int(drain(want, 1, NULL), 1, "live: the next record read after "
	    "the writer closed");
	ok(count_files(".") == 0 && count_files(SPOOL_SET_ASIDE_DIR) == 3,
	    "live: the segment was set aside, not removed");
}

/* A full disk (here: the file size limit, EFBIG): 503, nothing torn. */
static void
test_full_disk(void)
{
	struct spool_writer	 w;
	struct spool_damage	 dmg;
	struct usage_event	 ev[50], *p[50];
	struct llmops_err	 err;
	struct rlimit		 old, rl;
	size_t			 want[2], i, aside = count_files(SPOOL_SET_ASIDE_DIR);
	int			 rc;

	signal(SIGXFSZ, SIG_IGN);
	spool_writer_init(&w, dir, SPOOL_SEGMENT_BYTES_DEFAULT);
	ok(append(&w, 30, 1) == 0, "full: one event appended");
	for (i = 0; i < 50; i++) {
		fill(&ev[i], 100 + i, 1);
		p[i] = &ev[i];
	}
	getrlimit(RLIMIT_FSIZE, &old);
	rl = old;
	rl.rlim_cur = (rlim_t)w.size + 100;
	setrlimit(RLIMIT_FSIZE, &rl);
	memset(&err, 0, sizeof(err));
	rc = spool_append(&w, p, 50, 1700000000000000LL, &err);
	setrlimit(RLIMIT_FSIZE, &old);
	ok(rc == -1 && err.status == 503, "full: the append fails with 503");
	for (i = 0; i < 50; i++)
		usage_event_release(&ev[i]);
	ok(append(&w, 31, 1) == 0, "full: space back, appends work again");
	spool_writer_release(&w);
	want[0] = 30;
	want[1] = 31;
	memset(&dmg, 0, sizeof(dmg));
	is_int(drain(want, 2, &dmg), 2, "full: what was acknowledged is read, "
	    "nothing of the failed append");
	ok(dmg.bad_records == 0 && count_files(SPOOL_SET_ASIDE_DIR) == aside,
	    "full: no torn record left behind, nothing set aside");
}

static void
test_check_dir(void)
{
	struct llmops_err	err;
	char			sub[128];

	ok(spool_check_dir(dir, &err) == 0, "check_dir: ours is fine");
	ok(spool_check_dir("relative", &err) == -1, "check_dir: relative "
	    "refused");
	snprintf(sub, sizeof(sub), "%s/nope", dir);
	ok(spool_check_dir(sub, &err) == -1 && strstr(err.msg, "install -d"),
	    "check_dir: missing, says how to create it");
	mkdir(sub, 0777);
	chmod(sub, 0777);
	ok(spool_check_dir(sub, &err) == -1 && strstr(err.msg, "chmod"),
	    "check_dir: world-writable refused");
	rmdir(sub);
}

int
main(void)
{
	char	cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/t_spool.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_encoding();
	test_version1();
	test_record_check();
	test_append_read();
	test_damage();
	test_full_disk();
	test_check_dir();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_diag("cannot remove %s", dir);
	return tap_done();
}
