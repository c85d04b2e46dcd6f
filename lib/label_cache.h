/*
 * A process's cache of label ids (lib/db_label.h): (kind, text) to id and
 * id to (kind, text), so that storing an event looks its labels up in
 * memory, not in the database. Bounded: when LABEL_CACHE_MAX labels are
 * held it is emptied and fills again (a label is one row of `labels`, so
 * at worst a few are read again). No database in here.
 */
#ifndef LLMOPS_LABEL_CACHE_H
#define LLMOPS_LABEL_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* Labels held at most, and the slots of each of its two hash indexes. */
#define LABEL_CACHE_MAX		4096
#define LABEL_CACHE_SLOTS	8192

struct label_entry {
	uint32_t	 id;
	unsigned	 kind;
	char		*text;		/* owned */
};

struct label_cache {
	struct label_entry	*e;		/* LABEL_CACHE_MAX, owned */
	uint16_t		*by_text;	/* LABEL_CACHE_SLOTS: entry + 1 */
	uint16_t		*by_id;		/* LABEL_CACHE_SLOTS: entry + 1 */
	size_t			 n;
};

void		 label_cache_init(struct label_cache *);
void		 label_cache_release(struct label_cache *);
/* Forgets every label (keeps the memory). */
void		 label_cache_clear(struct label_cache *);
/* The id of (kind, text), 0 when not held. */
uint32_t	 label_cache_id(const struct label_cache *, unsigned kind,
		    const char *text);
/* The text of id (and its kind into *kind, when not NULL); NULL when not
 * held. Valid until the cache is next changed. */
const char	*label_cache_text(const struct label_cache *, uint32_t id,
		    unsigned *kind);
/* Holds (kind, text) as id; 0, or -1 when out of memory (nothing held). */
int		 label_cache_add(struct label_cache *, unsigned kind,
		    const char *text, uint32_t id);
/* Adds every label of from to c (the ids a committed transaction used). */
int		 label_cache_merge(struct label_cache *c,
		    const struct label_cache *from);

#endif
