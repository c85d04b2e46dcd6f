/*
 * An HTTP answer built by lib/ and written by the transport (fcgi/): a
 * status, a content type, an optional Allow header and an owned body.
 * JSON bodies are produced by json-c, never by string pasting.
 */
#ifndef LLMOPS_REPLY_H
#define LLMOPS_REPLY_H

#include <stddef.h>

struct json_object;

#define REPLY_JSON	"application/json"

struct reply {
	int		 status;
	const char	*content_type;	/* static string */
	const char	*allow;		/* static string or NULL */
	char		*body;		/* owned */
	size_t		 len;
};

void		 reply_init(struct reply *);
void		 reply_release(struct reply *);
/* Serialises obj (and drops the caller's reference) as the body. */
void		 reply_json(struct reply *, int status, struct json_object *obj);
/* {"error": msg, "status": status} */
void		 reply_error(struct reply *, int status, const char *msg);
const char	*reply_status_text(int status);

#endif
