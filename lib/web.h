/*
 * An HTTP request and its response as the dashboard and the JSON API see
 * them, without FastCGI: the transport (fcgi/serve.c) fills a web_request
 * from the CGI environment and gives the response a sink; handlers in
 * lib/ parse parameters, set headers and stream the body through a writer.
 */
#ifndef LLMOPS_WEB_H
#define LLMOPS_WEB_H

#include <stddef.h>

#include "err.h"
#include "llmops_limits.h"
#include "writer.h"

struct web_param {
	char	*key;		/* owned, decoded, valid UTF-8 */
	char	*value;		/* owned, decoded, valid UTF-8 */
};

struct web_params {
	struct web_param	*p;
	size_t			 n;
};

struct web_request {
	const char		*method;
	const char		*path;		/* without the query */
	const char		*query_string;	/* raw */
	const char		*body;		/* a urlencoded POST body, or NULL */
	size_t			 body_len;
	struct web_params	 query;		/* parsed by app_handle */
	struct web_params	 form;		/* parsed by app_handle */
	const char		*cookie;	/* the Cookie header */
	const char		*host;
	const char		*origin;
	const char		*referer;
	const char		*authorization;
	const char		*remote_addr;
	const char		*user_agent;
	int			 https;
};

struct web_response {
	struct writer	 w;		/* the body, after web_start */
	int		 status;
	int		 started;
	char		 headers[WEB_HEADERS_BYTES];
	size_t		 hlen;
	int		 headers_full;
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
 * Writes the status line and headers: the content type, the extra ones,
 * no-store caching, nosniff, and for HTML a strict Content-Security-Policy
 * and frame denial. The body follows through r->w.
 */
int		 web_start(struct web_response *, int status,
		    const char *content_type);
/*
 * 303 See Other to a local path: one '/' first, not "//" nor "/\\", no
 * control bytes; anything else goes to "/".
 */
int		 web_redirect(struct web_response *, const char *location);
/* Flushes the body; -1 if anything failed. */
int		 web_finish(struct web_response *);

#define WEB_HTML	"text/html; charset=utf-8"
#define WEB_CSV		"text/csv; charset=utf-8"
#define WEB_JSON	"application/json"
#define WEB_CSS		"text/css; charset=utf-8"

#endif
