/*
 * tools/bench-parse: the bare parse rate of tools/bench. Reads each body
 * file named on the command line and runs litellm_parse() (lib/litellm.c,
 * what the responder runs on a callback body) on it over and over, in
 * process, without HTTP or a database, for at least SECONDS of CPU time.
 * Prints one JSON object per file: events per CPU second (per core), MB per
 * CPU second, and the CPU time of one body. Built by tools/bench (an
 * EXTRA_PROGRAMS of Makefile.am), never installed.
 *
 *   bench-parse [-s SECONDS] [-t TOKEN] FILE...
 *
 * TOKEN is passed as the webhook's X-Cloudidr-Token, as lighttpd passes
 * it to the responder.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "event_batch.h"
#include "fileio.h"
#include "litellm.h"
#include "llmops_limits.h"
#include "timefmt.h"

#define MIN_RUNS	3

static double
cpu_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses the body in file path until seconds of CPU time have passed. */
static int
bench_file(const char *path, double seconds, const struct webhook_headers *hdr)
{
	struct litellm_limits	 lim = {
		.max_events = LIMIT_EVENTS_DEFAULT,
		.max_json_depth = LIMIT_JSON_DEPTH_DEFAULT,
		.max_label_chars = LIMIT_LABEL_CHARS_DEFAULT,
	};
	struct event_batch	 b;
	struct llmops_err	 err;
	struct json_object	*o;
	char			*body = NULL;
	size_t			 len = 0, events = 0, rejected = 0;
	long			 runs = 0;
	double			 start, cpu;
	int			 rc = -1;

	if (fileio_read(path, LIMIT_BODY_BYTES_MAX, &body, &len, &err) != 0) {
		fprintf(stderr, "bench-parse: %s: %s\n", path, err.msg);
		return -1;
	}
	start = cpu_seconds();
	do {
		event_batch_init(&b);
		err_clear(&err);
		if (litellm_parse(body, len, hdr, &lim, time_now_us(), &b,
		    &err) != 0) {
			fprintf(stderr, "bench-parse: %s: %d %s\n", path,
			    err.status, err.msg);
			event_batch_release(&b);
			goto out;
		}
		events = b.nevents;
		rejected = b.nrejected;
		event_batch_release(&b);
		runs++;
		cpu = cpu_seconds() - start;
	} while (runs < MIN_RUNS || cpu < seconds);

	if ((o = json_object_new_object()) == NULL)
		goto out;
	json_object_object_add(o, "file", json_object_new_string(path));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)len));
	json_object_object_add(o, "events", json_object_new_int64((int64_t)events));
	json_object_object_add(o, "rejected",
	    json_object_new_int64((int64_t)rejected));
	json_object_object_add(o, "runs", json_object_new_int64(runs));
	json_object_object_add(o, "cpu_s", json_object_new_double(cpu));
	json_object_object_add(o, "ms_per_body",
	    json_object_new_double(cpu * 1e3 / (double)runs));
	json_object_object_add(o, "events_per_cpu_s",
	    json_object_new_double((double)events * (double)runs / cpu));
	json_object_object_add(o, "mb_per_cpu_s",
	    json_object_new_double((double)len * (double)runs / cpu / 1e6));
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	rc = 0;
out:
	free(body);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct webhook_headers	hdr;
	double			seconds = 2.0;
	int			ch, i;

	memset(&hdr, 0, sizeof(hdr));
	while ((ch = getopt(argc, argv, "s:t:")) != -1) {
		switch (ch) {
		case 's':
			seconds = atof(optarg);
			break;
		case 't':
			hdr.token = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc)
		goto usage;
	for (i = optind; i < argc; i++)
		if (bench_file(argv[i], seconds, &hdr) != 0)
			return 1;
	return 0;
usage:
	fprintf(stderr, "usage: bench-parse [-s SECONDS] [-t TOKEN] FILE...\n");
	return 2;
}
