#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "admin.h"
#include "audit.h"
#include "db_retention.h"
#include "llmops_limits.h"
#include "prune.h"

int64_t
prune_horizon(int64_t now_us, int raw_days)
{
	int64_t	t;

	if (raw_days <= 0)
		return 0;
	t = now_us - (int64_t)raw_days * PRUNE_US_PER_DAY;
	/* No event is older than 1970 (LIMIT_EVENT_TIME_MIN_US is 2000). */
	if (t <= 0)
		return 0;
	return t - t % PRUNE_US_PER_DAY;
}

/* The horizon recorded (or, in a dry run, only read) (a db_txn fn). */
struct advance {
	int64_t			 want;		/* the horizon of raw_days */
	int			 raw_days;
	int			 dry_run;
	struct retention_state	 state;		/* as it is after */
};

static int
advance_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct advance	*a = arg;

	if (!a->dry_run && a->want > 0 &&
	    db_retention_advance(db, a->want, a->raw_days, err) != 0)
		return -1;
	return db_retention_get(db, &a->state, err);
}

/* What the chunks of one prune share. */
struct chunk {
	uint32_t	*ids;		/* every organization */
	size_t		 n;
	uint32_t	 org_id;	/* the one being pruned */
	int64_t		 before_us;
	int64_t		 rows;		/* of the last transaction */
};

/* One chunk of one organization (a db_txn fn). */
static int
delete_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct chunk	*c = arg;

	return db_retention_delete(db, c->org_id, c->before_us,
	    LIMIT_PRUNE_CHUNK, &c->rows, err);
}

/* What would go, every organization in one read (a db_txn fn). */
static int
count_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct chunk	*c = arg;
	int64_t		 n;
	size_t		 i;

	c->rows = 0;
	for (i = 0; i < c->n; i++) {
		if (db_retention_count(db, c->ids[i], c->before_us, &n,
		    err) != 0)
			return -1;
		c->rows += n;
	}
	return 0;
}

/* The pause after a full chunk, in which the loaders' inserts go first. */
static void
pause_between(void)
{
	struct timespec	ts = { 0, PRUNE_PAUSE_MS * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Deletes one organization's events before the horizon, chunk by chunk. */
static int
prune_org(struct db *db, struct chunk *c, const struct prune_opts *o,
    struct prune_result *r, struct llmops_err *err)
{
	for (;;) {
		if (o->deadline_us > 0 && time_now_us() >= o->deadline_us) {
			r->complete = 0;
			return 0;
		}
		if (db_txn(db, DB_WRITE, delete_txn, c, err) != 0)
			return -1;
		if (c->rows > 0) {
			r->rows += c->rows;
			r->chunks++;
		}
		if (c->rows < LIMIT_PRUNE_CHUNK)
			return 0;
		pause_between();
	}
}

static int
audit(struct db *db, const struct prune_opts *o, const struct prune_result *r,
    struct llmops_err *err)
{
	struct json_object	*d = json_object_new_object();
	char			 iso[TIME_ISO_BYTES];

	time_format_iso_sec(r->horizon_us, iso);
	json_object_object_add(d, "raw_events_before",
	    json_object_new_string(iso));
	json_object_object_add(d, "raw_days", json_object_new_int(r->raw_days));
	json_object_object_add(d, "rows", json_object_new_int64(r->rows));
	json_object_object_add(d, "complete",
	    json_object_new_boolean(r->complete));
	return audit_record_alone(db, o->actor, 0, "events.prune", NULL, d, err);
}

int
prune_run(struct db *db, const struct prune_opts *o, struct prune_result *r,
    struct llmops_err *err)
{
	struct advance		 a;
	struct chunk		 c;
	struct llmops_err	 aerr;
	size_t			 i;
	int			 rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	r->complete = 1;
	if (o->raw_days < 0 || o->raw_days > RETENTION_RAW_DAYS_MAX)
		return err_set(err, 400, "retention: days of raw events kept: "
		    "0 to %d", RETENTION_RAW_DAYS_MAX);
	memset(&a, 0, sizeof(a));
	a.want = prune_horizon(o->now_us, o->raw_days);
	a.raw_days = o->raw_days;
	/* 0 keeps every raw event: not even those before an old horizon go. */
	a.dry_run = o->dry_run || o->raw_days == 0;
	/* Recorded first: a rollup rebuild keeps the hours before it. */
	if (db_txn(db, a.dry_run ? DB_READ : DB_WRITE, advance_txn, &a,
	    err) != 0)
		return -1;
	r->horizon_us = a.state.raw_before_us;
	r->raw_days = a.state.raw_days;
	if (a.want > r->horizon_us) {		/* a dry run's */
		r->horizon_us = a.want;
		r->raw_days = o->raw_days;
	}
	if (o->raw_days == 0 || r->horizon_us == 0)
		return 0;
	if (admin_org_ids(db, &c.ids, &c.n, err) != 0)
		return -1;
	c.before_us = r->horizon_us;
	if (o->dry_run) {
		rc = db_txn(db, DB_READ, count_txn, &c, err);
		r->rows = c.rows;
		goto out;
	}
	for (i = 0; i < c.n && r->complete; i++) {
		c.org_id = c.ids[i];
		if (prune_org(db, &c, o, r, err) != 0) {
			/* What was deleted is gone all the same: say so. */
			if (r->rows > 0)
				audit(db, o, r, &aerr);
			goto out;
		}
	}
	rc = audit(db, o, r, err);
out:
	free(c.ids);
	return rc;
}
