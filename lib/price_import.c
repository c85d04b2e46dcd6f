#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "decimal.h"
#include "llmops_limits.h"
#include "price_import.h"

/* LiteLLM's keys for the base rates. */
static const struct {
	const char	*key;
	enum price_rate	 rate;
} base_keys[] = {
	{ "input_cost_per_token", RATE_INPUT },
	{ "output_cost_per_token", RATE_OUTPUT },
	{ "cache_read_input_token_cost", RATE_CACHE_READ },
	{ "cache_creation_input_token_cost", RATE_CACHE_WRITE },
	{ "cache_creation_input_token_cost_above_1hr", RATE_CACHE_WRITE_1H },
	{ "output_cost_per_reasoning_token", RATE_REASONING },
};

/* LiteLLM's tier keys: <prefix>_above_<N>k_tokens. */
static const struct {
	const char	*prefix;
	enum price_rate	 rate;
} tier_keys[] = {
	{ "input_cost_per_token_above_", RATE_INPUT },
	{ "output_cost_per_token_above_", RATE_OUTPUT },
	{ "cache_read_input_token_cost_above_", RATE_CACHE_READ },
	{ "cache_creation_input_token_cost_above_1hr_above_", RATE_CACHE_WRITE_1H },
	{ "cache_creation_input_token_cost_above_", RATE_CACHE_WRITE },
};

/* A price in USD per token as exact units; -1 when not a usable number. */
static int
read_rate(struct json_object *v, int64_t *out)
{
	const char	*text;

	if (!json_object_is_type(v, json_type_double) &&
	    !json_object_is_type(v, json_type_int))
		return -1;
	if (json_object_is_type(v, json_type_double) &&
	    !isfinite(json_object_get_double(v)))
		return -1;
	text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	if (decimal_parse(text, PRICE_SCALE_DIGITS, INT64_MAX, out) != 0 ||
	    *out < 0)
		return -1;
	return 0;
}

/* "200k_tokens" -> 200000; -1 for anything else. */
static int64_t
tier_threshold(const char *s)
{
	int64_t	n = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		n = n * 10 + (*s - '0');
		if (n > 100000000)
			return -1;
	}
	return strcmp(s, "k_tokens") == 0 ? n * 1000 : -1;
}

static struct price_tier *
tier_for(struct price *p, int64_t above)
{
	size_t	i;

	for (i = 0; i < p->ntiers; i++)
		if (p->tiers[i].above_tokens == above)
			return &p->tiers[i];
	if (p->ntiers == PRICE_TIERS_MAX)
		return NULL;
	memset(&p->tiers[p->ntiers], 0, sizeof(p->tiers[0]));
	p->tiers[p->ntiers].above_tokens = above;
	return &p->tiers[p->ntiers++];
}

static const char *
string_of(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0 ||
	    json_object_get_string_len(v) > LIMIT_SHORT_BYTES)
		return NULL;
	return json_object_get_string(v);
}

/* One model's entry; 1 imported, 0 skipped, -1 invalid, -2 out of memory. */
static int
import_one(const char *model, struct json_object *o, int64_t from_us,
    struct price *p)
{
	struct price_tier	*t;
	struct json_object	*v;
	const char		*s;
	int64_t			 x, above;
	size_t			 i, n;

	if (strlen(model) == 0 || strlen(model) > LIMIT_MODEL_BYTES)
		return -1;
	for (i = 0; i < sizeof(base_keys) / sizeof(base_keys[0]); i++) {
		if (!json_object_object_get_ex(o, base_keys[i].key, &v) ||
		    v == NULL)
			continue;
		if (read_rate(v, &x) != 0)
			return -1;
		price_rate_set(&p->rates, base_keys[i].rate, x);
	}
	if (!RATE_HAS(&p->rates, RATE_INPUT) && !RATE_HAS(&p->rates, RATE_OUTPUT))
		return 0;
	json_object_object_foreach(o, key, val) {
		for (i = 0; i < sizeof(tier_keys) / sizeof(tier_keys[0]); i++) {
			n = strlen(tier_keys[i].prefix);
			if (strncmp(key, tier_keys[i].prefix, n) != 0 ||
			    (above = tier_threshold(key + n)) < 0)
				continue;
			if (val == NULL)
				break;
			if (read_rate(val, &x) != 0 ||
			    (t = tier_for(p, above)) == NULL)
				return -1;
			price_rate_set(&t->rates, tier_keys[i].rate, x);
			break;
		}
	}
	if (price_sort_tiers(p) != 0)
		return -1;
	p->from_us = from_us;
	if ((p->model = strdup(model)) == NULL)
		return -2;
	if ((s = string_of(o, "litellm_provider")) != NULL &&
	    (p->provider = strdup(s)) == NULL)
		return -2;
	if ((s = string_of(o, "mode")) != NULL && (p->mode = strdup(s)) == NULL)
		return -2;
	return 1;
}

int
price_import_json(const char *text, size_t len, int64_t from_us,
    struct price_set *set, struct price_import_stats *st, struct llmops_err *err)
{
	struct json_tokener	*tok;
	struct json_object	*root;
	struct price		*p;
	int			 r, rc = -1;

	memset(st, 0, sizeof(*st));
	if (len > PRICE_IMPORT_MAX_BYTES)
		return err_set(err, 413, "price table larger than %ld bytes",
		    PRICE_IMPORT_MAX_BYTES);
	if ((tok = json_tokener_new_ex(16)) == NULL)
		return err_set(err, 500, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		err_set(err, 400, "not a LiteLLM price table (a JSON object of "
		    "models): %s at byte %zu",
		    json_tokener_error_desc(json_tokener_get_error(tok)),
		    json_tokener_get_parse_end(tok));
		goto out;
	}
	json_object_object_foreach(root, model, entry) {
		st->entries++;
		/* LiteLLM's template entry documents the format. */
		if (strcmp(model, "sample_spec") == 0 || entry == NULL ||
		    !json_object_is_type(entry, json_type_object)) {
			st->skipped++;
			continue;
		}
		if ((p = price_set_add(set)) == NULL) {
			err_set(err, 500, "out of memory");
			goto out;
		}
		r = import_one(model, entry, from_us, p);
		if (r == 1) {
			st->priced++;
			continue;
		}
		price_release(p);
		set->n--;
		if (r == -2) {
			err_set(err, 500, "out of memory");
			goto out;
		}
		if (r == 0)
			st->skipped++;
		else
			st->invalid++;
	}
	price_set_sort(set);
	rc = 0;
out:
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}
