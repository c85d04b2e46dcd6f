/*
 * LiteLLM's price table (model_prices_and_context_window.json: model name
 * -> {input_cost_per_token, output_cost_per_token, ...} in USD per token)
 * read into a price_set (written as SQL for the seed migration by
 * db_price_write_seed, lib/db_price.c). Pure: bytes in, prices out.
 */
#ifndef LLMOPS_PRICE_IMPORT_H
#define LLMOPS_PRICE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "price.h"

/* Largest price table read (LiteLLM's is about 1.3 MB). */
#define PRICE_IMPORT_MAX_BYTES	(64L * 1024 * 1024)

struct price_import_stats {
	size_t	entries;	/* models in the file */
	size_t	priced;		/* with per-token prices: imported */
	size_t	skipped;	/* no per-token price (images, audio, ...) */
	size_t	invalid;	/* a price that is not a non-negative number */
};

/*
 * Adds one default price (org 0) per priced model of the JSON text to set,
 * effective from from_us. Returns 0, or -1 (err) when the text is not a
 * JSON object of objects.
 */
int	price_import_json(const char *text, size_t len, int64_t from_us,
	    struct price_set *set, struct price_import_stats *,
	    struct llmops_err *);

#endif
