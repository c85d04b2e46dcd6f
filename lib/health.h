/*
 * GET /api/health: what a monitor needs to know about the write path.
 * The database answers (503 "unavailable" when it does not, as before),
 * it accepts our writes (its read_only settings as our user sees them,
 * and the loader's last outcome), and the spool (events waiting, since
 * when, files set aside, free space). "ok" only when all is well, else
 * "degraded" with the reasons (still 200: ingest answers, events spool).
 */
#ifndef LLMOPS_HEALTH_H
#define LLMOPS_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "reply.h"
#include "spool.h"

struct json_object;

/* Everything the verdict is made of, gathered by health_check. */
struct health_facts {
	int64_t			 now_us;
	int			 db_ok;		/* answered the ping */
	int			 schema_version;
	int			 writable_known;
	struct db_writable	 w;
	int			 spool_configured;
	int			 spool_known;	/* spool_status succeeded */
	struct spool_status	 spool;
	/* The loader's last outcome (last_load_us 0: none recorded). */
	int64_t			 last_load_us;
	int			 last_load_ok;
	char			 last_load_error[ERR_MSG_BYTES];
};

/* The answer's body and status for facts (pure: no I/O). */
struct json_object *health_report(const struct health_facts *, int *status);

/*
 * Gathers the facts (spool_dir NULL: no spool to report) and answers.
 */
void	health_check(struct db *, const char *spool_dir, struct reply *);

/*
 * The dashboard's notice about the spool: 1 and a sentence in buf when
 * events have waited HEALTH_NOTICE_SECONDS or longer or files were set
 * aside, else 0. The spool holds every organization's events before they
 * are attributed, so only a reader of every organization (all_orgs) is
 * told how many wait; others are told since when.
 */
int	health_spool_notice(const struct spool_status *, int64_t now_us,
	    int all_orgs, char *buf, size_t bufsz);

#endif
