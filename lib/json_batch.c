#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "json_batch.h"

static size_t
skip_ws(const char *s, size_t len, size_t pos)
{
	while (pos < len && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' ||
	    s[pos] == '\r'))
		pos++;
	return pos;
}

/*
 * Parses one JSON value starting at *pos. On success stores the value
 * (NULL for null) and advances *pos past it.
 */
static int
parse_value(struct json_tokener *tok, const char *body, size_t len,
    size_t *pos, int max_depth, struct json_object **out, struct llmops_err *err)
{
	struct json_object	*obj;
	enum json_tokener_error	 jerr;
	size_t			 end, remain = len - *pos;

	json_tokener_reset(tok);
	/* json-c takes an int length; a single value is bounded by the body limit. */
	if (remain > (size_t)0x7fffffff)
		return err_set(err, 413, "body too large to parse");
	obj = json_tokener_parse_ex(tok, body + *pos, (int)remain);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue)
		return err_set(err, 400, "malformed JSON: unexpected end of body at "
		    "byte %zu", len);
	if (jerr == json_tokener_error_depth)
		return err_set(err, 400, "malformed JSON: nested deeper than the "
		    "max_json_depth limit (%d) at byte %zu", max_depth, *pos + end);
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		/* json-c stops on the offending byte; report that offset. */
		return err_set(err, 400, "malformed JSON at byte %zu: %s",
		    *pos + end, json_tokener_error_desc(jerr));
	}
	*pos += end;
	*out = obj;
	return 0;
}

int
json_batch_parse(const char *body, size_t len, int max_depth,
    size_t max_elements, json_batch_cb cb, void *arg,
    enum json_framing *framing, size_t *nelements, struct llmops_err *err)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*obj = NULL;
	size_t			 pos, n = 0, start;
	int			 rc = -1, depth;

	*nelements = 0;
	pos = skip_ws(body, len, 0);
	if (pos == len)
		return err_set(err, 400, "empty body: expected a JSON array or object");
	/*
	 * max_depth counts nested values as json-c does: the body's top value
	 * is level 1 and every value inside a container, scalars included,
	 * one level deeper ({} is 1 deep, {"a":1} is 2). An element of the
	 * array framing starts at level 2.
	 */
	if (body[pos] == '[') {
		*framing = JSON_FRAMING_ARRAY;
		depth = max_depth - 1;
	} else if (body[pos] == '{') {
		*framing = JSON_FRAMING_SEQUENCE;
		depth = max_depth;
	} else if (body[pos] == '"')
		return err_set(err, 400, "body is a JSON string: this is the "
		    "double-encoded format of LiteLLM before 1.68, which is not "
		    "supported; upgrade LiteLLM and use callback_type generic_api");
	else
		return err_set(err, 400, "malformed JSON at byte %zu: expected a "
		    "JSON array or object", pos);
	if (depth < 1)
		depth = 1;
	if ((tok = json_tokener_new_ex(depth)) == NULL)
		return err_set(err, 500, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);

	if (*framing == JSON_FRAMING_ARRAY) {
		pos = skip_ws(body, len, pos + 1);
		if (pos < len && body[pos] == ']') {
			pos++;
			goto trailer;
		}
		for (;;) {
			if (pos == len) {
				err_set(err, 400, "malformed JSON: unexpected end "
				    "of body at byte %zu", len);
				goto out;
			}
			if (n == max_elements) {
				err_set(err, 413, "batch has more than the "
				    "max_events limit (%zu) of events", max_elements);
				goto out;
			}
			start = pos;
			if (parse_value(tok, body, len, &pos, max_depth, &obj, err))
				goto out;
			if (cb(obj, n, start, arg, err))
				goto out;
			json_object_put(obj);
			obj = NULL;
			n++;
			pos = skip_ws(body, len, pos);
			if (pos < len && body[pos] == ',') {
				pos = skip_ws(body, len, pos + 1);
				if (pos < len && body[pos] == ']') {
					err_set(err, 400, "malformed JSON at byte "
					    "%zu: trailing comma in array", pos);
					goto out;
				}
				continue;
			}
			if (pos < len && body[pos] == ']') {
				pos++;
				break;
			}
			if (pos == len)
				err_set(err, 400, "malformed JSON: unexpected end "
				    "of body at byte %zu", len);
			else
				err_set(err, 400, "malformed JSON at byte %zu: "
				    "expected ',' or ']' after an array element", pos);
			goto out;
		}
trailer:
		pos = skip_ws(body, len, pos);
		if (pos != len) {
			err_set(err, 400, "malformed JSON at byte %zu: data after "
			    "the end of the array", pos);
			goto out;
		}
	} else {
		while ((pos = skip_ws(body, len, pos)) < len) {
			if (n == max_elements) {
				err_set(err, 413, "batch has more than the "
				    "max_events limit (%zu) of events", max_elements);
				goto out;
			}
			start = pos;
			if (body[pos] != '{') {
				err_set(err, 400, "malformed JSON at byte %zu: "
				    "expected '{' to start the next event", pos);
				goto out;
			}
			if (parse_value(tok, body, len, &pos, max_depth, &obj, err))
				goto out;
			if (cb(obj, n, start, arg, err))
				goto out;
			json_object_put(obj);
			obj = NULL;
			n++;
		}
	}
	*nelements = n;
	rc = 0;
out:
	json_object_put(obj);
	json_tokener_free(tok);
	return rc;
}
