/*
 * The framing of a LiteLLM callback body: a JSON array (log_format
 * json_array, the default), objects joined by newlines (ndjson, still sent
 * as application/json), or one object (single). Each element is parsed on
 * its own and handed to a callback, so a batch never exists as one big
 * json-c tree, and is validated as it is read (json_skim.h). Pure: bytes
 * in, callbacks out.
 */
#ifndef LLMOPS_JSON_BATCH_H
#define LLMOPS_JSON_BATCH_H

#include <stddef.h>

#include "err.h"

struct json_skim;

enum json_framing {
	JSON_FRAMING_ARRAY,
	JSON_FRAMING_SEQUENCE,		/* one object, or NDJSON */
};

/*
 * Called once per element, with the skimmer at its first byte; it must
 * read exactly that one value (json_skim_value, json_skim_keep) at depth
 * level (json-c's: 1 in an array, 0 in a sequence), or return -1 with err
 * set (json_skim_error for malformed JSON). Nothing is built for the
 * elements: the cost of the framing is one pass over the bytes.
 */
typedef int (*json_batch_cb)(struct json_skim *, int level, size_t index,
    size_t offset, void *arg, struct llmops_err *);

/*
 * Returns 0, or -1 with err->status 400 (malformed, with the byte offset),
 * 413 (more than max_elements, counted before the element is read) or what
 * the callback set.
 */
int	json_batch_parse(const char *body, size_t len, int max_depth,
	    size_t max_elements, json_batch_cb, void *arg,
	    enum json_framing *framing, size_t *nelements, struct llmops_err *);

#endif
