/*
 * label_cache: both lookups, kinds kept apart, merging, and that it stays
 * bounded (emptied when full, then filled again) with every answer right.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "label_cache.h"
#include "tap.h"

static void
test_lookups(void)
{
	struct label_cache	c;
	unsigned		kind = 0;

	label_cache_init(&c);
	is_int(label_cache_id(&c, 4, "gpt-4o"), 0, "empty: no id");
	ok(label_cache_text(&c, 7, NULL) == NULL, "empty: no text");
	is_int(label_cache_add(&c, 4, "gpt-4o", 7), 0, "add model gpt-4o as 7");
	is_int(label_cache_add(&c, 6, "gpt-4o", 9), 0, "add group gpt-4o as 9");
	is_int(label_cache_add(&c, 4, "", 11), 0, "add an empty text");
	is_int(label_cache_id(&c, 4, "gpt-4o"), 7, "model gpt-4o is 7");
	is_int(label_cache_id(&c, 6, "gpt-4o"), 9, "group gpt-4o is 9");
	is_int(label_cache_id(&c, 5, "gpt-4o"), 0, "another kind is not held");
	is_int(label_cache_id(&c, 4, "gpt-4"), 0, "a prefix is not held");
	is_int(label_cache_id(&c, 4, ""), 11, "the empty text is 11");
	is_str(label_cache_text(&c, 9, &kind), "gpt-4o", "9 is gpt-4o");
	is_int(kind, 6, "of kind 6");
	is_int(label_cache_add(&c, 4, "gpt-4o", 7), 0, "adding again");
	is_int(c.n, 3, "holds 3 labels, not 4");
	is_int(label_cache_add(&c, 4, "x", 0), 0, "id 0 is not held");
	is_int(label_cache_id(&c, 4, "x"), 0, "x has no id");
	label_cache_clear(&c);
	is_int(label_cache_id(&c, 4, "gpt-4o"), 0, "cleared: no id");
	label_cache_release(&c);
	label_cache_release(&c);
	ok(1, "released twice");
}

static void
test_merge(void)
{
	struct label_cache	known, fresh;

	label_cache_init(&known);
	label_cache_init(&fresh);
	label_cache_add(&known, 1, "research", 1);
	label_cache_add(&fresh, 2, "search", 2);
	label_cache_add(&fresh, 1, "research", 1);
	is_int(label_cache_merge(&known, &fresh), 0, "merge");
	is_int(known.n, 2, "merged: 2 labels");
	is_int(label_cache_id(&known, 2, "search"), 2, "search merged");
	label_cache_release(&known);
	label_cache_release(&fresh);
}

/* More labels than it holds: every one added is found right after, and
 * every one found is right. */
static void
test_bounded(void)
{
	struct label_cache	c;
	char			text[32];
	uint32_t		i, id;
	const char		*t;
	int			wrong = 0, missing = 0, held;

	label_cache_init(&c);
	for (i = 1; i <= 3 * LABEL_CACHE_MAX + 5; i++) {
		snprintf(text, sizeof(text), "agent-%u", i);
		if (label_cache_add(&c, 3, text, i) != 0 ||
		    label_cache_id(&c, 3, text) != i)
			missing++;
		if (c.n > LABEL_CACHE_MAX)
			wrong++;
	}
	is_int(missing, 0, "each label is held once added");
	is_int(wrong, 0, "never more than LABEL_CACHE_MAX held");
	held = 0;
	for (i = 1; i <= 3 * LABEL_CACHE_MAX + 5; i++) {
		snprintf(text, sizeof(text), "agent-%u", i);
		if ((id = label_cache_id(&c, 3, text)) != 0) {
			held++;
			if (id != i)
				wrong++;
		}
		if ((t = label_cache_text(&c, i, NULL)) != NULL &&
		    strcmp(t, text) != 0)
			wrong++;
	}
	is_int(wrong, 0, "every label held has its own id and text");
	is_int(held, (int)c.n, "the labels held are the %zu counted", c.n);
	ok(held > 0, "the last ones are held");
	label_cache_release(&c);
}

int
main(void)
{
	test_lookups();
	test_merge();
	test_bounded();
	return tap_done();
}
