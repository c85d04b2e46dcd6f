/* llmopsctl rollups rebuild: recompute every rollup from raw events. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "audit.h"
#include "cli.h"
#include "rollup.h"

static const char usage_text[] =
    "usage: llmopsctl rollups rebuild [ORG]\n\n"
    "Recomputes the rollups of one organization (or of all) from\n"
    "its stored events, exactly: for recovery after manual changes to\n"
    "usage_events. One transaction per organization; reports read the old\n"
    "rollups until it commits. `migrate` runs it when a schema change needs\n"
    "it. The hours before the retention horizon (`llmopsctl prune`) keep\n"
    "their rollups: their raw events are gone.\n";

static int
rollups_rebuild(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct llmops_err	 err;
	struct org		 org;
	struct json_object	*d;
	size_t			 rows = 0;
	uint64_t		 dim_rows = 0;
	int			 ch;

	optind = 0;
	if ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1)
		return cli_usage(usage_text, ch == 'h' ? EXIT_OK : EXIT_USAGE);
	if (argc - optind > 1)
		return cli_usage(usage_text, EXIT_USAGE);
	if (cli_conf_maintenance(cli) != 0 || cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	memset(&org, 0, sizeof(org));
	if (argc - optind == 1 &&
	    admin_org_find(&cli->db, argv[optind], &org, &err) != 0)
		return cli_fail(&err);
	if (rollup_rebuild(&cli->db, org.id, &rows, &dim_rows, &err) != 0)
		return cli_fail(&err);
	d = json_object_new_object();
	json_object_object_add(d, "rows", json_object_new_int64((int64_t)rows));
	json_object_object_add(d, "dimension_rows",
	    json_object_new_int64((int64_t)dim_rows));
	if (audit_record(&cli->db, cli->actor, org.id, "rollups.rebuild", NULL,
	    d, &err) != 0)
		cli_error("warning: not in the audit log: %s", err.msg);
	printf("rebuilt %zu rollup rows and %" PRIu64 " rows of the rollups per "
	    "dimension\n", rows, dim_rows);
	return EXIT_OK;
}

int
cmd_rollups(struct cli *cli, int argc, char *argv[])
{
	static const struct cli_cmd sub[] = {
		{ "rebuild", rollups_rebuild, NULL },
		{ NULL, NULL, NULL },
	};

	return cli_dispatch(cli, sub, "rollups", usage_text, argc - 1,
	    argv + 1);
}
