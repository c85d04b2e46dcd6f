/*
 * libFuzzer harness holding the skimmer (lib/json_skim.c) to json-c's
 * verdict: the first byte picks the depth limit, the rest is one JSON
 * document. json_skim_value and json_skim_keep must accept exactly what
 * json-c 0.16 accepts with JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8
 * and the same depth, and the members json_skim_keep keeps must read as
 * json-c reads them (strings, numbers, literals). Any disagreement aborts.
 * Build with `make fuzz` (clang); seeds: tests/fixtures/litellm.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json_skim.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const hdr_names[] = { "x-team", "x-cloudidr-token", NULL };

static const struct json_keep inner[] = {
	{ "a", JSON_KEEP_VALUE, NULL, NULL },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

static const struct json_keep keep[] = {
	{ "a", JSON_KEEP_VALUE, NULL, NULL },
	{ "b", JSON_KEEP_VALUE, NULL, NULL },
	{ "id", JSON_KEEP_VALUE, NULL, NULL },
	{ "o", JSON_KEEP_OBJECT, inner, NULL },
	{ "h", JSON_KEEP_HEADERS, NULL, hdr_names },
	{ "t", JSON_KEEP_TAGS, NULL, hdr_names },
	{ NULL, JSON_KEEP_VALUE, NULL, NULL },
};

/* json-c's reading of a scalar and ours agree. */
static void
same_scalar(struct json_object *ours, struct json_object *theirs)
{
	enum json_type	t;

	if (ours == NULL || theirs == NULL) {
		if (ours != theirs)
			abort();
		return;
	}
	t = json_object_get_type(theirs);
	if (t == json_type_object || t == json_type_array) {
		if (json_object_get_type(ours) != t)
			abort();
		return;
	}
	if (t == json_type_string) {
		/* Ours may be cut, at a character boundary. */
		int	lo = json_object_get_string_len(ours);
		int	lt = json_object_get_string_len(theirs);

		if (!json_object_is_type(ours, json_type_string) || lo > lt ||
		    (lo < lt && lt <= JSON_SKIM_STRING_BYTES) ||
		    (lt > JSON_SKIM_STRING_BYTES && lo < JSON_SKIM_STRING_BYTES - 3) ||
		    memcmp(json_object_get_string(ours),
		    json_object_get_string(theirs), (size_t)lo) != 0)
			abort();
		return;
	}
	if (t == json_type_double && isnan(json_object_get_double(theirs))) {
		if (!isnan(json_object_get_double(ours)))
			abort();
		return;
	}
	if (json_object_get_type(ours) == json_type_array)
		return;		/* a number longer than we keep */
	if (strcmp(json_object_to_json_string_ext(ours, JSON_C_TO_STRING_PLAIN),
	    json_object_to_json_string_ext(theirs, JSON_C_TO_STRING_PLAIN)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener	*tok;
	struct json_object	*theirs, *ours = NULL, *v, *w;
	struct json_skim	*sk;
	enum json_skim_kind	 kind;
	size_t			 unlisted;
	char			*body;
	int			 depth, ok_c, ok_s, ok_k, rc;

	if (size < 1)
		return 0;
	depth = 1 + data[0] % 24;
	data++;
	size--;
	if ((body = malloc(size + 1)) == NULL ||
	    (sk = malloc(sizeof(*sk))) == NULL) {
		free(body);
		return 0;
	}
	memcpy(body, data, size);
	body[size] = '\0';

	/* json-c: the whole document, ended by the NUL after it. */
	tok = json_tokener_new_ex(depth);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	theirs = json_tokener_parse_ex(tok, body, (int)size + 1);
	ok_c = json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == size;
	json_tokener_free(tok);

	json_skim_init(sk, body, size, depth);
	ok_s = json_skim_value(sk, 0, &kind) == 0 && json_skim_peek(sk) < 0;
	if (ok_s != ok_c) {
		fprintf(stderr, "skim %d json-c %d at depth %d\n", ok_s, ok_c,
		    depth);
		abort();
	}

	json_skim_init(sk, body, size, depth);
	if (json_skim_peek(sk) == '{') {
		rc = json_skim_keep(sk, 0, keep, &ours, &unlisted);
		ok_k = rc == 0 && json_skim_peek(sk) < 0;
		if (rc == -2)
			goto out;
		if (ok_k != ok_c) {
			fprintf(stderr, "keep %d json-c %d at depth %d\n", ok_k,
			    ok_c, depth);
			abort();
		}
		if (ok_c && json_object_is_type(theirs, json_type_object)) {
			static const char *const scalars[] = { "a", "b", "id" };
			size_t	i;

			for (i = 0; i < 3; i++) {
				int	ho = json_object_object_get_ex(ours,
				    scalars[i], &v);
				int	ht = json_object_object_get_ex(theirs,
				    scalars[i], &w);

				if (ho != ht)
					abort();
				if (ho)
					same_scalar(v, w);
			}
			if (json_object_object_get_ex(theirs, "o", &w) &&
			    json_object_is_type(w, json_type_object) &&
			    json_object_object_get_ex(ours, "o", &v) &&
			    json_object_object_get_ex(w, "a", &w)) {
				if (!json_object_object_get_ex(v, "a", &v))
					abort();
				same_scalar(v, w);
			}
		}
	}
out:
	json_object_put(ours);
	json_object_put(theirs);
	free(sk);
	free(body);
	return 0;
}
