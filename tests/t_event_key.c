/*
 * Dedupe and rollup keys of reduced events, and the time an event is
 * counted at. Events are built by hand; each check changes one field of
 * a base event and compares keys.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "event_key.h"
#include "timefmt.h"
#include "tap.h"

#define US	TIME_US_PER_SEC
/* 2026-11-27T07:43:53.123456Z: 20784 days after the epoch. */
#define T_START	((20784LL * 86400 + 7 * 3600 + 43 * 60 + 53) * US + 123456)
#define T_END	(T_START + 79816)

#define KEY_MAX	(EVENT_KEY_LEN > ROLLUP_KEY_LEN ? EVENT_KEY_LEN : ROLLUP_KEY_LEN)

/* strdup that may be given NULL. */
static char *
str_or_null(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

static void
base_event(struct usage_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->index = 3;
	ev->litellm_id = str_or_null("chatcmpl-abc123");
	ev->trace_id = str_or_null("4f1c-trace");
	ev->call_type = str_or_null("acompletion");
	ev->model = str_or_null("gpt-4o-mini");
	ev->model_group = str_or_null("gpt-4o-mini");
	ev->provider = str_or_null("openai");
	ev->department = str_or_null("R&D");
	ev->team = str_or_null("core");
	ev->agent = str_or_null("support-bot");
	ev->status = EVENT_STATUS_SUCCESS;
	usage_event_set(ev, EV_START_US, T_START);
	usage_event_set(ev, EV_END_US, T_END);
	usage_event_set(ev, EV_PROMPT_TOKENS, 120);
	usage_event_set(ev, EV_COMPLETION_TOKENS, 30);
	usage_event_set(ev, EV_TOTAL_TOKENS, 150);
	usage_event_set(ev, EV_LITELLM_COST, 960000000);
	usage_event_set(ev, EV_LATENCY_US, 79816);
	ev->received_us = T_END + 5 * US;
}

/* Replaces one owned string field. */
static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = str_or_null(v);
}

static int
dedupe(struct usage_event *ev, unsigned char out[EVENT_KEY_LEN])
{
	int	rc;

	rc = event_key_dedupe(ev);
	memcpy(out, ev->dedupe_key, EVENT_KEY_LEN);
	return rc;
}

/* One change to the base event per value. */
enum edit {
	ED_NONE,
	ED_ID, ED_ID_NULL, ED_TRACE, ED_TRACE_NULL, ED_CALL_TYPE,
	ED_MODEL, ED_MODEL_NULL, ED_MODEL_GROUP, ED_PROVIDER, ED_PROVIDER_NULL,
	ED_FAILURE, ED_UNKNOWN,
	ED_START, ED_END, ED_NO_START, ED_NO_END, ED_SWAP_TIMES,
	ED_START_AS_END, ED_TIMES_WEEK_LATER,
	ED_DEPT, ED_DEPT_NULL, ED_DEPT_NULLSTR, ED_TEAM, ED_TEAM_NULL,
	ED_AGENT, ED_AGENT_NULL,
	ED_COUNTS, ED_COST, ED_NO_COST, ED_RECEIVED, ED_INDEX, ED_STREAM,
	ED_ERRORS, ED_TOKEN,
};

static void
edit(struct usage_event *e, enum edit what)
{
	int64_t	t;

	switch (what) {
	case ED_NONE:
		break;
	case ED_ID:
		set_str(&e->litellm_id, "chatcmpl-abc124");
		break;
	case ED_ID_NULL:
		set_str(&e->litellm_id, NULL);
		break;
	case ED_TRACE:
		set_str(&e->trace_id, "4f1c-trace2");
		break;
	case ED_TRACE_NULL:
		set_str(&e->trace_id, NULL);
		break;
	case ED_CALL_TYPE:
		set_str(&e->call_type, "completion");
		break;
	case ED_MODEL:
		set_str(&e->model, "gpt-4o");
		break;
	case ED_MODEL_NULL:
		set_str(&e->model, NULL);
		break;
	case ED_MODEL_GROUP:
		set_str(&e->model_group, "other");
		break;
	case ED_PROVIDER:
		set_str(&e->provider, "azure");
		break;
	case ED_PROVIDER_NULL:
		set_str(&e->provider, NULL);
		break;
	case ED_FAILURE:
		e->status = EVENT_STATUS_FAILURE;
		break;
	case ED_UNKNOWN:
		e->status = EVENT_STATUS_UNKNOWN;
		break;
	case ED_START:
		e->num[EV_START_US]++;
		break;
	case ED_END:
		e->num[EV_END_US]--;
		break;
	case ED_NO_START:
		e->present &= ~(1u << EV_START_US);
		break;
	case ED_NO_END:
		e->present &= ~(1u << EV_END_US);
		break;
	case ED_SWAP_TIMES:
		t = e->num[EV_START_US];
		e->num[EV_START_US] = e->num[EV_END_US];
		e->num[EV_END_US] = t;
		break;
	case ED_START_AS_END:
		/* Presence is part of the key, not only the values. */
		e->present &= ~(1u << EV_START_US);
		e->num[EV_END_US] = T_START;
		break;
	case ED_TIMES_WEEK_LATER:
		e->num[EV_START_US] += 7 * 86400 * US;
		e->num[EV_END_US] += 7 * 86400 * US;
		break;
	case ED_DEPT:
		set_str(&e->department, "Finance");
		break;
	case ED_DEPT_NULL:
		set_str(&e->department, NULL);
		break;
	case ED_DEPT_NULLSTR:
		set_str(&e->department, "(null)");
		break;
	case ED_TEAM:
		set_str(&e->team, "edge");
		break;
	case ED_TEAM_NULL:
		set_str(&e->team, NULL);
		break;
	case ED_AGENT:
		set_str(&e->agent, "sales-bot");
		break;
	case ED_AGENT_NULL:
		set_str(&e->agent, NULL);
		break;
	case ED_COUNTS:
		usage_event_set(e, EV_PROMPT_TOKENS, 1);
		usage_event_set(e, EV_COMPLETION_TOKENS, 2);
		usage_event_set(e, EV_TOTAL_TOKENS, 3);
		usage_event_set(e, EV_CACHE_READ_TOKENS, 4);
		usage_event_set(e, EV_CACHE_WRITE_TOKENS, 5);
		usage_event_set(e, EV_TTFT_US, 6);
		usage_event_set(e, EV_LATENCY_US, 7);
		break;
	case ED_COST:
		e->num[EV_LITELLM_COST] = 17245500000LL;
		break;
	case ED_NO_COST:
		e->present &= ~(1u << EV_LITELLM_COST);
		break;
	case ED_RECEIVED:
		e->received_us += 3600 * US;
		break;
	case ED_INDEX:
		e->index = 99;
		break;
	case ED_STREAM:
		e->stream = 1;
		break;
	case ED_ERRORS:
		set_str(&e->error_code, "429");
		set_str(&e->error_class, "RateLimitError");
		break;
	case ED_TOKEN:
		e->has_token = 1;
		memset(e->token_hash, 0xab, sizeof(e->token_hash));
		memcpy(e->token_prefix, "trk_abcd", 9);
		e->token_source = TOKEN_SOURCE_WEBHOOK_HEADER;
		e->org_id = 7;
		e->token_id = 9;
		break;
	}
}

struct edit_case {
	enum edit	 what;
	int		 same;		/* key expected unchanged */
	const char	*name;
};

/* Compares the dedupe or rollup key of the base event before and after each edit. */
static void
keys_after(const struct edit_case *cases, size_t n, int rollup)
{
	struct usage_event	a, b;
	unsigned char		ka[KEY_MAX], kb[KEY_MAX];
	const char		*kind = rollup ? "rollup" : "dedupe";
	size_t			i, len = rollup ? ROLLUP_KEY_LEN : EVENT_KEY_LEN;
	int			rc;

	for (i = 0; i < n; i++) {
		base_event(&a);
		base_event(&b);
		edit(&b, cases[i].what);
		if (rollup)
			rc = event_key_rollup(&a, ka) | event_key_rollup(&b, kb);
		else
			rc = dedupe(&a, ka) | dedupe(&b, kb);
		is_int(rc, 0, "%s %s: keys computed", kind, cases[i].name);
		if (cases[i].same)
			ok(memcmp(ka, kb, len) == 0,
			    "%s %s: key unchanged", kind, cases[i].name);
		else
			ok(memcmp(ka, kb, len) != 0,
			    "%s %s: key changes", kind, cases[i].name);
		usage_event_release(&a);
		usage_event_release(&b);
	}
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct edit_case dedupe_cases[] = {
	{ ED_NONE, 1, "separately built equal event" },
	/* Identity: each of these changes the key. */
	{ ED_ID, 0, "litellm_id changed" },
	{ ED_ID_NULL, 0, "litellm_id absent" },
	{ ED_TRACE, 0, "trace_id changed" },
	{ ED_TRACE_NULL, 0, "trace_id absent" },
	{ ED_CALL_TYPE, 0, "call_type changed" },
	{ ED_MODEL, 0, "model changed" },
	{ ED_MODEL_NULL, 0, "model absent" },
	{ ED_FAILURE, 0, "status success -> failure" },
	{ ED_UNKNOWN, 0, "status success -> unknown" },
	{ ED_START, 0, "start time + 1 us" },
	{ ED_END, 0, "end time - 1 us" },
	{ ED_NO_START, 0, "start time absent" },
	{ ED_NO_END, 0, "end time absent" },
	{ ED_SWAP_TIMES, 0, "start and end swapped" },
	{ ED_START_AS_END, 0, "start absent, end = old start" },
	{ ED_TIMES_WEEK_LATER, 0, "start and end a week later" },
	/* Description, not identity: the key stays. */
	{ ED_DEPT, 1, "department changed" },
	{ ED_DEPT_NULL, 1, "department absent" },
	{ ED_TEAM, 1, "team changed" },
	{ ED_AGENT, 1, "agent changed" },
	{ ED_COUNTS, 1, "token counts and durations changed" },
	{ ED_COST, 1, "cost changed" },
	{ ED_NO_COST, 1, "cost absent" },
	{ ED_MODEL_GROUP, 1, "model_group changed" },
	{ ED_PROVIDER, 1, "provider changed" },
	{ ED_ERRORS, 1, "error code and class set" },
	{ ED_RECEIVED, 1, "received time changed" },
	{ ED_INDEX, 1, "position in the batch changed" },
	{ ED_STREAM, 1, "stream flag changed" },
	{ ED_TOKEN, 1, "token attribution set" },
};

static const struct edit_case rollup_cases[] = {
	{ ED_NONE, 1, "separately built equal event" },
	/* The rollup's dimensions. */
	{ ED_DEPT, 0, "department changed" },
	{ ED_DEPT_NULL, 0, "department absent" },
	{ ED_DEPT_NULLSTR, 0, "department \"(null)\"" },
	{ ED_TEAM, 0, "team changed" },
	{ ED_TEAM_NULL, 0, "team absent" },
	{ ED_AGENT, 0, "agent changed" },
	{ ED_AGENT_NULL, 0, "agent absent" },
	{ ED_MODEL, 0, "model changed" },
	{ ED_MODEL_NULL, 0, "model absent" },
	{ ED_PROVIDER, 0, "provider changed" },
	{ ED_PROVIDER_NULL, 0, "provider absent" },
	{ ED_FAILURE, 0, "status success -> failure" },
	{ ED_UNKNOWN, 0, "status success -> unknown" },
	/* Failures are counted by error class and code (schema 5). */
	{ ED_ERRORS, 0, "error code and class set" },
	/* Not dimensions. */
	{ ED_TIMES_WEEK_LATER, 1, "start and end a week later" },
	{ ED_NO_START, 1, "start absent" },
	{ ED_COUNTS, 1, "token counts changed" },
	{ ED_COST, 1, "cost changed" },
	{ ED_ID, 1, "litellm_id changed" },
	{ ED_TRACE, 1, "trace_id changed" },
	{ ED_CALL_TYPE, 1, "call_type changed" },
	{ ED_MODEL_GROUP, 1, "model_group changed" },
	{ ED_RECEIVED, 1, "received time changed" },
	{ ED_TOKEN, 1, "token attribution set" },
};

static void
test_dedupe(void)
{
	struct usage_event	a;
	unsigned char		k1[EVENT_KEY_LEN], k2[EVENT_KEY_LEN];
	static const unsigned char zero[EVENT_KEY_LEN];

	base_event(&a);
	is_int(dedupe(&a, k1), 0, "dedupe: computed");
	is_int(dedupe(&a, k2), 0, "dedupe: computed again");
	ok(memcmp(k1, k2, EVENT_KEY_LEN) == 0, "dedupe: same event, same key");
	ok(memcmp(k1, zero, EVENT_KEY_LEN) != 0, "dedupe: key is not all zero");
	usage_event_release(&a);

	keys_after(dedupe_cases, NELEM(dedupe_cases), 0);
}

/* Two events differing only in how id and trace split "ab". */
static void
test_framing(void)
{
	struct usage_event	a, b;
	unsigned char		ka[EVENT_KEY_LEN], kb[EVENT_KEY_LEN];
	unsigned char		ra[ROLLUP_KEY_LEN], rb[ROLLUP_KEY_LEN];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.litellm_id = str_or_null("ab");
	b.litellm_id = str_or_null("a");
	b.trace_id = str_or_null("b");
	dedupe(&a, ka);
	dedupe(&b, kb);
	ok(memcmp(ka, kb, EVENT_KEY_LEN) != 0,
	    "dedupe: id \"ab\" + trace NULL differs from id \"a\" + trace \"b\"");
	set_str(&a.trace_id, "");
	dedupe(&a, ka);
	ok(memcmp(ka, kb, EVENT_KEY_LEN) != 0,
	    "dedupe: id \"ab\" + trace \"\" differs from id \"a\" + trace \"b\"");
	set_str(&b.litellm_id, "ab");
	set_str(&b.trace_id, NULL);
	dedupe(&b, kb);
	ok(memcmp(ka, kb, EVENT_KEY_LEN) != 0,
	    "dedupe: trace \"\" differs from trace NULL");
	/* The string moved from one field to the next. */
	set_str(&a.trace_id, NULL);
	set_str(&a.litellm_id, NULL);
	set_str(&a.trace_id, "ab");
	dedupe(&a, ka);
	ok(memcmp(ka, kb, EVENT_KEY_LEN) != 0,
	    "dedupe: \"ab\" as trace differs from \"ab\" as id");
	usage_event_release(&a);
	usage_event_release(&b);

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.department = str_or_null("ab");
	b.department = str_or_null("a");
	b.team = str_or_null("b");
	event_key_rollup(&a, ra);
	event_key_rollup(&b, rb);
	ok(memcmp(ra, rb, ROLLUP_KEY_LEN) != 0,
	    "rollup: department \"ab\" differs from department \"a\" + team \"b\"");
	set_str(&b.department, NULL);
	set_str(&b.team, "ab");
	event_key_rollup(&b, rb);
	ok(memcmp(ra, rb, ROLLUP_KEY_LEN) != 0,
	    "rollup: \"ab\" as team differs from \"ab\" as department");
	usage_event_release(&a);
	usage_event_release(&b);
}

static void
rollup_dept(const char *x, const char *y, const char *name)
{
	struct usage_event	a, b;
	unsigned char		ka[ROLLUP_KEY_LEN], kb[ROLLUP_KEY_LEN];

	base_event(&a);
	base_event(&b);
	set_str(&a.department, x);
	set_str(&b.department, y);
	event_key_rollup(&a, ka);
	event_key_rollup(&b, kb);
	ok(memcmp(ka, kb, ROLLUP_KEY_LEN) != 0, "rollup: %s", name);
	usage_event_release(&a);
	usage_event_release(&b);
}

static void
test_rollup(void)
{
	keys_after(rollup_cases, NELEM(rollup_cases), 1);

	rollup_dept(NULL, "(null)", "NULL department differs from \"(null)\"");
	rollup_dept(NULL, "NULL", "NULL department differs from \"NULL\"");
	rollup_dept(NULL, "", "NULL department differs from \"\"");
	rollup_dept(NULL, "null", "NULL department differs from \"null\"");
	rollup_dept(NULL, "-", "NULL department differs from \"-\"");
	rollup_dept("", "(null)", "\"\" department differs from \"(null)\"");
	rollup_dept("R&D", "r&d", "department comparison is case-sensitive");

	{
		struct usage_event	a, b;
		unsigned char		ka[ROLLUP_KEY_LEN], kb[ROLLUP_KEY_LEN];

		/* Dedupe and rollup keys are different hashes of one event. */
		base_event(&a);
		event_key_dedupe(&a);
		event_key_rollup(&a, ka);
		ok(memcmp(a.dedupe_key, ka, ROLLUP_KEY_LEN) != 0,
		    "rollup key differs from the dedupe key");
		usage_event_release(&a);
		/* All-NULL events still get keys, and equal ones. */
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		is_int(event_key_rollup(&a, ka), 0, "rollup of an empty event");
		event_key_rollup(&b, kb);
		ok(memcmp(ka, kb, ROLLUP_KEY_LEN) == 0,
		    "two empty events share a rollup key");
		is_int(event_key_dedupe(&a), 0, "dedupe of an empty event");
		usage_event_release(&a);
		usage_event_release(&b);
	}
}

static void
test_time(void)
{
	struct usage_event	ev;
	int64_t			hour;

	/* 07:00:00.000000 of the same day as T_START. */
	hour = (20784LL * 86400 + 7 * 3600) * US;

	base_event(&ev);
	is_int(usage_event_time(&ev), T_START, "time: start when present");
	is_int(usage_event_hour(&ev), hour, "hour: 07:43:53.123456 -> 07:00");
	ev.present &= ~(1u << EV_START_US);
	is_int(usage_event_time(&ev), T_END, "time: end when start is absent");
	ev.present &= ~(1u << EV_END_US);
	is_int(usage_event_time(&ev), T_END + 5 * US,
	    "time: received when start and end are absent");
	/* A present zero start is a start, not a missing one. */
	usage_event_set(&ev, EV_START_US, 0);
	is_int(usage_event_time(&ev), 0, "time: a start of 0 is used");
	is_int(usage_event_hour(&ev), 0, "hour: the epoch is hour 0");
	/* Values in num[] without the present bit are ignored. */
	ev.present = 0;
	ev.num[EV_START_US] = 1;
	ev.num[EV_END_US] = 2;
	ev.received_us = hour + 3600 * US;
	is_int(usage_event_time(&ev), hour + 3600 * US,
	    "time: num[] without the present bit is ignored");
	is_int(usage_event_hour(&ev), hour + 3600 * US,
	    "hour: exactly on the hour stays");
	ev.received_us = hour + 3600 * US - 1;
	is_int(usage_event_hour(&ev), hour,
	    "hour: 1 us before the hour belongs to the previous hour");
	ev.received_us = hour + 1;
	is_int(usage_event_hour(&ev), hour, "hour: 1 us after the hour");
	usage_event_release(&ev);

	/* usage_event_set records presence. */
	memset(&ev, 0, sizeof(ev));
	ok(!EVENT_HAS(&ev, EV_LITELLM_COST), "EVENT_HAS: cost absent at first");
	usage_event_set(&ev, EV_LITELLM_COST, 0);
	ok(EVENT_HAS(&ev, EV_LITELLM_COST), "EVENT_HAS: cost present after set, even 0");
	ok(!EVENT_HAS(&ev, EV_PROMPT_TOKENS), "EVENT_HAS: other fields untouched");
	is_int(ev.num[EV_LITELLM_COST], 0, "usage_event_set stores the value");
}

int
main(void)
{
	test_dedupe();
	test_framing();
	test_rollup();
	test_time();
	return tap_done();
}
