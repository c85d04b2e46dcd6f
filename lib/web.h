/*
 * An HTTP request and its response without FastCGI: the transport
 * (fcgi/serve.c) fills a web_request from the CGI environment, gives it a
 * body reader and the response a sink, and hands both to app_handle
 * (lib/app.c). Every answer of the responder, from the LiteLLM callback
 * to a dashboard page, is written by the response functions below: one
 * status line, one set of security headers, and a Content-Length.
 */
#ifndef LLMOPS_WEB_H
#define LLMOPS_WEB_H

#include <stddef.h>

#include "err.h"
#include "llmops_limits.h"
#include "writer.h"

struct reply;

struct web_param {
	char	*key;		/* owned, decoded, valid UTF-8 */
	char	*value;		/* owned, decoded, valid UTF-8 */
};

struct web_params {
	struct web_param	*p;
	size_t			 n;
};

/* Reads exactly len bytes of the request body into buf; -1 if fewer came. */
typedef int	(*web_body_reader)(void *arg, char *buf, size_t len);

struct web_request {
	/* Filled by the transport; every string is borrowed from it. */
	const char		*method;	/* NULL when the server gave none */
	const char		*path;		/* without the query */
	const char		*query_string;	/* raw */
	const char		*content_type;
	const char		*content_length;/* as the server passed it */
	const char		*cookie;	/* the Cookie header */
	const char		*host;
	const char		*origin;
	const char		*referer;
	const char		*authorization;
	const char		*remote_addr;
	const char		*user_agent;
	int			 https;
	struct {
		const char	*token;		/* X-Cloudidr-Token */
		const char	*department;	/* X-Department */
		const char	*team;		/* X-Team */
		const char	*agent;		/* X-Agent */
	} tracked;			/* the webhook's tracking headers */
	web_body_reader		 read_body;	/* NULL: no body can be read */
	void			*read_arg;
	/* Filled by app_handle, released by web_request_release. */
	char			*body;		/* a urlencoded POST body, or NULL */
	size_t			 body_len;
	struct web_params	 query;
	struct web_params	 form;
};

struct web_response {
	struct writer	 w;		/* the body, after web_start */
	int		 status;
	int		 started;	/* web_start was called */
	int		 sent;		/* bytes reached the client: too late to reset */
	int		 html;
	char		 content_type[128];
	char		 headers[WEB_HEADERS_BYTES];
	size_t		 hlen;
	int		 headers_full;
	struct membuf	 body;		/* the body until it is sent */
	writer_sink	 sink;		/* the transport */
	void		*sink_arg;
};

/*
 * application/x-www-form-urlencoded (and query strings): '&'-separated
 * key=value, '+' is a space, %XX decoded. Refuses (400) malformed escapes,
 * invalid UTF-8, NUL bytes, and more than the limits of llmops_limits.h.
 */
int		 web_params_parse(struct web_params *, const char *text,
		    size_t len, struct llmops_err *);
void		 web_params_release(struct web_params *);
/* The first value of key, or NULL. */
const char	*web_params_get(const struct web_params *, const char *key);

/* Reads exactly len bytes of body through the transport; -1 otherwise. */
int		 web_read_body(const struct web_request *, char *buf, size_t len);
/*
 * Reads a urlencoded POST body of at most WEB_FORM_BYTES and parses it
 * and the query string; 0, or -1 with err set (400). A form that is too
 * long, or shorter than its Content-Length, is treated as absent.
 */
int		 web_request_parse(struct web_request *, struct llmops_err *);
/* Frees what web_request_parse made (the body is wiped: passwords). */
void		 web_request_release(struct web_request *);
/* The query parameter, or NULL; "" counts as absent. */
const char	*web_arg(const struct web_request *, const char *key);
/* The form field, or NULL. */
const char	*web_form(const struct web_request *, const char *key);

void		 web_response_init(struct web_response *, writer_sink, void *);
/* Adds a header line for web_start; refuses CR, LF and NUL in either part. */
int		 web_header(struct web_response *, const char *name,
		    const char *value);
/*
 * Chooses the status and content type; the body follows through r->w.
 * The head goes out with the body (web_finish): the status line, the
 * content type, a Content-Length when the body fits in WEB_BUFFER_BYTES,
 * nosniff, same-origin referrers, no-store caching unless a header says
 * otherwise, for HTML a strict Content-Security-Policy and frame denial,
 * then the extra headers.
 */
int		 web_start(struct web_response *, int status,
		    const char *content_type);
/* A struct reply (the callback, the health check) as the answer. */
int		 web_reply(struct web_response *, const struct reply *);
/*
 * 303 See Other to a local path: one '/' first, not "//" nor "/\\", no
 * control bytes; anything else goes to "/".
 */
int		 web_redirect(struct web_response *, const char *location);
/*
 * Forgets the answer begun so far (status, headers, body) so that the
 * request can be answered again, e.g. after a retry; -1 when part of it
 * has reached the client already.
 */
int		 web_response_reset(struct web_response *);
/* Sends what is left and frees the buffer; -1 if anything failed. */
int		 web_finish(struct web_response *);

#define WEB_HTML	"text/html; charset=utf-8"
#define WEB_CSV		"text/csv; charset=utf-8"
#define WEB_JSON	"application/json"
#define WEB_CSS		"text/css; charset=utf-8"

#endif
