/* llmopsctl events: the stored fields of raw events, for export. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "db_usage.h"
#include "output.h"
#include "timeargs.h"

static const char usage_text[] =
    "usage: llmopsctl events ORG [--since T] [--until T] [--limit N]\n"
    "         [--format jsonl|csv]\n\n"
    "Every stored field of the raw events of an organization, oldest first,\n"
    "selected by when the call started. There is no content to export: no\n"
    "prompt, completion or key is ever stored. Default format: jsonl; no\n"
    "limit unless --limit is given.\n"
    TIMEARGS_HELP;

int
cmd_events(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct timeargs		 ta;
	struct llmops_err	 err;
	struct org		 org;
	struct out		 out;
	struct usage_filter	 f;
	enum out_format		 fmt = OUT_JSONL;
	unsigned		 limit = 0;
	int			 ch, rc;

	timeargs_init(&ta);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'u':
			if (timeargs_set(&ta, ch == 'u', optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'n':
			if (cli_parse_id(optarg, &limit) != 0) {
				cli_error("--limit must be a positive number");
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (out_format_parse(optarg, OUT_ALLOW(OUT_JSONL) |
			    OUT_ALLOW(OUT_CSV), &fmt) != 0) {
				cli_error("--format: jsonl or csv");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			return cli_usage(usage_text, EXIT_OK);
		default:
			return cli_usage(usage_text, EXIT_USAGE);
		}
	}
	if ((rc = cli_report_org(cli, argc, argv, usage_text, &ta, &org)) != 0)
		return rc;
	err_clear(&err);
	usage_filter_init(&f, org.id, ta.since_us, ta.until_us);
	out_begin(&out, fmt, cli_stdout(cli), usage_event_cols,
	    USAGE_EVENT_NCOLS);
	rc = db_usage_events_export(&cli->db, &f, limit, out_row_cb, &out,
	    &err);
	if (out_end(&out) != 0 && rc == 0)
		return cli_error("cannot write the output");
	return rc != 0 ? cli_fail(&err) : EXIT_OK;
}
