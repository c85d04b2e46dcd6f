/* llmopsctl prune: drop the raw events older than retention.raw_days. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "llmops_limits.h"
#include "prune.h"
#include "timefmt.h"

/* --max-seconds: a day at most (the next run starts by then). */
#define PRUNE_SECONDS_MAX	86400

static const char usage_text[] =
    "usage: llmopsctl prune [--dry-run] [--days N] [--max-seconds S]\n\n"
    "Deletes the raw events (one row per call: the Events view and the\n"
    "exports) that occurred before the start of the UTC day\n"
    "retention.raw_days days ago (--days N for this run, 1 to 36500), in\n"
    "transactions of a thousand events with a pause between them, so that\n"
    "ingest never waits long. The rollups are never pruned: every usage\n"
    "report over those days still counts them, and their histograms keep\n"
    "the percentiles (those under two filters at once, computed from raw\n"
    "events, cover only what is kept). The Events view and\n"
    "/api/v1/events say which raw events are gone. The horizon only moves\n"
    "forward: raising the retention later keeps more from then on.\n"
    "retention.raw_days = 0 keeps everything and this does nothing.\n"
    "--dry-run counts what would go and changes nothing. --max-seconds S\n"
    "starts no new transaction after S seconds (the rest goes next time).\n"
    "Run daily by llmops-prune.timer or cron.\n";

int
cmd_prune(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 'd' },
		{ "max-seconds", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct prune_opts	 o;
	struct prune_result	 r;
	struct llmops_err	 err;
	char			 day[TIME_ISO_BYTES];
	unsigned		 days = 0, seconds = 0;
	int			 ch;

	memset(&o, 0, sizeof(o));
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			o.dry_run = 1;
			break;
		case 'd':
			if (cli_parse_id(optarg, &days) != 0 ||
			    days > RETENTION_RAW_DAYS_MAX) {
				cli_error("--days: 1 to %d", RETENTION_RAW_DAYS_MAX);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (cli_parse_id(optarg, &seconds) != 0 ||
			    seconds > PRUNE_SECONDS_MAX) {
				cli_error("--max-seconds: 1 to %d", PRUNE_SECONDS_MAX);
				return EXIT_USAGE;
			}
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
	o.raw_days = days > 0 ? (int)days : cli->conf.retention.raw_days;
	o.now_us = time_now_us();
	o.deadline_us = seconds > 0 ?
	    o.now_us + (int64_t)seconds * TIME_US_PER_SEC : 0;
	o.actor = cli->actor;
	err_clear(&err);
	if (prune_run(&cli->db, &o, &r, &err) != 0)
		return cli_error("prune stopped after deleting %lld raw events "
		    "(committed): %s", (long long)r.rows, err.msg);
	if (o.raw_days == 0) {
		printf("retention.raw_days = 0: every raw event is kept\n");
		return EXIT_OK;
	}
	if (r.horizon_us == 0) {
		printf("nothing to prune: no day is %d days old\n", o.raw_days);
		return EXIT_OK;
	}
	/* The horizon is midnight UTC: its date says it all. */
	time_format_iso_sec(r.horizon_us, day);
	day[10] = '\0';
	printf("%s %lld raw events before %s (%d days kept)\n",
	    o.dry_run ? "would prune" : "pruned", (long long)r.rows, day,
	    r.raw_days);
	if (!r.complete)
		printf("stopped after %u seconds: run again for the rest\n",
		    seconds);
	return EXIT_OK;
}
