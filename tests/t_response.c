/*
 * The one response writer (lib/web.c): every answer gets the status line,
 * content type, Content-Length and security headers; nothing reaches the
 * transport before web_finish unless the body outgrows WEB_BUFFER_BYTES
 * (then it streams without a length); web_response_reset forgets an
 * answer that has not been sent; a struct reply goes out the same way.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "tap.h"
#include "web.h"

/* The transport: what reached it, in how many calls; fails when asked. */
struct out {
	struct membuf	 mb;
	size_t		 calls;
	int		 fail;
};

static int
out_sink(void *arg, const char *buf, size_t len)
{
	struct out	*o = arg;

	o->calls++;
	if (o->fail)
		return -1;
	o->mb.max = 64UL * 1024 * 1024;
	return membuf_append(&o->mb, buf, len);
}

static void
out_init(struct out *o)
{
	memset(o, 0, sizeof(*o));
	membuf_init(&o->mb);
}

/* The head (up to the blank line, without it) and where the body starts. */
static char *
head_of(const struct out *o, const char **body)
{
	const char	*s = membuf_str(&o->mb);
	const char	*end = strstr(s, "\r\n\r\n");
	char		*h;

	if (end == NULL) {
		*body = "";
		return strdup("");
	}
	*body = end + 4;
	h = strndup(s, (size_t)(end - s) + 2);
	return h;
}

static int
has(const char *head, const char *line)
{
	return strstr(head, line) != NULL;
}

static void
test_html(void)
{
	struct web_response	 r;
	struct out		 o;
	const char		*body;
	char			*h;

	out_init(&o);
	web_response_init(&r, out_sink, &o);
	ok(web_start(&r, 200, WEB_HTML) == 0, "html: start");
	writer_puts(&r.w, "<p>hello</p>\n");
	writer_flush(&r.w);
	is_int(o.calls, 0, "html: nothing reaches the transport before "
	    "web_finish");
	ok(web_finish(&r) == 0, "html: finish");
	h = head_of(&o, &body);
	ok(strncmp(h, "Status: 200 OK\r\n", 16) == 0, "html: status line first");
	ok(has(h, "Content-Type: text/html; charset=utf-8\r\n"),
	    "html: content type");
	ok(has(h, "Content-Length: 13\r\n"), "html: Content-Length of the body");
	ok(has(h, "X-Content-Type-Options: nosniff\r\n"), "html: nosniff");
	ok(has(h, "Referrer-Policy: same-origin\r\n"), "html: referrer policy");
	ok(has(h, "Cache-Control: no-store\r\n"), "html: no-store");
	ok(has(h, "Content-Security-Policy: default-src 'none'; "),
	    "html: a strict CSP");
	ok(has(h, "X-Frame-Options: DENY\r\n"), "html: frame denial");
	is_str(body, "<p>hello</p>\n", "html: the body after the blank line");
	free(h);
	membuf_release(&o.mb);
}

static void
test_reply(void)
{
	struct web_response	 r;
	struct reply		 rp;
	struct out		 o;
	const char		*body;
	char			*h, cl[64];

	out_init(&o);
	web_response_init(&r, out_sink, &o);
	reply_init(&rp);
	reply_error(&rp, 405, "use GET");
	rp.allow = "GET, HEAD";
	ok(web_reply(&r, &rp) == 0, "reply: written");
	ok(web_finish(&r) == 0, "reply: finish");
	h = head_of(&o, &body);
	ok(strncmp(h, "Status: 405 Method Not Allowed\r\n", 32) == 0,
	    "reply: its status");
	ok(has(h, "Content-Type: application/json\r\n"), "reply: JSON");
	ok(has(h, "Allow: GET, HEAD\r\n"), "reply: its Allow header");
	snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", rp.len);
	ok(has(h, cl), "reply: Content-Length %zu", rp.len);
	ok(has(h, "X-Content-Type-Options: nosniff\r\n") &&
	    has(h, "Cache-Control: no-store\r\n"),
	    "reply: the same security headers as a page");
	ok(!has(h, "Content-Security-Policy"), "reply: no CSP (not HTML)");
	is_str(body, rp.body, "reply: its body");
	reply_release(&rp);
	free(h);
	membuf_release(&o.mb);
}

static void
test_headers(void)
{
	struct web_response	 r;
	struct out		 o;
	const char		*body;
	char			*h;

	out_init(&o);
	web_response_init(&r, out_sink, &o);
	ok(web_header(&r, "Cache-Control", "max-age=3600") == 0,
	    "headers: Cache-Control set by the handler");
	web_start(&r, 200, WEB_CSS);
	ok(web_header(&r, "X-Late", "1") != 0, "headers: refused after start");
	web_finish(&r);
	h = head_of(&o, &body);
	ok(has(h, "Cache-Control: max-age=3600\r\n") &&
	    !has(h, "no-store"), "headers: the handler's caching, not no-store");
	ok(!has(h, "X-Late"), "headers: a late header is not sent");
	ok(has(h, "Content-Length: 0\r\n"), "headers: an empty body has length 0");
	free(h);
	membuf_release(&o.mb);

	out_init(&o);
	web_response_init(&r, out_sink, &o);
	ok(web_header(&r, "Set-Cookie", "a=b\r\nX-Evil: 1") != 0,
	    "headers: CR LF in a value refused");
	web_start(&r, 200, WEB_HTML);
	writer_puts(&r.w, "page");
	web_finish(&r);
	h = head_of(&o, &body);
	ok(strncmp(h, "Status: 500 ", 12) == 0 && !has(h, "X-Evil") &&
	    has(h, "Content-Type: text/plain"),
	    "headers: a refused header turns the answer into a 500");
	free(h);
	membuf_release(&o.mb);
}

static void
test_redirect(void)
{
	struct web_response	 r;
	struct out		 o;
	const char		*body;
	char			*h;

	out_init(&o);
	web_response_init(&r, out_sink, &o);
	web_redirect(&r, "//evil.example/");
	web_finish(&r);
	h = head_of(&o, &body);
	ok(strncmp(h, "Status: 303 See Other\r\n", 23) == 0 &&
	    has(h, "Location: /\r\n") && has(h, "Content-Length: 0\r\n"),
	    "redirect: 303 to / (never another host), length 0");
	free(h);
	membuf_release(&o.mb);
}

static void
test_reset(void)
{
	struct web_response	 r;
	struct out		 o;
	const char		*body;
	char			*h;

	out_init(&o);
	web_response_init(&r, out_sink, &o);
	web_header(&r, "Set-Cookie", "first=1");
	web_start(&r, 200, WEB_HTML);
	writer_puts(&r.w, "half a page that failed");
	ok(web_response_reset(&r) == 0, "reset: allowed before anything is sent");
	ok(!r.started, "reset: no status chosen any more");
	web_start(&r, 503, WEB_HTML);
	writer_puts(&r.w, "retried");
	ok(web_finish(&r) == 0, "reset: the second answer finishes");
	h = head_of(&o, &body);
	ok(strncmp(h, "Status: 503 ", 12) == 0, "reset: the second status");
	ok(!has(h, "first=1"), "reset: the first answer's headers are gone");
	ok(has(h, "Content-Length: 7\r\n"), "reset: the second body's length");
	is_str(body, "retried", "reset: only the second body");
	free(h);
	membuf_release(&o.mb);
}

static void
test_stream(void)
{
	struct web_response	 r;
	struct out		 o;
	const char		*body;
	char			*h, *chunk;
	size_t			 i, n = 64 * 1024, total = 0;
	int			 same = 1;

	out_init(&o);
	web_response_init(&r, out_sink, &o);
	web_start(&r, 200, WEB_CSV);
	chunk = malloc(n);
	memset(chunk, 'x', n);
	for (i = 0; total <= (size_t)WEB_BUFFER_BYTES; i++) {
		writer_put(&r.w, chunk, n);
		total += n;
	}
	ok(o.calls > 0, "stream: past WEB_BUFFER_BYTES the answer starts");
	ok(web_response_reset(&r) != 0, "stream: then it cannot be reset");
	ok(web_finish(&r) == 0, "stream: finish");
	h = head_of(&o, &body);
	ok(strncmp(h, "Status: 200 OK\r\n", 16) == 0 &&
	    !has(h, "Content-Length") && has(h, "nosniff"),
	    "stream: the head, without a length");
	is_int(o.mb.len - (size_t)(body - o.mb.buf), total,
	    "stream: every byte of the body");
	for (i = 0; i < total && same; i++)
		same = body[i] == 'x';
	ok(same, "stream: in order");
	free(chunk);
	free(h);
	membuf_release(&o.mb);
}

static void
test_failures(void)
{
	struct web_response	 r;
	struct out		 o;
	const char		*body;
	char			*h;

	out_init(&o);
	web_response_init(&r, out_sink, &o);
	ok(web_finish(&r) != 0, "no answer: finish says so");
	h = head_of(&o, &body);
	ok(strncmp(h, "Status: 500 ", 12) == 0 && has(h, "Content-Length: "),
	    "no answer: a 500 rather than nothing");
	free(h);
	membuf_release(&o.mb);

	out_init(&o);
	o.fail = 1;
	web_response_init(&r, out_sink, &o);
	web_start(&r, 200, WEB_HTML);
	writer_puts(&r.w, "x");
	ok(web_finish(&r) != 0, "a transport that fails: finish says so");
	membuf_release(&o.mb);
}

int
main(void)
{
	test_html();
	test_reply();
	test_headers();
	test_redirect();
	test_reset();
	test_stream();
	test_failures();
	return tap_done();
}
