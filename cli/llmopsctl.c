/*
 * llmopsctl: administration of llmops from the command line. Exit status
 * 0 on success, 1 on error (one line on stderr), 2 on bad usage.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "llmops_limits.h"
#include "log.h"
#include "timeargs.h"

static const struct cli_cmd commands[] = {
	{ "migrate", cmd_migrate, "create or upgrade the database schema" },
	{ "org", cmd_org, "create and list organizations" },
	{ "token", cmd_token, "create, register, list and revoke tracking tokens" },
	{ "usage", cmd_usage, "usage and cost of an organization, grouped" },
	{ "events", cmd_events, "export the stored fields of raw events" },
	{ "prices", cmd_prices, "import, list and set prices and overrides" },
	{ "reprice", cmd_reprice, "recompute stored costs after a price change" },
	{ "cost-check", cmd_cost_check, "LiteLLM's cost against ours, per model" },
	{ "user", cmd_user, "dashboard users and their passwords" },
	{ "apikey", cmd_apikey, "read-only keys for the JSON API" },
	{ "secret", cmd_secret, "generate the dashboard's session secret" },
	{ "audit", cmd_audit, "the log of administrative actions" },
	{ "rollups", cmd_rollups, "rebuild the hourly rollups from raw events" },
	{ "prune", cmd_prune, "delete raw events older than retention.raw_days" },
	{ "spool", cmd_spool, "what waits in the spool; load it now (drain)" },
	{ NULL, NULL, NULL },
};

static void
main_usage(FILE *f)
{
	const struct cli_cmd	*c;

	fprintf(f, "usage: llmopsctl [-c FILE] COMMAND [ARGS...]\n\n"
	    "  -c, --config FILE  configuration (default: $%s or %s)\n"
	    "  -h, --help         this help; `llmopsctl COMMAND --help` for a "
	    "command\n\ncommands:\n", CONF_ENV, conf_default_path(NULL));
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-11s %s\n", c->name, c->summary);
}

int
cli_error(const char *fmt, ...)
{
	va_list	ap;
	char	buf[1024], esc[2048];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_escape(esc, sizeof(esc), buf);
	fprintf(stderr, "llmopsctl: %s\n", esc);
	return EXIT_ERR;
}

int
cli_fail(const struct llmops_err *err)
{
	return cli_error("%s", err->msg[0] ? err->msg : "failed");
}

int
cli_usage(const char *text, int status)
{
	fputs(text, status == EXIT_OK ? stdout : stderr);
	return status;
}

int
cli_conf(struct cli *cli)
{
	struct llmops_err	err;

	if (cli->conf_loaded)
		return 0;
	err_clear(&err);
	if (conf_load(&cli->conf, conf_default_path(cli->conf_path), &err) != 0) {
		conf_release(&cli->conf);
		cli_fail(&err);
		return -1;
	}
	cli->conf_loaded = 1;
	db_init(&cli->db, &cli->conf.db);
	return 0;
}

int
cli_conf_maintenance(struct cli *cli)
{
	if (cli_conf(cli) != 0)
		return -1;
	if (cli->conf.db.read_timeout < LIMIT_MAINTENANCE_READ_S)
		cli->conf.db.read_timeout = LIMIT_MAINTENANCE_READ_S;
	return 0;
}

struct writer *
cli_stdout(struct cli *cli)
{
	if (!cli->out_ready) {
		writer_init_file(&cli->out, stdout);
		cli->out_ready = 1;
	}
	return &cli->out;
}

int
cli_db(struct cli *cli)
{
	struct llmops_err	err;

	if (cli_conf(cli) != 0)
		return -1;
	err_clear(&err);
	if (db_ensure(&cli->db, &err) != 0) {
		cli_fail(&err);
		return -1;
	}
	return 0;
}

int
cli_report_org(struct cli *cli, int argc, char *argv[], const char *usage,
    const struct timeargs *ta, struct org *org)
{
	struct llmops_err	err;

	if (argc - optind != 1)
		return cli_usage(usage, EXIT_USAGE);
	if (timeargs_check(ta) != 0)
		return EXIT_USAGE;
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (admin_org_find(&cli->db, argv[optind], org, &err) != 0)
		return cli_fail(&err);
	return EXIT_OK;
}

int
cli_parse_format(const char *s, enum out_format *f)
{
	if (out_format_parse(s, OUT_ALLOW(OUT_TABLE) | OUT_ALLOW(OUT_CSV) |
	    OUT_ALLOW(OUT_JSON), f) == 0)
		return 0;
	cli_error("--format: table, csv or json");
	return -1;
}

int
cli_parse_id(const char *s, unsigned *out)
{
	unsigned long	v = 0;

	if (*s == '\0' || strlen(s) > 9)
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
cli_dispatch(struct cli *cli, const struct cli_cmd *table, const char *group,
    const char *usage, int argc, char *argv[])
{
	const struct cli_cmd	*c;

	if (usage != NULL && argc >= 1 && (strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0))
		return cli_usage(usage, EXIT_OK);
	if (argc < 1) {
		cli_error("%s: missing subcommand (try `llmopsctl %s --help`)",
		    group, group);
		return EXIT_USAGE;
	}
	for (c = table; c->name != NULL; c++)
		if (strcmp(argv[0], c->name) == 0)
			return c->run(cli, argc, argv);
	cli_error("%s: unknown subcommand '%s' (try `llmopsctl %s --help`)",
	    group, argv[0], group);
	return EXIT_USAGE;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli	cli;
	int		ch, rc;

	memset(&cli, 0, sizeof(cli));
	audit_cli_actor(cli.actor);
	/* Stop at the first non-option: the command parses its own options. */
	while ((ch = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cli.conf_path = optarg;
			break;
		case 'h':
			main_usage(stdout);
			return EXIT_OK;
		default:
			main_usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		main_usage(stderr);
		return EXIT_USAGE;
	}
	/* Library log lines (warnings) go to stderr, like our errors. */
	log_open("llmopsctl", LOG_LEVEL_WARN, 0);
	rc = cli_dispatch(&cli, commands, "llmopsctl", NULL, argc, argv);
	/* A full disk or a closed pipe shows here, once the buffers are out. */
	if ((cli.out_ready && writer_flush(&cli.out) != 0) || fflush(stdout) != 0)
		rc = cli_error("cannot write the output");
	if (cli.conf_loaded) {
		db_close(&cli.db);
		conf_release(&cli.conf);
	}
	return rc;
}
