/*
 * /etc/llmops.conf (libconfig syntax), or the file named by LLMOPS_CONF or
 * the CLI's -c. Every setting, its type, range and default is in the table
 * in conf.c and documented in etc/llmops.conf.sample. Unknown settings,
 * wrong types and values out of range are errors with file and line.
 */
#ifndef LLMOPS_CONF_H
#define LLMOPS_CONF_H

#include <stddef.h>

#include "err.h"
#include "log.h"

#define CONF_ENV	"LLMOPS_CONF"

struct conf_db {
	char		*host;
	int		 port;
	char		*socket;
	char		*user;
	char		*password;	/* from password or password_file */
	char		*password_file;
	char		*name;
	int		 connect_timeout;
	int		 read_timeout;
	int		 write_timeout;
	int		 tls;
	char		*tls_ca;
	char		*tls_cert;
	char		*tls_key;
	int		 tls_verify_server_cert;
};

struct conf_ingest {
	long long	 max_body_bytes;
	long long	 max_events;
	int		 max_json_depth;
	int		 max_label_chars;
	int		 token_cache_seconds;
};

struct conf_cost {
	char		*prefer_name;	/* "ours" or "litellm" */
	int		 prefer;	/* enum cost_prefer */
	int		 reload_seconds;
};

struct conf_spool {
	char		*dir;
	long long	 segment_bytes;
	int		 loader_turn_ms;
};

struct conf_web {
	char		*session_secret_file;	/* "" : no dashboard logins */
	int		 session_hours;
	char		*secure_cookies;	/* "auto", "always", "never" */
};

struct conf_retention {
	int		 raw_days;	/* 0: raw events are kept forever */
};

struct conf_log {
	char		*level_name;
	enum log_level	 level;
	int		 syslog;
};

struct conf {
	char			*path;
	struct conf_db		 db;
	struct conf_ingest	 ingest;
	struct conf_cost	 cost;
	struct conf_spool	 spool;
	struct conf_web		 web;
	struct conf_retention	 retention;
	struct conf_log		 log;
};

/* The file to read: explicit (-c) when not NULL, else $LLMOPS_CONF, else the built-in path. */
const char	*conf_default_path(const char *explicit_path);
/* Fills conf with every default. */
int		 conf_init(struct conf *);
/* conf_init + the file. On error, err says file, line and reason. */
int		 conf_load(struct conf *, const char *path, struct llmops_err *);
void		 conf_release(struct conf *);

#endif
