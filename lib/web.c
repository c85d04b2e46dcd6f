#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encode.h"
#include "reply.h"
#include "web.h"

/*
 * The page's security policy: nothing from elsewhere, our stylesheet,
 * no scripts at all, forms only to us, never framed.
 */
#define WEB_CSP	"default-src 'none'; style-src 'self'; img-src 'self' data:; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* Decodes s[0..len) into a new string; NULL (err set) when it is invalid. */
static char *
decode(const char *s, size_t len, struct llmops_err *err)
{
	char	*out;
	size_t	 i, o = 0;
	int	 hi, lo;

	if (len > WEB_PARAM_BYTES * 3) {
		err_set(err, 400, "a parameter is longer than %d bytes",
		    WEB_PARAM_BYTES);
		return NULL;
	}
	if ((out = malloc(len + 1)) == NULL) {
		err_set(err, 500, "out of memory");
		return NULL;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len || (hi = hex_value(s[i + 1])) < 0 ||
			    (lo = hex_value(s[i + 2])) < 0) {
				err_set(err, 400, "a malformed %%-escape in the "
				    "parameters");
				goto bad;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	if (o > WEB_PARAM_BYTES || memchr(out, '\0', o) != NULL ||
	    !utf8_valid((const unsigned char *)out, o)) {
		err_set(err, 400, "a parameter is too long, holds a NUL byte or "
		    "is not UTF-8");
		goto bad;
	}
	return out;
bad:
	free(out);
	return NULL;
}

int
web_params_parse(struct web_params *ps, const char *text, size_t len,
    struct llmops_err *err)
{
	struct web_param	*p;
	const char		*s = text, *end = text + len, *amp, *eq;

	ps->p = NULL;
	ps->n = 0;
	if (text == NULL || len == 0)
		return 0;
	if ((ps->p = calloc(WEB_PARAMS_MAX, sizeof(*ps->p))) == NULL)
		return err_set(err, 500, "out of memory");
	while (s < end) {
		if ((amp = memchr(s, '&', (size_t)(end - s))) == NULL)
			amp = end;
		if (amp == s) {
			s++;
			continue;
		}
		if (ps->n == WEB_PARAMS_MAX) {
			web_params_release(ps);
			return err_set(err, 400, "more than %d parameters",
			    WEB_PARAMS_MAX);
		}
		if ((eq = memchr(s, '=', (size_t)(amp - s))) == NULL)
			eq = amp;
		p = &ps->p[ps->n];
		if ((p->key = decode(s, (size_t)(eq - s), err)) == NULL ||
		    (p->value = decode(eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0, err)) == NULL) {
			free(p->key);
			p->key = NULL;
			web_params_release(ps);
			return -1;
		}
		ps->n++;
		s = amp + 1;
	}
	return 0;
}

void
web_params_release(struct web_params *ps)
{
	size_t	i;

	for (i = 0; ps->p != NULL && i < ps->n; i++) {
		free(ps->p[i].key);
		free(ps->p[i].value);
	}
	free(ps->p);
	ps->p = NULL;
	ps->n = 0;
}

const char *
web_params_get(const struct web_params *ps, const char *key)
{
	size_t	i;

	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].key, key) == 0)
			return ps->p[i].value;
	return NULL;
}

int
web_read_body(const struct web_request *r, char *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (r->read_body == NULL)
		return -1;
	return r->read_body(r->read_arg, buf, len);
}

/* Forms are small: anything else in a POST body is not read. */
static void
read_form(struct web_request *r)
{
	const char	*ct = r->content_type;
	long long	 len;

	if (r->method == NULL || strcmp(r->method, "POST") != 0 || ct == NULL ||
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return;
	len = r->content_length ? strtoll(r->content_length, NULL, 10) : 0;
	if (len <= 0 || len > WEB_FORM_BYTES ||
	    (r->body = malloc((size_t)len + 1)) == NULL)
		return;
	if (web_read_body(r, r->body, (size_t)len) != 0) {
		explicit_bzero(r->body, (size_t)len);
		free(r->body);
		r->body = NULL;
		return;
	}
	r->body[len] = '\0';
	r->body_len = (size_t)len;
}

int
web_request_parse(struct web_request *r, struct llmops_err *err)
{
	read_form(r);
	if (web_params_parse(&r->query, r->query_string, r->query_string ?
	    strlen(r->query_string) : 0, err) != 0 ||
	    web_params_parse(&r->form, r->body, r->body_len, err) != 0)
		return -1;
	return 0;
}

void
web_request_release(struct web_request *r)
{
	web_params_release(&r->query);
	web_params_release(&r->form);
	if (r->body != NULL) {
		explicit_bzero(r->body, r->body_len);
		free(r->body);
	}
	r->body = NULL;
	r->body_len = 0;
}

const char *
web_arg(const struct web_request *r, const char *key)
{
	const char	*v = web_params_get(&r->query, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

const char *
web_form(const struct web_request *r, const char *key)
{
	return web_params_get(&r->form, key);
}

static int	body_sink(void *, const char *, size_t);

void
web_response_init(struct web_response *r, writer_sink sink, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->sink = sink;
	r->sink_arg = arg;
	membuf_init(&r->body);
	writer_init(&r->w, body_sink, r);
}

int
web_header(struct web_response *r, const char *name, const char *value)
{
	int	n;

	if (r->started || strpbrk(name, "\r\n:") != NULL ||
	    strpbrk(value, "\r\n") != NULL) {
		r->headers_full = 1;
		return -1;
	}
	n = snprintf(r->headers + r->hlen, sizeof(r->headers) - r->hlen,
	    "%s: %s\r\n", name, value);
	if (n < 0 || (size_t)n >= sizeof(r->headers) - r->hlen) {
		r->headers[r->hlen] = '\0';
		r->headers_full = 1;
		return -1;
	}
	r->hlen += (size_t)n;
	return 0;
}

int
web_start(struct web_response *r, int status, const char *content_type)
{
	if (r->started)
		return -1;
	/* A header that did not fit must not leave the answer half right. */
	if (r->headers_full || strlen(content_type) >= sizeof(r->content_type)) {
		r->hlen = 0;
		r->headers[0] = '\0';
		status = 500;
		content_type = "text/plain; charset=utf-8";
	}
	r->started = 1;
	r->status = status;
	r->html = strncmp(content_type, "text/html", 9) == 0;
	snprintf(r->content_type, sizeof(r->content_type), "%s", content_type);
	return r->w.failed ? -1 : 0;
}

int
web_reply(struct web_response *r, const struct reply *rp)
{
	if (rp->allow != NULL)
		web_header(r, "Allow", rp->allow);
	if (web_start(r, rp->status, rp->content_type) != 0)
		return -1;
	return writer_put(&r->w, rp->body, rp->len);
}

/*
 * The head of every answer. with_length: the body is complete in r->body
 * and its length known; otherwise the body streams after the head.
 */
static int
send_head(struct web_response *r, int with_length)
{
	struct writer	w;

	r->sent = 1;
	writer_init(&w, r->sink, r->sink_arg);
	writer_printf(&w, "Status: %d %s\r\nContent-Type: %s\r\n", r->status,
	    reply_status_text(r->status), r->content_type);
	if (with_length)
		writer_printf(&w, "Content-Length: %zu\r\n", r->body.len);
	writer_puts(&w, "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: same-origin\r\n");
	/* Nothing is cached unless the handler said otherwise (the CSS). */
	if (strstr(r->headers, "Cache-Control:") == NULL)
		writer_puts(&w, "Cache-Control: no-store\r\n");
	if (r->html)
		writer_puts(&w, "Content-Security-Policy: " WEB_CSP "\r\n"
		    "X-Frame-Options: DENY\r\n");
	writer_put(&w, r->headers, r->hlen);
	writer_puts(&w, "\r\n");
	return writer_flush(&w);
}

/*
 * Where r->w writes: memory, until the body outgrows WEB_BUFFER_BYTES;
 * then the head goes out without a length, followed by what was kept,
 * and the rest streams to the transport.
 */
static int
body_sink(void *arg, const char *buf, size_t len)
{
	struct web_response	*r = arg;

	if (r->sent)
		return r->sink(r->sink_arg, buf, len);
	if (len <= WEB_BUFFER_BYTES - r->body.len)
		return membuf_append(&r->body, buf, len);
	if (!r->started || send_head(r, 0) != 0)
		return -1;
	if (r->body.len > 0 && r->sink(r->sink_arg, r->body.buf,
	    r->body.len) != 0)
		return -1;
	membuf_release(&r->body);
	return r->sink(r->sink_arg, buf, len);
}

/*
 * A local path: one '/' first, never "//" or "/\\" (another host), and no
 * control byte anywhere, since browsers drop tabs and newlines from URLs
 * ("/\t/evil.example" would become "//evil.example").
 */
static int
local_path(const char *s)
{
	if (s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
web_redirect(struct web_response *r, const char *location)
{
	/* Local paths only: never an open redirect. */
	if (!local_path(location))
		location = "/";
	if (web_header(r, "Location", location) != 0)
		return -1;
	if (web_start(r, 303, WEB_HTML) != 0)
		return -1;
	return 0;
}

int
web_response_reset(struct web_response *r)
{
	if (r->sent)
		return -1;
	membuf_release(&r->body);
	membuf_init(&r->body);
	writer_init(&r->w, body_sink, r);
	r->status = 0;
	r->started = 0;
	r->html = 0;
	r->content_type[0] = '\0';
	r->headers[0] = '\0';
	r->hlen = 0;
	r->headers_full = 0;
	return 0;
}

int
web_finish(struct web_response *r)
{
	static const char	oops[] = "the answer could not be made\n";
	int			rc;

	rc = writer_flush(&r->w);
	if (!r->sent && (rc != 0 || !r->started)) {
		/* Out of memory, or no answer at all: never half a page. */
		web_response_reset(r);
		web_start(r, 500, "text/plain; charset=utf-8");
		membuf_append(&r->body, oops, sizeof(oops) - 1);
		rc = -1;
	}
	if (!r->sent && (send_head(r, 1) != 0 || (r->body.len > 0 &&
	    r->sink(r->sink_arg, r->body.buf, r->body.len) != 0)))
		rc = -1;
	membuf_release(&r->body);
	return rc;
}
