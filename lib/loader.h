/*
 * The loader: moves acknowledged events from the spool (spool.h) into
 * MariaDB. One loader at a time (the spool's lock); a responder runs one
 * bounded turn after each answer, `llmopsctl spool drain` runs turns until
 * the spool is empty.
 *
 * Per chunk of about LOADER_CHUNK_EVENTS events, in spool order: the
 * tokens not checked when the events were spooled (org_id 0) are checked
 * now (unknown, revoked or expired: rejected and logged [LITELLM]); the
 * events are priced; then one transaction inserts them (duplicates, within
 * the chunk or already stored, by (org_id, dedupe_key), add nothing), adds
 * their rollups once per row in key order and records new dimension
 * values; only after the commit are the records marked loaded. A crash in
 * between loads them again and they come back as duplicates: exactly once.
 * A record MariaDB refuses on its own (not a lost connection) is set aside
 * so that it cannot stop the others.
 */
#ifndef LLMOPS_LOADER_H
#define LLMOPS_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"
#include "price_cache.h"
#include "spool.h"
#include "store.h"
#include "token_cache.h"

/* What a loader did since loader_init. */
struct loader_counts {
	uint64_t	events;		/* read from the spool */
	uint64_t	inserted;	/* new in usage_events */
	uint64_t	duplicates;	/* already there: added nothing */
	uint64_t	rejected;	/* token unknown, revoked or expired */
	uint64_t	records_set_aside;	/* refused by MariaDB */
	uint64_t	chunks;		/* transactions committed */
};

struct loader {
	const struct conf	*conf;		/* borrowed */
	struct db		*db;		/* borrowed */
	struct spool_reader	 r;
	struct spool_chunk	 c;
	struct price_cache	 prices;
	struct token_cache	 tokens;
	struct dim_seen		 dims;
	int64_t			 retry_us;	/* after a failure: not before */
	int64_t			 backoff_us;	/* the next wait after one */
	int64_t			 noted_us;	/* state file last written */
	int			 noted_ok;
	int64_t			 logged_us;	/* last failure logged */
	struct loader_counts	 counts;
};

void	loader_init(struct loader *, const struct conf *, struct db *);
void	loader_release(struct loader *);

enum loader_result {
	LOADER_DONE,		/* nothing left that could be read */
	LOADER_MORE,		/* the budget ran out: records may wait */
	LOADER_BUSY,		/* another loader holds the lock */
	LOADER_LATER,		/* a recent failure: not tried now */
	LOADER_FAILED,		/* err says why; the records wait */
};

/*
 * One turn of at most about budget_us (a chunk is not cut short), taking
 * the lock within wait_ms (0: only if free). After releasing the lock it
 * looks again, within the budget, for records appended meanwhile. The
 * outcome goes to the spool's state file (spool_status) and, for
 * failures, to the log.
 */
enum loader_result	loader_turn(struct loader *, int64_t budget_us,
			    int wait_ms, struct llmops_err *);

#endif
