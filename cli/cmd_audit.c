/* llmopsctl audit: the log of administrative actions. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "cli.h"
#include "output.h"
#include "timeargs.h"

static const char usage_text[] =
    "usage: llmopsctl audit [--org ORG] [--since T] [--limit N]\n"
    "         [--format table|csv|json]\n\n"
    "Administrative actions, newest first: who (cli:<system user>, or\n"
    "web:<e-mail> from the dashboard), when, on which organization, what\n"
    "changed. Secrets never appear: tokens, keys and passwords by id only.\n"
    TIMEARGS_HELP;

int
cmd_audit(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "org", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct timeargs		 ta;
	struct llmops_err	 err;
	struct org		 org;
	struct out		 out;
	enum out_format		 fmt = OUT_TABLE;
	const char		*orgref = NULL;
	unsigned		 limit = 0;
	int			 ch, rc;

	timeargs_init(&ta);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			orgref = optarg;
			break;
		case 's':
			if (timeargs_set(&ta, 0, optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'n':
			if (cli_parse_id(optarg, &limit) != 0) {
				cli_error("--limit must be a positive number");
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (cli_parse_format(optarg, &fmt) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			return cli_usage(usage_text, EXIT_OK);
		default:
			return cli_usage(usage_text, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cli_usage(usage_text, EXIT_USAGE);
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	memset(&org, 0, sizeof(org));
	if (orgref != NULL && admin_org_find(&cli->db, orgref, &org, &err) != 0)
		return cli_fail(&err);
	out_begin(&out, fmt, cli_stdout(cli), audit_cols, AUDIT_NCOLS);
	rc = audit_list(&cli->db, org.id, ta.since_us, limit, out_row_cb, &out,
	    &err);
	if (out_end(&out) != 0 && rc == 0)
		return cli_error("cannot write the output");
	return rc != 0 ? cli_fail(&err) : EXIT_OK;
}
