/* A responder's loader thread: see loader_thread.h. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "llmops_limits.h"
#include "loader_thread.h"
#include "log.h"
#include "timefmt.h"

/* The condition variable's deadline, ms from now (CLOCK_MONOTONIC). */
static void
deadline(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/*
 * With t->mu held: sleeps up to ms, or until a kick when woken_by_kick.
 * Returns whether the thread is to stop.
 */
static int
wait_locked(struct loader_thread *t, int64_t ms, int woken_by_kick)
{
	struct timespec	ts;

	deadline(&ts, ms);
	while (!t->stopping && !(woken_by_kick && t->kicked) &&
	    pthread_cond_timedwait(&t->cv, &t->mu, &ts) == 0)
		;
	return t->stopping;
}

/* Sets *flag under t->mu and wakes the thread. */
static void
wake(struct loader_thread *t, int *flag)
{
	pthread_mutex_lock(&t->mu);
	*flag = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

/*
 * How long to sleep before the next turn when nobody kicks (after
 * LOADER_MORE the thread kicks itself and does not sleep).
 */
static int64_t
pause_ms(const struct loader_thread *t, enum loader_result res)
{
	int64_t	ms;

	switch (res) {
	case LOADER_LATER:
	case LOADER_FAILED:
		/* The loader's backoff decides; look again when it ends. */
		ms = (t->loader.retry_us - time_now_us()) / 1000 + 1;
		return ms < 1 ? 1 : ms > LOADER_THREAD_IDLE_MS ?
		    LOADER_THREAD_IDLE_MS : ms;
	default:
		return LOADER_THREAD_IDLE_MS;
	}
}

static void *
run(void *arg)
{
	struct loader_thread	*t = arg;
	struct llmops_err	 err;
	enum loader_result	 res = LOADER_DONE;
	int64_t			 budget_us, turned_us = 0, since_ms;

	if (db_thread_begin() != 0)
		log_error(LOG_TAG_SPOOL, "loader thread: the database client "
		    "library cannot start a thread; loading may fail");
	/* Lower than the request thread: acknowledgements come first. */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), LOADER_THREAD_NICE) != 0)
		log_warn(LOG_TAG_SPOOL, "loader thread: setpriority: %s",
		    strerror(errno));
	budget_us = (int64_t)t->conf->spool.loader_turn_ms * 1000;
	pthread_mutex_lock(&t->mu);
	while (!t->stopping) {
		if (!t->kicked && wait_locked(t, pause_ms(t, res), 1))
			break;
		/*
		 * A kick soon after a turn that emptied the spool waits for
		 * the rest of LOADER_THREAD_GATHER_MS: what more arrives
		 * meanwhile shares the transaction (a commit per callback
		 * costs MariaDB far more than its rows).
		 */
		since_ms = (time_now_us() - turned_us) / 1000;
		if (res == LOADER_DONE && since_ms < LOADER_THREAD_GATHER_MS &&
		    wait_locked(t, LOADER_THREAD_GATHER_MS - since_ms, 0))
			break;
		t->kicked = 0;
		pthread_mutex_unlock(&t->mu);
		res = loader_turn(&t->loader, budget_us, 0, &err);
		turned_us = time_now_us();
		pthread_mutex_lock(&t->mu);
		if (res == LOADER_MORE)
			t->kicked = 1;
	}
	pthread_mutex_unlock(&t->mu);
	loader_release(&t->loader);
	db_close(&t->db);
	db_thread_end();
	return NULL;
}

int
loader_thread_start(struct loader_thread *t, const struct conf *conf,
    struct llmops_err *err)
{
	pthread_condattr_t	ca;
	sigset_t		all, old;
	int			rc;

	memset(t, 0, sizeof(*t));
	t->conf = conf;
	if (db_threads_prepare() != 0)
		return err_set(err, 500, "loader thread: the database client "
		    "library cannot be initialised");
	db_init(&t->db, &conf->db);
	loader_init(&t->loader, conf, &t->db);
	pthread_mutex_init(&t->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals stay with the request thread (SIGTERM ends its accept). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* The first turn loads what an earlier responder left. */
	t->kicked = 1;
	rc = pthread_create(&t->tid, NULL, run, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		loader_release(&t->loader);
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		return err_set(err, 500, "loader thread: %s", strerror(rc));
	}
	t->running = 1;
	return 0;
}

void
loader_thread_kick(struct loader_thread *t)
{
	if (t->running)
		wake(t, &t->kicked);
}

void
loader_thread_stop(struct loader_thread *t)
{
	if (!t->running)
		return;
	wake(t, &t->stopping);
	pthread_join(t->tid, NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	t->running = 0;
}
