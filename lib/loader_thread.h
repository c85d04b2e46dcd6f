/*
 * A responder's loader thread: runs loader turns (loader.h) beside the
 * request thread, so that an answer never waits behind a load. The
 * request thread only kicks it after spooling; it also looks on its own
 * every LOADER_THREAD_IDLE_MS, so that the spool drains when traffic
 * stops while a responder lives. A kick within LOADER_THREAD_GATHER_MS of
 * a turn that emptied the spool waits for the rest of it, so that the
 * callbacks of that time share one transaction. It has its own database
 * connection, its
 * signals blocked (they go to the request thread) and a lower priority
 * (LOADER_THREAD_NICE): under load the CPU goes to acknowledgements
 * first, and the spool absorbs what the loaders have not yet stored.
 */
#ifndef LLMOPS_LOADER_THREAD_H
#define LLMOPS_LOADER_THREAD_H

#include <pthread.h>

#include "conf.h"
#include "db.h"
#include "loader.h"

struct loader_thread {
	const struct conf	*conf;		/* borrowed */
	pthread_t		 tid;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* kicks and the stop */
	int			 running;	/* tid is joinable */
	int			 kicked;	/* a turn is due */
	int			 stopping;
	struct db		 db;		/* the thread's own */
	struct loader		 loader;
};

/* Starts the thread; -1 with err set when it cannot. */
int	loader_thread_start(struct loader_thread *, const struct conf *,
	    struct llmops_err *);
/* A turn is due (something was spooled). Cheap; never blocks on a load. */
void	loader_thread_kick(struct loader_thread *);
/* Lets the current turn end, then joins the thread. Safe if not started. */
void	loader_thread_stop(struct loader_thread *);

#endif
