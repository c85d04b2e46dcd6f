#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "reply.h"

/* Served when even the error body cannot be allocated. */
static const char reply_oom_body[] = "{\"error\":\"out of memory\",\"status\":500}";

void
reply_init(struct reply *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	r->content_type = REPLY_JSON;
}

void
reply_release(struct reply *r)
{
	if (r->body != reply_oom_body)
		free(r->body);
	memset(r, 0, sizeof(*r));
}

void
reply_json(struct reply *r, int status, struct json_object *obj)
{
	const char	*s;

	if (r->body != reply_oom_body)
		free(r->body);
	r->body = NULL;
	r->content_type = REPLY_JSON;
	s = obj ? json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	if (s == NULL || (r->body = strdup(s)) == NULL) {
		r->status = 500;
		r->body = (char *)reply_oom_body;
		r->len = sizeof(reply_oom_body) - 1;
	} else {
		r->status = status;
		r->len = strlen(r->body);
	}
	json_object_put(obj);
}

void
reply_error(struct reply *r, int status, const char *msg)
{
	struct json_object	*o = json_object_new_object();

	if (o != NULL) {
		json_object_object_add(o, "error", json_object_new_string(msg));
		json_object_object_add(o, "status", json_object_new_int(status));
	}
	reply_json(r, status, o);
}

const char *
reply_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 409: return "Conflict";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}
