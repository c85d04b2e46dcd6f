/*
 * llmops.fcgi: the FastCGI responder. Spawned by Apache mod_fcgid or
 * lighttpd mod_fastcgi (listening socket on stdin), or run standalone with
 * --listen and --workers behind mod_proxy_fcgi, where it manages its own
 * worker processes.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/crypto.h>

#include "conf.h"
#include "log.h"
#include "secret.h"
#include "serve.h"
#include "spool.h"

#define MAIN_WORKERS_MAX	256
/* A worker that dies sooner than this after its start is restarted after a pause. */
#define MAIN_RESPAWN_PAUSE_SEC	1

static volatile sig_atomic_t	manager_stop;

/* -t: the session secret must load too (at run time its absence only
 * turns dashboard logins off). */
static int
check_secret(const struct conf *conf)
{
	struct llmops_err	err;
	unsigned char		key[SECRET_KEY_MAX];
	size_t			keylen = 0;
	int			rc = 0;

	if (*conf->web.session_secret_file == '\0')
		return 0;
	err_clear(&err);
	if (secret_load(conf->web.session_secret_file, key, &keylen,
	    &err) != 0) {
		fprintf(stderr, "llmops.fcgi: %s: web.session_secret_file: %s\n",
		    conf->path, err.msg);
		rc = 1;
	}
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: llmops.fcgi [-t] [-c FILE] [--listen ADDRESS "
	    "[--workers N]]\n"
	    "  -c, --config FILE   configuration (default: $LLMOPS_CONF or "
	    "%s)\n"
	    "  -t, --check         check the configuration and exit\n"
	    "  --listen ADDRESS    listen on host:port, :port or a socket path "
	    "(for mod_proxy_fcgi)\n"
	    "  --workers N         worker processes with --listen (default 4)\n"
	    "Without --listen the FastCGI socket is standard input, as "
	    "mod_fcgid and lighttpd provide it.\n", conf_default_path(NULL));
}

static void
on_manager_term(int sig)
{
	(void)sig;
	manager_stop = 1;
}

static pid_t
spawn(const struct conf *conf, int fd)
{
	pid_t	pid = fork();

	if (pid == 0) {
		serve_signals();
		_exit(serve_requests(conf, fd) == 0 ? 0 : 1);
	}
	return pid;
}

/* Keeps `workers` children serving fd, restarting any that exit. */
static int
manage(const struct conf *conf, int fd, int workers)
{
	pid_t			 pids[MAIN_WORKERS_MAX];
	time_t			 started[MAIN_WORKERS_MAX];
	int			 i, st, alive = 0;
	pid_t			 pid;

	serve_stop_on(on_manager_term, 0);

	for (i = 0; i < workers; i++) {
		if ((pids[i] = spawn(conf, fd)) < 0) {
			log_error(LOG_TAG_MAIN, "fork: %s", strerror(errno));
			manager_stop = 1;
			break;
		}
		started[i] = time(NULL);
		alive++;
	}
	log_info(LOG_TAG_MAIN, "manager %ld started %d workers",
	    (long)getpid(), alive);
	while (!manager_stop) {
		if ((pid = wait(&st)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < workers && pids[i] != pid; i++)
			;
		if (i == workers || manager_stop)
			continue;
		log_warn(LOG_TAG_MAIN, "worker %ld exited (%s %d); restarting",
		    (long)pid, WIFSIGNALED(st) ? "signal" : "status",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		if (time(NULL) - started[i] < MAIN_RESPAWN_PAUSE_SEC)
			sleep(MAIN_RESPAWN_PAUSE_SEC);
		if ((pids[i] = spawn(conf, fd)) < 0) {
			log_error(LOG_TAG_MAIN, "fork: %s", strerror(errno));
			pids[i] = 0;
		}
		started[i] = time(NULL);
	}
	for (i = 0; i < workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (wait(&st) > 0 || errno == EINTR)
		;
	log_info(LOG_TAG_MAIN, "manager %ld stopped", (long)getpid());
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct conf		 conf;
	struct llmops_err	 err;
	const char		*cfile = NULL, *listen_addr = NULL;
	char			*end;
	long			 workers = 4;
	int			 ch, check = 0, fd = 0, rc;

	while ((ch = getopt_long(argc, argv, "c:th", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'l':
			listen_addr = optarg;
			break;
		case 'w':
			workers = strtol(optarg, &end, 10);
			if (*end != '\0' || workers < 1 || workers > MAIN_WORKERS_MAX) {
				fprintf(stderr, "llmops.fcgi: --workers must be 1 "
				    "to %d\n", MAIN_WORKERS_MAX);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	/* A bad configuration stops the responder before it serves anything. */
	err_clear(&err);
	if (conf_load(&conf, conf_default_path(cfile), &err) != 0) {
		fprintf(stderr, "llmops.fcgi: refusing to start: %s\n", err.msg);
		conf_release(&conf);
		return 1;
	}
	if (check) {
		rc = check_secret(&conf);
		err_clear(&err);
		if (spool_check_dir(conf.spool.dir, &err) != 0) {
			fprintf(stderr, "llmops.fcgi: %s: %s\n", conf.path,
			    err.msg);
			rc = 1;
		}
		if (rc == 0)
			printf("%s: configuration OK\n", conf.path);
		conf_release(&conf);
		return rc;
	}
	log_open("llmops.fcgi", conf.log.level, conf.log.syslog);
	/* The dashboard still works; callbacks answer 500 until it is fixed. */
	err_clear(&err);
	if (spool_check_dir(conf.spool.dir, &err) != 0)
		log_error(LOG_TAG_MAIN, "callbacks cannot be accepted: %s",
		    err.msg);

	if (FCGX_Init() != 0) {
		log_error(LOG_TAG_MAIN, "cannot initialise libfcgi");
		conf_release(&conf);
		return 1;
	}
	if (listen_addr != NULL) {
		if ((fd = FCGX_OpenSocket(listen_addr, 128)) < 0) {
			log_error(LOG_TAG_MAIN, "cannot listen on %s", listen_addr);
			conf_release(&conf);
			return 1;
		}
		rc = manage(&conf, fd, (int)workers);
	} else {
		if (FCGX_IsCGI()) {
			fprintf(stderr, "llmops.fcgi: standard input is not a "
			    "FastCGI socket; run it from mod_fcgid or lighttpd, or "
			    "use --listen\n");
			conf_release(&conf);
			return 2;
		}
		serve_signals();
		rc = serve_requests(&conf, 0);
	}
	log_close();
	conf_release(&conf);
	return rc == 0 ? 0 : 1;
}
