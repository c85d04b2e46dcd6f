/*
 * POST /api/litellm/callback, without any FastCGI: the transport hands in
 * the request line facts, the tracked headers and the body; ingest answers
 * with a struct reply and writes the [LITELLM] log lines.
 */
#ifndef LLMOPS_INGEST_H
#define LLMOPS_INGEST_H

#include <stddef.h>

#include "conf.h"
#include "db.h"
#include "litellm_event.h"
#include "loader_thread.h"
#include "reply.h"
#include "spool.h"
#include "token_cache.h"

/* Minimum time between two last_used writes for one token. */
#define INGEST_TOUCH_INTERVAL_US	(60LL * 1000000)
/* Tokens whose last use one request notes for after its answer. */
#define INGEST_TOUCH_PENDING		16

/* What a responder keeps between callbacks. */
struct ingest {
	const struct conf	*conf;		/* borrowed */
	struct db		*db;		/* borrowed */
	struct token_cache	 tokens;
	struct spool_writer	 spool;		/* this process's segment */
	struct loader_thread	 loader;	/* loads beside the answers */
	int64_t			 db_down_until_us; /* no token reads before */
	int64_t			 db_backoff_us;	/* the next wait after a failure */
	int			 spooled;	/* kick the loader after the answer */
	struct token_query	 touch[INGEST_TOUCH_PENDING];
	size_t			 ntouch;
};

struct ingest_request {
	const char		*method;
	const char		*content_type;	/* NULL when absent */
	const char		*content_length;/* as the server passed it */
	struct webhook_headers	 hdr;
};

/*
 * Checks method, content type and declared length before the body is read.
 * Returns 0 with *body_len set, or -1 with the reply filled (405, 411,
 * 413, 415) and the rejection logged.
 */
int	ingest_precheck(const struct conf *, const struct ingest_request *,
	    size_t *body_len, struct reply *);

void	ingest_init(struct ingest *, const struct conf *, struct db *);
void	ingest_release(struct ingest *);

/*
 * Parses, resolves tokens (unchecked when the database does not answer),
 * appends the accepted events to the spool (fdatasync) and answers 200
 * with the counts; 503 when the spool's disk is full. Always fills the
 * reply. The events are loaded by ingest_after or another loader.
 */
void	ingest_callback(struct ingest *, const struct ingest_request *,
	    const char *body, size_t len, struct reply *);
/*
 * After the answer has gone (FCGX_Finish_r): writes the tokens' last use
 * and, when this request spooled something, kicks the loader thread
 * (loader_thread.h), which loads in turns of spool.loader_turn_ms.
 */
void	ingest_after(struct ingest *);

/* Media types accepted as JSON: application/json, +json and NDJSON names. */
int	ingest_content_type_ok(const char *);

#endif
