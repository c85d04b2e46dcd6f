/* llmopsctl usage: requests, tokens, cost and latency from the hourly rollups. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "db_usage.h"
#include "timeargs.h"
#include "timefmt.h"
#include "usage.h"

static const char usage_text[] =
    "usage: llmopsctl usage ORG [--since T] [--until T]\n"
    "         [--group-by source|department|team|agent|model|provider|status|\n"
    "                     day|hour]\n"
    "         [--format table|csv|json] [--department NAME] [--team NAME]\n"
    "         [--agent NAME] [--model NAME] [--provider NAME] [--status S]\n\n"
    "Totals of an organization from the hourly rollups: requests, errors,\n"
    "tokens, the cost that counts (exact, USD: ours from the price table,\n"
    "else LiteLLM's; see cost.prefer), how many requests are unpriced (no\n"
    "cost at all: never counted as $0), LiteLLM's reported cost and average\n"
    "latency, for the whole range or grouped. Requests without a department,\n"
    "team or agent are shown as (untagged). Rollups are hourly, so the range\n"
    "is widened to whole hours (said on stderr when that happens).\n"
    "--department, --team, --agent, --model, --provider and --status count\n"
    "only the requests with that value (\"\" for those without one); they\n"
    "combine.\n"
    TIMEARGS_HELP;

/* The columns after the group's, in order. */
static const enum usage_col usage_cols[] = {
	UCOL_REQUESTS, UCOL_ERRORS, UCOL_ERROR_RATE, UCOL_PROMPT_TOKENS,
	UCOL_COMPLETION_TOKENS, UCOL_TOTAL_TOKENS, UCOL_CACHE_READ_TOKENS,
	UCOL_CACHE_WRITE_TOKENS, UCOL_REASONING_TOKENS, UCOL_COST,
	UCOL_UNPRICED, UCOL_LITELLM_COST, UCOL_AVG_LATENCY, UCOL_AVG_TTFT,
};

/* --group-by: a dimension or a time bucket, in any case. */
static int
parse_group(const char *arg, enum dim *group)
{
	char	name[16];
	size_t	i;

	for (i = 0; arg[i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = (char)tolower((unsigned char)arg[i]);
	name[i] = '\0';
	if (arg[i] != '\0' || dim_parse(name, group) != 0) {
		cli_error("--group-by: unknown dimension '%s'", arg);
		return -1;
	}
	return 0;
}

/* The dimension of a filter option. */
static enum dim
filter_dim(int opt)
{
	switch (opt) {
	case 'D':
		return DIM_DEPARTMENT;
	case 'T':
		return DIM_TEAM;
	case 'A':
		return DIM_AGENT;
	case 'M':
		return DIM_MODEL;
	case 'P':
		return DIM_PROVIDER;
	default:
		return DIM_STATUS;
	}
}

int
cmd_usage(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "group-by", required_argument, NULL, 'g' },
		{ "format", required_argument, NULL, 'f' },
		{ "department", required_argument, NULL, 'D' },
		{ "team", required_argument, NULL, 'T' },
		{ "agent", required_argument, NULL, 'A' },
		{ "model", required_argument, NULL, 'M' },
		{ "provider", required_argument, NULL, 'P' },
		{ "status", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct usage_out	 out;
	struct usage_filter	 f;
	struct timeargs		 ta;
	struct llmops_err	 err;
	struct org		 org;
	enum out_format		 fmt = OUT_TABLE;
	enum dim		 group = DIM_NONE;
	int64_t			 since, until;
	char			 a[TIME_ISO_BYTES], b[TIME_ISO_BYTES];
	/* The filter's values by dimension (NULL: no filter; "": untagged). */
	const char		*only[DIM__MAX] = { NULL };
	int			 ch, rc, d;

	timeargs_init(&ta);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'u':
			if (timeargs_set(&ta, ch == 'u', optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'g':
			if (parse_group(optarg, &group) != 0)
				return EXIT_USAGE;
			break;
		case 'f':
			if (cli_parse_format(optarg, &fmt) != 0)
				return EXIT_USAGE;
			break;
		case 'D':
		case 'T':
		case 'A':
		case 'M':
		case 'P':
		case 'S':
			only[filter_dim(ch)] = optarg;
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
	since = ta.since_us;
	until = ta.until_us;
	/* Rollups are hourly: the range counted is widened to whole hours. */
	time_widen_to_hours(&since, &until);
	usage_filter_init(&f, org.id, since, until);
	for (d = 0; d < DIM__MAX; d++)
		if (only[d] != NULL) {
			f.set[d] = 1;
			f.value[d] = *only[d] != '\0' ? only[d] : NULL;
		}
	usage_out_begin(&out, fmt, cli_stdout(cli), group, usage_cols,
	    sizeof(usage_cols) / sizeof(usage_cols[0]));
	out.total_key = "all";
	out.day_as_date = 1;
	rc = db_usage_by(&cli->db, &f, group, DIM_NONE, 0, usage_out_row, &out,
	    &err);
	if (usage_out_end(&out) != 0 && rc == 0)
		return cli_error("cannot write the output");
	if (rc != 0)
		return cli_fail(&err);
	if (((ta.given & 1) && since != ta.since_us) ||
	    ((ta.given & 2) && until != ta.until_us)) {
		time_format_iso_sec(since, a);
		time_format_iso_sec(until, b);
		fprintf(stderr, "llmopsctl: note: rollups are hourly; the range "
		    "shown is %s to %s\n", a, b);
	}
	return EXIT_OK;
}
