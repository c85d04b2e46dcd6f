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

/* Dimensions recorded in dimension_values per event. */
#define DIMS_RECORDED	5
#define DIM_KEY_LEN	16
/* Values a process remembers having recorded. */
#define DIM_SEEN_MAX	4096

/* The (organization, dimension, value) a process knows are recorded. */
struct dim_seen {
	unsigned char	(*keys)[DIM_KEY_LEN];
	size_t		  n;
};

void	dim_seen_init(struct dim_seen *);
void	dim_seen_release(struct dim_seen *);
void	dim_seen_add(struct dim_seen *, const unsigned char *key);

/*
 * Stores evs (org_id and token_id resolved) and their rollups, and their
 * new dimension values, in one transaction, retried once after a lost
 * connection and a few times after a deadlock. seen may be NULL. On
 * success *inserted + *duplicates == n.
 */
int	store_events(struct db *, struct usage_event *const *evs, size_t n,
	    struct dim_seen *seen, size_t *inserted, size_t *duplicates,
	    struct llmops_err *);

#endif
