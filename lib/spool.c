/* The spool's files: see spool.h for the format and the rules. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "llmops_limits.h"
#include "log.h"
#include "spool.h"
#include "spool_event.h"
#include "timefmt.h"

static const unsigned char file_magic[8] = { 'L', 'L', 'M', 'O', 'P', 'S',
    'S', 'P' };
static const unsigned char rec_magic[4] = { 0x89, 'S', 'P', 'R' };

#define FILE_VERSION		1
#define REC_KIND_EVENTS		1
#define REC_SUM_OFF		24
#define REC_SUM_BYTES		16
/* Header fields: the writer's (durable offset, events, check) ... */
#define HDR_WRITER_OFF		32
/* ... and the loader's (loaded offset, events, check) ... */
#define HDR_LOADER_OFF		56
/* ... and the loader's (bad records skipped, 0, check) ... */
#define HDR_DAMAGE_OFF		80
/* ... and the segment's key, mixed into every record's checksum. */
#define HDR_KEY_OFF		104
#define SALT_DAMAGE	0x53504441474d4f50ULL
/* Bytes read at a time when looking for the next record after damage. */
#define RESYNC_BLOCK		65536

/* --- little-endian fields -------------------------------------------------- */

static void
put32(unsigned char *p, uint32_t v)
{
	int	i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v)
{
	int	i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The check of a header's pair of counters: a torn write shows. */
static uint64_t
pair_check(uint64_t a, uint64_t b, uint64_t salt)
{
	return (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL) ^ salt;
}

#define SALT_WRITER	0x5350574c4c4d4f50ULL
#define SALT_LOADER	0x53504c4c4c4d4f50ULL

/* --- files ----------------------------------------------------------------- */

/* pread of exactly n bytes; -1 (errno) on failure, 0 on a short read. */
static ssize_t
read_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t	got = 0;
	ssize_t	r;

	while (got < n) {
		r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int
write_full(int fd, const void *buf, size_t n, uint64_t off)
{
	size_t	done = 0;
	ssize_t	r;

	while (done < n) {
		r = pwrite(fd, (const char *)buf + done, n - done,
		    (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ENOSPC;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/*
 * Files llmopsctl makes as root go to the directory's owner, so that the
 * responders (the web server's user) can use them afterwards.
 */
static void
give_to_owner(int fd, uid_t uid, gid_t gid)
{
	if (geteuid() == 0 && (uid != 0 || gid != 0) &&
	    fchown(fd, uid, gid) != 0)
		log_warn(LOG_TAG_SPOOL, "cannot give a spool file to uid %ld: "
		    "%s", (long)uid, strerror(errno));
}

static int
open_dir(const char *dir, uid_t *uid, gid_t *gid, struct llmops_err *err)
{
	struct stat	st;
	int		fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err_set(err, 500, "spool directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0) {
		*uid = st.st_uid;
		*gid = st.st_gid;
	}
	return fd;
}

static int
is_segment_name(const char *n)
{
	size_t	len = strlen(n);

	return strncmp(n, "seg-", 4) == 0 && len > 10 &&
	    len < SPOOL_NAME_BYTES && strcmp(n + len - 6, ".spool") == 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
spool_names_free(char **names, size_t n)
{
	size_t	i;

	for (i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The names in dirfd that `want` accepts, sorted. -1 (err) on failure.
 * dirfd stays open.
 */
static int
list_names(int dirfd, int (*want)(const char *), char ***out, size_t *nout,
    struct llmops_err *err)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, **p;
	size_t		 n = 0, cap = 0;
	int		 fd;

	*out = NULL;
	*nout = 0;
	if ((fd = dup(dirfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return err_set(err, 500, "spool: cannot list: %s",
		    strerror(errno));
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (!want(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(names, cap * sizeof(*p))) == NULL)
				goto oom;
			names = p;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto oom;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	*out = names;
	*nout = n;
	return 0;
oom:
	closedir(d);
	spool_names_free(names, n);
	return err_set(err, 500, "spool: out of memory");
}

/* --- records ----------------------------------------------------------------- */

/*
 * The checksum of a record: SHA-256 of the segment's key, the header's
 * first 24 bytes and the payload, truncated. The key is random per
 * segment and only in the spool (which only the web server's user can
 * read): a record forged inside a label of another record cannot pass
 * for a real one when the reader looks for the next record after damage.
 */
static int
record_sum(const unsigned char key[SPOOL_KEY_BYTES], const unsigned char *hdr,
    const unsigned char *payload, size_t len, unsigned char out[REC_SUM_BYTES])
{
	EVP_MD_CTX	*ctx;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned	 mdlen = 0;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, key, SPOOL_KEY_BYTES) == 1 &&
	    EVP_DigestUpdate(ctx, hdr, REC_SUM_OFF) == 1 &&
	    EVP_DigestUpdate(ctx, payload, len) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= REC_SUM_BYTES;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	memcpy(out, md, REC_SUM_BYTES);
	return 0;
}

/* Fills the header at b->p + at for the payload after it. */
static int
record_seal(const unsigned char key[SPOOL_KEY_BYTES], struct spool_buf *b,
    size_t at, uint32_t nevents, int64_t appended_us)
{
	unsigned char	*h = b->p + at;
	size_t		 len = b->len - at - SPOOL_REC_HEADER_BYTES;

	if (b->failed || len > SPOOL_RECORD_MAX_BYTES)
		return -1;
	memcpy(h, rec_magic, 4);
	h[4] = SPOOL_EVENT_VERSION;
	h[5] = REC_KIND_EVENTS;
	h[6] = h[7] = 0;
	put32(h + 8, (uint32_t)len);
	put32(h + 12, nevents);
	put64(h + 16, (uint64_t)appended_us);
	return record_sum(key, h, h + SPOOL_REC_HEADER_BYTES, len,
	    h + REC_SUM_OFF);
}

int
spool_record_build(struct spool_buf *b, const unsigned char *p, size_t len,
    uint32_t nevents, int64_t appended_us)
{
	unsigned char	zero[SPOOL_REC_HEADER_BYTES];
	size_t		at = b->len;

	memset(zero, 0, sizeof(zero));
	if (spool_buf_put(b, zero, sizeof(zero)) != 0 ||
	    spool_buf_put(b, p, len) != 0 ||
	    record_seal(zero, b, at, nevents, appended_us) != 0) {
		if (!b->failed)
			b->len = at;
		return -1;
	}
	return 0;
}

/* The header's fields are plausible; *len is the payload's length. */
static int
header_ok(const unsigned char *h, uint32_t *len)
{
	if (memcmp(h, rec_magic, 4) != 0 || h[5] != REC_KIND_EVENTS ||
	    h[6] != 0 || h[7] != 0)
		return 0;
	*len = get32(h + 8);
	return *len <= SPOOL_RECORD_MAX_BYTES;
}

static int
sum_ok(const unsigned char key[SPOOL_KEY_BYTES], const unsigned char *h,
    const unsigned char *payload, size_t len)
{
	unsigned char	sum[REC_SUM_BYTES];

	return record_sum(key, h, payload, len, sum) == 0 &&
	    memcmp(sum, h + REC_SUM_OFF, REC_SUM_BYTES) == 0;
}

int
spool_record_check(const unsigned char *buf, size_t len, size_t *total)
{
	unsigned char	zero[SPOOL_KEY_BYTES];
	uint32_t	plen;

	memset(zero, 0, sizeof(zero));
	*total = 0;
	if (len < SPOOL_REC_HEADER_BYTES)
		return len < 4 || memcmp(buf, rec_magic, 4) == 0 ? 0 : -1;
	if (!header_ok(buf, &plen))
		return -1;
	if (len - SPOOL_REC_HEADER_BYTES < plen)
		return 0;
	if (!sum_ok(zero, buf, buf + SPOOL_REC_HEADER_BYTES, plen))
		return -1;
	*total = SPOOL_REC_HEADER_BYTES + (size_t)plen;
	return 1;
}

/* --- the segment header ---------------------------------------------------- */

struct seg_head {
	int64_t		created_us;
	uint32_t	pid;
	int		writer_ok;
	uint64_t	durable, appended_events;
	int		loader_ok;
	uint64_t	done_off, done_events;
	uint64_t	damage;		/* bad records the loader skipped */
	unsigned char	key[SPOOL_KEY_BYTES];
};

/* 0, or -1 when h is not a segment header we know. */
static int
head_parse(const unsigned char *h, struct seg_head *s)
{
	uint64_t	a, b;

	memset(s, 0, sizeof(*s));
	if (memcmp(h, file_magic, 8) != 0 || h[8] != FILE_VERSION)
		return -1;
	s->created_us = (int64_t)get64(h + 16);
	s->pid = get32(h + 24);
	a = get64(h + HDR_WRITER_OFF);
	b = get64(h + HDR_WRITER_OFF + 8);
	if (get64(h + HDR_WRITER_OFF + 16) == pair_check(a, b, SALT_WRITER)) {
		s->writer_ok = 1;
		s->durable = a;
		s->appended_events = b;
	}
	a = get64(h + HDR_LOADER_OFF);
	b = get64(h + HDR_LOADER_OFF + 8);
	if (get64(h + HDR_LOADER_OFF + 16) == pair_check(a, b, SALT_LOADER) &&
	    a >= SPOOL_HEADER_BYTES) {
		s->loader_ok = 1;
		s->done_off = a;
		s->done_events = b;
	}
	if (!s->loader_ok) {
		s->done_off = SPOOL_HEADER_BYTES;
		s->done_events = 0;
	}
	a = get64(h + HDR_DAMAGE_OFF);
	b = get64(h + HDR_DAMAGE_OFF + 8);
	if (get64(h + HDR_DAMAGE_OFF + 16) == pair_check(a, b, SALT_DAMAGE))
		s->damage = a;
	memcpy(s->key, h + HDR_KEY_OFF, SPOOL_KEY_BYTES);
	return 0;
}

static void
head_pair(unsigned char out[24], uint64_t a, uint64_t b, uint64_t salt)
{
	put64(out, a);
	put64(out + 8, b);
	put64(out + 16, pair_check(a, b, salt));
}

/* --- the writer -------------------------------------------------------------- */

int
spool_writer_init(struct spool_writer *w, const char *dir,
    uint64_t segment_bytes)
{
	memset(w, 0, sizeof(*w));
	w->dirfd = -1;
	w->fd = -1;
	w->segment_bytes = segment_bytes;
	return (w->dir = strdup(dir)) == NULL ? -1 : 0;
}

void
spool_writer_seal(struct spool_writer *w)
{
	/* A segment inherited over fork() is the parent's to close. */
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->name[0] = '\0';
	w->size = w->events = 0;
}

void
spool_writer_release(struct spool_writer *w)
{
	spool_writer_seal(w);
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->dir);
	memset(w, 0, sizeof(*w));
	w->dirfd = w->fd = -1;
}

/* 503 for a full disk or quota, 500 for the rest. */
static int
io_fail(struct llmops_err *err, const char *what, const char *name, int e)
{
	int	full = e == ENOSPC || e == EDQUOT || e == EFBIG;

	return err_set(err, full ? 503 : 500, "spool %s%s%s: %s", what,
	    name ? " " : "", name ? name : "", strerror(e));
}

/*
 * A new segment: made under a tmp- name, locked, its header written, then
 * renamed, so the loader never sees a segment without its header or its
 * writer's lock; the directory is synced so the name survives a crash.
 */
static int
segment_create(struct spool_writer *w, int64_t now_us, struct llmops_err *err)
{
	static unsigned	 serial;
	unsigned char	 h[SPOOL_HEADER_BYTES];
	char		 tmp[SPOOL_NAME_BYTES], core[48];
	int		 fd = -1, e, tries;

	if (w->dirfd < 0 &&
	    (w->dirfd = open_dir(w->dir, &w->dir_uid, &w->dir_gid, err)) < 0)
		return -1;
	for (tries = 0; tries < 100; tries++) {
		snprintf(core, sizeof(core), "%016llx-%08lx-%04x",
		    (unsigned long long)now_us, (unsigned long)getpid(),
		    (serial++) & 0xffffu);
		snprintf(tmp, sizeof(tmp), "tmp-%s.spool", core);
		fd = openat(w->dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		    0640);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return io_fail(err, "cannot create a segment in", w->dir, errno);
	give_to_owner(fd, w->dir_uid, w->dir_gid);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		goto fail;
	if (RAND_bytes(w->key, SPOOL_KEY_BYTES) != 1) {
		errno = EIO;
		goto fail;
	}
	memset(h, 0, sizeof(h));
	memcpy(h, file_magic, 8);
	h[8] = FILE_VERSION;
	put64(h + 16, (uint64_t)now_us);
	put32(h + 24, (uint32_t)getpid());
	head_pair(h + HDR_WRITER_OFF, SPOOL_HEADER_BYTES, 0, SALT_WRITER);
	head_pair(h + HDR_LOADER_OFF, SPOOL_HEADER_BYTES, 0, SALT_LOADER);
	head_pair(h + HDR_DAMAGE_OFF, 0, 0, SALT_DAMAGE);
	memcpy(h + HDR_KEY_OFF, w->key, SPOOL_KEY_BYTES);
	snprintf(w->name, sizeof(w->name), "seg-%s.spool", core);
	if (write_full(fd, h, sizeof(h), 0) != 0 ||
	    renameat(w->dirfd, tmp, w->dirfd, w->name) != 0 ||
	    fsync(w->dirfd) != 0)
		goto fail;
	w->fd = fd;
	w->pid = getpid();
	w->size = SPOOL_HEADER_BYTES;
	w->events = 0;
	return 0;
fail:
	e = errno;
	/* Whichever name it has now: nothing was acknowledged in it. */
	unlinkat(w->dirfd, tmp, 0);
	if (w->name[0] != '\0')
		unlinkat(w->dirfd, w->name, 0);
	w->name[0] = '\0';
	close(fd);
	return io_fail(err, "cannot create a segment in", w->dir, e);
}

/* The records of evs, each at most SPOOL_RECORD_EVENTS events. */
static int
encode_records(const unsigned char key[SPOOL_KEY_BYTES], struct spool_buf *b,
    struct usage_event *const *evs, size_t n, int64_t now_us)
{
	unsigned char	zero[SPOOL_REC_HEADER_BYTES + 4];
	size_t		i = 0, at, k;

	memset(zero, 0, sizeof(zero));
	while (i < n) {
		at = b->len;
		/* The header, then the payload: its count, then events. */
		if (spool_buf_put(b, zero, sizeof(zero)) != 0)
			return -1;
		for (k = 0; i < n && k < SPOOL_RECORD_EVENTS &&
		    b->len - at < SPOOL_RECORD_TARGET_BYTES; k++, i++)
			if (spool_event_put(b, evs[i]) != 0)
				return -1;
		spool_buf_set_u32(b, at + SPOOL_REC_HEADER_BYTES, (uint32_t)k);
		if (record_seal(key, b, at, (uint32_t)k, now_us) != 0)
			return -1;
	}
	return 0;
}

int
spool_append(struct spool_writer *w, struct usage_event *const *evs, size_t n,
    int64_t now_us, struct llmops_err *err)
{
	struct spool_buf	b;
	unsigned char		pair[24];
	uint64_t		start;
	int			rc = -1, e;

	if (n == 0)
		return 0;
	spool_buf_init(&b);
	if (w->fd >= 0 && (w->pid != getpid() || w->size >= w->segment_bytes))
		spool_writer_seal(w);
	if (w->fd < 0 && segment_create(w, now_us, err) != 0)
		goto out;
	if (encode_records(w->key, &b, evs, n, now_us) != 0) {
		err_set(err, 500, "spool: %s", b.failed ? "out of memory" :
		    "an event cannot be encoded");
		goto out;
	}
	start = w->size;
	if (write_full(w->fd, b.p, b.len, start) != 0 || fdatasync(w->fd) != 0) {
		e = errno;
		/*
		 * Cut off what was written. Either way the segment is sealed:
		 * if the cut failed, the loader finds a torn record at its end
		 * and sets the segment aside after loading what came before.
		 */
		if (ftruncate(w->fd, (off_t)start) != 0)
			log_error(LOG_TAG_SPOOL, "cannot cut a failed append off "
			    "%s: %s; it will be set aside", w->name,
			    strerror(errno));
		io_fail(err, "cannot write to", w->name, e);
		spool_writer_seal(w);
		goto out;
	}
	w->size = start + b.len;
	w->events += n;
	/* For readers: durable up to here. Not synced: informative. */
	head_pair(pair, w->size, w->events, SALT_WRITER);
	if (write_full(w->fd, pair, sizeof(pair), HDR_WRITER_OFF) != 0)
		log_warn(LOG_TAG_SPOOL, "cannot update the header of %s: %s",
		    w->name, strerror(errno));
	rc = 0;
out:
	spool_buf_release(&b);
	return rc;
}

/* --- the directory --------------------------------------------------------- */

int
spool_check_dir(const char *dir, struct llmops_err *err)
{
	struct stat	st;

	if (*dir != '/')
		return err_set(err, 500, "spool.dir %s: must be an absolute "
		    "path", dir);
	if (stat(dir, &st) != 0)
		return err_set(err, 500, "spool.dir %s: %s (create it: install "
		    "-d -o www-data -g www-data -m 0750 %s)", dir,
		    strerror(errno), dir);
	if (!S_ISDIR(st.st_mode))
		return err_set(err, 500, "spool.dir %s: not a directory", dir);
	if (st.st_mode & (S_IROTH | S_IWOTH))
		return err_set(err, 500, "spool.dir %s: readable or writable by "
		    "everyone (mode %04o): chmod 0750 %s", dir,
		    (unsigned)(st.st_mode & 07777), dir);
	if (access(dir, W_OK | X_OK) != 0)
		return err_set(err, 500, "spool.dir %s: not writable by this "
		    "user (uid %ld): chown it to the web server's user", dir,
		    (long)geteuid());
	return 0;
}

static int
want_aside(const char *n)
{
	return n[0] != '.';
}

static int
count_aside(int dirfd, size_t *n)
{
	char	**names;
	size_t	  k;
	int	  fd;

	*n = 0;
	if ((fd = openat(dirfd, SPOOL_SET_ASIDE_DIR,
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (list_names(fd, want_aside, &names, &k, NULL) != 0) {
		close(fd);
		return -1;
	}
	spool_names_free(names, k);
	close(fd);
	*n = k;
	return 0;
}

int
spool_set_aside_names(const char *dir, char ***names, size_t *n,
    struct llmops_err *err)
{
	char	path[4096];
	int	fd, rc;

	*names = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, SPOOL_SET_ASIDE_DIR);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, 500, "%s: %s", path, strerror(errno));
	}
	rc = list_names(fd, want_aside, names, n, err);
	close(fd);
	return rc;
}

int
spool_note_load(const char *dir, int64_t when_us, int ok, const char *error)
{
	char	path[4096], tmp[4096], line[64 + SPOOL_LOAD_ERROR_BYTES];
	char	clean[SPOOL_LOAD_ERROR_BYTES];
	struct stat sb;
	size_t	i;
	int	fd, n, rc = -1;

	/* One line: the error's own line breaks cannot split it. */
	snprintf(clean, sizeof(clean), "%s", ok || error == NULL ? "" : error);
	for (i = 0; clean[i] != '\0'; i++)
		if ((unsigned char)clean[i] < 0x20)
			clean[i] = ' ';
	n = snprintf(line, sizeof(line), "1 %lld %d %s\n", (long long)when_us,
	    ok ? 1 : 0, clean);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, SPOOL_STATE_FILE);
	snprintf(tmp, sizeof(tmp), "%s/%s.%ld", dir, SPOOL_STATE_FILE,
	    (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0)
		return -1;
	if (stat(dir, &sb) == 0)
		give_to_owner(fd, sb.st_uid, sb.st_gid);
	if (write_full(fd, line, (size_t)n, 0) == 0 && rename(tmp, path) == 0)
		rc = 0;
	close(fd);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* The state file's line into st (left zero when there is none). */
static void
status_load(int dirfd, struct spool_status *st)
{
	char		 line[64 + SPOOL_LOAD_ERROR_BYTES], *p, *end;
	long long	 when;
	ssize_t		 got;
	int		 fd;

	if ((fd = openat(dirfd, SPOOL_STATE_FILE, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	got = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (got <= 2 || line[0] != '1' || line[1] != ' ')
		return;
	line[got] = '\0';
	line[strcspn(line, "\n")] = '\0';
	errno = 0;
	when = strtoll(line + 2, &end, 10);
	if (errno != 0 || *end != ' ' || (end[1] != '0' && end[1] != '1') ||
	    (end[2] != ' ' && end[2] != '\0'))
		return;
	st->last_load_us = when;
	st->last_load_ok = end[1] == '1';
	p = end[2] == ' ' ? end + 3 : end + 2;
	snprintf(st->last_load_error, sizeof(st->last_load_error), "%s", p);
}

/* One segment's contribution to the status. */
static void
status_segment(int dirfd, const char *name, struct spool_status *st)
{
	unsigned char	 h[SPOOL_HEADER_BYTES], rh[SPOOL_REC_HEADER_BYTES];
	struct seg_head	 sh;
	struct stat	 sb;
	uint64_t	 end;
	uint32_t	 len;
	int		 fd, active;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return;		/* loaded and removed meanwhile */
	st->segments++;
	active = flock(fd, LOCK_SH | LOCK_NB) != 0;
	if (active)
		st->active++;
	if (fstat(fd, &sb) != 0 || read_full(fd, h, sizeof(h), 0) !=
	    (ssize_t)sizeof(h) || head_parse(h, &sh) != 0)
		goto out;
	end = (uint64_t)sb.st_size;
	if (active && sh.writer_ok && sh.durable < end)
		end = sh.durable;
	if (sh.done_off >= end)
		goto out;
	st->pending_bytes += end - sh.done_off;
	if (sh.writer_ok && sh.appended_events > sh.done_events)
		st->pending_events += sh.appended_events - sh.done_events;
	if (read_full(fd, rh, sizeof(rh), sh.done_off) == (ssize_t)sizeof(rh) &&
	    header_ok(rh, &len) && (int64_t)get64(rh + 16) > 0 &&
	    (st->oldest_us == 0 || (int64_t)get64(rh + 16) < st->oldest_us))
		st->oldest_us = (int64_t)get64(rh + 16);
out:
	close(fd);
}

int
spool_status(const char *dir, struct spool_status *st, struct llmops_err *err)
{
	struct statvfs	 vfs;
	char		**names;
	size_t		  n, i;
	uid_t		  uid;
	gid_t		  gid;
	int		  dirfd;

	memset(st, 0, sizeof(*st));
	if ((dirfd = open_dir(dir, &uid, &gid, err)) < 0)
		return -1;
	if (list_names(dirfd, is_segment_name, &names, &n, err) != 0) {
		close(dirfd);
		return -1;
	}
	for (i = 0; i < n; i++)
		status_segment(dirfd, names[i], st);
	spool_names_free(names, n);
	if (count_aside(dirfd, &st->set_aside) != 0) {
		err_set(err, 500, "spool %s/%s: %s", dir, SPOOL_SET_ASIDE_DIR,
		    strerror(errno));
		close(dirfd);
		return -1;
	}
	if (fstatvfs(dirfd, &vfs) == 0)
		st->free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	status_load(dirfd, st);
	close(dirfd);
	return 0;
}

/* --- the reader ---------------------------------------------------------------- */

struct spool_seg {
	char		name[SPOOL_NAME_BYTES];
	int		fd;
	int		sealed;		/* we hold its lock: nobody writes it */
	int		bad_header;
	uint64_t	size;		/* readable: up to the durable end */
	uint64_t	done_off, done_events;	/* marked loaded */
	uint64_t	pos, pos_events;	/* read under this lock */
	int		damaged;	/* a torn or corrupt record was skipped */
	int		damage_marked;	/* ... and the header says so */
	int		finished;	/* sealed and read to its end */
	unsigned char	key[SPOOL_KEY_BYTES];
};

void
spool_reader_init(struct spool_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->dirfd = -1;
	r->lockfd = -1;
}

static void
forget_segments(struct spool_reader *r)
{
	size_t	i;

	for (i = 0; i < r->nsegs; i++)
		if (r->segs[i].fd >= 0)
			close(r->segs[i].fd);
	free(r->segs);
	r->segs = NULL;
	r->nsegs = 0;
}

void
spool_reader_release(struct spool_reader *r)
{
	spool_unlock(r);
	free(r->seen_name);
	free(r->seen_size);
	free(r->dir);
	spool_reader_init(r);
}

/* The size up to which a segment's records may be read now. */
static int
refresh_size(struct spool_seg *s)
{
	unsigned char	h[SPOOL_HEADER_BYTES];
	struct seg_head	sh;
	struct stat	st;
	uint64_t	size;

	if (fstat(s->fd, &st) != 0)
		return -1;
	size = (uint64_t)st.st_size;
	/*
	 * A live writer's records count once they are durable: one being
	 * written, or being synced, is not loaded before its answer is
	 * sure. A torn header field means: not yet.
	 */
	if (!s->sealed) {
		if (read_full(s->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
		    head_parse(h, &sh) != 0)
			return -1;
		if (!sh.writer_ok)
			return 0;
		if (sh.durable < size)
			size = sh.durable;
	}
	if (size > s->size)
		s->size = size;
	return 0;
}

/* Opens one segment for reading; 0, or -1 when it is gone. */
static int
open_segment(struct spool_reader *r, const char *name, struct spool_seg *s)
{
	unsigned char	h[SPOOL_HEADER_BYTES];
	struct seg_head	sh;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	if ((s->fd = openat(r->dirfd, name, O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	/* Nobody else can take it once we hold it: writers never reopen. */
	s->sealed = flock(s->fd, LOCK_EX | LOCK_NB) == 0;
	if (read_full(s->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    head_parse(h, &sh) != 0) {
		s->bad_header = 1;
		if (s->sealed) {
			/* Set aside whole once we are done with the chunk. */
			s->damaged = s->finished = 1;
			r->damage.bad_records++;
			log_error(LOG_TAG_SPOOL, "segment %s has no valid header; "
			    "setting it aside", name);
		}
		return 0;
	}
	s->done_off = s->pos = sh.done_off;
	s->done_events = s->pos_events = sh.done_events;
	/* Damage skipped under an earlier lock still sets it aside. */
	s->damaged = s->damage_marked = sh.damage > 0;
	memcpy(s->key, sh.key, SPOOL_KEY_BYTES);
	s->size = 0;
	if (refresh_size(s) != 0)
		s->size = s->pos;
	if (s->pos > s->size && s->sealed) {
		/* Loaded further than the file goes: it was cut; start over. */
		s->done_off = s->pos = SPOOL_HEADER_BYTES;
		s->done_events = s->pos_events = 0;
	}
	return 0;
}

/* A tmp- file whose creator died (we can lock it) is removed. */
static int
want_tmp(const char *n)
{
	return strncmp(n, "tmp-", 4) == 0;
}

static void
remove_stale_tmp(struct spool_reader *r)
{
	char	**names;
	size_t	  n, i;
	int	  fd;

	if (list_names(r->dirfd, want_tmp, &names, &n, NULL) != 0)
		return;
	for (i = 0; i < n; i++) {
		if ((fd = openat(r->dirfd, names[i], O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlinkat(r->dirfd, names[i], 0);
		close(fd);
	}
	spool_names_free(names, n);
}

int
spool_lock(struct spool_reader *r, const char *dir, int wait_ms,
    struct llmops_err *err)
{
	struct timespec	 nap = { 0, 10 * 1000 * 1000 };
	char		**names = NULL;
	size_t		  n = 0, i;
	int		  waited = 0;

	spool_unlock(r);
	if (r->dir == NULL || strcmp(r->dir, dir) != 0) {
		free(r->dir);
		if ((r->dir = strdup(dir)) == NULL)
			return err_set(err, 500, "spool: out of memory");
	}
	if ((r->dirfd = open_dir(dir, &r->dir_uid, &r->dir_gid, err)) < 0)
		return -1;
	if ((r->lockfd = openat(r->dirfd, SPOOL_LOCK_FILE,
	    O_RDWR | O_CREAT | O_CLOEXEC, 0660)) < 0) {
		err_set(err, 500, "spool %s/%s: %s", dir, SPOOL_LOCK_FILE,
		    strerror(errno));
		goto fail;
	}
	give_to_owner(r->lockfd, r->dir_uid, r->dir_gid);
	while (flock(r->lockfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err_set(err, 500, "spool %s/%s: flock: %s", dir,
			    SPOOL_LOCK_FILE, strerror(errno));
			goto fail;
		}
		if (waited >= wait_ms) {
			spool_unlock(r);
			return 1;
		}
		nanosleep(&nap, NULL);
		waited += 10;
	}
	remove_stale_tmp(r);
	if (list_names(r->dirfd, is_segment_name, &names, &n, err) != 0)
		goto fail;
	if (n > 0 && (r->segs = calloc(n, sizeof(*r->segs))) == NULL) {
		err_set(err, 500, "spool: out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (open_segment(r, names[i], &r->segs[r->nsegs]) == 0)
			r->nsegs++;
	spool_names_free(names, n);
	return 0;
fail:
	spool_names_free(names, n);
	spool_unlock(r);
	return -1;
}

void
spool_unlock(struct spool_reader *r)
{
	char	(*nm)[SPOOL_NAME_BYTES] = NULL;
	uint64_t *sz = NULL;
	size_t	  i, k = 0;

	/* What the loader last saw, for spool_grown. */
	if (r->nsegs > 0) {
		nm = calloc(r->nsegs, sizeof(*nm));
		sz = calloc(r->nsegs, sizeof(*sz));
	}
	for (i = 0; nm != NULL && sz != NULL && i < r->nsegs; i++) {
		if (r->segs[i].fd < 0)
			continue;
		memcpy(nm[k], r->segs[i].name, SPOOL_NAME_BYTES);
		sz[k++] = r->segs[i].size;
	}
	if (r->lockfd >= 0 || r->nsegs > 0) {
		free(r->seen_name);
		free(r->seen_size);
		r->seen_name = nm;
		r->seen_size = sz;
		r->nseen = nm != NULL && sz != NULL ? k : 0;
	} else {
		free(nm);
		free(sz);
	}
	forget_segments(r);
	if (r->lockfd >= 0)
		close(r->lockfd);	/* releases the flock */
	r->lockfd = -1;
	if (r->dirfd >= 0)
		close(r->dirfd);
	r->dirfd = -1;
}

int
spool_grown(struct spool_reader *r, const char *dir)
{
	unsigned char	 h[SPOOL_HEADER_BYTES];
	struct seg_head	 sh;
	struct stat	 st;
	char		**names;
	size_t		  n, i, j;
	uid_t		  uid;
	gid_t		  gid;
	uint64_t	  size;
	int		  dirfd, fd, grown = 0;

	if ((dirfd = open_dir(dir, &uid, &gid, NULL)) < 0)
		return 0;
	if (list_names(dirfd, is_segment_name, &names, &n, NULL) != 0) {
		close(dirfd);
		return 0;
	}
	for (i = 0; i < n && !grown; i++) {
		for (j = 0; j < r->nseen; j++)
			if (strcmp(r->seen_name[j], names[i]) == 0)
				break;
		if (j == r->nseen) {
			grown = 1;	/* a segment the loader never saw */
			break;
		}
		if ((fd = openat(dirfd, names[i], O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (fstat(fd, &st) == 0 && read_full(fd, h, sizeof(h), 0) ==
		    (ssize_t)sizeof(h) && head_parse(h, &sh) == 0) {
			size = (uint64_t)st.st_size;
			if (sh.writer_ok && sh.durable < size &&
			    flock(fd, LOCK_SH | LOCK_NB) != 0)
				size = sh.durable;
			grown = size > r->seen_size[j];
		}
		close(fd);
	}
	spool_names_free(names, n);
	close(dirfd);
	return grown;
}

void
spool_chunk_init(struct spool_chunk *c)
{
	memset(c, 0, sizeof(*c));
}

void
spool_chunk_clear(struct spool_chunk *c)
{
	size_t	i;

	for (i = 0; i < c->nev; i++)
		usage_event_release(&c->ev[i]);
	c->nev = 0;
	c->nrec = 0;
}

void
spool_chunk_release(struct spool_chunk *c)
{
	spool_chunk_clear(c);
	free(c->ev);
	free(c->rec);
	memset(c, 0, sizeof(*c));
}

/* Takes the n decoded events into the chunk (their strings move). */
static int
chunk_add(struct spool_chunk *c, size_t seg, uint64_t off, uint64_t end,
    int64_t appended_us, struct usage_event *evs, size_t n)
{
	struct usage_event	*ne;
	struct spool_rec	*nr;
	size_t			 cap;

	if (c->nev + n > c->evcap) {
		cap = c->evcap ? c->evcap : 256;
		while (cap < c->nev + n)
			cap *= 2;
		if ((ne = realloc(c->ev, cap * sizeof(*ne))) == NULL)
			return -1;
		c->ev = ne;
		c->evcap = cap;
	}
	if (c->nrec == c->reccap) {
		cap = c->reccap ? c->reccap * 2 : 16;
		if ((nr = realloc(c->rec, cap * sizeof(*nr))) == NULL)
			return -1;
		c->rec = nr;
		c->reccap = cap;
	}
	if (n > 0)
		memcpy(c->ev + c->nev, evs, n * sizeof(*evs));
	nr = &c->rec[c->nrec++];
	nr->seg = seg;
	nr->off = off;
	nr->end = end;
	nr->first = c->nev;
	nr->n = n;
	nr->appended_us = appended_us;
	c->nev += n;
	return 0;
}

enum rec_state {
	REC_INTACT,
	REC_INCOMPLETE,		/* ends beyond what may be read */
	REC_BAD,		/* not a record, or its checksum fails */
	REC_IOERR,
};

/* Reads the record at off; INTACT fills hdr and *payload (owned). */
static enum rec_state
read_record(const struct spool_seg *s, uint64_t off,
    unsigned char hdr[SPOOL_REC_HEADER_BYTES], unsigned char **payload)
{
	uint32_t	 len;
	unsigned char	*p;
	ssize_t		 got;

	*payload = NULL;
	if (s->size < off || s->size - off < SPOOL_REC_HEADER_BYTES)
		return REC_INCOMPLETE;
	if ((got = read_full(s->fd, hdr, SPOOL_REC_HEADER_BYTES, off)) < 0)
		return REC_IOERR;
	if (got == 0)
		return REC_INCOMPLETE;
	if (!header_ok(hdr, &len))
		return REC_BAD;
	if (s->size - off - SPOOL_REC_HEADER_BYTES < len)
		return REC_INCOMPLETE;
	if ((p = malloc(len ? len : 1)) == NULL)
		return REC_IOERR;
	if ((got = read_full(s->fd, p, len, off + SPOOL_REC_HEADER_BYTES)) <= 0 &&
	    len > 0) {
		free(p);
		return got < 0 ? REC_IOERR : REC_INCOMPLETE;
	}
	if (!sum_ok(s->key, hdr, p, len)) {
		free(p);
		return REC_BAD;
	}
	*payload = p;
	return REC_INTACT;
}

/*
 * The offset of the next intact record after off, or 0 when there is
 * none in what may be read now.
 */
static uint64_t
resync(const struct spool_seg *s, uint64_t off)
{
	unsigned char	*buf, hdr[SPOOL_REC_HEADER_BYTES], *p;
	uint64_t	 at = off + 1, found = 0;
	ssize_t		 got;
	size_t		 i;

	if ((buf = malloc(RESYNC_BLOCK)) == NULL)
		return 0;
	while (found == 0 && at < s->size) {
		got = read_full(s->fd, buf, s->size - at < RESYNC_BLOCK ?
		    (size_t)(s->size - at) : RESYNC_BLOCK, at);
		if (got <= 0)
			break;
		for (i = 0; i < (size_t)got && found == 0; i++) {
			if (buf[i] != rec_magic[0])
				continue;
			if (read_record(s, at + i, hdr, &p) == REC_INTACT) {
				free(p);
				found = at + i;
			}
		}
		/* A magic cut by the block's end is read again. */
		at += (size_t)got > 4 ? (size_t)got - 3 : (size_t)got;
	}
	free(buf);
	return found;
}

/* Makes set-aside/ if needed; its fd, or -1. */
static int
aside_dir(struct spool_reader *r, struct llmops_err *err)
{
	int	fd;

	if (mkdirat(r->dirfd, SPOOL_SET_ASIDE_DIR, 0750) == 0) {
		if ((fd = openat(r->dirfd, SPOOL_SET_ASIDE_DIR,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			give_to_owner(fd, r->dir_uid, r->dir_gid);
			fsync(r->dirfd);
		}
	} else if (errno != EEXIST)
		return err_set(err, 500, "spool %s/%s: %s", r->dir,
		    SPOOL_SET_ASIDE_DIR, strerror(errno));
	else
		fd = openat(r->dirfd, SPOOL_SET_ASIDE_DIR,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, 500, "spool %s/%s: %s", r->dir,
		    SPOOL_SET_ASIDE_DIR, strerror(errno));
	return fd;
}

int
spool_set_aside_record(struct spool_reader *r, const struct spool_rec *rec,
    struct llmops_err *err)
{
	const struct spool_seg	*s = &r->segs[rec->seg];
	unsigned char		 h[SPOOL_HEADER_BYTES], *buf = NULL;
	char			 name[SPOOL_NAME_BYTES];
	size_t			 len = (size_t)(rec->end - rec->off);
	int			 afd, fd = -1, rc = -1;

	if ((afd = aside_dir(r, err)) < 0)
		return -1;
	/* seg-X.spool -> seg-X-rOFFSET.spool: a segment of its own. */
	snprintf(name, sizeof(name), "%.*s-r%llx.spool",
	    (int)(strlen(s->name) - 6), s->name, (unsigned long long)rec->off);
	if ((buf = malloc(len)) == NULL) {
		err_set(err, 500, "spool: out of memory");
		goto out;
	}
	if (read_full(s->fd, buf, len, rec->off) != (ssize_t)len) {
		err_set(err, 500, "spool %s: cannot read a record", s->name);
		goto out;
	}
	fd = openat(afd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0 && errno == EEXIST) {
		rc = 0;		/* set aside before a crash: the same bytes */
		goto out;
	}
	memset(h, 0, sizeof(h));
	memcpy(h, file_magic, 8);
	h[8] = FILE_VERSION;
	put64(h + 16, (uint64_t)time_now_us());
	head_pair(h + HDR_WRITER_OFF, SPOOL_HEADER_BYTES + len, rec->n,
	    SALT_WRITER);
	head_pair(h + HDR_LOADER_OFF, SPOOL_HEADER_BYTES, 0, SALT_LOADER);
	head_pair(h + HDR_DAMAGE_OFF, 0, 0, SALT_DAMAGE);
	memcpy(h + HDR_KEY_OFF, s->key, SPOOL_KEY_BYTES);
	if (fd < 0 || (give_to_owner(fd, r->dir_uid, r->dir_gid), 0) ||
	    write_full(fd, h, sizeof(h), 0) != 0 ||
	    write_full(fd, buf, len, sizeof(h)) != 0 || fdatasync(fd) != 0 ||
	    fsync(afd) != 0) {
		err_set(err, 500, "spool %s/%s/%s: %s", r->dir,
		    SPOOL_SET_ASIDE_DIR, name, strerror(errno));
		if (fd >= 0)
			unlinkat(afd, name, 0);
		goto out;
	}
	r->damage.set_aside_records++;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	close(afd);
	free(buf);
	return rc;
}

/*
 * Takes the intact record at s->pos into the chunk, or sets it aside
 * when it cannot be decoded. -1 (err) on failure.
 */
static int
take_record(struct spool_reader *r, size_t si, struct spool_chunk *c,
    const unsigned char *hdr, const unsigned char *payload,
    struct llmops_err *err)
{
	struct spool_seg	*s = &r->segs[si];
	struct usage_event	*evs = NULL;
	struct spool_rec	 one;
	uint32_t		 len = get32(hdr + 8), count = get32(hdr + 12);
	uint64_t		 end = s->pos + SPOOL_REC_HEADER_BYTES + len;
	int64_t			 at = (int64_t)get64(hdr + 16);
	size_t			 n = 0;

	if (spool_event_decode(payload, len, hdr[4], UINT32_MAX, &evs,
	    &n) != 0 || n != count) {
		spool_events_free(evs, n);
		/* Intact but not ours to read (a newer version?): keep it. */
		memset(&one, 0, sizeof(one));
		one.seg = si;
		one.off = s->pos;
		one.end = end;
		one.n = count;
		log_error(LOG_TAG_SPOOL, "%s: the record at %llu (version %u, "
		    "%u events) cannot be decoded; setting it aside", s->name,
		    (unsigned long long)s->pos, hdr[4], count);
		if (spool_set_aside_record(r, &one, err) != 0)
			return -1;
	} else {
		if (chunk_add(c, si, s->pos, end, at, evs, n) != 0) {
			spool_events_free(evs, n);
			return err_set(err, 500, "spool: out of memory");
		}
		free(evs);	/* the strings now belong to the chunk */
	}
	s->pos = end;
	s->pos_events += count;
	return 0;
}

/* Reads s's records into c until it holds max_events; 0 or -1 (err). */
static int
read_segment(struct spool_reader *r, size_t si, struct spool_chunk *c,
    size_t max_events, struct llmops_err *err)
{
	struct spool_seg	*s = &r->segs[si];
	unsigned char		 hdr[SPOOL_REC_HEADER_BYTES], *payload;
	uint64_t		 next;
	int			 rc;

	if (s->fd < 0 || s->finished || s->bad_header)
		return 0;
	if (!s->sealed && refresh_size(s) != 0)
		return 0;
	while (c->nev < max_events) {
		if (s->pos >= s->size) {
			s->finished = s->sealed;
			return 0;
		}
		switch (read_record(s, s->pos, hdr, &payload)) {
		case REC_INTACT:
			rc = take_record(r, si, c, hdr, payload, err);
			free(payload);
			if (rc != 0)
				return -1;
			continue;
		case REC_IOERR:
			return err_set(err, 500, "spool %s: %s", s->name,
			    strerror(errno ? errno : EIO));
		case REC_INCOMPLETE:
			if (!s->sealed)
				return 0;	/* being written: later */
			break;
		case REC_BAD:
			break;
		}
		/* Torn or corrupt: skip to the next intact record, if any. */
		next = resync(s, s->pos);
		if (!s->damaged || next != 0)
			log_error(LOG_TAG_SPOOL, "%s: %s record at %llu%s", s->name,
			    s->sealed && next == 0 ? "torn or corrupt" : "corrupt",
			    (unsigned long long)s->pos, next ? "; reading on at "
			    "the next intact one" : "");
		if (!s->damaged || next != 0)
			r->damage.bad_records++;
		s->damaged = 1;
		if (next != 0)
			s->pos = next;
		else if (s->sealed)
			s->pos = s->size;
		else
			return 0;	/* a live writer: look again later */
	}
	return 0;
}

int
spool_read(struct spool_reader *r, struct spool_chunk *c, size_t max_events,
    struct llmops_err *err)
{
	size_t	i;

	spool_chunk_clear(c);
	if (r->lockfd < 0)
		return err_set(err, 500, "spool: read without the lock");
	for (i = 0; i < r->nsegs && c->nev < max_events; i++)
		if (read_segment(r, i, c, max_events, err) != 0)
			return -1;
	return 0;
}

/* Moves a whole segment into set-aside/. */
static int
set_aside_segment(struct spool_reader *r, struct spool_seg *s,
    struct llmops_err *err)
{
	int	afd;

	if ((afd = aside_dir(r, err)) < 0)
		return -1;
	if (renameat(r->dirfd, s->name, afd, s->name) != 0) {
		err_set(err, 500, "spool: cannot set %s aside: %s", s->name,
		    strerror(errno));
		close(afd);
		return -1;
	}
	fsync(afd);
	close(afd);
	r->damage.set_aside_files++;
	log_error(LOG_TAG_SPOOL, "%s set aside in %s/%s: every intact record "
	    "of it is loaded; see llmopsctl spool status", s->name, r->dir,
	    SPOOL_SET_ASIDE_DIR);
	return 0;
}

int
spool_done(struct spool_reader *r, const struct spool_chunk *c,
    struct llmops_err *err)
{
	unsigned char		 pair[24];
	struct spool_seg	*s;
	size_t			 i;

	(void)c;	/* the positions are the segments' own */
	for (i = 0; i < r->nsegs; i++) {
		s = &r->segs[i];
		if (s->fd < 0)
			continue;
		if (s->pos != s->done_off && !s->bad_header) {
			head_pair(pair, s->pos, s->pos_events, SALT_LOADER);
			if (write_full(s->fd, pair, sizeof(pair),
			    HDR_LOADER_OFF) != 0)
				return err_set(err, 500, "spool %s: cannot mark "
				    "records loaded: %s", s->name,
				    strerror(errno));
			s->done_off = s->pos;
			s->done_events = s->pos_events;
		}
		if (s->damaged && !s->damage_marked && !s->finished) {
			/* Still being written: remember to set it aside. */
			head_pair(pair, 1, 0, SALT_DAMAGE);
			if (write_full(s->fd, pair, sizeof(pair),
			    HDR_DAMAGE_OFF) == 0)
				s->damage_marked = 1;
		}
		if (!s->finished)
			continue;
		if (s->damaged) {
			if (set_aside_segment(r, s, err) != 0)
				return -1;
		} else if (unlinkat(r->dirfd, s->name, 0) != 0 && errno != ENOENT)
			return err_set(err, 500, "spool: cannot remove %s: %s",
			    s->name, strerror(errno));
		close(s->fd);
		s->fd = -1;
	}
	return 0;
}
