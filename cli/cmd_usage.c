/* llmopsctl usage: requests, tokens, cost and latency from the hourly rollups. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "dash.h"
#include "output.h"
#include "report.h"
#include "timeargs.h"
#include "timefmt.h"

static const char usage_text[] =
    "usage: llmopsctl usage ORG [--since T] [--until T]\n"
    "         [--group-by department|team|agent|model|provider|status|day|hour]\n"
    "         [--format table|csv|json]\n\n"
    "Totals of an organization from the hourly rollups: requests, errors,\n"
    "tokens, the cost that counts (exact, USD: ours from the price table,\n"
    "else LiteLLM's; see cost.prefer), how many requests are unpriced (no\n"
    "cost at all: never counted as $0), LiteLLM's reported cost and average\n"
    "latency, for the whole range or grouped. Requests without a department,\n"
    "team or agent are shown as (untagged). Rollups are hourly, so the range\n"
    "is widened to whole hours (said on stderr when that happens).\n"
    TIMEARGS_HELP;

#define USAGE_NCOLS	15

struct usage_ctx {
	struct out		 out;
	enum report_group	 group;
};

static int
print_row(const struct usage_row *r, void *arg)
{
	struct usage_ctx	*ctx = arg;
	char			 grp[REPORT_TEXT_BYTES], n[9][24], rate[24];
	char			 unpriced[24];
	char			 lat[24], ttft[24];
	const char		*vals[USAGE_NCOLS];
	int64_t			 us;
	int			 i = 0;

	if (ctx->group == GROUP_DAY || ctx->group == GROUP_HOUR) {
		us = strtoll(r->group, NULL, 10);
		time_format_iso_sec(us, grp);
		if (ctx->group == GROUP_DAY)
			grp[10] = '\0';
	} else
		snprintf(grp, sizeof(grp), "%s", r->group);
	snprintf(n[0], sizeof(n[0]), "%" PRId64, r->requests);
	snprintf(n[1], sizeof(n[1]), "%" PRId64, r->errors);
	snprintf(n[2], sizeof(n[2]), "%" PRId64, r->prompt_tokens);
	snprintf(n[3], sizeof(n[3]), "%" PRId64, r->completion_tokens);
	snprintf(n[4], sizeof(n[4]), "%" PRId64, r->total_tokens);
	snprintf(n[5], sizeof(n[5]), "%" PRId64, r->cache_read_tokens);
	snprintf(n[6], sizeof(n[6]), "%" PRId64, r->cache_write_tokens);
	snprintf(n[7], sizeof(n[7]), "%" PRId64, r->reasoning_tokens);
	snprintf(unpriced, sizeof(unpriced), "%" PRId64,
	    r->requests - r->priced_requests);
	dash_ratio(r->errors, r->requests, 100 * 100, 2, rate, sizeof(rate));
	/* Latency sums are microseconds: milliseconds with 3 decimals. */
	dash_ratio(r->latency_us_sum, r->latency_count, 1, 3, lat, sizeof(lat));
	dash_ratio(r->ttft_us_sum, r->ttft_count, 1, 3, ttft, sizeof(ttft));

	if (ctx->group == GROUP_NONE)
		vals[i++] = "all";
	else if (r->group_null)
		vals[i++] = ctx->out.fmt == OUT_TABLE ? "(untagged)" : NULL;
	else
		vals[i++] = grp;
	vals[i++] = n[0];
	vals[i++] = n[1];
	vals[i++] = rate;
	vals[i++] = n[2];
	vals[i++] = n[3];
	vals[i++] = n[4];
	vals[i++] = n[5];
	vals[i++] = n[6];
	vals[i++] = n[7];
	/* Nothing priced is "unpriced", never $0. */
	if (r->priced_requests > 0)
		vals[i++] = r->cost;
	else
		vals[i++] = ctx->out.fmt == OUT_TABLE ? "unpriced" : NULL;
	vals[i++] = unpriced;
	vals[i++] = r->litellm_cost;
	vals[i++] = *lat ? lat : NULL;
	vals[i++] = *ttft ? ttft : NULL;
	return out_row(&ctx->out, vals);
}

int
cmd_usage(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "group-by", required_argument, NULL, 'g' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_col	 cols[USAGE_NCOLS] = {
		{ "group", COL_TEXT },
		{ "requests", COL_INT },
		{ "errors", COL_INT },
		{ "error_rate_pct", COL_DECIMAL },
		{ "prompt_tokens", COL_INT },
		{ "completion_tokens", COL_INT },
		{ "total_tokens", COL_INT },
		{ "cache_read_tokens", COL_INT },
		{ "cache_write_tokens", COL_INT },
		{ "reasoning_tokens", COL_INT },
		{ "cost_usd", COL_DECIMAL },
		{ "unpriced_requests", COL_INT },
		{ "litellm_cost_usd", COL_DECIMAL },
		{ "avg_latency_ms", COL_DECIMAL },
		{ "avg_ttft_ms", COL_DECIMAL },
	};
	struct usage_ctx	 ctx;
	struct timeargs		 ta;
	struct llmops_err	 err;
	struct org		 org;
	enum out_format		 fmt = OUT_TABLE;
	int64_t			 since, until;
	char			 a[TIME_ISO_BYTES], b[TIME_ISO_BYTES];
	int			 ch, rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.group = GROUP_NONE;
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
			if (report_group_parse(optarg, &ctx.group) != 0 ||
			    ctx.group == GROUP_NONE) {
				cli_error("--group-by: unknown dimension '%s'",
				    optarg);
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
	if ((rc = cli_report_org(cli, argc, argv, usage_text, &ta, &org)) != 0)
		return rc;
	err_clear(&err);
	cols[0].name = ctx.group == GROUP_NONE ? "range" :
	    report_group_name(ctx.group);
	since = ta.since_us;
	until = ta.until_us;
	out_begin(&ctx.out, fmt, cli_stdout(cli), cols, USAGE_NCOLS);
	rc = report_usage(&cli->db, org.id, ctx.group, &since, &until,
	    print_row, &ctx, &err);
	if (out_end(&ctx.out) != 0 && rc == 0)
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
