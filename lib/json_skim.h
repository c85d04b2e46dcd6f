/*
 * A strict JSON scanner that walks a body once without building anything:
 * it validates every byte as json-c does with JSON_TOKENER_STRICT and
 * JSON_TOKENER_VALIDATE_UTF8 (RFC 8259 plus NaN, Infinity and -Infinity,
 * which Python writes), skips the values nobody reads, and builds a small
 * json-c object of only the members a table of wanted keys (struct
 * json_keep) names. Nesting is followed with a counter and a bit stack,
 * never recursion, so depth costs nothing until the limit refuses it.
 *
 * Memory: nothing is allocated for skipped values; a kept string is read
 * into at most JSON_SKIM_STRING_BYTES bytes, a kept number into at most
 * JSON_SKIM_NUMBER_BYTES; a headers object keeps at most
 * JSON_SKIM_HEADER_KEYS members, a tags array at most one string per name.
 * So what one element costs is bounded by the table, not by the body.
 *
 * Pure: bytes in, a json-c object out; tests/fuzz/fuzz_skim.c compares its
 * verdict with json-c's on the same input.
 */
#ifndef LLMOPS_JSON_SKIM_H
#define LLMOPS_JSON_SKIM_H

#include <stddef.h>

#include "err.h"
#include "llmops_limits.h"

struct json_object;

/* Bytes of a kept string (decoded); longer strings are cut there. */
#define JSON_SKIM_STRING_BYTES	4096
/* Characters of a kept number; a longer one is kept as an empty array
 * (a wrong type, which the reader reports as an unusable field). */
#define JSON_SKIM_NUMBER_BYTES	64
/* Bytes of an object key compared with the wanted ones. */
#define JSON_SKIM_KEY_BYTES	64
/* Distinct members kept from one headers object (JSON_KEEP_HEADERS). */
#define JSON_SKIM_HEADER_KEYS	16

enum json_skim_kind {
	JSON_SKIM_OBJECT,
	JSON_SKIM_ARRAY,
	JSON_SKIM_STRING,
	JSON_SKIM_INT,
	JSON_SKIM_DOUBLE,	/* NaN, Infinity and -Infinity included */
	JSON_SKIM_BOOLEAN,
	JSON_SKIM_NULL,
	JSON_SKIM__MAX
};

struct json_skim {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	int		 max_depth;	/* as json-c's: {} is 1 deep */
	/* The first error: where and what (static text), or depth. */
	size_t		 err_pos;
	const char	*err_what;
	int		 err_depth;
	int		 err_eof;
	char		 buf[JSON_SKIM_STRING_BYTES + 4];
};

/* What to keep of an object: a table ended by a NULL key. */
enum json_keep_kind {
	JSON_KEEP_VALUE,	/* a scalar; a container becomes an empty one */
	JSON_KEEP_OBJECT,	/* an object, of which child is kept */
	JSON_KEEP_HEADERS,	/* an object, of which names (any case) are kept */
	JSON_KEEP_TAGS,		/* an array, of which the first string starting
				 * with "name:" (any case) per name is kept */
};

struct json_keep {
	const char		*key;
	enum json_keep_kind	 kind;
	const struct json_keep	*child;		/* JSON_KEEP_OBJECT */
	const char *const	*names;		/* HEADERS, TAGS: NULL-ended */
};

void	json_skim_init(struct json_skim *, const char *s, size_t len,
	    int max_depth);
/* Skips blanks; returns the next byte, or -1 at the end. */
int	json_skim_peek(struct json_skim *);
/*
 * Validates and skips the value at pos (after blanks). level is its
 * json-c depth (0 for the top value). Returns 0 with *kind set, or -1
 * (see json_skim_error).
 */
int	json_skim_value(struct json_skim *, int level, enum json_skim_kind *);
/*
 * The object at pos (after blanks; the caller checked it starts with '{'),
 * validated whole; *out gets a new json-c object of the members keep
 * names, *unlisted the number of members it does not name. Returns 0, -1
 * (malformed: see json_skim_error) or -2 (out of memory).
 */
int	json_skim_keep(struct json_skim *, int level, const struct json_keep *,
	    struct json_object **out, size_t *unlisted);
/* The value at pos validated and built whole as json-c would (tests). */
int	json_skim_tree(struct json_skim *, int level, struct json_object **);
/* A 400 naming the byte and the reason, or the depth limit. */
int	json_skim_error(const struct json_skim *, struct llmops_err *);
/* json-c's name of the type ("int", "object", ...). */
const char *json_skim_kind_name(enum json_skim_kind);

#endif
