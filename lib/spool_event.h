/*
 * The binary encoding of reduced events in spool records (lib/spool.c):
 * exactly the fields of struct usage_event, never anything else, so a
 * spool file holds no more than usage_events will. Pure: bytes in,
 * events out, no I/O; the decoder accepts any input without crashing
 * (tests/fuzz/fuzz_spool.c) and refuses what it could not have written.
 *
 * Version 2, all integers little-endian. A record's payload is
 *
 *	u32 count                        events that follow
 *	count x { u32 len, len bytes }   one event each:
 *	  u8  flags       bit 0 has_token, bit 1 stream
 *	  u8  status      enum event_status
 *	  u8  token_source, u8 cost_source
 *	  u32 index, org_id, token_id, price_id, discount_id, present
 *	  i64 received_us
 *	  32  token_hash  (zeros without a token)
 *	  16  dedupe_key
 *	  str token_prefix, then the 17 text fields in SPOOL_EVENT_STRS order
 *	  u8  cache_hit   enum cache_hit
 *	  i64 num[f] for every bit f set in present, in enum order
 *
 * where str is u16 length and the bytes (no NUL), 0xFFFF for NULL.
 * org_id 0 is an event whose token was not checked when it was spooled:
 * the loader checks it.
 *
 * Version 1 (before the fields LiteLLM reports besides: cache_hit,
 * saved_cache_cost, cost_breakdown, deployment, api host, aliases, price
 * entry) is the same without cache_hit, with only the first
 * SPOOL_EVENT_STRS_V1 texts and no bit of present from
 * SPOOL_EVENT_NUMS_V1 on. Its records are still read, those fields
 * absent, so that a spool written before an upgrade loads after it. The
 * record header carries the version (spool.h); a version this code does
 * not know is set aside, never guessed at.
 */
#ifndef LLMOPS_SPOOL_EVENT_H
#define LLMOPS_SPOOL_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* The encoding the current code writes (the record's version byte) ... */
#define SPOOL_EVENT_VERSION	2
/* ... and the oldest it still reads. */
#define SPOOL_EVENT_VERSION_MIN	1
/* Longest text field encoded (the u16 length; 0xFFFF means NULL). */
#define SPOOL_STR_MAX		65534
/* Text fields of an event, in their encoded order; version 1 had the
 * first 11 ... */
#define SPOOL_EVENT_STRS	17
#define SPOOL_EVENT_STRS_V1	11
/* ... and the numbers before EV_SAVED_CACHE_COST. */
#define SPOOL_EVENT_NUMS_V1	EV_SAVED_CACHE_COST

/* A growing byte buffer; `failed` once an allocation failed. */
struct spool_buf {
	unsigned char	*p;
	size_t		 len, cap;
	int		 failed;
};

void	spool_buf_init(struct spool_buf *);
void	spool_buf_release(struct spool_buf *);
int	spool_buf_put(struct spool_buf *, const void *, size_t);
/* Writes v little-endian at off (which must be inside the buffer). */
void	spool_buf_set_u32(struct spool_buf *, size_t off, uint32_t v);

/*
 * Appends one event (its u32 length and bytes) to b. -1 when out of
 * memory or a field cannot be encoded (a string over SPOOL_STR_MAX bytes,
 * an index beyond 32 bits, an enum out of range); nothing is appended
 * then unless b failed.
 */
int	spool_event_put(struct spool_buf *b, const struct usage_event *);
/* Appends the payload of evs[0..n): their count, then each event. */
int	spool_event_encode(struct spool_buf *b, struct usage_event *const *evs,
	    size_t n);

/*
 * Decodes a payload of `version` (SPOOL_EVENT_VERSION_MIN to
 * SPOOL_EVENT_VERSION) into *evs (allocated, *n events, release
 * with spool_events_free). 0, or -1 when the payload is not one we could
 * have written (*evs NULL, *n 0); max_events bounds the count.
 */
int	spool_event_decode(const unsigned char *p, size_t len, int version,
	    size_t max_events, struct usage_event **evs, size_t *n);
void	spool_events_free(struct usage_event *, size_t n);

#endif
