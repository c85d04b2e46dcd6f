/* llmopsctl reprice and cost-check: recompute costs, and compare with LiteLLM's. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "audit.h"
#include "cli.h"
#include "db_usage.h"
#include "decimal.h"
#include "output.h"
#include "price_db.h"
#include "reprice.h"
#include "report.h"
#include "timeargs.h"

static const char reprice_usage[] =
    "usage: llmopsctl reprice ORG [--since T] [--until T] [--model M]\n\n"
    "Recomputes the stored cost of an organization's events with the\n"
    "current price table (after `prices set` or `prices import`), and their\n"
    "hourly rollups, in transactions of a thousand events so that ingest\n"
    "keeps running. --model selects events by model or model group.\n"
    "Running it again changes nothing. Events ingested in the first\n"
    "cost.reload_seconds after a price change may still carry the old\n"
    "price: run it again after that time.\n"
    TIMEARGS_HELP;

static const char check_usage[] =
    "usage: llmopsctl cost-check ORG [--since T] [--until T] [--threshold PCT]\n"
    "         [--format table|csv|json]\n\n"
    "Per model, LiteLLM's total cost against ours over the calls both priced\n"
    "(\"compared\"), listing the models where they differ by more than PCT\n"
    "percent of the larger (default 1), and those with calls we could not\n"
    "price (\"unpriced_by_us\"; failed calls cost nothing and are not\n"
    "counted). A model none of whose calls we priced shows no totals (-),\n"
    "never $0. Both totals are shown so you can tell which is wrong: LiteLLM\n"
    "reports 0 for deployments it has no price for and often misprices\n"
    "cache tokens; ours needs a price row (`llmopsctl prices`). Read from the\n"
    "raw events: days beyond retention.raw_days are not checked.\n"
    TIMEARGS_HELP;

int
cmd_reprice(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "model", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct timeargs		 ta;
	struct reprice_stats	 st;
	struct price_set	 set;
	struct llmops_err	 err;
	struct org		 org;
	struct json_object	*d;
	const char		*model = NULL;
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
		case 'm':
			model = optarg;
			break;
		case 'h':
			return cli_usage(reprice_usage, EXIT_OK);
		default:
			return cli_usage(reprice_usage, EXIT_USAGE);
		}
	}
	if ((rc = cli_report_org(cli, argc, argv, reprice_usage, &ta, &org)) != 0)
		return rc;
	err_clear(&err);
	if (price_db_load(&cli->db, &set, &err) != 0)
		return cli_fail(&err);
	rc = reprice_org(&cli->db, &set, (enum cost_prefer)cli->conf.cost.prefer,
	    org.id, ta.since_us, ta.until_us, model, &st, &err);
	price_set_release(&set);
	if (rc != 0) {
		cli_error("reprice stopped after %zu events (%zu changed, "
		    "committed): %s", st.examined, st.changed, err.msg);
		return EXIT_ERR;
	}
	d = json_object_new_object();
	json_object_object_add(d, "examined", json_object_new_int64(
	    (int64_t)st.examined));
	json_object_object_add(d, "changed", json_object_new_int64(
	    (int64_t)st.changed));
	if (model != NULL)
		json_object_object_add(d, "model", json_object_new_string(model));
	if (audit_record(&cli->db, cli->actor, org.id, "prices.reprice", NULL, d,
	    &err) != 0)
		cli_error("warning: the reprice is done but not in the audit log: "
		    "%s", err.msg);
	printf("repriced %s: %zu events examined, %zu changed\n", org.name,
	    st.examined, st.changed);
	return EXIT_OK;
}

int
cmd_cost_check(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "threshold", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct timeargs		 ta;
	struct llmops_err	 err;
	struct org		 org;
	struct out		 out;
	struct usage_filter	 f;
	enum out_format		 fmt = OUT_TABLE;
	const char		*threshold = "1";
	int64_t			 pct;
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
		case 't':
			threshold = optarg;
			if (decimal_parse(threshold, 4, 100 * 10000, &pct) != 0 ||
			    pct < 0) {
				cli_error("--threshold: a percentage from 0 to 100");
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (cli_parse_format(optarg, &fmt) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			return cli_usage(check_usage, EXIT_OK);
		default:
			return cli_usage(check_usage, EXIT_USAGE);
		}
	}
	if ((rc = cli_report_org(cli, argc, argv, check_usage, &ta, &org)) != 0)
		return rc;
	err_clear(&err);
	usage_filter_init(&f, org.id, ta.since_us, ta.until_us);
	out_begin(&out, fmt, cli_stdout(cli), usage_cost_check_cols,
	    USAGE_COST_CHECK_NCOLS);
	rc = db_usage_cost_check(&cli->db, &f, threshold, out_row_cb, &out,
	    &err);
	if (out_end(&out) != 0 && rc == 0)
		return cli_error("cannot write the output");
	return rc != 0 ? cli_fail(&err) : EXIT_OK;
}
