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
#include "price_cache.h"
#include "reply.h"
#include "store.h"
#include "token_cache.h"

/* Minimum time between two last_used writes for one token. */
#define INGEST_TOUCH_INTERVAL_US	(60LL * 1000000)

/* What a responder keeps between callbacks. */
struct ingest {
	const struct conf	*conf;		/* borrowed */
	struct db		*db;		/* borrowed */
	struct price_cache	 prices;
	struct token_cache	 tokens;
	struct dim_seen		 dims;
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

/* Parses, resolves tokens, prices and stores; always fills the reply. */
void	ingest_callback(struct ingest *, const struct ingest_request *,
	    const char *body, size_t len, struct reply *);

/* Media types accepted as JSON: application/json, +json and NDJSON names. */
int	ingest_content_type_ok(const char *);

#endif
