/*
 * Writing accepted events: resolving tracking tokens, and storing a batch
 * of events with their hourly rollups in one transaction (all or none).
 * Duplicates (same organization and dedupe key) are counted, not stored.
 */
#ifndef LLMOPS_STORE_H
#define LLMOPS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "event.h"

enum token_state {
	TOKEN_STATE_ACTIVE,
	TOKEN_STATE_UNKNOWN,
	TOKEN_STATE_REVOKED,
	TOKEN_STATE_EXPIRED,
};

/* A token as the database holds it; its state depends on the time. */
struct token_info {
	int			known;
	int			active;		/* not revoked */
	int64_t			expires_us;	/* 0: never */
	uint32_t		token_id;
	uint32_t		org_id;
};

/* Looks a token hash up. Returns 0 (info filled) or -1 on database error. */
int	store_token_lookup(struct db *, const unsigned char hash[TOKEN_HASH_LEN],
	    struct token_info *, struct llmops_err *);
/* Unknown, revoked, expired (at now_us) or active. */
enum token_state token_info_state(const struct token_info *, int64_t now_us);

/* Records last use, writing at most once per token and `interval_us`. */
int	store_token_touch(struct db *, uint32_t token_id, int64_t now_us,
	    int64_t interval_us, struct llmops_err *);

/*
 * Stores evs (org_id and token_id resolved) and their rollups in one
 * transaction, retried once after a lost connection and a few times after
 * a deadlock. On success *inserted + *duplicates == n.
 */
int	store_events(struct db *, struct usage_event *const *evs, size_t n,
	    size_t *inserted, size_t *duplicates, struct llmops_err *);

#endif
