#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "encode.h"
#include "html.h"
#include "writer.h"

/* U+FFFD in UTF-8. */
#define REPLACEMENT_UTF8	"\xef\xbf\xbd"

enum esc_mode {
	ESC_TEXT,
	ESC_ATTR,
};

size_t
html_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	size_t	n = utf8_decode(s, len, cp);

	if (*cp == UTF8_INVALID)
		*cp = HTML_REPLACEMENT_CHAR;
	return n;
}

/* Code points that may stand in a document as they are. */
static int
cp_allowed(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	if (cp >= 0x7f && cp <= 0x9f)
		return 0;
	/* Noncharacters: U+FDD0..U+FDEF and the last two of every plane. */
	if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
		return 0;
	return 1;
}

/* The entity for a byte that needs one in mode, or NULL. */
static const char *
entity(unsigned char c, enum esc_mode mode)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '\t':
		return mode == ESC_ATTR ? "&#9;" : NULL;
	case '\n':
		return mode == ESC_ATTR ? "&#10;" : NULL;
	case '\r':
		return mode == ESC_ATTR ? "&#13;" : NULL;
	default:
		return NULL;
	}
}

static int
escape(struct writer *w, const char *s, size_t len, enum esc_mode mode)
{
	const char	*ent;
	size_t		 i = 0, start = 0, n;
	uint32_t	 cp;

	/* Runs of bytes that need nothing are written in one piece. */
	while (i < len) {
		n = html_utf8_decode(s + i, len - i, &cp);
		ent = n == 1 ? entity((unsigned char)s[i], mode) : NULL;
		if (ent == NULL && cp != HTML_REPLACEMENT_CHAR && cp_allowed(cp)) {
			i += n;
			continue;
		}
		writer_put(w, s + start, i - start);
		if (ent != NULL)
			writer_puts(w, ent);
		else
			writer_puts(w, REPLACEMENT_UTF8);
		i += n;
		start = i;
	}
	return writer_put(w, s + start, i - start);
}

int
html_text(struct writer *w, const char *s)
{
	if (s == NULL)
		return w->failed ? -1 : 0;
	return escape(w, s, strlen(s), ESC_TEXT);
}

int
html_ntext(struct writer *w, const char *s, size_t len)
{
	return escape(w, s, len, ESC_TEXT);
}

int
html_attr(struct writer *w, const char *s)
{
	if (s == NULL)
		return w->failed ? -1 : 0;
	return escape(w, s, strlen(s), ESC_ATTR);
}

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

int
html_url_arg(struct writer *w, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*u = (const unsigned char *)s;
	char			 pct[3] = { '%', 0, 0 };
	size_t			 len, i, start, n, k;
	uint32_t		 cp;

	if (s == NULL)
		return w->failed ? -1 : 0;
	len = strlen(s);
	for (i = start = 0; i < len; i += n) {
		if (unreserved(u[i])) {
			n = 1;
			continue;
		}
		writer_put(w, s + start, i - start);
		n = html_utf8_decode(s + i, len - i, &cp);
		if (cp == HTML_REPLACEMENT_CHAR)
			writer_puts(w, "%EF%BF%BD");
		else
			for (k = 0; k < n; k++) {
				pct[1] = hex[u[i + k] >> 4];
				pct[2] = hex[u[i + k] & 0x0f];
				writer_put(w, pct, sizeof(pct));
			}
		start = i + n;
	}
	return writer_put(w, s + start, i - start);
}

int
html_num(struct writer *w, int64_t v)
{
	return writer_printf(w, "%" PRId64, v);
}

/* -?[0-9]+(\.[0-9]+)? */
static int
plain_decimal(const char *s)
{
	size_t	n;

	if (*s == '-')
		s++;
	if ((n = strspn(s, "0123456789")) == 0)
		return 0;
	s += n;
	if (*s == '.') {
		s++;
		if ((n = strspn(s, "0123456789")) == 0)
			return 0;
		s += n;
	}
	return *s == '\0';
}

int
html_decimal_text(struct writer *w, const char *s)
{
	if (s == NULL)
		return w->failed ? -1 : 0;
	if (plain_decimal(s))
		return writer_puts(w, s);
	return html_text(w, s);
}

static int
query(struct writer *w, const struct html_param *p, size_t n, const char *sep)
{
	size_t	i;
	int	first = 1;

	for (i = 0; i < n; i++) {
		if (p[i].key == NULL || p[i].value == NULL)
			continue;
		writer_puts(w, first ? "?" : sep);
		html_url_arg(w, p[i].key);
		writer_put(w, "=", 1);
		html_url_arg(w, p[i].value);
		first = 0;
	}
	return w->failed ? -1 : 0;
}

int
html_query(struct writer *w, const struct html_param *p, size_t n)
{
	return query(w, p, n, "&");
}

int
html_query_attr(struct writer *w, const struct html_param *p, size_t n)
{
	return query(w, p, n, "&amp;");
}
