/*
 * The events of one POST after parsing: those that can be stored, and
 * the count of rejected elements per reason with the first few explained
 * for the log.
 */
#ifndef LLMOPS_EVENT_BATCH_H
#define LLMOPS_EVENT_BATCH_H

#include <stddef.h>

#include "event.h"
#include "llmops_limits.h"

#define REJECT_NOTE_ID_BYTES	64
#define REJECT_NOTE_WHY_BYTES	200

struct reject_note {
	size_t			index;
	enum reject_reason	reason;
	char			id[REJECT_NOTE_ID_BYTES];	/* LiteLLM id, if any */
	char			why[REJECT_NOTE_WHY_BYTES];
};

/* An event kept with fields set unknown or cut. */
struct warn_note {
	size_t			index;
	unsigned		fields;		/* how many */
	char			id[REJECT_NOTE_ID_BYTES];
	char			why[REJECT_NOTE_WHY_BYTES];
};

struct event_batch {
	struct usage_event	*events;	/* owned, nevents of them */
	size_t			 nevents, cap;
	size_t			 nelements;	/* elements in the body */
	int			 is_test;	/* the {"test": true} ping */
	size_t			 rejected[REJECT__MAX];
	size_t			 nrejected;
	struct reject_note	 notes[LIMIT_LOGGED_REJECTIONS];
	size_t			 nnotes;
	/* Fields set unknown or cut in kept events, and the events. */
	size_t			 warnings;
	size_t			 warned_events;
	struct warn_note	 warn_notes[LIMIT_LOGGED_REJECTIONS];
	size_t			 nwarn_notes;
};

void	event_batch_init(struct event_batch *);
void	event_batch_release(struct event_batch *);
/* A free slot at the end of events (zeroed), or NULL when out of memory. */
struct usage_event *event_batch_add(struct event_batch *);
/* Drops the last added event (after a failed reduce). */
void	event_batch_drop_last(struct event_batch *);
/* Counts a rejection; keeps its explanation if there is room. */
void	event_batch_reject(struct event_batch *, size_t index, const char *id,
	    enum reject_reason, const char *why);

/* Counts the warnings of a kept event; keeps their explanation if there
 * is room. */
void	event_batch_warn(struct event_batch *, size_t index, const char *id,
	    unsigned fields, const char *why);

#endif
