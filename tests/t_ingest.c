/*
 * The request checks of the callback that need no database: method,
 * content type and declared length (lib/ingest.c), and the error bodies.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "ingest.h"
#include "log.h"
#include "tap.h"

static int
precheck(const struct conf *c, const char *method, const char *ct,
    const char *len, size_t *body_len, struct reply *r)
{
	struct ingest_request	req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.content_type = ct;
	req.content_length = len;
	reply_init(r);
	return ingest_precheck(c, &req, body_len, r);
}

/* The reply body is a JSON object whose "status" equals the HTTP status. */
static int
json_error_body(const struct reply *r)
{
	struct json_object	*o = json_tokener_parse(r->body), *v;
	int			 good;

	good = o != NULL && json_object_object_get_ex(o, "error", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_object_get_ex(o, "status", &v) &&
	    json_object_get_int(v) == r->status;
	json_object_put(o);
	return good && strcmp(r->content_type, "application/json") == 0;
}

int
main(void)
{
	struct conf	c;
	struct reply	r;
	size_t		n = 0;

	log_open("t_ingest", LOG_LEVEL_ERROR, 0);
	conf_init(&c);
	c.ingest.max_body_bytes = 1000;

	ok(precheck(&c, "POST", "application/json", "10", &n, &r) == 0 && n == 10,
	    "POST application/json with a length passes");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json; charset=utf-8", "0", &n, &r)
	    == 0, "parameters after the media type are fine");
	reply_release(&r);
	ok(precheck(&c, "POST", "Application/JSON", "1", &n, &r) == 0,
	    "media types are case-insensitive");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/x-ndjson", "1", &n, &r) == 0,
	    "NDJSON media type accepted");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/vnd.litellm+json", "1", &n, &r) == 0,
	    "+json media types accepted");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json, application/json", "1", &n,
	    &r) == 0, "a Content-Type sent twice (joined by the server) passes");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json; charset=utf-8, application/json",
	    "1", &n, &r) == 0, "... with parameters too");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json, text/plain", "1", &n, &r) != 0 &&
	    r.status == 415, "a list with a non-JSON member: 415");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json,", "1", &n, &r) != 0 &&
	    r.status == 415, "a list with an empty member: 415");
	reply_release(&r);
	ok(precheck(&c, "POST", "", "1", &n, &r) != 0 && r.status == 415,
	    "an empty Content-Type: 415");
	reply_release(&r);

	ok(precheck(&c, "GET", "application/json", "1", &n, &r) != 0 &&
	    r.status == 405 && r.allow && strcmp(r.allow, "POST") == 0 &&
	    json_error_body(&r), "GET: 405 with Allow: POST and a JSON body");
	reply_release(&r);
	ok(precheck(&c, "POST", "text/plain", "1", &n, &r) != 0 &&
	    r.status == 415 && json_error_body(&r), "text/plain: 415");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/jsonx", "1", &n, &r) != 0 &&
	    r.status == 415, "application/jsonx is not JSON");
	reply_release(&r);
	ok(precheck(&c, "POST", NULL, "1", &n, &r) != 0 && r.status == 415 &&
	    strstr(r.body, "missing"), "no Content-Type: 415");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json", "1001", &n, &r) != 0 &&
	    r.status == 413 && strstr(r.body, "max_body_bytes") &&
	    json_error_body(&r), "over max_body_bytes: 413 naming the limit");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json", "1000", &n, &r) == 0,
	    "exactly max_body_bytes passes");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json", "12abc", &n, &r) != 0 &&
	    r.status == 400, "a malformed Content-Length: 400");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json", "-5", &n, &r) != 0 &&
	    r.status == 400, "a negative Content-Length: 400");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json", NULL, &n, &r) != 0 &&
	    r.status == 411, "no Content-Length: 411");
	reply_release(&r);
	ok(precheck(&c, "POST", "application/json", "99999999999999999999", &n, &r)
	    != 0 && (r.status == 400 || r.status == 413),
	    "an overflowing Content-Length is refused");
	reply_release(&r);

	conf_release(&c);
	return tap_done();
}
