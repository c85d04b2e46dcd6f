#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "conf.h"
#include "event.h"
#include "llmops_limits.h"
#include "pricing.h"

#ifndef LLMOPS_CONFIG_PATH
#define LLMOPS_CONFIG_PATH	"/etc/llmops.conf"
#endif

/* Longest password file we read (one line). */
#define CONF_PASSWORD_BYTES	1024

enum opt_type {
	OPT_STRING,
	OPT_INT,
	OPT_INT64,
	OPT_BOOL,
	OPT_GROUP,
};

struct opt {
	const char	*path;		/* dotted setting path */
	enum opt_type	 type;
	size_t		 off;		/* into struct conf */
	long long	 min, max;
	const char	*def_str;	/* default for strings */
	long long	 def_num;	/* default for numbers and booleans */
};

#define O(p, t, f, lo, hi, ds, dn) \
	{ (p), (t), offsetof(struct conf, f), (lo), (hi), (ds), (dn) }
#define G(p)	{ (p), OPT_GROUP, 0, 0, 0, NULL, 0 }

static const struct opt opts[] = {
	G("database"),
	O("database.host", OPT_STRING, db.host, 0, 0, "localhost", 0),
	O("database.port", OPT_INT, db.port, 1, 65535, NULL, 3306),
	O("database.socket", OPT_STRING, db.socket, 0, 0, "", 0),
	O("database.user", OPT_STRING, db.user, 0, 0, "llmops", 0),
	O("database.password", OPT_STRING, db.password, 0, 0, "", 0),
	O("database.password_file", OPT_STRING, db.password_file, 0, 0, "", 0),
	O("database.name", OPT_STRING, db.name, 0, 0, "llmops", 0),
	O("database.connect_timeout", OPT_INT, db.connect_timeout, 1, 300, NULL, 5),
	O("database.read_timeout", OPT_INT, db.read_timeout, 1, 3600, NULL, 30),
	O("database.write_timeout", OPT_INT, db.write_timeout, 1, 3600, NULL, 30),
	G("database.tls"),
	O("database.tls.enabled", OPT_BOOL, db.tls, 0, 1, NULL, 0),
	O("database.tls.ca", OPT_STRING, db.tls_ca, 0, 0, "", 0),
	O("database.tls.cert", OPT_STRING, db.tls_cert, 0, 0, "", 0),
	O("database.tls.key", OPT_STRING, db.tls_key, 0, 0, "", 0),
	O("database.tls.verify_server_cert", OPT_BOOL, db.tls_verify_server_cert,
	    0, 1, NULL, 1),
	G("ingest"),
	O("ingest.max_body_bytes", OPT_INT64, ingest.max_body_bytes, 1024,
	    LIMIT_BODY_BYTES_MAX, NULL, LIMIT_BODY_BYTES_DEFAULT),
	O("ingest.max_events", OPT_INT64, ingest.max_events, 1, LIMIT_EVENTS_MAX,
	    NULL, LIMIT_EVENTS_DEFAULT),
	O("ingest.max_json_depth", OPT_INT, ingest.max_json_depth, 8,
	    LIMIT_JSON_DEPTH_MAX, NULL, LIMIT_JSON_DEPTH_DEFAULT),
	O("ingest.max_label_chars", OPT_INT, ingest.max_label_chars, 1,
	    LIMIT_LABEL_CHARS_MAX, NULL, LIMIT_LABEL_CHARS_DEFAULT),
	O("ingest.token_cache_seconds", OPT_INT, ingest.token_cache_seconds, 0,
	    LIMIT_TOKEN_CACHE_MAX, NULL, LIMIT_TOKEN_CACHE_DEFAULT),
	G("cost"),
	O("cost.prefer", OPT_STRING, cost.prefer_name, 0, 0, "ours", 0),
	O("cost.reload_seconds", OPT_INT, cost.reload_seconds, 1, 3600, NULL,
	    LIMIT_PRICE_RELOAD_DEFAULT),
	G("spool"),
	O("spool.dir", OPT_STRING, spool.dir, 0, 0, SPOOL_DIR_DEFAULT, 0),
	O("spool.segment_bytes", OPT_INT64, spool.segment_bytes,
	    SPOOL_SEGMENT_BYTES_MIN, SPOOL_SEGMENT_BYTES_MAX, NULL,
	    SPOOL_SEGMENT_BYTES_DEFAULT),
	O("spool.loader_turn_ms", OPT_INT, spool.loader_turn_ms, 1,
	    SPOOL_LOADER_TURN_MS_MAX, NULL, SPOOL_LOADER_TURN_MS_DEFAULT),
	G("web"),
	O("web.session_secret_file", OPT_STRING, web.session_secret_file, 0, 0,
	    "", 0),
	O("web.session_hours", OPT_INT, web.session_hours, 1, 24 * 30, NULL,
	    LIMIT_SESSION_HOURS_DEFAULT),
	O("web.secure_cookies", OPT_STRING, web.secure_cookies, 0, 0, "auto", 0),
	G("retention"),
	O("retention.raw_days", OPT_INT, retention.raw_days, 0,
	    RETENTION_RAW_DAYS_MAX, NULL, RETENTION_RAW_DAYS_DEFAULT),
	G("log"),
	O("log.level", OPT_STRING, log.level_name, 0, 0, "info", 0),
	O("log.syslog", OPT_BOOL, log.syslog, 0, 1, NULL, 0),
};

#define NOPTS	(sizeof(opts) / sizeof(opts[0]))

const char *
conf_default_path(const char *explicit_path)
{
	const char	*env;

	if (explicit_path != NULL)
		return explicit_path;
	if ((env = getenv(CONF_ENV)) != NULL && *env != '\0')
		return env;
	return LLMOPS_CONFIG_PATH;
}

static void *
field(struct conf *c, const struct opt *o)
{
	return (char *)c + o->off;
}

int
conf_init(struct conf *c)
{
	size_t	i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NOPTS; i++) {
		const struct opt	*o = &opts[i];

		switch (o->type) {
		case OPT_STRING:
			if ((*(char **)field(c, o) = strdup(o->def_str)) == NULL)
				return -1;
			break;
		case OPT_INT:
		case OPT_BOOL:
			*(int *)field(c, o) = (int)o->def_num;
			break;
		case OPT_INT64:
			*(long long *)field(c, o) = o->def_num;
			break;
		case OPT_GROUP:
			break;
		}
	}
	c->log.level = LOG_LEVEL_INFO;
	return 0;
}

void
conf_release(struct conf *c)
{
	size_t	i;

	for (i = 0; i < NOPTS; i++)
		if (opts[i].type == OPT_STRING) {
			char	**p = field(c, &opts[i]);

			if (*p != NULL && opts[i].off ==
			    offsetof(struct conf, db.password))
				explicit_bzero(*p, strlen(*p));
			free(*p);
		}
	free(c->path);
	memset(c, 0, sizeof(*c));
}

static const struct opt *
opt_find(const char *path)
{
	size_t	i;

	for (i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].path, path) == 0)
			return &opts[i];
	return NULL;
}

static int
where(struct llmops_err *err, const char *file, const config_setting_t *s,
    const char *fmt, const char *path, const char *extra)
{
	return err_set(err, 0, "%s:%u: %s %s%s", file,
	    s ? config_setting_source_line(s) : 0u, fmt, path, extra);
}

/* Every setting of the file must be one we know: catches typos. */
static int
check_known(const config_setting_t *g, const char *prefix, const char *file,
    struct llmops_err *err)
{
	char			 path[256];
	const config_setting_t	*s;
	const struct opt	*o;
	int			 i, n = config_setting_length(g);

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
		    config_setting_name(s) ? config_setting_name(s) : "?");
		if ((o = opt_find(path)) == NULL)
			return where(err, file, s, "unknown setting", path, "");
		if (o->type == OPT_GROUP) {
			if (!config_setting_is_group(s))
				return where(err, file, s, "expected a group { ... } "
				    "for", path, "");
			if (check_known(s, path, file, err))
				return -1;
		}
	}
	return 0;
}

static int
apply(struct conf *c, const config_t *cfg, const char *file, struct llmops_err *err)
{
	size_t			 i;
	const config_setting_t	*s;
	long long		 v;
	char			 range[96];
	enum cost_prefer	 prefer;

	for (i = 0; i < NOPTS; i++) {
		const struct opt	*o = &opts[i];

		if (o->type == OPT_GROUP ||
		    (s = config_lookup(cfg, o->path)) == NULL)
			continue;
		switch (o->type) {
		case OPT_STRING:
			if (config_setting_type(s) != CONFIG_TYPE_STRING)
				return where(err, file, s, "expected a string "
				    "(in double quotes) for", o->path, "");
			free(*(char **)field(c, o));
			if ((*(char **)field(c, o) =
			    strdup(config_setting_get_string(s))) == NULL)
				return err_set(err, 0, "out of memory");
			break;
		case OPT_BOOL:
			if (config_setting_type(s) != CONFIG_TYPE_BOOL)
				return where(err, file, s, "expected true or false "
				    "for", o->path, "");
			*(int *)field(c, o) = config_setting_get_bool(s);
			break;
		case OPT_INT:
		case OPT_INT64:
			if (config_setting_type(s) == CONFIG_TYPE_INT)
				v = config_setting_get_int(s);
			else if (config_setting_type(s) == CONFIG_TYPE_INT64)
				v = config_setting_get_int64(s);
			else
				return where(err, file, s, "expected an integer "
				    "for", o->path, "");
			if (v < o->min || v > o->max) {
				snprintf(range, sizeof(range), " (allowed: %lld to "
				    "%lld)", o->min, o->max);
				return where(err, file, s, "value out of range for",
				    o->path, range);
			}
			if (o->type == OPT_INT)
				*(int *)field(c, o) = (int)v;
			else
				*(long long *)field(c, o) = v;
			break;
		case OPT_GROUP:
			break;
		}
	}
	if (cost_prefer_parse(c->cost.prefer_name, &prefer) != 0) {
		s = config_lookup(cfg, "cost.prefer");
		return where(err, file, s, "cost.prefer must be ours or litellm, "
		    "not", c->cost.prefer_name, "");
	}
	c->cost.prefer = (int)prefer;
	if (strcmp(c->web.secure_cookies, "auto") != 0 &&
	    strcmp(c->web.secure_cookies, "always") != 0 &&
	    strcmp(c->web.secure_cookies, "never") != 0) {
		s = config_lookup(cfg, "web.secure_cookies");
		return where(err, file, s, "web.secure_cookies must be auto, "
		    "always or never, not", c->web.secure_cookies, "");
	}
	if (log_level_parse(c->log.level_name, &c->log.level) != 0) {
		s = config_lookup(cfg, "log.level");
		return where(err, file, s, "log.level must be error, warn, info "
		    "or debug, not", c->log.level_name, "");
	}
	return 0;
}

/*
 * A responder holds the body and the kept events of one POST: with the
 * events bounded by twice the body limit, its peak memory stays under 3x
 * ingest.max_body_bytes (plus LIMIT_PARSE_SLACK_BYTES) whatever the body
 * (lib/litellm.h). LiteLLM's batch size is always allowed.
 */
static int
check_memory_bound(const struct conf *c, struct llmops_err *err)
{
	size_t		per_event;
	long long	body, fit;

	per_event = usage_event_bytes_max((size_t)c->ingest.max_label_chars);
	body = (long long)c->ingest.max_body_bytes;
	fit = 2 * body / (long long)per_event;
	if (fit < LIMIT_EVENTS_ALWAYS)
		fit = LIMIT_EVENTS_ALWAYS;
	if ((long long)c->ingest.max_events <= fit)
		return 0;
	return err_set(err, 0, "%s: ingest.max_events %lld is more than "
	    "ingest.max_body_bytes %lld allows (%lld): the kept events of a "
	    "POST (up to %zu bytes each with max_label_chars %d) must fit in "
	    "twice the body limit, so that a responder stays under 3x it; "
	    "lower max_events or raise max_body_bytes", c->path,
	    (long long)c->ingest.max_events, body, fit, per_event,
	    c->ingest.max_label_chars);
}

/* A file holding a password must not be readable by everyone. */
static int
check_private(const char *file, const char *what, struct llmops_err *err)
{
	struct stat	st;

	if (stat(file, &st) != 0)
		return err_set(err, 0, "%s: %s", file, strerror(errno));
	if (st.st_mode & S_IROTH)
		return err_set(err, 0, "%s: %s is readable by everyone (mode "
		    "%04o); chmod o-r it (e.g. 0640, group of the web server)",
		    file, what, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int
read_password_file(struct conf *c, struct llmops_err *err)
{
	FILE	*f;
	char	 buf[CONF_PASSWORD_BYTES];
	size_t	 len;
	int	 rc = -1;

	if (check_private(c->db.password_file, "the database password file "
	    "(database.password_file)", err))
		return -1;
	if ((f = fopen(c->db.password_file, "r")) == NULL)
		return err_set(err, 0, "%s: database.password_file %s: %s",
		    c->path, c->db.password_file, strerror(errno));
	if (fgets(buf, sizeof(buf), f) == NULL) {
		err_set(err, 0, "%s: empty password file", c->db.password_file);
		goto out;
	}
	len = strcspn(buf, "\r\n");
	/* No end of line in the buffer: the line must end with the file. */
	if (buf[len] == '\0' && fgetc(f) != EOF) {
		err_set(err, 0, "%s: password longer than %d bytes",
		    c->db.password_file, CONF_PASSWORD_BYTES - 2);
		goto out;
	}
	buf[len] = '\0';
	free(c->db.password);
	if ((c->db.password = strdup(buf)) == NULL) {
		err_set(err, 0, "out of memory");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	fclose(f);
	return rc;
}

int
conf_load(struct conf *c, const char *path, struct llmops_err *err)
{
	config_t	cfg;
	int		rc = -1;

	if (conf_init(c) != 0)
		return err_set(err, 0, "out of memory");
	if ((c->path = strdup(path)) == NULL)
		return err_set(err, 0, "out of memory");
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			err_set(err, 0, "%s: cannot read the configuration file: %s",
			    path, strerror(errno ? errno : ENOENT));
		else
			err_set(err, 0, "%s:%d: %s", config_error_file(&cfg) ?
			    config_error_file(&cfg) : path, config_error_line(&cfg),
			    config_error_text(&cfg));
		goto out;
	}
	if (check_known(config_root_setting(&cfg), "", path, err) ||
	    apply(c, &cfg, path, err))
		goto out;
	if (check_memory_bound(c, err))
		goto out;
	if (*c->db.password != '\0' && *c->db.password_file != '\0') {
		where(err, path, config_lookup(&cfg, "database.password_file"),
		    "set database.password or", "database.password_file", ", "
		    "not both");
		goto out;
	}
	if (*c->db.password != '\0' &&
	    check_private(path, "the configuration file with a password", err))
		goto out;
	if (*c->db.password_file != '\0' && read_password_file(c, err))
		goto out;
	rc = 0;
out:
	config_destroy(&cfg);
	return rc;
}
