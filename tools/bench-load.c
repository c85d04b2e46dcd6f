/*
 * tools/bench-load: the HTTP load of tools/bench for bodies of hundreds of
 * KB with ids unique to each request. wrk generates such bodies in its Lua
 * script by building a new string per request, and that costs it more CPU
 * than the empty responder spends (measured here: 250-460 requests/s of
 * 476 KB instead of 1,460-1,700 with one fixed body), so wrk would measure
 * itself. This client never copies a body: each request is written with
 * writev() from the template's pieces and the ids between them.
 *
 *   bench-load -p PORT -u PATH -c CONNS -d SECONDS [-T TOKEN] TEMPLATES TAG
 *
 * TEMPLATES holds one body per line in which every "@@ID@@" stands for an
 * id; request R of connection C takes line R modulo their number and puts
 * TAG-C-R-N in place of its N-th "@@ID@@" (tools/bench.lua does the same
 * for wrk). Each connection is a thread that posts one request at a time
 * on a keep-alive connection to 127.0.0.1:PORT for SECONDS (a closed loop,
 * as wrk), reconnecting when the server closes it. At the end it prints
 * one line "BENCH {json}" with the same fields as tools/bench.lua: counts,
 * errors and latency percentiles in microseconds, exact (every latency is
 * kept). Built by tools/bench (an EXTRA_PROGRAMS of Makefile.am), never
 * installed.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LOAD_CONNS_MAX		256
#define LOAD_IDS_MAX		400	/* "@@ID@@" per template line */
#define LOAD_ID_BYTES		96
#define LOAD_HEAD_BYTES		1024
#define LOAD_ANSWER_BYTES	(64 * 1024)
#define LOAD_TIMEOUT_S		30
#define LOAD_MARK		"@@ID@@"

/* One line of TEMPLATES, split around its ids. */
struct tpl {
	char	**piece;	/* npieces = nids + 1, borrowed from the file */
	size_t	 *len;
	size_t	  nids;
	size_t	  bytes;	/* of the pieces */
};

struct load {
	struct sockaddr_in	 addr;
	const char		*path;
	const char		*token;
	const char		*tag;
	struct tpl		*tpl;
	size_t			 ntpl;
	int64_t			 deadline_us;
};

struct conn {
	const struct load	*load;
	pthread_t		 thread;
	int			 no;
	int			 fd;
	int64_t			*lat;		/* microseconds, one per answer */
	size_t			 nlat, cap;
	uint64_t		 sent, sent_bytes, bytes_read;
	uint64_t		 err_connect, err_read, err_write, err_status,
				 err_timeout;
	char			 ids[LOAD_IDS_MAX][LOAD_ID_BYTES];
	struct iovec		 iov[2 * LOAD_IDS_MAX + 2];
	char			 head[LOAD_HEAD_BYTES];
	char			 answer[LOAD_ANSWER_BYTES];
};

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Splits each line of buf (owned by the caller, kept) into a template. */
static int
tpl_load(char *buf, struct tpl **out, size_t *nout)
{
	struct tpl	*t = NULL, *nt;
	size_t		 n = 0, i;
	char		*line, *next, *p, *q;

	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0')
			continue;
		if ((nt = realloc(t, (n + 1) * sizeof(*t))) == NULL)
			goto fail;
		t = nt;
		memset(&t[n], 0, sizeof(t[n]));
		if ((t[n].piece = calloc(LOAD_IDS_MAX + 1, sizeof(char *))) ==
		    NULL || (t[n].len = calloc(LOAD_IDS_MAX + 1,
		    sizeof(size_t))) == NULL) {
			n++;
			goto fail;
		}
		for (p = line, i = 0; ; i++) {
			q = strstr(p, LOAD_MARK);
			t[n].piece[i] = p;
			t[n].len[i] = q != NULL ? (size_t)(q - p) : strlen(p);
			t[n].bytes += t[n].len[i];
			if (q == NULL)
				break;
			if (i + 1 >= LOAD_IDS_MAX) {
				fprintf(stderr, "bench-load: more than %d ids "
				    "in a template\n", LOAD_IDS_MAX - 1);
				n++;
				goto fail;
			}
			p = q + strlen(LOAD_MARK);
		}
		t[n].nids = i;
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "bench-load: no templates\n");
		goto fail;
	}
	*out = t;
	*nout = n;
	return 0;
fail:
	for (i = 0; i < n; i++) {
		free(t[i].piece);
		free(t[i].len);
	}
	free(t);
	return -1;
}

static int
conn_open(struct conn *c)
{
	struct timeval	tv = { .tv_sec = LOAD_TIMEOUT_S };
	int		one = 1;

	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (const struct sockaddr *)&c->load->addr,
	    sizeof(c->load->addr)) == -1) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

/* Writes all of iov (modifying it); 0, or -1 with errno. */
static int
write_all(int fd, struct iovec *iov, int n)
{
	ssize_t	w;

	while (n > 0) {
		w = writev(fd, iov, n > IOV_MAX ? IOV_MAX : n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/*
 * Reads one answer: its status, or -1 (errno EAGAIN on a timeout). The body
 * must carry a Content-Length (both responders send one); *keep is 0 when
 * the server closes the connection after it.
 */
static int
read_answer(struct conn *c, int *keep)
{
	size_t		 have = 0, need = 0;
	ssize_t		 r;
	char		*end = NULL, *h;
	int		 status = 0;
	long long	 clen = -1;

	*keep = 1;
	for (;;) {
		if (have == sizeof(c->answer) - 1) {
			if (end == NULL) {
				errno = EMSGSIZE;
				return -1;
			}
			/* Only the body's length matters from here on. */
			need -= have;
			have = 0;
		}
		r = read(c->fd, c->answer + have, sizeof(c->answer) - 1 - have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ECONNRESET;
			return -1;
		}
		c->bytes_read += (uint64_t)r;
		have += (size_t)r;
		c->answer[have] = '\0';
		if (end == NULL) {
			if ((end = strstr(c->answer, "\r\n\r\n")) == NULL)
				continue;
			if (sscanf(c->answer, "HTTP/1.%*d %d", &status) != 1) {
				errno = EPROTO;
				return -1;
			}
			*end = '\0';
			for (h = c->answer; (h = strchr(h, '\n')) != NULL; ) {
				h++;
				if (strncasecmp(h, "Content-Length:", 15) == 0)
					clen = strtoll(h + 15, NULL, 10);
				else if (strncasecmp(h, "Connection: close",
				    17) == 0)
					*keep = 0;
			}
			if (clen < 0) {
				errno = EPROTO;
				return -1;
			}
			need = (size_t)(end + 4 - c->answer) + (size_t)clen;
		}
		if (have >= need)
			return status;
	}
}

/* One request: its status, or -1 with the error counted. */
static int
conn_post(struct conn *c, const struct tpl *t, uint64_t req)
{
	const struct load	*l = c->load;
	size_t			 i, bytes = t->bytes;
	int			 n = 0, hlen, status, keep;

	for (i = 0; i < t->nids; i++)
		bytes += (size_t)snprintf(c->ids[i], LOAD_ID_BYTES,
		    "%s-%d-%llu-%zu", l->tag, c->no,
		    (unsigned long long)req, i + 1);
	hlen = snprintf(c->head, sizeof(c->head), "POST %s HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%u\r\nContent-Type: application/json\r\n"
	    "%s%s%sContent-Length: %zu\r\n\r\n", l->path,
	    (unsigned)ntohs(l->addr.sin_port),
	    l->token ? "X-Cloudidr-Token: " : "", l->token ? l->token : "",
	    l->token ? "\r\n" : "", bytes);
	c->iov[n].iov_base = c->head;
	c->iov[n++].iov_len = (size_t)hlen;
	for (i = 0; i <= t->nids; i++) {
		c->iov[n].iov_base = t->piece[i];
		c->iov[n++].iov_len = t->len[i];
		if (i < t->nids) {
			c->iov[n].iov_base = c->ids[i];
			c->iov[n++].iov_len = strlen(c->ids[i]);
		}
	}
	if (c->fd == -1 && conn_open(c) == -1) {
		c->err_connect++;
		return -1;
	}
	if (write_all(c->fd, c->iov, n) == -1) {
		c->err_write++;
		conn_close(c);
		return -1;
	}
	c->sent++;
	c->sent_bytes += (uint64_t)hlen + bytes;
	if ((status = read_answer(c, &keep)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			c->err_timeout++;
		else
			c->err_read++;
		conn_close(c);
		return -1;
	}
	if (!keep)
		conn_close(c);
	if (status < 200 || status > 299)
		c->err_status++;
	return status;
}

static void *
conn_run(void *arg)
{
	struct conn	*c = arg;
	int64_t		 t0, *nl;
	uint64_t	 req;

	for (req = 1; now_us() < c->load->deadline_us; req++) {
		t0 = now_us();
		if (conn_post(c, &c->load->tpl[(req - 1) % c->load->ntpl],
		    req) == -1) {
			/* A refused connection must not spin. */
			usleep(1000);
			continue;
		}
		if (c->nlat == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 4096;
			if ((nl = realloc(c->lat, c->cap * sizeof(*nl))) == NULL) {
				fprintf(stderr, "bench-load: out of memory\n");
				exit(1);
			}
			c->lat = nl;
		}
		c->lat[c->nlat++] = now_us() - t0;
	}
	conn_close(c);
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile by nearest rank of the n sorted values. */
static int64_t
pct(const int64_t *v, size_t n, double p)
{
	size_t	k;

	if (n == 0)
		return 0;
	k = (size_t)(p / 100.0 * (double)n + 0.999999);
	return v[k == 0 ? 0 : (k > n ? n - 1 : k - 1)];
}

static char *
read_file(const char *path)
{
	FILE	*f;
	char	*buf = NULL;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) != NULL) {
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		} else
			buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

int
main(int argc, char *argv[])
{
	struct load	 l;
	struct conn	*conns = NULL;
	int64_t		*all = NULL, start, sum = 0;
	uint64_t	 sent = 0, sent_bytes = 0, bytes_read = 0;
	uint64_t	 e_conn = 0, e_read = 0, e_write = 0, e_status = 0,
			 e_timeout = 0;
	size_t		 n = 0, k, i;
	char		*buf = NULL;
	double		 seconds = 0;
	int		 ch, nconn = 0, port = 0, rc = 1;

	memset(&l, 0, sizeof(l));
	while ((ch = getopt(argc, argv, "c:d:p:T:u:")) != -1) {
		switch (ch) {
		case 'c':
			nconn = atoi(optarg);
			break;
		case 'd':
			seconds = atof(optarg);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'T':
			l.token = optarg;
			break;
		case 'u':
			l.path = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2 || nconn < 1 || nconn > LOAD_CONNS_MAX ||
	    seconds <= 0 || port < 1 || port > 65535 || l.path == NULL)
		goto usage;
	l.tag = argv[optind + 1];
	if ((buf = read_file(argv[optind])) == NULL) {
		fprintf(stderr, "bench-load: cannot read %s\n", argv[optind]);
		goto out;
	}
	if (tpl_load(buf, &l.tpl, &l.ntpl) != 0)
		goto out;
	l.addr.sin_family = AF_INET;
	l.addr.sin_port = htons((uint16_t)port);
	l.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	signal(SIGPIPE, SIG_IGN);

	if ((conns = calloc((size_t)nconn, sizeof(*conns))) == NULL)
		goto out;
	start = now_us();
	l.deadline_us = start + (int64_t)(seconds * 1e6);
	for (i = 0; i < (size_t)nconn; i++) {
		conns[i].load = &l;
		conns[i].no = (int)i + 1;
		conns[i].fd = -1;
		if (pthread_create(&conns[i].thread, NULL, conn_run,
		    &conns[i]) != 0) {
			fprintf(stderr, "bench-load: cannot start a thread\n");
			exit(1);
		}
	}
	for (i = 0; i < (size_t)nconn; i++) {
		pthread_join(conns[i].thread, NULL);
		n += conns[i].nlat;
	}
	if ((all = malloc((n ? n : 1) * sizeof(*all))) == NULL)
		goto out;
	for (i = 0, k = 0; i < (size_t)nconn; i++) {
		struct conn	*c = &conns[i];

		memcpy(all + k, c->lat, c->nlat * sizeof(*all));
		k += c->nlat;
		sent += c->sent;
		sent_bytes += c->sent_bytes;
		bytes_read += c->bytes_read;
		e_conn += c->err_connect;
		e_read += c->err_read;
		e_write += c->err_write;
		e_status += c->err_status;
		e_timeout += c->err_timeout;
	}
	qsort(all, n, sizeof(*all), cmp_i64);
	for (i = 0; i < n; i++)
		sum += all[i];
	printf("BENCH {\"duration_us\":%lld,\"requests\":%zu,"
	    "\"bytes_read\":%llu,\"sent_requests\":%llu,\"sent_bytes\":%llu,"
	    "\"errors\":{\"connect\":%llu,\"read\":%llu,\"write\":%llu,"
	    "\"status\":%llu,\"timeout\":%llu},\"latency_us\":{\"min\":%lld,"
	    "\"mean\":%.1f,\"p50\":%lld,\"p90\":%lld,\"p99\":%lld,"
	    "\"p999\":%lld,\"max\":%lld}}\n",
	    (long long)(now_us() - start), n,
	    (unsigned long long)bytes_read, (unsigned long long)sent,
	    (unsigned long long)sent_bytes, (unsigned long long)e_conn,
	    (unsigned long long)e_read, (unsigned long long)e_write,
	    (unsigned long long)e_status, (unsigned long long)e_timeout,
	    (long long)(n ? all[0] : 0), n ? (double)sum / (double)n : 0.0,
	    (long long)pct(all, n, 50), (long long)pct(all, n, 90),
	    (long long)pct(all, n, 99), (long long)pct(all, n, 99.9),
	    (long long)(n ? all[n - 1] : 0));
	rc = 0;
out:
	if (conns != NULL)
		for (i = 0; i < (size_t)nconn; i++)
			free(conns[i].lat);
	free(conns);
	free(all);
	if (l.tpl != NULL)
		for (i = 0; i < l.ntpl; i++) {
			free(l.tpl[i].piece);
			free(l.tpl[i].len);
		}
	free(l.tpl);
	free(buf);
	return rc;
usage:
	fprintf(stderr, "usage: bench-load -p PORT -u PATH -c CONNS -d SECONDS "
	    "[-T TOKEN] TEMPLATES TAG\n");
	return 2;
}
