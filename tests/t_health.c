/*
 * health_report (the verdict of /api/health from its facts) and
 * health_spool_notice (the dashboard's notice): which facts make "ok",
 * "degraded" or "unavailable", which status, which reasons.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "health.h"
#include "llmops_limits.h"
#include "tap.h"
#include "timefmt.h"

#define US	TIME_US_PER_SEC
/* 2026-12-05T11:40:00Z */
#define NOW	(1796470800LL * US)

/* A healthy install: database writable, spool empty, the last load ok. */
static void
healthy(struct health_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->now_us = NOW;
	f->db_ok = 1;
	f->schema_version = 5;
	f->writable_known = 1;
	f->w.writable = 1;
	f->spool_configured = 1;
	f->spool_known = 1;
	f->spool.free_bytes = 10LL * 1024 * 1024 * 1024;
	f->last_load_us = NOW - 2 * US;
	f->last_load_ok = 1;
}

/* The report of f: its status and a copy of its JSON text. */
static int
report(const struct health_facts *f, char *buf, size_t bufsz,
    struct json_object **out)
{
	struct json_object	*o;
	int			 status = 0;

	o = health_report(f, &status);
	snprintf(buf, bufsz, "%s", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	*out = o;
	return status;
}

static const char *
str_of(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int
bool_of(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return -1;
	return json_object_get_boolean(v);
}

static int64_t
int_of(struct json_object *o, const char *outer, const char *key)
{
	struct json_object	*v;

	if (outer != NULL && !json_object_object_get_ex(o, outer, &o))
		return -1;
	if (!json_object_object_get_ex(o, key, &v))
		return -1;
	return json_object_get_int64(v);
}

static size_t
nreasons(struct json_object *o)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, "reasons", &v) ||
	    !json_object_is_type(v, json_type_array))
		return (size_t)-1;
	return json_object_array_length(v);
}

static void
test_ok(void)
{
	struct health_facts	 f;
	struct json_object	*o;
	char			 text[4096];

	healthy(&f);
	is_int(report(&f, text, sizeof(text), &o), 200, "healthy: 200");
	is_str(str_of(o, "status"), "ok", "healthy: status ok");
	is_str(str_of(o, "database"), "ok", "healthy: database ok");
	is_int(bool_of(o, "database_writable"), 1, "healthy: writable");
	is_int(nreasons(o), 0, "healthy: no reasons");
	is_int(int_of(o, "spool", "pending_events"), 0, "spool reported");
	is_int(bool_of(json_object_object_get(o, "spool"), "full"), 0,
	    "spool not full");
	json_object_put(o);

	/* Events that wait a little are the normal case. */
	healthy(&f);
	f.spool.pending_events = 75;
	f.spool.pending_bytes = 9000;
	f.spool.oldest_us = NOW - 3 * US;
	is_int(report(&f, text, sizeof(text), &o), 200, "fresh events: 200");
	is_str(str_of(o, "status"), "ok", "events waiting 3 s: still ok");
	is_int(int_of(o, "spool", "oldest_age_seconds"), 3, "oldest age 3 s");
	json_object_put(o);

	/* Without a spool configured, none is reported. */
	healthy(&f);
	f.spool_configured = 0;
	f.spool_known = 0;
	report(&f, text, sizeof(text), &o);
	is_str(str_of(o, "status"), "ok", "no spool configured: ok");
	ok(!json_object_object_get_ex(o, "spool", NULL), "no spool key");
	json_object_put(o);
}

static void
test_read_only(void)
{
	struct health_facts	 f;
	struct json_object	*o;
	char			 text[4096];

	healthy(&f);
	f.w.writable = 0;
	f.w.read_only = 1;
	is_int(report(&f, text, sizeof(text), &o), 200, "read_only: 200 "
	    "(the database answers, events spool)");
	is_str(str_of(o, "status"), "degraded", "read_only: degraded");
	is_str(str_of(o, "database"), "ok", "read_only: database answers");
	is_int(bool_of(o, "database_writable"), 0, "read_only: not writable");
	ok(strstr(text, "read_only is ON") != NULL, "read_only: the reason");
	json_object_put(o);

	/* read_only with READ_ONLY ADMIN: db_server_writable says writable. */
	healthy(&f);
	f.w.read_only = 1;
	f.w.read_only_admin = 1;
	report(&f, text, sizeof(text), &o);
	is_str(str_of(o, "status"), "ok", "read_only but admin: ok");
	json_object_put(o);

	healthy(&f);
	f.w.writable = 0;
	f.w.innodb_read_only = 1;
	report(&f, text, sizeof(text), &o);
	is_str(str_of(o, "status"), "degraded", "innodb_read_only: degraded");
	ok(strstr(text, "innodb_read_only is ON") != NULL,
	    "innodb_read_only: the reason");
	json_object_put(o);
}

static void
test_load_failed(void)
{
	struct health_facts	 f;
	struct json_object	*o, *l;
	char			 text[4096];

	healthy(&f);
	f.last_load_ok = 0;
	snprintf(f.last_load_error, sizeof(f.last_load_error),
	    "loader.insert: The table 'usage_events' is full");
	f.spool.pending_events = 10;
	f.spool.pending_bytes = 1000;
	f.spool.oldest_us = NOW - 5 * US;
	is_int(report(&f, text, sizeof(text), &o), 200, "failed load: 200");
	is_str(str_of(o, "status"), "degraded", "failed load: degraded");
	is_int(bool_of(o, "database_writable"), 0,
	    "failed load, settings fine: not writable");
	ok(strstr(text, "is full") != NULL, "failed load: its reason");
	ok(json_object_object_get_ex(o, "loader", &l) &&
	    bool_of(l, "last_load_ok") == 0, "loader.last_load_ok false");
	is_str(str_of(l, "last_load"), "2026-12-05T11:39:58Z",
	    "loader.last_load");
	json_object_put(o);

	/* A failed connect names the socket: not shown to anybody. */
	healthy(&f);
	f.last_load_ok = 0;
	snprintf(f.last_load_error, sizeof(f.last_load_error), "database: "
	    "cannot connect to socket /secret/mysqld.sock: refused");
	f.spool.pending_events = 1;
	report(&f, text, sizeof(text), &o);
	ok(strstr(text, "/secret") == NULL && strstr(text, "cannot connect") !=
	    NULL, "a failed connect is reported without its socket");
	json_object_put(o);

	/* A failure whose records were since loaded by someone else. */
	healthy(&f);
	f.last_load_ok = 0;
	snprintf(f.last_load_error, sizeof(f.last_load_error), "gone");
	report(&f, text, sizeof(text), &o);
	is_str(str_of(o, "status"), "ok", "a failed load with nothing "
	    "pending left: ok");
	json_object_put(o);
}

static void
test_spool(void)
{
	struct health_facts	 f;
	struct json_object	*o;
	char			 text[4096];

	healthy(&f);
	f.spool.pending_events = 3;
	f.spool.pending_bytes = 300;
	f.spool.oldest_us = NOW - HEALTH_SPOOL_LAG_SECONDS * US;
	report(&f, text, sizeof(text), &o);
	is_str(str_of(o, "status"), "degraded", "events waiting too long: "
	    "degraded");
	ok(strstr(text, "3 events wait in the spool") != NULL,
	    "the reason counts them");
	json_object_put(o);

	healthy(&f);
	f.spool.set_aside = 2;
	report(&f, text, sizeof(text), &o);
	is_str(str_of(o, "status"), "degraded", "files set aside: degraded");
	is_int(int_of(o, "spool", "set_aside_files"), 2, "set_aside_files 2");
	ok(strstr(text, "2 spool files set aside") != NULL, "set aside: "
	    "reason");
	json_object_put(o);

	healthy(&f);
	f.spool.free_bytes = SPOOL_FREE_BYTES_MIN - 1;
	report(&f, text, sizeof(text), &o);
	is_str(str_of(o, "status"), "degraded", "spool disk full: degraded");
	is_int(bool_of(json_object_object_get(o, "spool"), "full"), 1,
	    "spool.full true");
	json_object_put(o);

	healthy(&f);
	f.spool_known = 0;
	is_int(report(&f, text, sizeof(text), &o), 200, "spool unreadable: "
	    "200");
	is_str(str_of(o, "status"), "degraded", "spool unreadable: degraded");
	ok(strstr(text, "\"spool\":null") != NULL, "spool: null");
	json_object_put(o);
}

static void
test_unreachable(void)
{
	struct health_facts	 f;
	struct json_object	*o;
	char			 text[4096];

	healthy(&f);
	f.db_ok = 0;
	f.writable_known = 0;
	f.spool.pending_events = 40;
	f.spool.oldest_us = NOW - 1 * US;
	is_int(report(&f, text, sizeof(text), &o), 503, "unreachable: 503");
	is_str(str_of(o, "status"), "unavailable", "unreachable: unavailable");
	is_str(str_of(o, "database"), "unreachable", "database unreachable");
	is_int(bool_of(o, "database_writable"), 0, "unreachable: not "
	    "writable");
	is_int(int_of(o, "spool", "pending_events"), 40, "the spool is still "
	    "reported");
	ok(strstr(text, "error log") != NULL, "the error points to the log");
	json_object_put(o);
}

static void
test_notice(void)
{
	struct spool_status	s;
	char			buf[512];

	memset(&s, 0, sizeof(s));
	is_int(health_spool_notice(&s, NOW, 1, buf, sizeof(buf)), 0,
	    "empty spool: no notice");
	s.pending_events = 5;
	s.oldest_us = NOW - 2 * US;
	is_int(health_spool_notice(&s, NOW, 1, buf, sizeof(buf)), 0,
	    "events waiting 2 s: no notice");
	s.oldest_us = NOW - (HEALTH_NOTICE_SECONDS + 200) * US;
	is_int(health_spool_notice(&s, NOW, 1, buf, sizeof(buf)), 1,
	    "events waiting longer: a notice");
	is_str(buf, "5 events wait to be loaded into the database (all "
	    "organizations), the oldest since 2026-12-05 11:36:30 UTC (3 min): "
	    "the figures below do not include them yet.", "the notice's text");
	is_int(health_spool_notice(&s, NOW, 0, buf, sizeof(buf)), 1,
	    "an organization's reader: a notice too");
	is_str(buf, "Events received since 2026-12-05 11:36:30 UTC (3 min) wait "
	    "to be loaded into the database: the figures below may not include "
	    "them yet.", "without the count of every organization's events");
	s.pending_events = 1;
	s.set_aside = 1;
	health_spool_notice(&s, NOW, 1, buf, sizeof(buf));
	ok(strncmp(buf, "1 event waits ", 14) == 0, "one event waits");
	ok(strstr(buf, " 1 spool file was set aside") != NULL,
	    "and one file was set aside");
	s.pending_events = 0;
	s.oldest_us = 0;
	s.set_aside = 3;
	is_int(health_spool_notice(&s, NOW, 1, buf, sizeof(buf)), 1,
	    "only files set aside: a notice");
	ok(strncmp(buf, "3 spool files were set aside", 28) == 0,
	    "that says so");
	is_int(health_spool_notice(&s, NOW, 1, buf, 8), 1, "a short buffer");
	is_int(strlen(buf), 7, "is cut, NUL-terminated");
}

int
main(void)
{
	test_ok();
	test_read_only();
	test_load_failed();
	test_spool();
	test_unreachable();
	test_notice();
	return tap_done();
}
