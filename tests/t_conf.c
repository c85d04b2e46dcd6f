/*
 * conf_load on files written to /tmp: defaults, the shipped sample,
 * every kind of error (with file, line and reason), and the permission
 * checks on files holding a password.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "event.h"
#include "llmops_limits.h"
#include "tap.h"

#define TMP_TEMPLATE	"/tmp/t_conf.XXXXXX"

/* Writes text to a new temporary file with the given mode; path gets its name. */
static int
write_file(char path[sizeof(TMP_TEMPLATE)], const char *text, mode_t mode)
{
	size_t	len = strlen(text);
	int	fd;

	memcpy(path, TMP_TEMPLATE, sizeof(TMP_TEMPLATE));
	if ((fd = mkstemp(path)) == -1) {
		tap_diag("mkstemp: %s", strerror(errno));
		return -1;
	}
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0) {
		tap_diag("write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

static int
contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/*
 * Loads text (written with mode) and expects an error whose message
 * holds the file name (unless line is -1: the error is about another
 * file, named in the needles), ":line:" (when line > 0) and each of the
 * NULL-terminated needles.
 */
static void
load_fails(const char *name, const char *text, mode_t mode, int line, ...)
{
	char			 path[sizeof(TMP_TEMPLATE)], at[32];
	struct conf		 c;
	struct llmops_err	 err;
	va_list			 ap;
	const char		*needle;
	int			 rc;

	if (write_file(path, text, mode) != 0) {
		ok(0, "%s: write the file", name);
		return;
	}
	err_clear(&err);
	rc = conf_load(&c, path, &err);
	is_int(rc, -1, "%s: refused", name);
	if (line >= 0)
		ok(contains(err.msg, path), "%s: message names the file", name);
	if (line > 0) {
		snprintf(at, sizeof(at), "%s:%d:", path, line);
		ok(contains(err.msg, at), "%s: message names line %d", name,
		    line);
	}
	va_start(ap, line);
	while ((needle = va_arg(ap, const char *)) != NULL)
		ok(contains(err.msg, needle), "%s: message mentions \"%s\"",
		    name, needle);
	va_end(ap);
	if (rc == -1)
		tap_diag("%s: %s", name, err.msg);
	conf_release(&c);
	unlink(path);
}

/* Loads text and expects success; the caller checks c and releases it. */
static int
load_ok(const char *name, const char *text, mode_t mode, struct conf *c)
{
	char			 path[sizeof(TMP_TEMPLATE)];
	struct llmops_err	 err;
	int			 rc;

	if (write_file(path, text, mode) != 0) {
		ok(0, "%s: write the file", name);
		conf_init(c);
		return -1;
	}
	err_clear(&err);
	rc = conf_load(c, path, &err);
	is_int(rc, 0, "%s: accepted", name);
	if (rc != 0)
		tap_diag("%s: %s", name, err.msg);
	else
		is_str(c->path, path, "%s: path recorded", name);
	unlink(path);
	return rc;
}

/* Every field of a and b equal (path aside). */
static int
conf_same(const struct conf *a, const struct conf *b)
{
#define S(f)	(strcmp(a->f, b->f) == 0)
#define N(f)	(a->f == b->f)
	return S(db.host) && N(db.port) && S(db.socket) && S(db.user) &&
	    S(db.password) && S(db.password_file) && S(db.name) &&
	    N(db.connect_timeout) && N(db.read_timeout) &&
	    N(db.write_timeout) && N(db.tls) && S(db.tls_ca) &&
	    S(db.tls_cert) && S(db.tls_key) && N(db.tls_verify_server_cert) &&
	    N(ingest.max_body_bytes) && N(ingest.max_events) &&
	    N(ingest.max_json_depth) && N(ingest.max_label_chars) &&
	    N(retention.raw_days) &&
	    S(log.level_name) && N(log.level) && N(log.syslog);
#undef S
#undef N
}

static void
test_defaults(void)
{
	struct conf	d, c;

	is_int(conf_init(&d), 0, "conf_init succeeds");
	/* The defaults documented in etc/llmops.conf.sample and limits.h. */
	is_str(d.db.host, "localhost", "default database.host");
	is_int(d.db.port, 3306, "default database.port");
	is_str(d.db.socket, "", "default database.socket is empty");
	is_str(d.db.user, "llmops", "default database.user");
	is_str(d.db.password, "", "default database.password is empty");
	is_str(d.db.password_file, "", "default database.password_file is empty");
	is_str(d.db.name, "llmops", "default database.name");
	is_int(d.db.connect_timeout, 5, "default connect_timeout 5 s");
	is_int(d.db.read_timeout, 30, "default read_timeout 30 s");
	is_int(d.db.write_timeout, 30, "default write_timeout 30 s");
	is_int(d.db.tls, 0, "default tls.enabled false");
	is_str(d.db.tls_ca, "", "default tls.ca empty");
	is_int(d.db.tls_verify_server_cert, 1, "default verify_server_cert true");
	is_int(d.ingest.max_body_bytes, 32LL * 1024 * 1024,
	    "default max_body_bytes 32 MiB");
	is_int(d.ingest.max_events, 10000, "default max_events 10000");
	is_int(d.ingest.max_json_depth, 64, "default max_json_depth 64");
	is_int(d.ingest.max_label_chars, 128, "default max_label_chars 128");
	is_int(d.retention.raw_days, RETENTION_RAW_DAYS_DEFAULT,
	    "default retention.raw_days");
	is_int(RETENTION_RAW_DAYS_DEFAULT, 400, "... is 400 days");
	is_str(d.log.level_name, "info", "default log.level info");
	is_int(d.log.level, LOG_LEVEL_INFO, "default log level is INFO");
	is_int(d.log.syslog, 0, "default log.syslog false");

	if (load_ok("empty file", "", 0600, &c) == 0)
		ok(conf_same(&c, &d), "empty file: every setting is the default");
	conf_release(&c);
	if (load_ok("comments only", "# nothing\n// here\n/* either */\n", 0600,
	    &c) == 0)
		ok(conf_same(&c, &d), "comments only: every setting is the default");
	conf_release(&c);
	if (load_ok("empty groups", "database = { tls = { }; };\ningest = { };\n"
	    "log = { };\n", 0600, &c) == 0)
		ok(conf_same(&c, &d), "empty groups: every setting is the default");
	conf_release(&c);
	conf_release(&d);
}

static void
test_sample(void)
{
	const char		*src = getenv("LLMOPS_SRCDIR");
	char			 path[4096];
	struct conf		 d, c;
	struct llmops_err	 err;
	int			 rc;

	/* Fail loudly rather than skip: make check always sets it. */
	if (!ok(src != NULL, "LLMOPS_SRCDIR is set"))
		return;
	snprintf(path, sizeof(path), "%s/etc/llmops.conf.sample", src);
	conf_init(&d);
	err_clear(&err);
	rc = conf_load(&c, path, &err);
	is_int(rc, 0, "etc/llmops.conf.sample loads");
	if (rc != 0)
		tap_diag("%s", err.msg);
	else
		ok(conf_same(&c, &d),
		    "etc/llmops.conf.sample holds exactly the defaults");
	conf_release(&c);
	conf_release(&d);
}

/* The most events the default body limit (32 MiB) and label length allow:
 * twice the body over the most one kept event can hold. */
static long long
memory_fit(void)
{
	return 2 * (long long)LIMIT_BODY_BYTES_DEFAULT /
	    (long long)usage_event_bytes_max(LIMIT_LABEL_CHARS_DEFAULT);
}

static void
test_values(void)
{
	struct conf	c;
	char		text[128];

	if (load_ok("every setting",
	    "database = {\n"
	    "  host = \"db.example\";\n"
	    "  port = 3307;\n"
	    "  socket = \"/run/mysqld/mysqld.sock\";\n"
	    "  user = \"u\";\n"
	    "  name = \"n\";\n"
	    "  connect_timeout = 300;\n"
	    "  read_timeout = 1;\n"
	    "  write_timeout = 3600;\n"
	    "  tls = { enabled = true; ca = \"/ca\"; cert = \"/c\"; key = \"/k\";\n"
	    "    verify_server_cert = false; };\n"
	    "};\n"
	    "ingest = { max_body_bytes = 1073741824; max_events = 250000;\n"
	    "  max_json_depth = 8; max_label_chars = 255; };\n"
	    "retention = { raw_days = 36500; };\n"
	    "log = { level = \"debug\"; syslog = true; };\n", 0600, &c) == 0) {
		is_str(c.db.host, "db.example", "every setting: host");
		is_int(c.db.port, 3307, "every setting: port");
		is_str(c.db.socket, "/run/mysqld/mysqld.sock", "every setting: socket");
		is_str(c.db.user, "u", "every setting: user");
		is_str(c.db.name, "n", "every setting: name");
		is_int(c.db.connect_timeout, 300, "every setting: connect_timeout");
		is_int(c.db.read_timeout, 1, "every setting: read_timeout");
		is_int(c.db.write_timeout, 3600, "every setting: write_timeout");
		is_int(c.db.tls, 1, "every setting: tls.enabled");
		is_str(c.db.tls_ca, "/ca", "every setting: tls.ca");
		is_str(c.db.tls_cert, "/c", "every setting: tls.cert");
		is_str(c.db.tls_key, "/k", "every setting: tls.key");
		is_int(c.db.tls_verify_server_cert, 0,
		    "every setting: tls.verify_server_cert");
		is_int(c.ingest.max_body_bytes, 1073741824,
		    "every setting: max_body_bytes (the maximum)");
		is_int(c.ingest.max_events, 250000,
		    "every setting: max_events (the maximum)");
		is_int(c.ingest.max_json_depth, 8, "every setting: max_json_depth");
		is_int(c.ingest.max_label_chars, 255,
		    "every setting: max_label_chars 255 (the maximum)");
		is_int(c.retention.raw_days, 36500,
		    "every setting: retention.raw_days (the maximum)");
		is_int(c.log.level, LOG_LEVEL_DEBUG, "every setting: log.level debug");
		is_int(c.log.syslog, 1, "every setting: log.syslog");
	}
	conf_release(&c);

	if (load_ok("int64 max_body_bytes", "ingest = { max_body_bytes = "
	    "100000000L; };\n", 0600, &c) == 0)
		is_int(c.ingest.max_body_bytes, 100000000,
		    "max_body_bytes = 100000000L read as 100000000");
	conf_release(&c);
	if (load_ok("max_body_bytes at 1 GiB", "ingest = { max_body_bytes = "
	    "1073741824L; };\n", 0600, &c) == 0)
		is_int(c.ingest.max_body_bytes, 1073741824LL,
		    "max_body_bytes = 1 GiB (the maximum) accepted");
	conf_release(&c);
	if (load_ok("max_events at the maximum", "ingest = { max_body_bytes = "
	    "1073741824; max_events = 250000; };\n", 0600, &c) == 0)
		is_int(c.ingest.max_events, LIMIT_EVENTS_MAX, "max_events 250000 "
		    "(the maximum) with a 1 GiB body limit");
	conf_release(&c);
	snprintf(text, sizeof(text), "ingest = { max_events = %lld; };\n",
	    memory_fit());
	if (load_ok("max_events at the memory bound", text, 0600, &c) == 0)
		is_int(c.ingest.max_events, memory_fit(), "max_events = %lld "
		    "(the bound of a 32 MiB body) accepted", memory_fit());
	conf_release(&c);
	if (load_ok("log.level error", "log = { level = \"error\"; };\n", 0600,
	    &c) == 0)
		is_int(c.log.level, LOG_LEVEL_ERROR, "log.level error");
	conf_release(&c);
	if (load_ok("log.level warn", "log = { level = \"warn\"; };\n", 0600,
	    &c) == 0)
		is_int(c.log.level, LOG_LEVEL_WARN, "log.level warn");
	conf_release(&c);
	if (load_ok("retention.raw_days 0", "retention = { raw_days = 0; };\n",
	    0600, &c) == 0)
		is_int(c.retention.raw_days, 0,
		    "retention.raw_days = 0 (keep raw events forever) accepted");
	conf_release(&c);
	if (load_ok("port 1 and 65535", "database = { port = 1; };\n", 0600,
	    &c) == 0)
		is_int(c.db.port, 1, "port 1 (the minimum) accepted");
	conf_release(&c);
	if (load_ok("port 65535", "database = { port = 65535; };\n", 0600,
	    &c) == 0)
		is_int(c.db.port, 65535, "port 65535 (the maximum) accepted");
	conf_release(&c);
}

static void
test_errors(void)
{
	char	text[128], want[64];

	/* The defaults must keep within the bound. */
	ok(LIMIT_EVENTS_DEFAULT <= memory_fit(), "the default max_events (%d) "
	    "is within the memory bound (%lld)", LIMIT_EVENTS_DEFAULT,
	    memory_fit());
	load_fails("unknown setting", "# llmops\ndatabase = { hots = \"x\"; };\n",
	    0600, 2, "database.hots", "unknown", NULL);
	load_fails("unknown group", "\n\n\ndatabse = { host = \"x\"; };\n", 0600, 4,
	    "databse", "unknown", NULL);
	load_fails("unknown setting in tls", "database = {\n  tls = {\n"
	    "    enable = true;\n  };\n};\n", 0600, 3, "database.tls.enable",
	    "unknown", NULL);
	load_fails("unknown top-level setting", "port = 3306;\n", 0600, 1,
	    "port", "unknown", NULL);
	load_fails("group given as a value", "database = 5;\n", 0600, 1,
	    "database", NULL);
	load_fails("setting given as a group", "database = { port = { }; };\n",
	    0600, 1, "database.port", NULL);

	load_fails("string for an integer", "database = {\n  port = \"3306\";\n};\n",
	    0600, 2, "database.port", "integer", NULL);
	load_fails("float for an integer", "database = { port = 3306.0; };\n",
	    0600, 1, "database.port", "integer", NULL);
	load_fails("integer for a boolean", "database = { tls = {\n"
	    "  enabled = 1; }; };\n", 0600, 2, "database.tls.enabled", "true",
	    NULL);
	load_fails("string for a boolean", "log = { syslog = \"yes\"; };\n",
	    0600, 1, "log.syslog", NULL);
	load_fails("integer for a string", "database = { host = 5; };\n", 0600,
	    1, "database.host", "string", NULL);

	load_fails("port 0", "database = { port = 0; };\n", 0600, 1,
	    "database.port", "range", NULL);
	load_fails("port 70000", "database = { port = 70000; };\n", 0600, 1,
	    "database.port", "range", NULL);
	load_fails("port -1", "database = { port = -1; };\n", 0600, 1,
	    "database.port", "range", NULL);
	/* 2^32 + 1 must not wrap to port 1. */
	load_fails("port 4294967297L", "database = { port = 4294967297L; };\n",
	    0600, 1, "database.port", "range", NULL);
	load_fails("max_label_chars 256", "ingest = {\n  max_label_chars = 256;\n"
	    "};\n", 0600, 2, "ingest.max_label_chars", "range", NULL);
	load_fails("max_label_chars 0", "ingest = { max_label_chars = 0; };\n",
	    0600, 1, "ingest.max_label_chars", "range", NULL);
	load_fails("max_body_bytes 100", "ingest = { max_body_bytes = 100; };\n",
	    0600, 1, "ingest.max_body_bytes", "range", NULL);
	load_fails("max_body_bytes above 1 GiB", "ingest = {\n\n"
	    "  max_body_bytes = 1073741825L;\n};\n", 0600, 3,
	    "ingest.max_body_bytes", "range", NULL);
	load_fails("max_events 0", "ingest = { max_events = 0; };\n", 0600, 1,
	    "ingest.max_events", "range", NULL);
	load_fails("max_events above the maximum", "ingest = { max_events = "
	    "250001; };\n", 0600, 1, "ingest.max_events", "range", NULL);
	/* The kept events must fit in twice the body limit (3x bound). */
	snprintf(text, sizeof(text), "ingest = { max_events = %lld; };\n",
	    memory_fit() + 1);
	snprintf(want, sizeof(want), "ingest.max_events %lld",
	    memory_fit() + 1);
	load_fails("max_events beyond the memory bound", text, 0600, 0, want,
	    "twice the body limit", NULL);
	load_fails("max_events beyond the bound of a small body", "ingest = { "
	    "max_body_bytes = 1048576; max_events = 600; };\n", 0600, 0,
	    "allows (512)", "lower max_events", NULL);
	load_fails("raw_days above the maximum", "retention = {\n"
	    "  raw_days = 36501;\n};\n", 0600, 2, "retention.raw_days", "range",
	    NULL);
	load_fails("raw_days -1", "retention = { raw_days = -1; };\n", 0600, 1,
	    "retention.raw_days", "range", NULL);
	load_fails("max_json_depth 1001", "ingest = { max_json_depth = 1001; };\n",
	    0600, 1, "ingest.max_json_depth", "range", NULL);
	load_fails("connect_timeout 0", "database = { connect_timeout = 0; };\n",
	    0600, 1, "database.connect_timeout", "range", NULL);

	load_fails("syntax error", "database = {\n  host = \"x\";\n"
	    "  port = = 3306;\n};\n", 0600, 3, NULL);
	load_fails("unterminated group", "database = {\n  host = \"x\";\n", 0600,
	    0, NULL);
	load_fails("bad log.level", "\nlog = { level = \"verbose\"; };\n", 0600,
	    2, "log.level", "verbose", NULL);
	load_fails("empty log.level", "log = { level = \"\"; };\n", 0600, 1,
	    "log.level", NULL);
}

static void
test_missing(void)
{
	struct conf		c;
	struct llmops_err	err;
	const char		*path = "/tmp/t_conf.does-not-exist/llmops.conf";
	int			rc;

	err_clear(&err);
	rc = conf_load(&c, path, &err);
	is_int(rc, -1, "missing file: refused");
	ok(contains(err.msg, path), "missing file: message names the file");
	ok(contains(err.msg, strerror(ENOENT)), "missing file: message says %s",
	    strerror(ENOENT));
	tap_diag("missing file: %s", err.msg);
	conf_release(&c);
}

static void
test_password(void)
{
	char		 pw[sizeof(TMP_TEMPLATE)], text[256];
	struct conf	 c;

	load_fails("password world-readable",
	    "database = { password = \"s3cret\"; };\n", 0644, 0, "password",
	    NULL);
	load_fails("password world-readable and writable",
	    "database = { password = \"s3cret\"; };\n", 0666, 0, NULL);
	if (load_ok("password at 0640", "database = { password = \"s3cret\"; };\n",
	    0640, &c) == 0)
		is_str(c.db.password, "s3cret", "password at 0640 read");
	conf_release(&c);
	if (load_ok("password at 0600", "database = { password = \"s3cret\"; };\n",
	    0600, &c) == 0)
		is_str(c.db.password, "s3cret", "password at 0600 read");
	conf_release(&c);
	/* An empty password is no password: the file may be world-readable. */
	if (load_ok("empty password at 0644", "database = { password = \"\"; };\n",
	    0644, &c) == 0)
		is_str(c.db.password, "", "empty password at 0644 accepted");
	conf_release(&c);

	/* password_file: the config may be 0644, the password file not. */
	if (write_file(pw, "f1le-pass\nsecond line\n", 0644) != 0) {
		ok(0, "write the password file");
		return;
	}
	snprintf(text, sizeof(text), "database = { password_file = \"%s\"; };\n",
	    pw);
	load_fails("password_file world-readable", text, 0644, -1, pw, NULL);
	chmod(pw, 0600);
	if (load_ok("password_file at 0600", text, 0644, &c) == 0) {
		is_str(c.db.password, "f1le-pass",
		    "password_file: first line, newline stripped");
		is_str(c.db.password_file, pw, "password_file: path kept");
	}
	conf_release(&c);
	chmod(pw, 0640);
	if (load_ok("password_file at 0640", text, 0644, &c) == 0)
		is_str(c.db.password, "f1le-pass", "password_file at 0640 read");
	conf_release(&c);
	unlink(pw);

	/* CR LF line end, and no line end at all. */
	if (write_file(pw, "crlf-pass\r\n", 0600) == 0) {
		snprintf(text, sizeof(text), "database = { password_file = "
		    "\"%s\"; };\n", pw);
		if (load_ok("password_file with CR LF", text, 0600, &c) == 0)
			is_str(c.db.password, "crlf-pass",
			    "password_file: CR LF stripped");
		conf_release(&c);
		unlink(pw);
	}
	if (write_file(pw, "no-newline", 0600) == 0) {
		snprintf(text, sizeof(text), "database = { password_file = "
		    "\"%s\"; };\n", pw);
		if (load_ok("password_file without newline", text, 0600, &c) == 0)
			is_str(c.db.password, "no-newline",
			    "password_file without a newline read whole");
		conf_release(&c);
		unlink(pw);
	}

	/* Both at once is ambiguous. */
	if (write_file(pw, "x\n", 0600) == 0) {
		snprintf(text, sizeof(text), "database = { password = \"a\";\n"
		    "  password_file = \"%s\"; };\n", pw);
		load_fails("password and password_file", text, 0600, 0,
		    "database.password", "password_file", NULL);
		unlink(pw);
	}
	load_fails("password_file missing", "database = { password_file = "
	    "\"/tmp/t_conf.does-not-exist/pw\"; };\n", 0600, -1,
	    "/tmp/t_conf.does-not-exist/pw", NULL);
}

static void
test_long_password_file(void)
{
	char			 pw[sizeof(TMP_TEMPLATE)], text[256];
	char			*line;
	struct conf		 c;
	struct llmops_err	 err;
	char			 cpath[sizeof(TMP_TEMPLATE)];
	int			 rc;

	/*
	 * A password longer than any internal buffer must be read whole or
	 * refused with a message: cutting it silently gives a wrong password
	 * and a confusing "access denied" from MariaDB.
	 */
	if ((line = malloc(2002)) == NULL) {
		ok(0, "malloc");
		return;
	}
	memset(line, 'p', 2000);
	line[2000] = '\n';
	line[2001] = '\0';
	if (write_file(pw, line, 0600) != 0) {
		free(line);
		ok(0, "write the password file");
		return;
	}
	snprintf(text, sizeof(text), "database = { password_file = \"%s\"; };\n",
	    pw);
	if (write_file(cpath, text, 0600) != 0) {
		free(line);
		unlink(pw);
		ok(0, "write the config");
		return;
	}
	err_clear(&err);
	rc = conf_load(&c, cpath, &err);
	line[2000] = '\0';
	ok((rc == 0 && strcmp(c.db.password, line) == 0) ||
	    (rc == -1 && contains(err.msg, pw)),
	    "2000-character password file: read whole or refused, never cut");
	if (rc == 0)
		tap_diag("read %zu of 2000 characters", strlen(c.db.password));
	conf_release(&c);
	free(line);
	unlink(pw);
	unlink(cpath);
}

static void
test_default_path(void)
{
	unsetenv(CONF_ENV);
	is_str(conf_default_path("/x/explicit.conf"), "/x/explicit.conf",
	    "default path: -c wins");
#ifdef LLMOPS_CONFIG_PATH
	is_str(conf_default_path(NULL), LLMOPS_CONFIG_PATH,
	    "default path: built-in without LLMOPS_CONF");
#endif
	setenv(CONF_ENV, "/x/env.conf", 1);
	is_str(conf_default_path(NULL), "/x/env.conf",
	    "default path: LLMOPS_CONF");
	is_str(conf_default_path("/x/explicit.conf"), "/x/explicit.conf",
	    "default path: -c wins over LLMOPS_CONF");
	setenv(CONF_ENV, "", 1);
#ifdef LLMOPS_CONFIG_PATH
	is_str(conf_default_path(NULL), LLMOPS_CONFIG_PATH,
	    "default path: empty LLMOPS_CONF ignored");
#endif
	unsetenv(CONF_ENV);
}

int
main(void)
{
	/* The permission checks depend on the mode we set, not the umask. */
	umask(022);
	test_defaults();
	test_sample();
	test_values();
	test_errors();
	test_missing();
	test_password();
	test_long_password_file();
	test_default_path();
	return tap_done();
}
