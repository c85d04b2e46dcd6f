/*
 * Reading LiteLLM's price-table format (lib/price_import.c): base rates,
 * 1-hour cache writes, reasoning, tiers, what is skipped, what is invalid,
 * and the SQL written for the seed migration (lib/db_price.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_price.h"
#include "price_import.h"
#include "tap.h"

static const char table[] =
    "{"
    " \"sample_spec\": {\"input_cost_per_token\": 0.0, \"mode\": \"chat\"},"
    " \"gpt-4o\": {\"input_cost_per_token\": 2.5e-06,"
    "   \"output_cost_per_token\": 1e-05, \"cache_read_input_token_cost\": 1.25e-06,"
    "   \"litellm_provider\": \"openai\", \"mode\": \"chat\","
    "   \"input_cost_per_token_batches\": 1.25e-06},"
    " \"claude-sonnet-4-20250514\": {\"input_cost_per_token\": 3e-06,"
    "   \"output_cost_per_token\": 1.5e-05, \"cache_read_input_token_cost\": 3e-07,"
    "   \"cache_creation_input_token_cost\": 3.75e-06,"
    "   \"cache_creation_input_token_cost_above_1hr\": 6e-06,"
    "   \"input_cost_per_token_above_200k_tokens\": 6e-06,"
    "   \"output_cost_per_token_above_200k_tokens\": 2.25e-05,"
    "   \"cache_read_input_token_cost_above_200k_tokens\": 6e-07,"
    "   \"cache_creation_input_token_cost_above_200k_tokens\": 7.5e-06,"
    "   \"cache_creation_input_token_cost_above_1hr_above_200k_tokens\": 1.2e-05,"
    "   \"litellm_provider\": \"anthropic\"},"
    " \"gemini-1.5-pro\": {\"input_cost_per_token\": 1.25e-06,"
    "   \"output_cost_per_token\": 5e-06,"
    "   \"input_cost_per_token_above_128k_tokens\": 2.5e-06,"
    "   \"output_cost_per_token_above_128k_tokens\": 1e-05},"
    " \"o3-mini\": {\"input_cost_per_token\": 1.1e-06, \"output_cost_per_token\": 4.4e-06,"
    "   \"output_cost_per_reasoning_token\": 4.4e-06},"
    " \"dall-e-3\": {\"input_cost_per_image\": 0.04, \"mode\": \"image_generation\"},"
    " \"bad-negative\": {\"input_cost_per_token\": -1e-06, \"output_cost_per_token\": 1e-06},"
    " \"bad-string\": {\"input_cost_per_token\": \"1e-06\"},"
    " \"o'quote\\\\back\": {\"input_cost_per_token\": 1, \"output_cost_per_token\": 2}"
    "}";

static const struct price *
find(const struct price_set *s, const char *model)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->p[i].model, model) == 0)
			return &s->p[i];
	return NULL;
}

#define RATE(p, r)	((p) && RATE_HAS(&(p)->rates, r) ? (p)->rates.v[r] : -1)

int
main(void)
{
	struct price_import_stats st;
	struct price_set	 s;
	struct llmops_err	 err;
	const struct price	*p;
	char			*sql = NULL;
	size_t			 sqllen = 0;
	FILE			*f;

	price_set_init(&s);
	ok(price_import_json(table, strlen(table), 42, &s, &st, &err) == 0,
	    "the table parses");
	is_int(st.entries, 9, "nine entries");
	is_int(st.priced, 5, "five with per-token prices");
	is_int(st.skipped, 2, "sample_spec and the image model skipped");
	is_int(st.invalid, 2, "a negative and a string price are invalid");

	p = find(&s, "gpt-4o");
	is_int(RATE(p, RATE_INPUT), 2500000000000LL, "gpt-4o input 2.5e-06");
	is_int(RATE(p, RATE_OUTPUT), 10000000000000LL, "gpt-4o output 1e-05");
	is_int(RATE(p, RATE_CACHE_READ), 1250000000000LL, "gpt-4o cache read");
	ok(p && !RATE_HAS(&p->rates, RATE_CACHE_WRITE), "no cache write rate");
	is_str(p ? p->provider : NULL, "openai", "provider");
	is_str(p ? p->mode : NULL, "chat", "mode");
	is_int(p ? p->from_us : -1, 42, "effective from the given time");
	is_int(p ? (long long)p->org_id : -1, 0, "default table");
	is_int(p ? (long long)p->ntiers : -1, 0, "batch prices are not tiers");

	p = find(&s, "claude-sonnet-4-20250514");
	is_int(RATE(p, RATE_CACHE_WRITE), 3750000000000LL, "cache write 3.75e-06");
	is_int(RATE(p, RATE_CACHE_WRITE_1H), 6000000000000LL,
	    "..._above_1hr is the 1-hour write rate, not a tier");
	is_int(p ? (long long)p->ntiers : -1, 1, "one tier");
	if (p && p->ntiers == 1) {
		const struct price_tier	*t = &p->tiers[0];

		is_int(t->above_tokens, 200000, "above 200k tokens");
		is_int(t->rates.v[RATE_INPUT], 6000000000000LL, "tier input");
		is_int(t->rates.v[RATE_OUTPUT], 22500000000000LL, "tier output");
		is_int(t->rates.v[RATE_CACHE_READ], 600000000000LL, "tier cache read");
		is_int(t->rates.v[RATE_CACHE_WRITE], 7500000000000LL,
		    "tier cache write");
		is_int(t->rates.v[RATE_CACHE_WRITE_1H], 12000000000000LL,
		    "tier 1-hour cache write");
	}
	p = find(&s, "gemini-1.5-pro");
	ok(p && p->ntiers == 1 && p->tiers[0].above_tokens == 128000,
	    "128k tier");
	p = find(&s, "o3-mini");
	is_int(RATE(p, RATE_REASONING), 4400000000000LL, "reasoning rate");
	ok(find(&s, "bad-negative") == NULL && find(&s, "dall-e-3") == NULL,
	    "skipped and invalid entries are not in the set");

	f = open_memstream(&sql, &sqllen);
	ok(f != NULL && db_price_write_seed(&s, f) == 0, "SQL written");
	if (f != NULL)
		fclose(f);
	ok(sql && strstr(sql, "INSERT INTO prices (id, org_id, model"),
	    "prices INSERT");
	ok(sql && strstr(sql, "'gpt-4o', 'openai', 'chat', 0.000002500000000000, "
	    "0.000010000000000000, 0.000001250000000000, NULL, NULL, NULL, 42, 0)"),
	    "exact decimal literals, NULL for missing rates");
	ok(sql && strstr(sql, "'o''quote\\\\back'"),
	    "quotes and backslashes escaped in SQL literals");
	ok(sql && strstr(sql, "INSERT INTO price_tiers") &&
	    strstr(sql, ", 200000, 0.000006000000000000, 0.000022500000000000"),
	    "tiers INSERT");
	ok(sql && strstr(sql, "UPDATE price_version SET version = version + 1"),
	    "the version is bumped");
	free(sql);
	price_set_release(&s);

	price_set_init(&s);
	ok(price_import_json("[1, 2]", 6, 0, &s, &st, &err) != 0 &&
	    err.status == 400, "not an object: refused");
	ok(price_import_json("{\"a\": ", 6, 0, &s, &st, &err) != 0,
	    "truncated JSON: refused");
	price_set_release(&s);
	return tap_done();
}
