#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "health.h"
#include "llmops_limits.h"
#include "log.h"
#include "timefmt.h"

/* How lib/db.c's failed connects begin. */
#define HEALTH_CONNECT_FAILED	"database: cannot connect to"

/* What the ping runs: the schema table proves connection and schema, the
 * server's settings whether our writes would be taken. */
struct ping {
	int			version;
	struct db_writable	w;
};

/* A db_txn fn. */
static int
ping(struct db *db, void *arg, struct llmops_err *err)
{
	struct ping	*p = arg;

	if (db_schema_version(db, &p->version, err) != 0)
		return -1;
	return db_server_writable(db, &p->w, err);
}

static int64_t
age_seconds(int64_t since_us, int64_t now_us)
{
	return since_us <= 0 || now_us <= since_us ? 0 :
	    (now_us - since_us) / TIME_US_PER_SEC;
}

static void
reason(struct json_object *reasons, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
reason(struct json_object *reasons, const char *fmt, ...)
{
	char	buf[ERR_MSG_BYTES + 128];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(reasons, json_object_new_string(buf));
}

/*
 * The loader's error as anonymous callers see it: why a write failed,
 * but not where the database lives (a failed connect names its socket or
 * host).
 */
static const char *
load_error(const struct health_facts *f)
{
	if (f->last_load_error[0] == '\0')
		return "(no reason recorded)";
	if (strncmp(f->last_load_error, HEALTH_CONNECT_FAILED,
	    strlen(HEALTH_CONNECT_FAILED)) == 0)
		return "database: cannot connect (the reason is in the web "
		    "server's error log)";
	return f->last_load_error;
}

/* The loader failed and what it failed on still waits. */
static int
load_failing(const struct health_facts *f)
{
	return f->last_load_us > 0 && !f->last_load_ok &&
	    (!f->spool_known || f->spool.pending_events > 0 ||
	    f->spool.pending_bytes > 0);
}

static struct json_object *
spool_json(const struct health_facts *f, struct json_object *reasons)
{
	const struct spool_status *s = &f->spool;
	struct json_object	*o;
	int64_t			 age = age_seconds(s->oldest_us, f->now_us);
	int			 full = s->free_bytes < SPOOL_FREE_BYTES_MIN;

	o = json_object_new_object();
	json_object_object_add(o, "pending_events",
	    json_object_new_int64((int64_t)s->pending_events));
	json_object_object_add(o, "pending_bytes",
	    json_object_new_int64((int64_t)s->pending_bytes));
	json_object_object_add(o, "oldest_age_seconds",
	    json_object_new_int64(age));
	json_object_object_add(o, "segments",
	    json_object_new_int64((int64_t)s->segments));
	json_object_object_add(o, "set_aside_files",
	    json_object_new_int64((int64_t)s->set_aside));
	json_object_object_add(o, "free_bytes",
	    json_object_new_int64((int64_t)s->free_bytes));
	json_object_object_add(o, "full", json_object_new_boolean(full));
	if ((s->pending_events > 0 || s->pending_bytes > 0) &&
	    age >= HEALTH_SPOOL_LAG_SECONDS)
		reason(reasons, "%" PRIu64 " events wait in the spool, the "
		    "oldest for %" PRId64 " s", s->pending_events, age);
	if (s->set_aside > 0)
		reason(reasons, "%zu spool files set aside (torn or corrupt "
		    "records, or records the database refused): see llmopsctl "
		    "spool status", s->set_aside);
	if (full)
		reason(reasons, "the spool's filesystem is full (%" PRIu64
		    " bytes free): callbacks are answered 503", s->free_bytes);
	return o;
}

static struct json_object *
loader_json(const struct health_facts *f)
{
	struct json_object	*o;
	char			 iso[TIME_ISO_BYTES];

	o = json_object_new_object();
	if (f->last_load_us <= 0) {
		json_object_object_add(o, "last_load", NULL);
		return o;
	}
	time_format_iso_sec(f->last_load_us, iso);
	json_object_object_add(o, "last_load", json_object_new_string(iso));
	json_object_object_add(o, "last_load_ok",
	    json_object_new_boolean(f->last_load_ok));
	if (!f->last_load_ok)
		json_object_object_add(o, "last_load_error",
		    json_object_new_string(load_error(f)));
	return o;
}

/* The loader's last outcome, as spool_status reads it. */
static void
loader_outcome(struct health_facts *f)
{
	f->last_load_us = f->spool.last_load_us;
	f->last_load_ok = f->spool.last_load_ok;
	snprintf(f->last_load_error, sizeof(f->last_load_error), "%s",
	    f->spool.last_load_error);
}

struct json_object *
health_report(const struct health_facts *f, int *status)
{
	struct json_object	*o, *reasons;
	const char		*verdict;
	int			 writable;

	o = json_object_new_object();
	reasons = json_object_new_array();
	/* A failed load counts even when the settings look fine (a full
	 * disk, a lost grant); settings count before any load failed. */
	writable = f->db_ok && (!f->writable_known || f->w.writable) &&
	    !load_failing(f);
	json_object_object_add(o, "database", json_object_new_string(
	    f->db_ok ? "ok" : "unreachable"));
	if (f->db_ok)
		json_object_object_add(o, "schema_version",
		    json_object_new_int(f->schema_version));
	else {
		/* Details (hosts, paths) go to the log, not to anonymous
		 * callers. */
		reason(reasons, "the database does not answer");
		json_object_object_add(o, "error", json_object_new_string(
		    "database unavailable; the reason is in the web server's "
		    "error log"));
	}
	json_object_object_add(o, "database_writable",
	    json_object_new_boolean(writable));
	if (f->db_ok && f->writable_known && f->w.innodb_read_only)
		reason(reasons, "the database is read-only "
		    "(innodb_read_only is ON)");
	else if (f->db_ok && f->writable_known && !f->w.writable)
		reason(reasons, "the database is read-only (read_only is ON "
		    "and our user lacks READ_ONLY ADMIN)");
	if (load_failing(f))
		reason(reasons, "the last load into the database failed: %s",
		    load_error(f));
	if (f->spool_configured && f->spool_known)
		json_object_object_add(o, "spool", spool_json(f, reasons));
	else if (f->spool_configured) {
		json_object_object_add(o, "spool", NULL);
		reason(reasons, "the spool cannot be read; the reason is in "
		    "the web server's error log");
	}
	json_object_object_add(o, "loader", loader_json(f));
	if (!f->db_ok)
		verdict = "unavailable";
	else if (json_object_array_length(reasons) > 0)
		verdict = "degraded";
	else
		verdict = "ok";
	json_object_object_add(o, "status", json_object_new_string(verdict));
	json_object_object_add(o, "reasons", reasons);
	/* 503 only when the database does not answer (monitors and load
	 * balancers depend on it); degraded is still 200. */
	*status = f->db_ok ? 200 : 503;
	return o;
}

void
health_check(struct db *db, const char *spool_dir, struct reply *r)
{
	struct health_facts	 f;
	struct llmops_err	 err;
	struct ping		 p;
	struct json_object	*o;
	int			 status;

	memset(&f, 0, sizeof(f));
	memset(&p, 0, sizeof(p));
	f.now_us = time_now_us();
	err_clear(&err);
	/* After a lost connection, db_txn reconnects and pings again. */
	if (db_txn(db, DB_READ, ping, &p, &err) == 0) {
		f.db_ok = 1;
		f.schema_version = p.version;
		f.writable_known = 1;
		f.w = p.w;
	} else
		log_warn(LOG_TAG_HTTP, "health check failed: %s", err.msg);
	if (spool_dir != NULL) {
		f.spool_configured = 1;
		err_clear(&err);
		if (spool_status(spool_dir, &f.spool, &err) == 0) {
			f.spool_known = 1;
			loader_outcome(&f);
		} else
			log_warn(LOG_TAG_HTTP, "health check: %s", err.msg);
	}
	o = health_report(&f, &status);
	reply_json(r, status, o);
}

/* "1 h 5 min", "3 min", "42 s" */
static void
format_age(int64_t s, char *buf, size_t bufsz)
{
	if (s >= 3600)
		snprintf(buf, bufsz, "%" PRId64 " h %" PRId64 " min", s / 3600,
		    s % 3600 / 60);
	else if (s >= 120)
		snprintf(buf, bufsz, "%" PRId64 " min", s / 60);
	else
		snprintf(buf, bufsz, "%" PRId64 " s", s);
}

int
health_spool_notice(const struct spool_status *s, int64_t now_us, int all_orgs,
    char *buf, size_t bufsz)
{
	char	iso[TIME_ISO_BYTES], age[48];
	int64_t	secs = age_seconds(s->oldest_us, now_us);
	size_t	len = 0;
	int	waiting;

	waiting = s->pending_events > 0 && s->oldest_us > 0 &&
	    secs >= HEALTH_NOTICE_SECONDS;
	if (bufsz > 0)
		buf[0] = '\0';
	if ((!waiting && s->set_aside == 0) || bufsz == 0)
		return 0;
	if (waiting) {
		/* "2026-12-05T11:02:13Z" -> "2026-12-05 11:02:13 UTC" */
		time_format_iso_sec(s->oldest_us, iso);
		iso[10] = ' ';
		iso[19] = '\0';
		format_age(secs, age, sizeof(age));
		if (all_orgs)
			snprintf(buf, bufsz, "%" PRIu64 " event%s to be loaded "
			    "into the database (all organizations), the oldest "
			    "since %s UTC (%s): the figures below do not "
			    "include them yet.", s->pending_events,
			    s->pending_events == 1 ? " waits" : "s wait", iso,
			    age);
		else
			snprintf(buf, bufsz, "Events received since %s UTC "
			    "(%s) wait to be loaded into the database: the "
			    "figures below may not include them yet.", iso,
			    age);
		len = strlen(buf);
	}
	if (s->set_aside > 0 && len < bufsz)
		snprintf(buf + len, bufsz - len, "%s%zu spool file%s set aside "
		    "(torn or corrupt records, or records the database "
		    "refused): see llmopsctl spool status.", len > 0 ? " " : "",
		    s->set_aside, s->set_aside == 1 ? " was" : "s were");
	return 1;
}
