/*
 * The events of one POST (event_batch.c): slots added zeroed however far
 * the array grows, the last one dropped with what it owns, an allocation
 * failure that leaves the batch as it was, rejections counted per reason
 * with only the first LIMIT_LOGGED_REJECTIONS explained (ids and reasons
 * cut to their buffers), and a release that frees everything and leaves
 * an empty batch ready for reuse (ASan checks the frees and the leaks).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event_batch.h"
#include "tap.h"

/*
 * reallocarray, interposed: fails when fail_allocs says so. The library
 * is linked statically into this program, so its calls come here.
 */
static int	fail_allocs;

void *
reallocarray(void *p, size_t n, size_t size)
{
	if (fail_allocs || (size != 0 && n > SIZE_MAX / size)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

static int
all_zero(const void *p, size_t n)
{
	const unsigned char	*c = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return 0;
	return 1;
}

static void
test_add(void)
{
	struct event_batch	 b;
	struct usage_event	*ev;
	size_t			 i;
	int			 zeroed = 1, kept = 1;

	memset(&b, 0xa5, sizeof(b));
	event_batch_init(&b);
	ok(all_zero(&b, sizeof(b)), "init: everything zero");

	for (i = 0; i < 100; i++) {
		if ((ev = event_batch_add(&b)) == NULL)
			break;
		if (!all_zero(ev, sizeof(*ev)))
			zeroed = 0;
		ev->index = i;
		ev->model = strdup("gpt-4o");
		ev->agent = i % 2 ? strdup("agent") : NULL;
	}
	is_int(b.nevents, 100, "100 events added (past the first allocation)");
	ok(b.cap >= b.nevents, "the capacity covers them");
	ok(zeroed, "every new slot is zeroed");
	for (i = 0; i < b.nevents; i++)
		if (b.events[i].index != i || b.events[i].model == NULL ||
		    strcmp(b.events[i].model, "gpt-4o") != 0)
			kept = 0;
	ok(kept, "growing keeps the events already added, in order");

	event_batch_drop_last(&b);
	is_int(b.nevents, 99, "drop_last: one fewer (its strings freed)");
	ok(all_zero(&b.events[99], sizeof(b.events[99])),
	    "drop_last: the slot is cleared");
	ev = event_batch_add(&b);
	ok(ev == &b.events[99] && all_zero(ev, sizeof(*ev)),
	    "the dropped slot is reused, zeroed");
	is_int(b.nevents, 100, "100 again");

	event_batch_release(&b);
	ok(all_zero(&b, sizeof(b)), "release: everything freed and zero");
	event_batch_release(&b);
	ok(1, "a second release is harmless");
	event_batch_drop_last(&b);
	is_int(b.nevents, 0, "drop_last on an empty batch: nothing");

	ev = event_batch_add(&b);
	ok(ev != NULL && b.nevents == 1, "a released batch can be used again");
	event_batch_release(&b);
}

static void
test_out_of_memory(void)
{
	struct event_batch	 b;
	struct usage_event	*first, *ev;
	size_t			 cap;

	event_batch_init(&b);
	fail_allocs = 1;
	ev = event_batch_add(&b);
	fail_allocs = 0;
	ok(ev == NULL && b.nevents == 0 && b.events == NULL && b.cap == 0,
	    "out of memory on the first add: NULL, the batch still empty");

	while ((ev = event_batch_add(&b)) != NULL && b.nevents < b.cap)
		ev->model = strdup("m");
	if (ev != NULL)
		ev->model = strdup("last");
	first = b.events;
	cap = b.cap;
	fail_allocs = 1;
	ev = event_batch_add(&b);
	fail_allocs = 0;
	ok(ev == NULL && b.events == first && b.cap == cap && b.nevents == cap,
	    "out of memory when growing: NULL, the batch unchanged (%zu events)",
	    cap);
	ok(b.nevents > 0 && b.events[b.nevents - 1].model != NULL &&
	    strcmp(b.events[b.nevents - 1].model, "last") == 0,
	    "... its events intact");
	ev = event_batch_add(&b);
	ok(ev != NULL && b.nevents == cap + 1, "memory back: adding works again");
	event_batch_release(&b);
}

static void
test_reject(void)
{
	struct event_batch	b;
	char			long_id[200], long_why[400];
	size_t			i;
	int			ok_notes = 1;

	event_batch_init(&b);
	event_batch_reject(&b, 3, "chatcmpl-1", REJECT_UNKNOWN_TOKEN,
	    "no such token");
	is_int(b.nrejected, 1, "one rejection counted");
	is_int(b.rejected[REJECT_UNKNOWN_TOKEN], 1, "... under its reason");
	is_int(b.nnotes, 1, "... and explained");
	is_int(b.notes[0].index, 3, "note: the element's index");
	is_int(b.notes[0].reason, REJECT_UNKNOWN_TOKEN, "note: the reason");
	is_str(b.notes[0].id, "chatcmpl-1", "note: the id");
	is_str(b.notes[0].why, "no such token", "note: why");
	is_int(b.nevents, 0, "a rejection adds no event");

	event_batch_reject(&b, 4, NULL, REJECT_NULL_EVENT, NULL);
	is_str(b.notes[1].id, "", "a NULL id: empty");
	is_str(b.notes[1].why, "", "a NULL why: empty");

	memset(long_id, 'i', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	memset(long_why, 'w', sizeof(long_why) - 1);
	long_why[sizeof(long_why) - 1] = '\0';
	event_batch_reject(&b, 5, long_id, REJECT_INVALID_FIELD, long_why);
	is_int(strlen(b.notes[2].id), REJECT_NOTE_ID_BYTES - 1,
	    "a long id is cut to its buffer");
	is_int(strlen(b.notes[2].why), REJECT_NOTE_WHY_BYTES - 1,
	    "a long why is cut to its buffer");

	for (i = 3; i < 25; i++)
		event_batch_reject(&b, i + 3, "x", (enum reject_reason)
		    (i % REJECT__MAX), "more");
	is_int(b.nrejected, 25, "25 rejections counted");
	is_int(b.nnotes, LIMIT_LOGGED_REJECTIONS, "only the first %d explained",
	    LIMIT_LOGGED_REJECTIONS);
	for (i = 3; i < LIMIT_LOGGED_REJECTIONS; i++)
		if (b.notes[i].index != i + 3)
			ok_notes = 0;
	ok(ok_notes, "the notes are the first ones, in order");
	is_int(b.rejected[REJECT_NULL_EVENT] + b.rejected[REJECT_NOT_EVENT] +
	    b.rejected[REJECT_INVALID_FIELD] + b.rejected[REJECT_NO_IDENTITY] +
	    b.rejected[REJECT_MISSING_TOKEN] + b.rejected[REJECT_UNKNOWN_TOKEN] +
	    b.rejected[REJECT_REVOKED_TOKEN] + b.rejected[REJECT_EXPIRED_TOKEN],
	    25, "the counts per reason add up");
	is_int(b.rejected[REJECT_EXPIRED_TOKEN], 3,
	    "counted past the notes too (expired: 3)");

	event_batch_release(&b);
	ok(b.nrejected == 0 && b.nnotes == 0 && b.rejected[REJECT_UNKNOWN_TOKEN]
	    == 0, "release clears the rejections");
}

static void
test_warn(void)
{
	struct event_batch	b;
	size_t			i;

	event_batch_init(&b);
	event_batch_warn(&b, 0, "id-0", 0, "nothing");
	is_int(b.warnings, 0, "no field, no warning");
	is_int(b.nwarn_notes, 0, "no field, no note");
	event_batch_warn(&b, 1, "id-1", 2, "model, endTime");
	is_int(b.warnings, 2, "two fields counted");
	is_int(b.warned_events, 1, "one event counted");
	is_str(b.warn_notes[0].id, "id-1", "the note keeps the id");
	is_str(b.warn_notes[0].why, "model, endTime", "the note keeps why");
	ok(b.warn_notes[0].index == 1 && b.warn_notes[0].fields == 2,
	    "the note keeps the index and the count");
	event_batch_warn(&b, 2, NULL, 1, NULL);
	is_str(b.warn_notes[1].id, "", "a NULL id: empty");
	for (i = 3; i < 30; i++)
		event_batch_warn(&b, i, "x", 1, "y");
	is_int(b.warnings, 30, "counted past the notes");
	is_int(b.warned_events, 29, "every warned event counted");
	is_int(b.nwarn_notes, LIMIT_LOGGED_REJECTIONS, "only the first %d "
	    "explained", LIMIT_LOGGED_REJECTIONS);
	event_batch_release(&b);
	ok(b.warnings == 0 && b.nwarn_notes == 0, "release clears the warnings");
}

int
main(void)
{
	test_add();
	test_out_of_memory();
	test_reject();
	test_warn();
	return tap_done();
}
