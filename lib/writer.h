/*
 * An output sink for pages and exports that stream: HTML and SVG of the
 * dashboard, CSV and JSON downloads. A writer buffers small writes and
 * hands them to a sink function (a FastCGI stream, a FILE, a growable
 * memory buffer) in blocks of up to WRITER_BUF_BYTES.
 *
 * Errors are sticky: the first failing sink call (or allocation) sets
 * `failed`, every later call does nothing and returns -1, so a page can be
 * written without checking each call and checked once at the end.
 *
 * Callers must call writer_flush() when done: bytes still in the buffer
 * have not reached the sink. writer_flush() does not flush the sink's own
 * buffers (fflush(3), FCGX_FFlush).
 */
#ifndef LLMOPS_WRITER_H
#define LLMOPS_WRITER_H

#include <stddef.h>
#include <stdio.h>

/* Bytes buffered before the sink is called; larger writes go straight through. */
#define WRITER_BUF_BYTES	4096
/* writer_printf formats into a stack buffer this big; longer output uses the heap. */
#define WRITER_PRINTF_BYTES	256
/* Largest memory buffer a membuf grows to unless its max says otherwise. */
#define MEMBUF_MAX_BYTES	(64UL * 1024 * 1024)

/* Returns 0 when all len bytes were written, -1 otherwise. */
typedef int	(*writer_sink)(void *arg, const char *buf, size_t len);

struct writer {
	writer_sink	 write;
	void		*arg;
	int		 failed;	/* sticky: set by the first failure */
	size_t		 bytes;		/* accepted since init (sent or buffered) */
	size_t		 len;		/* bytes waiting in buf */
	char		 buf[WRITER_BUF_BYTES];
};

/* A growable, NUL-terminated memory buffer: the sink for tests and short strings. */
struct membuf {
	char	*buf;	/* NULL until something is written; owned */
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* writes that would grow len past max fail */
};

void	 writer_init(struct writer *, writer_sink, void *arg);
/* The FILE stays the caller's; short writes and ferror fail the writer. */
void	 writer_init_file(struct writer *, FILE *);
/* Appends to mb, which must have been set up by membuf_init. */
void	 writer_init_membuf(struct writer *, struct membuf *);

/* Each returns 0, or -1 when this or an earlier write failed. */
int	 writer_put(struct writer *, const char *buf, size_t len);
/* A NULL string writes nothing. */
int	 writer_puts(struct writer *, const char *);
int	 writer_printf(struct writer *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hands the buffered bytes to the sink. */
int	 writer_flush(struct writer *);

void	 membuf_init(struct membuf *);
/* Frees the contents; mb can be used again after membuf_init. */
void	 membuf_release(struct membuf *);
/* Appends len bytes; -1 (nothing appended) past mb->max or out of memory. */
int	 membuf_append(struct membuf *, const char *buf, size_t len);
/* The contents so far, "" when empty. Flush the writer first. */
const char	*membuf_str(const struct membuf *);

#endif
