/*
 * Escaping for HTML and SVG output, in the spirit of cgit's html.h: every
 * dynamic value reaches a page through one of these, never through a
 * format string. There is deliberately no printf-style helper for text:
 * formatting user data with printf is how escaping gets forgotten.
 *
 * Input is UTF-8. Invalid sequences never pass through raw: each maximal
 * invalid subpart becomes U+FFFD, as the WHATWG decoder does. Code points
 * that XML 1.0 or HTML do not allow in a document (C0 controls but tab,
 * newline and carriage return; DEL; the C1 controls; noncharacters) become
 * U+FFFD too, so the output is valid both in an HTML page and in a
 * standalone SVG file.
 */
#ifndef LLMOPS_HTML_H
#define LLMOPS_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "writer.h"

#define HTML_REPLACEMENT_CHAR	0xfffdU

/* One query parameter; entries with a NULL key or value are skipped. */
struct html_param {
	const char	*key;
	const char	*value;
};

/*
 * Decodes the UTF-8 sequence at s (at most len bytes, len > 0). Returns
 * the bytes consumed (at least 1) and sets *cp, to HTML_REPLACEMENT_CHAR
 * for an invalid sequence.
 */
size_t	html_utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * Text content: & < > " ' become entities. Tab, newline and carriage
 * return stay. A NULL string writes nothing. Each function returns 0, or
 * -1 when the writer has failed.
 */
int	html_text(struct writer *, const char *);
/* The first len bytes of s; a sequence cut by len counts as invalid. */
int	html_ntext(struct writer *, const char *, size_t len);
/*
 * An attribute value inside double quotes: as html_text, and tab, newline
 * and carriage return as character references (which parsers would
 * otherwise turn into spaces).
 */
int	html_attr(struct writer *, const char *);
/*
 * A query parameter key or value: every byte but the RFC 3986 unreserved
 * characters (A-Z a-z 0-9 - . _ ~) as %XX, space included (%20). The
 * output is safe as is in text and in attribute values.
 */
int	html_url_arg(struct writer *, const char *);
int	html_num(struct writer *, int64_t);
/*
 * A number as text from the database or lib/decimal ("-12.500"): written
 * as is when it is a plain decimal (-?[0-9]+(\.[0-9]+)?), otherwise
 * escaped like any text.
 */
int	html_decimal_text(struct writer *, const char *);
/*
 * A query string, "?k1=v1&k2=v2", keys and values through html_url_arg;
 * nothing at all when no parameter has both key and value. html_query
 * separates with a plain '&' (for a Location header, or for a URL that
 * will itself go through html_attr); html_query_attr writes "&amp;", to
 * be written directly inside an href="..." after the path.
 */
int	html_query(struct writer *, const struct html_param *, size_t n);
int	html_query_attr(struct writer *, const struct html_param *, size_t n);

#endif
