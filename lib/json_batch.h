/*
 * The framing of a LiteLLM callback body: a JSON array (log_format
 * json_array, the default), objects joined by newlines (ndjson, still sent
 * as application/json), or one object (single). Each element is parsed on
 * its own and handed to a callback, so a batch never exists as one big
 * json-c tree. Pure: bytes in, callbacks out.
 */
#ifndef LLMOPS_JSON_BATCH_H
#define LLMOPS_JSON_BATCH_H

#include <stddef.h>

#include "err.h"

struct json_object;

enum json_framing {
	JSON_FRAMING_ARRAY,
	JSON_FRAMING_SEQUENCE,		/* one object, or NDJSON */
};

/*
 * Called once per element with the parsed value (NULL for a JSON null),
 * its index and its byte offset. The value is owned by the caller of the
 * callback and freed when it returns. Return 0 to go on, -1 to stop (the
 * callback fills err).
 */
typedef int (*json_batch_cb)(struct json_object *, size_t index, size_t offset,
    void *arg, struct llmops_err *);

/*
 * Returns 0, or -1 with err->status 400 (malformed, with the byte offset),
 * 413 (more than max_elements) or what the callback set.
 */
int	json_batch_parse(const char *body, size_t len, int max_depth,
	    size_t max_elements, json_batch_cb, void *arg,
	    enum json_framing *framing, size_t *nelements, struct llmops_err *);

#endif
