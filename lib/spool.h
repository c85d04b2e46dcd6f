/*
 * The spool: a local journal of reduced events (never content), written
 * and fdatasync'ed by the responder before it acknowledges a callback,
 * loaded into MariaDB afterwards by lib/loader.c. An event answered 2xx
 * is in the spool on disk, so it survives a MariaDB outage, a responder
 * killed at any point, and a power cut.
 *
 * The directory (spool.dir, default /var/spool/llmops; writable by the
 * web server's user, not readable by others) holds
 *
 *	seg-<created>-<pid>-<n>.spool  segments: each written by one process
 *	                               only, which holds a flock on it while
 *	                               it writes (so a segment nobody has
 *	                               locked is sealed: its writer closed it
 *	                               or died)
 *	tmp-...                        a segment being created (its header
 *	                               is written before it gets its name)
 *	loader.lock                    one loader at a time (flock)
 *	loader.state                   the last load's outcome, one line
 *	                               (spool_note_load, spool_status)
 *	set-aside/                     segments with a torn or corrupt record
 *	                               (their intact records are loaded
 *	                               first), and single records MariaDB
 *	                               refused; moving a file back into the
 *	                               directory loads it again (what was
 *	                               loaded comes back as duplicates)
 *
 * A segment is a 128-byte header followed by records:
 *
 *	header  0  "LLMOPSSP", u8 format version (1), 7 zero bytes
 *	       16  i64 created_us, u32 writer pid, u32 zero
 *	       32  u64 durable end, u64 events appended, u64 check
 *	           (the writer's: what a loader may read while it writes)
 *	       56  u64 loaded offset, u64 events loaded, u64 check (the loader's)
 *	       80  u64 bad records skipped, u64 zero, u64 check (the loader's:
 *	           set the segment aside once it is sealed and read)
 *	      104  16 bytes: the segment's key, random
 *	      120  zero
 *	record  0  magic 89 'S' 'P' 'R', u8 version (of the payload encoding,
 *	           lib/spool_event.h), u8 kind (1: events), u16 zero
 *	        8  u32 payload length, u32 events
 *	       16  i64 appended_us
 *	       24  16 bytes: SHA-256 (libcrypto) of the segment's key, bytes
 *	           0..24 and the payload, truncated (the key: a record
 *	           forged inside another's text cannot pass for one)
 *	       40  the payload
 *
 * all integers little-endian. The checks of the header's counters are
 * there for torn writes; a record is intact when its length fits and its
 * checksum matches. After a bad record the reader looks for the next
 * magic whose record is intact, so one flipped byte costs one record.
 * Marking progress needs no fsync: a record loaded again after a crash
 * comes back as duplicates (the dedupe keys), and adds nothing.
 */
#ifndef LLMOPS_SPOOL_H
#define LLMOPS_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "event.h"

#define SPOOL_HEADER_BYTES	128
#define SPOOL_REC_HEADER_BYTES	40
#define SPOOL_SET_ASIDE_DIR	"set-aside"
#define SPOOL_LOCK_FILE		"loader.lock"
#define SPOOL_STATE_FILE	"loader.state"
/* The last load's error text, with its NUL. */
#define SPOOL_LOAD_ERROR_BYTES	256
/* Longest file name of ours, with its NUL. */
#define SPOOL_NAME_BYTES	96
/* A segment's random key, mixed into its records' checksums. */
#define SPOOL_KEY_BYTES		16

/* The segment a process appends to (one per process, opened on demand). */
struct spool_writer {
	char		*dir;		/* owned copy */
	uint64_t	 segment_bytes;	/* rotate once a segment is this big */
	int		 dirfd;		/* -1 until first used */
	int		 fd;		/* the segment, -1: none */
	pid_t		 pid;		/* the process that opened fd */
	uid_t		 dir_uid;	/* files made as root are given to */
	gid_t		 dir_gid;	/* the directory's owner */
	char		 name[SPOOL_NAME_BYTES];
	uint64_t	 size, events;
	unsigned char	 key[SPOOL_KEY_BYTES];
};

/* -1 only when out of memory. */
int	spool_writer_init(struct spool_writer *, const char *dir,
	    uint64_t segment_bytes);
/* Closes the current segment (sealed: the loader may finish it). */
void	spool_writer_seal(struct spool_writer *);
void	spool_writer_release(struct spool_writer *);

/*
 * Appends evs as records (at most SPOOL_RECORD_EVENTS each) to this
 * process's segment and fdatasyncs. 0: durable. -1: nothing of it will
 * ever be loaded (what was written is cut off again, or the segment is
 * sealed with a torn tail that the loader sets aside); err->status 503
 * when the disk is full, 500 otherwise.
 */
int	spool_append(struct spool_writer *, struct usage_event *const *evs,
	    size_t n, int64_t now_us, struct llmops_err *);

/*
 * The directory is usable: exists, is a directory we can write, and is
 * not readable or writable by others. err says how to fix it.
 */
int	spool_check_dir(const char *dir, struct llmops_err *);

/* What waits in the spool: cheap (a few reads per segment). */
struct spool_status {
	size_t		segments;	/* segment files */
	size_t		active;		/* being written by a live process */
	uint64_t	pending_events;	/* appended, not yet loaded */
	uint64_t	pending_bytes;
	int64_t		oldest_us;	/* appended_us of the oldest, 0: none */
	size_t		set_aside;	/* files in set-aside/ */
	uint64_t	free_bytes;	/* for unprivileged users */
	/*
	 * The last time a loader wrote to the database (0: never, or no
	 * state file), whether it committed, and why not.
	 */
	int64_t		last_load_us;
	int		last_load_ok;
	char		last_load_error[SPOOL_LOAD_ERROR_BYTES];
};

int	spool_status(const char *dir, struct spool_status *,
	    struct llmops_err *);
/*
 * Records the outcome of a load in dir's state file (replaced whole, not
 * synced: informative). error: NULL when ok. 0, or -1 (nothing logged).
 */
int	spool_note_load(const char *dir, int64_t when_us, int ok,
	    const char *error);
/* The names of the set-aside files, sorted (free with spool_names_free). */
int	spool_set_aside_names(const char *dir, char ***names, size_t *n,
	    struct llmops_err *);
void	spool_names_free(char **, size_t);

/* --- the loader's side ---------------------------------------------------- */

struct spool_seg;

/* One record read into a chunk. */
struct spool_rec {
	size_t		seg;		/* index into the reader's segments */
	uint64_t	off, end;	/* its bytes in the segment */
	size_t		first, n;	/* its events in the chunk */
	int64_t		appended_us;
};

/* Records read for one load: their events, in spool order. */
struct spool_chunk {
	struct usage_event	*ev;
	size_t			 nev, evcap;
	struct spool_rec	*rec;
	size_t			 nrec, reccap;
};

/* What a reader found wrong, for the log and the report. */
struct spool_damage {
	size_t		set_aside_files;	/* segments moved aside */
	size_t		set_aside_records;	/* single records moved aside */
	size_t		bad_records;		/* torn or corrupt */
};

/* The loader's hold on the spool while it holds the lock. */
struct spool_reader {
	char			*dir;		/* owned */
	int			 dirfd;
	int			 lockfd;	/* -1 when not locked */
	uid_t			 dir_uid;
	gid_t			 dir_gid;
	struct spool_seg	*segs;
	size_t			 nsegs;
	struct spool_damage	 damage;
	/* (name, size) of every segment when the lock was released */
	char			(*seen_name)[SPOOL_NAME_BYTES];
	uint64_t		*seen_size;
	size_t			 nseen;
};

void	spool_reader_init(struct spool_reader *);
void	spool_reader_release(struct spool_reader *);
/*
 * Takes the loader lock of dir, waiting up to wait_ms (0: not at all),
 * and lists the segments. 0: locked; 1: another loader holds it; -1 err.
 */
int	spool_lock(struct spool_reader *, const char *dir, int wait_ms,
	    struct llmops_err *);
/*
 * Releases the lock and forgets the segments (what was read and not
 * marked done is read again next time), remembering their sizes for
 * spool_grown.
 */
void	spool_unlock(struct spool_reader *);
/*
 * After spool_unlock: 1 when a segment appeared or grew since, so that a
 * record appended while the loader was finishing is not left waiting.
 */
int	spool_grown(struct spool_reader *, const char *dir);

void	spool_chunk_init(struct spool_chunk *);
/* Frees the chunk's events and records (it can be filled again). */
void	spool_chunk_clear(struct spool_chunk *);
void	spool_chunk_release(struct spool_chunk *);
/*
 * Reads whole pending records, in order (segments by name, records by
 * offset), until the chunk holds at least max_events events or nothing
 * complete is left. Torn and corrupt records are skipped and counted;
 * their segment is set aside once done. An intact record whose payload
 * cannot be decoded (a newer version) is set aside on its own.
 */
int	spool_read(struct spool_reader *, struct spool_chunk *, size_t max_events,
	    struct llmops_err *);
/* Copies one record of the chunk into set-aside/ (MariaDB refused it). */
int	spool_set_aside_record(struct spool_reader *, const struct spool_rec *,
	    struct llmops_err *);
/*
 * Marks the chunk's records loaded; sealed segments read to their end are
 * removed, or set aside when they had a bad record.
 */
int	spool_done(struct spool_reader *, const struct spool_chunk *,
	    struct llmops_err *);

/* --- for tests and the fuzzer ---------------------------------------------- */

/*
 * Checks the record at buf (len bytes available): 1 intact (*total its
 * size), 0 incomplete (more bytes may complete it), -1 not a record.
 */
int	spool_record_check(const unsigned char *buf, size_t len, size_t *total);
/* Writes one record holding payload p into b (a struct spool_buf). */
struct spool_buf;
int	spool_record_build(struct spool_buf *, const unsigned char *p, size_t len,
	    uint32_t nevents, int64_t appended_us);

#endif
