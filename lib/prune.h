/*
 * The retention of raw events (retention.raw_days): a prune moves the
 * horizon to the start of the UTC day raw_days before now, records it
 * first, then deletes the raw events before it, a few at a time, with a
 * pause between transactions so that the loaders are never held up long.
 * The rollups are never pruned: reports over the pruned days still count
 * every call. No SQL here (lib/db_retention.c).
 */
#ifndef LLMOPS_PRUNE_H
#define LLMOPS_PRUNE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "timefmt.h"

#define PRUNE_US_PER_DAY	(24 * TIME_US_PER_HOUR)

struct prune_opts {
	int		 raw_days;	/* 0: kept forever (nothing is done) */
	int		 dry_run;	/* count what would go; change nothing */
	int64_t		 now_us;
	int64_t		 deadline_us;	/* no new chunk after it; 0: none */
	const char	*actor;		/* for the audit log */
};

struct prune_result {
	int64_t		 horizon_us;	/* raw events before it are (would be)
					   gone; 0: none */
	int		 raw_days;	/* the retention that set it */
	int64_t		 rows;		/* deleted (would be, in a dry run) */
	size_t		 chunks;	/* transactions that deleted */
	int		 complete;	/* 0: the deadline stopped it */
};

/*
 * The horizon of raw_days at now_us: the start of the UTC day raw_days
 * days before now_us (whole days are kept, the oldest from its start).
 * 0 (nothing to prune) when raw_days <= 0 or the day is before 1970.
 */
int64_t	prune_horizon(int64_t now_us, int raw_days);

/*
 * Prunes the raw events of every organization before the horizon of
 * o->raw_days (or before the recorded horizon, if that is later: it never
 * moves back). The horizon is recorded before the first delete; each
 * chunk of LIMIT_PRUNE_CHUNK events is a transaction of its own, followed
 * by PRUNE_PAUSE_MS of pause. Audited ("events.prune", with the rows
 * deleted) unless a dry run. On failure r says what was done before.
 */
int	prune_run(struct db *, const struct prune_opts *,
	    struct prune_result *r, struct llmops_err *);

#endif
