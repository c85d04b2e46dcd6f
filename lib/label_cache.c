/* The cache of label ids: see label_cache.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "label_cache.h"

/* Open addressing with linear probing; the table is never over half full. */
#define SLOT_MASK	(LABEL_CACHE_SLOTS - 1)

static size_t
text_hash(unsigned kind, const char *text)
{
	uint32_t	h = 2166136261u ^ kind;

	for (; *text != '\0'; text++)
		h = (h ^ (unsigned char)*text) * 16777619u;
	return h & SLOT_MASK;
}

static size_t
id_hash(uint32_t id)
{
	return (id * 2654435761u) >> 7 & SLOT_MASK;
}

void
label_cache_init(struct label_cache *c)
{
	memset(c, 0, sizeof(*c));
}

void
label_cache_clear(struct label_cache *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		free(c->e[i].text);
	c->n = 0;
	if (c->by_text != NULL)
		memset(c->by_text, 0, LABEL_CACHE_SLOTS * sizeof(*c->by_text));
	if (c->by_id != NULL)
		memset(c->by_id, 0, LABEL_CACHE_SLOTS * sizeof(*c->by_id));
}

void
label_cache_release(struct label_cache *c)
{
	label_cache_clear(c);
	free(c->e);
	free(c->by_text);
	free(c->by_id);
	memset(c, 0, sizeof(*c));
}

uint32_t
label_cache_id(const struct label_cache *c, unsigned kind, const char *text)
{
	const struct label_entry	*e;
	size_t				 s;

	if (c->by_text == NULL)
		return 0;
	for (s = text_hash(kind, text); c->by_text[s] != 0;
	    s = (s + 1) & SLOT_MASK) {
		e = &c->e[c->by_text[s] - 1];
		if (e->kind == kind && strcmp(e->text, text) == 0)
			return e->id;
	}
	return 0;
}

const char *
label_cache_text(const struct label_cache *c, uint32_t id, unsigned *kind)
{
	const struct label_entry	*e;
	size_t				 s;

	if (c->by_id == NULL)
		return NULL;
	for (s = id_hash(id); c->by_id[s] != 0; s = (s + 1) & SLOT_MASK) {
		e = &c->e[c->by_id[s] - 1];
		if (e->id == id) {
			if (kind != NULL)
				*kind = e->kind;
			return e->text;
		}
	}
	return NULL;
}

int
label_cache_add(struct label_cache *c, unsigned kind, const char *text,
    uint32_t id)
{
	struct label_entry	*e;
	size_t			 s;

	if (id == 0 || label_cache_id(c, kind, text) == id)
		return 0;
	if (c->e == NULL) {
		if ((c->e = calloc(LABEL_CACHE_MAX, sizeof(*c->e))) == NULL ||
		    (c->by_text = calloc(LABEL_CACHE_SLOTS,
		    sizeof(*c->by_text))) == NULL ||
		    (c->by_id = calloc(LABEL_CACHE_SLOTS,
		    sizeof(*c->by_id))) == NULL) {
			label_cache_release(c);
			return -1;
		}
	}
	/* Full, or holding the id for another text (never, but safe). */
	if (c->n == LABEL_CACHE_MAX || label_cache_text(c, id, NULL) != NULL ||
	    label_cache_id(c, kind, text) != 0)
		label_cache_clear(c);
	e = &c->e[c->n];
	if ((e->text = strdup(text)) == NULL)
		return -1;
	e->id = id;
	e->kind = kind;
	c->n++;
	for (s = text_hash(kind, text); c->by_text[s] != 0;
	    s = (s + 1) & SLOT_MASK)
		;
	c->by_text[s] = (uint16_t)c->n;
	for (s = id_hash(id); c->by_id[s] != 0; s = (s + 1) & SLOT_MASK)
		;
	c->by_id[s] = (uint16_t)c->n;
	return 0;
}

int
label_cache_merge(struct label_cache *c, const struct label_cache *from)
{
	size_t	i;

	for (i = 0; i < from->n; i++)
		if (label_cache_add(c, from->e[i].kind, from->e[i].text,
		    from->e[i].id) != 0)
			return -1;
	return 0;
}
