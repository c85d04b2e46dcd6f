/* llmopsctl: shared state of one run and the command table. */
#ifndef LLMOPS_CLI_H
#define LLMOPS_CLI_H

#include <stdio.h>

#include "audit.h"
#include "conf.h"
#include "db.h"
#include "err.h"
#include "output.h"
#include "writer.h"

/* Exit statuses of every command. */
#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_USAGE	2

struct cli {
	const char	*conf_path;
	struct conf	 conf;
	int		 conf_loaded;
	struct db	 db;
	char		 actor[AUDIT_ACTOR_BYTES + 1];	/* for the audit log */
	struct writer	 out;				/* stdout, for tables */
	int		 out_ready;
};

/* The writer over stdout that tables and exports go through. */
struct writer *cli_stdout(struct cli *);

struct cli_cmd {
	const char	*name;
	int		(*run)(struct cli *, int argc, char *argv[]);
	const char	*summary;
};

/* Loads the configuration on first use; prints the error. */
int	cli_conf(struct cli *);
/* cli_conf, then connects to the database; prints the error. */
int	cli_db(struct cli *);
/* cli_conf for a command whose statements may each run for minutes (a
 * migration's copy, the rebuild's grouping of every event): the database
 * read timeout becomes at least LIMIT_MAINTENANCE_READ_S. */
int	cli_conf_maintenance(struct cli *);
/* One clear line on stderr; returns EXIT_ERR. */
int	cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	cli_fail(const struct llmops_err *);
/* Prints usage text to stdout (help) or stderr (error); returns the status. */
int	cli_usage(const char *text, int status);
/*
 * Finds a subcommand in a NULL-terminated table and runs it; with usage
 * text, --help or -h in its place prints it.
 */
int	cli_dispatch(struct cli *, const struct cli_cmd *, const char *group,
	    const char *usage, int argc, char *argv[]);
struct org;
struct timeargs;
/*
 * The common end of a report command's parsing: exactly one ORG operand
 * left, a valid --since/--until range, the database connected and the
 * organization found. Returns EXIT_OK, or the status to exit with (the
 * reason printed).
 */
int	cli_report_org(struct cli *, int argc, char *argv[], const char *usage,
	    const struct timeargs *, struct org *);
/* Parses a positive decimal; -1 if not one. */
int	cli_parse_id(const char *, unsigned *out);
/* --format of a listing: table, csv or json; -1 (reason printed) if not. */
int	cli_parse_format(const char *, enum out_format *);

int	cmd_migrate(struct cli *, int, char *[]);
int	cmd_spool(struct cli *, int, char *[]);
int	cmd_org(struct cli *, int, char *[]);
int	cmd_token(struct cli *, int, char *[]);
int	cmd_usage(struct cli *, int, char *[]);
int	cmd_events(struct cli *, int, char *[]);
int	cmd_prices(struct cli *, int, char *[]);
int	cmd_reprice(struct cli *, int, char *[]);
int	cmd_cost_check(struct cli *, int, char *[]);
int	cmd_audit(struct cli *, int, char *[]);
int	cmd_rollups(struct cli *, int, char *[]);
int	cmd_prune(struct cli *, int, char *[]);
int	cmd_user(struct cli *, int, char *[]);
int	cmd_apikey(struct cli *, int, char *[]);
int	cmd_secret(struct cli *, int, char *[]);

#endif
