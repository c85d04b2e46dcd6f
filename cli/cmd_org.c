/* llmopsctl org: create and list organizations. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "output.h"
#include "timefmt.h"

static const char usage_text[] =
    "usage: llmopsctl org create NAME\n"
    "       llmopsctl org list [--format table|csv|json]\n\n"
    "An organization owns tracking tokens and the usage they record.\n"
    "Names are 1-128 characters, unique regardless of case, not all digits\n"
    "(commands accept an organization's name or its numeric id).\n";

static const struct report_col org_cols[] = {
	{ "id", COL_INT },
	{ "name", COL_TEXT },
	{ "active_tokens", COL_INT },
	{ "created", COL_TIME_US },
};

/* Handles --help and rejects options for subcommands that take none. */
static int
no_options(int argc, char *argv[], int *rc)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int	ch;

	optind = 0;
	if ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		*rc = cli_usage(usage_text, ch == 'h' ? EXIT_OK : EXIT_USAGE);
		return -1;
	}
	return 0;
}

static int
org_create(struct cli *cli, int argc, char *argv[])
{
	struct llmops_err	err;
	uint32_t		id = 0;
	int			rc;

	if (no_options(argc, argv, &rc) != 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(usage_text, EXIT_USAGE);
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (admin_org_create(&cli->db, cli->actor, argv[optind], &id, &err) != 0)
		return cli_fail(&err);
	printf("created organization %s (id %" PRIu32 ")\n", argv[optind], id);
	return EXIT_OK;
}

static int
print_org(const struct org *o, void *arg)
{
	char		 id[16], tokens[24], created[24];
	const char	*vals[4] = { id, o->name, tokens, created };

	snprintf(id, sizeof(id), "%" PRIu32, o->id);
	snprintf(tokens, sizeof(tokens), "%" PRId64, o->active_tokens);
	snprintf(created, sizeof(created), "%" PRId64, o->created_us);
	return out_row(arg, vals);
}

static int
org_list(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct llmops_err	err;
	struct out		out;
	enum out_format		fmt = OUT_TABLE;
	int			ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (ch == 'f' && out_format_parse(optarg, OUT_ALLOW(OUT_TABLE) |
		    OUT_ALLOW(OUT_CSV) | OUT_ALLOW(OUT_JSON), &fmt) == 0)
			continue;
		return cli_usage(usage_text, ch == 'h' ? EXIT_OK : EXIT_USAGE);
	}
	if (optind != argc)
		return cli_usage(usage_text, EXIT_USAGE);
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	out_begin(&out, fmt, cli_stdout(cli), org_cols, 4);
	rc = admin_org_list(&cli->db, print_org, &out, &err);
	if (out_end(&out) != 0 && rc == 0)
		return cli_error("cannot write the output");
	return rc != 0 ? cli_fail(&err) : EXIT_OK;
}

int
cmd_org(struct cli *cli, int argc, char *argv[])
{
	static const struct cli_cmd sub[] = {
		{ "create", org_create, NULL },
		{ "list", org_list, NULL },
		{ NULL, NULL, NULL },
	};

	return cli_dispatch(cli, sub, "org", usage_text, argc - 1, argv + 1);
}
