/*
 * libFuzzer harness for the escapers and the charts: any bytes through
 * html_text, html_attr and html_url_arg must come out valid UTF-8 with no
 * raw markup character; the same bytes as chart labels, series names and
 * value texts must give a chart whose only elements are the ones svg.c
 * writes, or a refusal that wrote nothing.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "html.h"
#include "label.h"
#include "svg.h"
#include "writer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_PARTS	4

static const char *const tags[] = {
	"<svg ", "<title>", "<title ", "<desc ", "<rect ", "<line ", "<text ",
	"</svg>", "</title>", "</desc>", "</rect>", "</text>",
};

/* Aborts unless every '<' in s starts one of our tags. */
static void
only_our_tags(const char *s)
{
	size_t	i;

	for (; (s = strchr(s, '<')) != NULL; s++) {
		for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (strncmp(s, tags[i], strlen(tags[i])) == 0)
				break;
		if (i == sizeof(tags) / sizeof(tags[0]))
			abort();
	}
}

static void
escapers(const char *s)
{
	struct writer	 w;
	struct membuf	 mb;
	const char	*out;

	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	html_text(&w, s);
	writer_puts(&w, "|");
	html_attr(&w, s);
	if (writer_flush(&w) != 0)
		abort();
	out = membuf_str(&mb);
	if (strpbrk(out, "<>\"'") != NULL ||
	    !utf8_valid((const unsigned char *)out, strlen(out)))
		abort();
	membuf_release(&mb);

	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	html_url_arg(&w, s);
	if (writer_flush(&w) != 0)
		abort();
	out = membuf_str(&mb);
	if (strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~%") != strlen(out))
		abort();
	membuf_release(&mb);
}

static void
charts(char *parts[FUZZ_PARTS], const uint8_t *data, size_t size)
{
	struct svg_bar		 bars[FUZZ_PARTS];
	double			 values[FUZZ_PARTS];
	const char		*texts[FUZZ_PARTS];
	struct svg_series	 series[FUZZ_PARTS];
	struct svg_bar_chart	 bc;
	struct svg_time_chart	 tc;
	struct llmops_err	 err;
	struct writer		 w;
	struct membuf		 mb;
	size_t			 i;
	int			 rc;

	for (i = 0; i < FUZZ_PARTS; i++) {
		/* Bytes as values, some negative, some zero. */
		values[i] = size > i ? ((double)data[i] - 64) * 0.37 : 0;
		texts[i] = parts[(i + 1) % FUZZ_PARTS];
		bars[i].label = parts[i];
		bars[i].value = values[i];
		bars[i].value_text = i % 2 ? texts[i] : NULL;
		series[i].name = parts[i];
		series[i].values = values;
		series[i].value_texts = texts;
	}
	memset(&bc, 0, sizeof(bc));
	bc.id = "f";
	bc.title = parts[0];
	bc.desc = parts[1];
	bc.bars = bars;
	bc.nbars = FUZZ_PARTS;
	bc.unit = size > 0 ? data[0] % SVG_UNIT__MAX : SVG_UNIT_USD;
	bc.label_chars = size > 1 ? SVG_LABEL_CHARS_MIN + data[1] % 8 : 0;
	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	rc = svg_bar_chart(&w, &bc, &err);
	if (writer_flush(&w) != 0 || (rc != 0 && mb.len != 0))
		abort();
	only_our_tags(membuf_str(&mb));
	membuf_release(&mb);

	memset(&tc, 0, sizeof(tc));
	tc.id = "g";
	tc.title = parts[2];
	tc.start_us = size > 2 ? (int64_t)data[2] * 3600 * 1000000 : 0;
	tc.bucket_us = 3600LL * 1000000;
	tc.nbuckets = FUZZ_PARTS;
	tc.series = series;
	tc.nseries = size > 3 ? data[3] % (FUZZ_PARTS + 1) : 1;
	tc.unit = bc.unit;
	membuf_init(&mb);
	writer_init_membuf(&w, &mb);
	rc = svg_time_chart(&w, &tc, &err);
	if (writer_flush(&w) != 0 || (rc != 0 && mb.len != 0))
		abort();
	only_our_tags(membuf_str(&mb));
	membuf_release(&mb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *parts[FUZZ_PARTS], *p, *end;
	size_t	 i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	escapers(s);
	/* Up to four pieces split at newlines, the rest empty. */
	end = s + strlen(s);
	for (i = 0, p = s; i < FUZZ_PARTS; i++) {
		parts[i] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
		else
			p = end;
	}
	charts(parts, data, size);
	free(s);
	return 0;
}
