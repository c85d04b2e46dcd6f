/* llmopsctl spool status|drain: what waits in the spool, and loading it. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli.h"
#include "loader.h"
#include "spool.h"
#include "timefmt.h"

static const char usage_text[] =
    "usage: llmopsctl spool status [--format text|json]\n"
    "       llmopsctl spool drain\n\n"
    "Every acknowledged callback event is written to the spool directory\n"
    "(spool.dir) before the answer and loaded into the database after it.\n"
    "status   segments, events waiting and since when, set-aside files\n"
    "         (torn or corrupt records, records the database refused), and\n"
    "         the last load's outcome. Exits 1 when files were set aside.\n"
    "drain    loads until nothing waits (waits up to 10 s for a loader that\n"
    "         is running); run every minute by llmops-spool-drain.timer or\n"
    "         cron, so that events never wait for the next callback.\n";

static int
spool_status_cmd(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct spool_status	 st;
	struct llmops_err	 err;
	struct json_object	*o, *a;
	const char		*dir;
	char			**names = NULL;
	size_t			  n = 0, i;
	int64_t			  now = time_now_us();
	int			  ch, json = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+f:h", longopts, NULL)) != -1) {
		if (ch == 'f' && strcmp(optarg, "json") == 0)
			json = 1;
		else if (ch == 'f' && strcmp(optarg, "text") == 0)
			json = 0;
		else
			return cli_usage(usage_text, ch == 'h' ? EXIT_OK :
			    EXIT_USAGE);
	}
	if (argc - optind != 0)
		return cli_usage(usage_text, EXIT_USAGE);
	if (cli_conf(cli) != 0)
		return EXIT_ERR;
	dir = cli->conf.spool.dir;
	err_clear(&err);
	if (spool_status(dir, &st, &err) != 0 ||
	    spool_set_aside_names(dir, &names, &n, &err) != 0)
		return cli_fail(&err);
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "dir", json_object_new_string(dir));
		json_object_object_add(o, "segments",
		    json_object_new_int64((int64_t)st.segments));
		json_object_object_add(o, "active_segments",
		    json_object_new_int64((int64_t)st.active));
		json_object_object_add(o, "pending_events",
		    json_object_new_int64((int64_t)st.pending_events));
		json_object_object_add(o, "pending_bytes",
		    json_object_new_int64((int64_t)st.pending_bytes));
		json_object_object_add(o, "oldest_us", st.oldest_us ?
		    json_object_new_int64(st.oldest_us) : NULL);
		json_object_object_add(o, "oldest_age_seconds", st.oldest_us ?
		    json_object_new_int64((now - st.oldest_us) / 1000000) : NULL);
		json_object_object_add(o, "free_bytes",
		    json_object_new_int64((int64_t)st.free_bytes));
		a = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(a, json_object_new_string(names[i]));
		json_object_object_add(o, "set_aside", a);
		json_object_object_add(o, "last_load_us", st.last_load_us ?
		    json_object_new_int64(st.last_load_us) : NULL);
		json_object_object_add(o, "last_load_ok", st.last_load_us ?
		    json_object_new_boolean(st.last_load_ok) : NULL);
		json_object_object_add(o, "last_load_error",
		    st.last_load_us && !st.last_load_ok ?
		    json_object_new_string(st.last_load_error) : NULL);
		printf("%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("spool:          %s\n", dir);
		printf("segments:       %zu (%zu being written)\n", st.segments,
		    st.active);
		printf("pending events: %" PRIu64 " (%" PRIu64 " bytes)\n",
		    st.pending_events, st.pending_bytes);
		if (st.oldest_us != 0)
			printf("oldest:         %" PRId64 " s ago\n",
			    (now - st.oldest_us) / 1000000);
		printf("free space:     %" PRIu64 " MiB\n",
		    st.free_bytes / (1024 * 1024));
		if (st.last_load_us == 0)
			printf("last load:      none recorded\n");
		else
			printf("last load:      %" PRId64 " s ago, %s%s\n",
			    (now - st.last_load_us) / 1000000,
			    st.last_load_ok ? "ok" : "FAILED: ",
			    st.last_load_ok ? "" : st.last_load_error);
		printf("set aside:      %zu file%s%s\n", n, n == 1 ? "" : "s",
		    n ? " (in " SPOOL_SET_ASIDE_DIR "/: move a file back into "
		    "the spool directory to load it again)" : "");
		for (i = 0; i < n; i++)
			printf("  %s\n", names[i]);
	}
	spool_names_free(names, n);
	return n > 0 ? EXIT_ERR : EXIT_OK;
}

static int
spool_drain(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct loader		l;
	struct llmops_err	err;
	struct spool_status	st;
	enum loader_result	res;
	int64_t			deadline;
	uint64_t		pending = UINT64_MAX;
	int			ch, rc = EXIT_ERR;

	optind = 0;
	if ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1)
		return cli_usage(usage_text, ch == 'h' ? EXIT_OK : EXIT_USAGE);
	if (argc - optind != 0)
		return cli_usage(usage_text, EXIT_USAGE);
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	loader_init(&l, &cli->conf, &cli->db);
	deadline = time_now_us() + (int64_t)LOADER_DRAIN_WAIT_MS * 1000;
	for (;;) {
		err_clear(&err);
		res = loader_turn(&l, 1000 * 1000, 100, &err);
		if (res == LOADER_DONE)
			break;
		if (res == LOADER_FAILED) {
			cli_fail(&err);
			goto out;
		}
		/*
		 * The responders' loaders hold the lock turn after turn under
		 * a backlog: waiting is right while they make progress, so the
		 * clock restarts whenever the spool has shrunk.
		 */
		if (res == LOADER_BUSY && spool_status(cli->conf.spool.dir,
		    &st, &err) == 0 && st.pending_events < pending) {
			pending = st.pending_events;
			res = LOADER_MORE;
		}
		if (res != LOADER_BUSY)
			deadline = time_now_us() +
			    (int64_t)LOADER_DRAIN_WAIT_MS * 1000;
		else if (time_now_us() >= deadline) {
			cli_error("another loader has held the spool's lock for "
			    "%d s without loading; try again later",
			    LOADER_DRAIN_WAIT_MS / 1000);
			goto out;
		}
	}
	printf("loaded %" PRIu64 " events: %" PRIu64 " new, %" PRIu64
	    " duplicates, %" PRIu64 " rejected; %" PRIu64 " records set "
	    "aside\n", l.counts.events, l.counts.inserted, l.counts.duplicates,
	    l.counts.rejected, l.counts.records_set_aside);
	rc = EXIT_OK;
out:
	loader_release(&l);
	return rc;
}

int
cmd_spool(struct cli *cli, int argc, char *argv[])
{
	static const struct cli_cmd sub[] = {
		{ "status", spool_status_cmd, NULL },
		{ "drain", spool_drain, NULL },
		{ NULL, NULL, NULL },
	};

	return cli_dispatch(cli, sub, "spool", usage_text, argc - 1, argv + 1);
}
