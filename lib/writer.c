#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writer.h"

/* First allocation of a membuf. */
#define MEMBUF_MIN_CAP	256

void
writer_init(struct writer *w, writer_sink sink, void *arg)
{
	w->write = sink;
	w->arg = arg;
	w->failed = 0;
	w->bytes = 0;
	w->len = 0;
}

/* Passes buf to the sink, failing the writer for good if it fails. */
static int
sink_write(struct writer *w, const char *buf, size_t len)
{
	if (w->failed)
		return -1;
	if (len > 0 && w->write(w->arg, buf, len) != 0) {
		w->failed = 1;
		return -1;
	}
	return 0;
}

int
writer_flush(struct writer *w)
{
	int	rc;

	if (w->failed)
		return -1;
	rc = sink_write(w, w->buf, w->len);
	w->len = 0;
	return rc;
}

int
writer_put(struct writer *w, const char *buf, size_t len)
{
	if (w->failed)
		return -1;
	if (len == 0)
		return 0;
	if (len > sizeof(w->buf) - w->len && writer_flush(w) != 0)
		return -1;
	w->bytes += len;
	if (len >= sizeof(w->buf))
		return sink_write(w, buf, len);
	memcpy(w->buf + w->len, buf, len);
	w->len += len;
	return 0;
}

int
writer_puts(struct writer *w, const char *s)
{
	if (s == NULL)
		return w->failed ? -1 : 0;
	return writer_put(w, s, strlen(s));
}

int
writer_printf(struct writer *w, const char *fmt, ...)
{
	char	 small[WRITER_PRINTF_BYTES];
	char	*big = NULL;
	va_list	 ap;
	int	 n, rc = -1;

	if (w->failed)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		goto out;
	if ((size_t)n < sizeof(small)) {
		rc = writer_put(w, small, (size_t)n);
		goto out;
	}
	if ((big = malloc((size_t)n + 1)) == NULL)
		goto out;
	va_start(ap, fmt);
	n = vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto out;
	rc = writer_put(w, big, (size_t)n);
out:
	free(big);
	if (rc != 0)
		w->failed = 1;
	return rc;
}

static int
file_sink(void *arg, const char *buf, size_t len)
{
	FILE	*f = arg;

	if (fwrite(buf, 1, len, f) != len || ferror(f))
		return -1;
	return 0;
}

void
writer_init_file(struct writer *w, FILE *f)
{
	writer_init(w, file_sink, f);
}

void
membuf_init(struct membuf *mb)
{
	mb->buf = NULL;
	mb->len = 0;
	mb->cap = 0;
	mb->max = MEMBUF_MAX_BYTES;
}

void
membuf_release(struct membuf *mb)
{
	free(mb->buf);
	mb->buf = NULL;
	mb->len = 0;
	mb->cap = 0;
}

const char *
membuf_str(const struct membuf *mb)
{
	return mb->buf != NULL ? mb->buf : "";
}

int
membuf_append(struct membuf *mb, const char *buf, size_t len)
{
	char		*p;
	size_t		 cap, need;

	if (len > mb->max || mb->len > mb->max - len)
		return -1;
	need = mb->len + len;
	if (need == SIZE_MAX)
		return -1;
	/* Room for the terminating NUL too. */
	if (need >= mb->cap) {
		cap = mb->cap ? mb->cap : MEMBUF_MIN_CAP;
		while (cap <= need)
			cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
		if ((p = realloc(mb->buf, cap)) == NULL)
			return -1;
		mb->buf = p;
		mb->cap = cap;
	}
	memcpy(mb->buf + mb->len, buf, len);
	mb->len += len;
	mb->buf[mb->len] = '\0';
	return 0;
}

static int
membuf_sink(void *arg, const char *buf, size_t len)
{
	return membuf_append(arg, buf, len);
}

void
writer_init_membuf(struct writer *w, struct membuf *mb)
{
	writer_init(w, membuf_sink, mb);
}
