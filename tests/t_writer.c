/*
 * The writer: buffering (how many sink calls, and what each gets), sticky
 * errors from a sink that fails after N bytes, printf through the stack
 * buffer and the heap, the memory buffer and its limit, the FILE adapter.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "writer.h"

/* A sink that records its calls into a membuf and fails once more than
 * limit bytes would have been taken. */
struct rec {
	struct membuf	 mb;
	size_t		 calls;
	size_t		 sizes[16];	/* of the first calls */
	size_t		 limit;
};

static int
rec_sink(void *arg, const char *buf, size_t len)
{
	struct rec	*r = arg;
	struct writer	 w;

	if (r->calls < sizeof(r->sizes) / sizeof(r->sizes[0]))
		r->sizes[r->calls] = len;
	r->calls++;
	if (r->mb.len + len > r->limit)
		return -1;
	writer_init_membuf(&w, &r->mb);
	writer_put(&w, buf, len);
	return writer_flush(&w);
}

static void
rec_init(struct rec *r, size_t limit)
{
	memset(r, 0, sizeof(*r));
	membuf_init(&r->mb);
	r->limit = limit;
}

static void
test_membuf(void)
{
	struct writer	w;
	struct membuf	mb;

	membuf_init(&mb);
	is_str(membuf_str(&mb), "", "membuf: empty reads as \"\"");
	writer_init_membuf(&w, &mb);
	is_int(writer_puts(&w, "abc"), 0, "puts");
	is_int(writer_put(&w, "defXXX", 3), 0, "put takes len bytes");
	is_int(writer_puts(&w, NULL), 0, "puts(NULL) writes nothing");
	is_int(writer_put(&w, NULL, 0), 0, "put of nothing");
	is_int(writer_printf(&w, "-%d-%s-", 42, "x"), 0, "printf");
	is_str(membuf_str(&mb), "", "nothing reaches the sink before a flush");
	is_int(writer_flush(&w), 0, "flush");
	is_str(membuf_str(&mb), "abcdef-42-x-", "content after flush");
	is_int(mb.len, 12, "membuf len");
	is_int(w.bytes, 12, "bytes counted");
	is_int(writer_flush(&w), 0, "second flush is harmless");
	is_str(membuf_str(&mb), "abcdef-42-x-", "content unchanged");

	/* A second writer appends. */
	writer_init_membuf(&w, &mb);
	writer_puts(&w, "+more");
	writer_flush(&w);
	is_str(membuf_str(&mb), "abcdef-42-x-+more", "a new writer appends");
	membuf_release(&mb);
	ok(mb.buf == NULL && mb.len == 0, "release empties");
	is_str(membuf_str(&mb), "", "released reads as \"\"");
	membuf_release(&mb);
	ok(1, "release twice is harmless");
}

static void
test_membuf_max(void)
{
	struct writer	w;
	struct membuf	mb;

	membuf_init(&mb);
	mb.max = 10;
	writer_init_membuf(&w, &mb);
	writer_puts(&w, "0123456789");
	is_int(writer_flush(&w), 0, "max 10: 10 bytes fit");
	is_str(membuf_str(&mb), "0123456789", "all ten there");
	writer_puts(&w, "A");
	is_int(writer_flush(&w), -1, "max 10: the 11th byte fails");
	ok(w.failed, "writer failed");
	is_str(membuf_str(&mb), "0123456789", "nothing partial appended");
	membuf_release(&mb);
}

static void
test_buffering(void)
{
	struct writer	w;
	struct rec	r;
	char		big[WRITER_BUF_BYTES * 2 + 10];
	size_t		i;
	int		rc = 0;

	rec_init(&r, (size_t)-1);
	writer_init(&w, rec_sink, &r);
	for (i = 0; i < 1000; i++)
		rc |= writer_put(&w, "x", 1);
	is_int(rc, 0, "1000 one-byte writes");
	is_int(r.calls, 0, "no sink call yet");
	writer_flush(&w);
	is_int(r.calls, 1, "one sink call on flush");
	is_int(r.sizes[0], 1000, "with all 1000 bytes");
	membuf_release(&r.mb);

	/* 5000 one-byte writes: a full buffer goes out when the next byte
	 * does not fit, the rest on flush. */
	rec_init(&r, (size_t)-1);
	writer_init(&w, rec_sink, &r);
	for (i = 0; i < 5000; i++)
		writer_put(&w, i % 2 ? "b" : "a", 1);
	is_int(r.calls, 1, "5000 bytes: one call before flush");
	is_int(r.sizes[0], WRITER_BUF_BYTES, "of a full buffer");
	writer_flush(&w);
	is_int(r.calls, 2, "and one on flush");
	is_int(r.sizes[1], 5000 - WRITER_BUF_BYTES, "with the rest");
	is_int(w.bytes, 5000, "bytes 5000");
	is_int(r.mb.len, 5000, "sink got 5000");
	ok(r.mb.buf != NULL && memcmp(r.mb.buf, "abab", 4) == 0 &&
	    memcmp(r.mb.buf + 4094, "abab", 4) == 0, "order kept across blocks");
	membuf_release(&r.mb);

	/* A write as large as the buffer goes straight through, after what
	 * was buffered, in order. */
	memset(big, 'B', sizeof(big));
	rec_init(&r, (size_t)-1);
	writer_init(&w, rec_sink, &r);
	writer_puts(&w, "head");
	writer_put(&w, big, sizeof(big));
	is_int(r.calls, 2, "large write: two calls");
	is_int(r.sizes[0], 4, "the buffered head first");
	is_int(r.sizes[1], sizeof(big), "then the large block whole");
	writer_puts(&w, "tail");
	writer_flush(&w);
	is_int(r.calls, 3, "tail on flush");
	ok(r.mb.len == 4 + sizeof(big) + 4 && memcmp(r.mb.buf, "headB", 5) == 0 &&
	    memcmp(r.mb.buf + r.mb.len - 5, "Btail", 5) == 0, "content in order");
	membuf_release(&r.mb);

	rec_init(&r, (size_t)-1);
	writer_init(&w, rec_sink, &r);
	writer_put(&w, big, WRITER_BUF_BYTES);
	is_int(r.calls, 1, "exactly WRITER_BUF_BYTES on an empty buffer: direct");
	writer_put(&w, big, WRITER_BUF_BYTES - 1);
	is_int(r.calls, 1, "one byte less: buffered");
	writer_put(&w, big, 1);
	is_int(r.calls, 1, "filling the buffer to the brim: still buffered");
	writer_put(&w, big, 1);
	is_int(r.calls, 2, "one more byte: the full buffer goes out");
	is_int(r.sizes[1], WRITER_BUF_BYTES, "full");
	writer_flush(&w);
	is_int(r.mb.len, 2 * WRITER_BUF_BYTES + 1, "all bytes arrived");
	membuf_release(&r.mb);
}

static void
test_sticky(void)
{
	struct writer	w;
	struct rec	r;
	char		big[WRITER_BUF_BYTES + 1];
	size_t		calls;

	/* The sink takes 10 bytes at most. */
	rec_init(&r, 10);
	writer_init(&w, rec_sink, &r);
	is_int(writer_puts(&w, "0123456789"), 0, "10 bytes buffered");
	is_int(writer_flush(&w), 0, "10 bytes flushed");
	is_int(writer_puts(&w, "X"), 0, "11th byte buffered: no error yet");
	is_int(writer_flush(&w), -1, "the failing flush reports it");
	ok(w.failed, "failed is set");
	calls = r.calls;
	is_int(writer_puts(&w, "Y"), -1, "puts after failure: -1");
	is_int(writer_put(&w, "Y", 1), -1, "put after failure: -1");
	is_int(writer_printf(&w, "%d", 1), -1, "printf after failure: -1");
	is_int(writer_puts(&w, NULL), -1, "puts(NULL) after failure: -1");
	is_int(writer_flush(&w), -1, "flush after failure: -1");
	is_int(r.calls, calls, "the sink is not called again");
	is_str(membuf_str(&r.mb), "0123456789", "the sink holds what it took");
	membuf_release(&r.mb);

	/* A failure in the middle of a large write. */
	memset(big, 'z', sizeof(big));
	rec_init(&r, 100);
	writer_init(&w, rec_sink, &r);
	is_int(writer_put(&w, big, sizeof(big)), -1, "large write fails at once");
	ok(w.failed, "failed is set");
	is_int(writer_puts(&w, "a"), -1, "and stays");
	membuf_release(&r.mb);

	/* A failure while making room for a write. */
	rec_init(&r, 100);
	writer_init(&w, rec_sink, &r);
	writer_put(&w, big, 200);
	is_int(writer_put(&w, big, WRITER_BUF_BYTES), -1,
	    "flushing 200 buffered bytes to a 100-byte sink fails");
	is_int(r.calls, 1, "the large block was not sent after that");
	membuf_release(&r.mb);
}

static void
test_printf(void)
{
	struct writer	 w;
	struct membuf	 mb;
	char		*want;
	size_t		 n;

	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	/* WRITER_PRINTF_BYTES - 1 fits the stack buffer with its NUL. */
	is_int(writer_printf(&w, "%0*d", WRITER_PRINTF_BYTES - 1, 7), 0,
	    "printf of WRITER_PRINTF_BYTES - 1");
	writer_flush(&w);
	is_int(mb.len, WRITER_PRINTF_BYTES - 1, "length");
	ok(mb.buf[mb.len - 1] == '7' && mb.buf[0] == '0', "content");
	membuf_release(&mb);

	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	is_int(writer_printf(&w, "%0*d", WRITER_PRINTF_BYTES, 7), 0,
	    "printf of WRITER_PRINTF_BYTES: through the heap");
	writer_flush(&w);
	is_int(mb.len, WRITER_PRINTF_BYTES, "length");
	ok(mb.buf[mb.len - 1] == '7' && mb.buf[mb.len - 2] == '0', "content");
	membuf_release(&mb);

	/* 10000 bytes: longer than the printf and the writer buffers. */
	n = 10000;
	if ((want = malloc(n + 1)) == NULL) {
		ok(0, "malloc");
		return;
	}
	memset(want, 'q', n);
	want[n] = '\0';
	memcpy(want, "<<", 2);
	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	writer_puts(&w, "[");
	is_int(writer_printf(&w, "%s|%d", want, -5), 0, "long printf");
	writer_puts(&w, "]");
	writer_flush(&w);
	is_int(mb.len, n + 5, "long printf: length");
	ok(mb.len == n + 5 && memcmp(mb.buf, "[<<qq", 5) == 0 &&
	    strcmp(mb.buf + n, "q|-5]") == 0, "long printf: content");
	is_int(w.bytes, n + 5, "bytes");
	membuf_release(&mb);
	free(want);
}

static void
test_file(void)
{
	struct writer	 w;
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*f;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		ok(0, "open_memstream");
		return;
	}
	writer_init_file(&w, f);
	writer_puts(&w, "line ");
	writer_printf(&w, "%d\n", 1);
	is_int(writer_flush(&w), 0, "file: flush");
	fclose(f);
	is_str(buf, "line 1\n", "file: content");
	free(buf);

	/* A stream opened for reading refuses writes. */
	if ((f = fopen("/dev/null", "r")) == NULL) {
		ok(0, "fopen /dev/null");
		return;
	}
	writer_init_file(&w, f);
	writer_puts(&w, "x");
	is_int(writer_flush(&w), -1, "file: a failing fwrite fails the writer");
	ok(w.failed, "failed is set");
	fclose(f);
}

int
main(void)
{
	test_membuf();
	test_membuf_max();
	test_buffering();
	test_sticky();
	test_printf();
	test_file();
	return tap_done();
}
