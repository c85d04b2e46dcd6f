#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_batch.h"

#define BATCH_INITIAL_CAP	16

void
event_batch_init(struct event_batch *b)
{
	memset(b, 0, sizeof(*b));
}

void
event_batch_release(struct event_batch *b)
{
	size_t	i;

	for (i = 0; i < b->nevents; i++)
		usage_event_release(&b->events[i]);
	free(b->events);
	memset(b, 0, sizeof(*b));
}

struct usage_event *
event_batch_add(struct event_batch *b)
{
	struct usage_event	*p;
	size_t			 cap;

	if (b->nevents == b->cap) {
		cap = b->cap ? b->cap * 2 : BATCH_INITIAL_CAP;
		if ((p = reallocarray(b->events, cap, sizeof(*p))) == NULL)
			return NULL;
		b->events = p;
		b->cap = cap;
	}
	p = &b->events[b->nevents++];
	memset(p, 0, sizeof(*p));
	return p;
}

void
event_batch_drop_last(struct event_batch *b)
{
	if (b->nevents > 0)
		usage_event_release(&b->events[--b->nevents]);
}

void
event_batch_reject(struct event_batch *b, size_t index, const char *id,
    enum reject_reason reason, const char *why)
{
	struct reject_note	*n;

	b->rejected[reason]++;
	b->nrejected++;
	if (b->nnotes == LIMIT_LOGGED_REJECTIONS)
		return;
	n = &b->notes[b->nnotes++];
	n->index = index;
	n->reason = reason;
	snprintf(n->id, sizeof(n->id), "%s", id ? id : "");
	snprintf(n->why, sizeof(n->why), "%s", why ? why : "");
}

void
event_batch_warn(struct event_batch *b, size_t index, const char *id,
    unsigned fields, const char *why)
{
	struct warn_note	*n;

	if (fields == 0)
		return;
	b->warnings += fields;
	b->warned_events++;
	if (b->nwarn_notes == LIMIT_LOGGED_REJECTIONS)
		return;
	n = &b->warn_notes[b->nwarn_notes++];
	n->index = index;
	n->fields = fields;
	snprintf(n->id, sizeof(n->id), "%s", id ? id : "");
	snprintf(n->why, sizeof(n->why), "%s", why ? why : "");
}
