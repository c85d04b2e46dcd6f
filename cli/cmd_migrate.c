/* llmopsctl migrate: create or upgrade the schema from the schema files. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "audit.h"
#include "cli.h"
#include "migrate.h"

static const char usage_text[] =
    "usage: llmopsctl migrate [--schema-dir DIR]\n\n"
    "Applies the schema/NNN_*.sql migrations the database has not seen yet,\n"
    "in order, and records them in schema_migrations. Running it again does\n"
    "nothing. Refuses a database newer than this llmopsctl.\n\n"
    "  --schema-dir DIR  migration files (default: $" MIGRATE_SCHEMA_ENV
    " or " LLMOPS_SCHEMA_DIR ")\n";

static void
progress(const struct migration *m, void *arg)
{
	(void)arg;
	printf("applying %s\n", m->name);
	fflush(stdout);
}

int
cmd_migrate(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "schema-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct migration_set	 set = { NULL, 0 };
	struct llmops_err	 err;
	struct json_object	*d;
	const char		*dir = NULL;
	int			 ch, from = 0, to = 0, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			return cli_usage(usage_text, EXIT_OK);
		default:
			return cli_usage(usage_text, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return cli_usage(usage_text, EXIT_USAGE);
	if (cli_conf_maintenance(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (migrate_scan(migrate_default_dir(dir), &set, &err) != 0)
		return cli_fail(&err);
	rc = migrate_apply(&cli->db, &set, &from, &to, progress, NULL, &err);
	migrate_set_release(&set);
	if (rc != 0)
		return cli_fail(&err);
	if (from == to) {
		printf("schema is at version %d: up to date\n", to);
		return EXIT_OK;
	}
	printf("schema migrated from version %d to %d\n", from, to);
	d = json_object_new_object();
	json_object_object_add(d, "from", json_object_new_int(from));
	json_object_object_add(d, "to", json_object_new_int(to));
	/* The audit log itself arrives with schema 4. */
	if (to >= 4 && audit_record_alone(&cli->db, cli->actor, 0,
	    "schema.migrate", NULL, d, &err) != 0)
		cli_error("warning: not in the audit log: %s", err.msg);
	else if (to < 4)
		json_object_put(d);
	return EXIT_OK;
}
