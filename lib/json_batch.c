#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "json_batch.h"
#include "json_skim.h"

/* The callback's element, which must have been read whole. */
static int
element(struct json_skim *sk, int level, size_t n, json_batch_cb cb,
    void *arg, struct llmops_err *err)
{
	size_t	start = sk->pos;

	if (cb(sk, level, n, start, arg, err) != 0)
		return -1;
	if (sk->pos == start)	/* a callback that read nothing: a bug */
		return err_set(err, 500, "element %zu was not read", n);
	return 0;
}

int
json_batch_parse(const char *body, size_t len, int max_depth,
    size_t max_elements, json_batch_cb cb, void *arg,
    enum json_framing *framing, size_t *nelements, struct llmops_err *err)
{
	struct json_skim	*sk;
	size_t			 n = 0;
	int			 rc = -1, c;

	*nelements = 0;
	/* The skimmer holds a string buffer: on the heap, not the stack. */
	if ((sk = malloc(sizeof(*sk))) == NULL)
		return err_set(err, 500, "out of memory");
	/*
	 * max_depth counts nested values as json-c does: the body's top value
	 * is level 1 and every value inside a container, scalars included,
	 * one level deeper ({} is 1 deep, {"a":1} is 2). An element of the
	 * array framing is at level 2 (json-c's depth index 1).
	 */
	json_skim_init(sk, body, len, max_depth);
	c = json_skim_peek(sk);
	if (c < 0) {
		err_set(err, 400, "empty body: expected a JSON array or object");
		goto out;
	}
	if (c == '[') {
		*framing = JSON_FRAMING_ARRAY;
		if (sk->max_depth < 2)
			sk->max_depth = 2;
	} else if (c == '{')
		*framing = JSON_FRAMING_SEQUENCE;
	else if (c == '"') {
		err_set(err, 400, "body is a JSON string: this is the "
		    "double-encoded format of LiteLLM before 1.68, which is not "
		    "supported; upgrade LiteLLM and use callback_type generic_api");
		goto out;
	} else {
		err_set(err, 400, "malformed JSON at byte %zu: expected a "
		    "JSON array or object", sk->pos);
		goto out;
	}

	if (*framing == JSON_FRAMING_ARRAY) {
		sk->pos++;
		if (json_skim_peek(sk) == ']') {
			sk->pos++;
			goto trailer;
		}
		for (;;) {
			if (json_skim_peek(sk) < 0) {
				err_set(err, 400, "malformed JSON: unexpected end "
				    "of body at byte %zu", len);
				goto out;
			}
			if (n == max_elements) {
				err_set(err, 413, "batch has more than the "
				    "max_events limit (%zu) of events", max_elements);
				goto out;
			}
			if (element(sk, 1, n, cb, arg, err) != 0)
				goto out;
			n++;
			c = json_skim_peek(sk);
			if (c == ',') {
				sk->pos++;
				if (json_skim_peek(sk) == ']') {
					err_set(err, 400, "malformed JSON at byte "
					    "%zu: trailing comma in array", sk->pos);
					goto out;
				}
				continue;
			}
			if (c == ']') {
				sk->pos++;
				break;
			}
			if (c < 0)
				err_set(err, 400, "malformed JSON: unexpected end "
				    "of body at byte %zu", len);
			else
				err_set(err, 400, "malformed JSON at byte %zu: "
				    "expected ',' or ']' after an array element",
				    sk->pos);
			goto out;
		}
trailer:
		if (json_skim_peek(sk) >= 0) {
			err_set(err, 400, "malformed JSON at byte %zu: data after "
			    "the end of the array", sk->pos);
			goto out;
		}
	} else {
		while ((c = json_skim_peek(sk)) >= 0) {
			if (n == max_elements) {
				err_set(err, 413, "batch has more than the "
				    "max_events limit (%zu) of events", max_elements);
				goto out;
			}
			if (c != '{') {
				err_set(err, 400, "malformed JSON at byte %zu: "
				    "expected '{' to start the next event", sk->pos);
				goto out;
			}
			if (element(sk, 0, n, cb, arg, err) != 0)
				goto out;
			n++;
		}
	}
	*nelements = n;
	rc = 0;
out:
	free(sk);
	return rc;
}
