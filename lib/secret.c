#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "encode.h"
#include "secret.h"

/* Permission bits a secret file must not have: any for others, group write. */
#define SECRET_MODE_FORBIDDEN	(S_IRWXO | S_IWGRP)

/* Reads fd into buf until the end or bufsz bytes; -1 on error. */
static ssize_t
read_all(int fd, char *buf, size_t bufsz)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < bufsz) {
		if ((n = read(fd, buf + got, bufsz - got)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Decodes the file's text into key; returns the reason it cannot, or NULL. */
static const char *
parse(char *buf, size_t len, unsigned char *key, size_t *keylen)
{
	unsigned char	seen[256];
	size_t		i, distinct = 0;
	int		hi, lo;

	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			len--;
	}
	if (len == 0)
		return "the file is empty";
	for (i = 0; i < len; i++)
		if (hex_value((unsigned char)buf[i]) < 0)
			return "expected hexadecimal digits on one line and nothing "
			    "else";
	if (len % 2 != 0)
		return "odd number of hexadecimal digits";
	if (len < 2 * SECRET_KEY_MIN)
		return "shorter than 64 hexadecimal digits (32 bytes)";
	if (len > 2 * SECRET_KEY_MAX)
		return "longer than 128 hexadecimal digits (64 bytes)";
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < len / 2; i++) {
		hi = hex_value((unsigned char)buf[2 * i]);
		lo = hex_value((unsigned char)buf[2 * i + 1]);
		key[i] = (unsigned char)(hi << 4 | lo);
		if (!seen[key[i]]++)
			distinct++;
	}
	*keylen = len / 2;
	if (distinct < SECRET_MIN_DISTINCT)
		return "not random (too few different bytes): a placeholder?";
	return NULL;
}

int
secret_load(const char *path, unsigned char key[SECRET_KEY_MAX],
    size_t *keylen, struct llmops_err *err)
{
	char		 buf[SECRET_FILE_BYTES + 1];
	struct stat	 st;
	const char	*why;
	ssize_t		 n;
	int		 fd, rc = -1;

	*keylen = 0;
	/* O_NONBLOCK: a FIFO must not hang the start-up; fstat refuses it. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return err_set(err, 0, "%s: session secret file: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) != 0) {
		err_set(err, 0, "%s: session secret file: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(err, 0, "%s: session secret file: not a regular file", path);
		goto out;
	}
	if (st.st_mode & SECRET_MODE_FORBIDDEN) {
		err_set(err, 0, "%s: session secret file has mode %04o: others may "
		    "not have any access and the group may not write; chmod it "
		    "0600 or 0640", path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((n = read_all(fd, buf, sizeof(buf))) < 0) {
		err_set(err, 0, "%s: session secret file: %s", path,
		    strerror(errno));
		goto out;
	}
	if ((size_t)n > SECRET_FILE_BYTES) {
		err_set(err, 0, "%s: session secret file: longer than %d bytes",
		    path, SECRET_FILE_BYTES);
		goto out;
	}
	if ((why = parse(buf, (size_t)n, key, keylen)) != NULL) {
		err_set(err, 0, "%s: session secret file: %s", path, why);
		goto out;
	}
	rc = 0;
out:
	if (rc != 0) {
		OPENSSL_cleanse(key, SECRET_KEY_MAX);
		*keylen = 0;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
secret_generate_file(const char *path, mode_t mode, struct llmops_err *err)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 key[SECRET_GENERATED_BYTES];
	char			 text[2 * SECRET_GENERATED_BYTES + 1];
	size_t			 i;
	int			 fd = -1, created = 0, rc = -1;

	if ((mode & ~(mode_t)(S_IRUSR | S_IWUSR | S_IRGRP)) != 0 ||
	    !(mode & S_IRUSR))
		return err_set(err, 0, "%s: session secret file mode %04o: use "
		    "0600 or 0640", path, (unsigned)mode);
	if (RAND_bytes(key, sizeof(key)) != 1) {
		err_set(err, 0, "%s: no random bytes for the session secret", path);
		goto out;
	}
	for (i = 0; i < sizeof(key); i++) {
		text[2 * i] = digits[key[i] >> 4];
		text[2 * i + 1] = digits[key[i] & 15];
	}
	text[2 * sizeof(key)] = '\n';
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode)) < 0) {
		err_set(err, 0, "%s: cannot create the session secret file: %s",
		    path, strerror(errno));
		goto out;
	}
	created = 1;
	/* The umask may have removed bits: set exactly what was asked. */
	if (fchmod(fd, mode) != 0 || write_all(fd, text, sizeof(text)) != 0 ||
	    fsync(fd) != 0) {
		err_set(err, 0, "%s: cannot write the session secret file: %s",
		    path, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		err_set(err, 0, "%s: cannot write the session secret file: %s",
		    path, strerror(errno));
		goto out;
	}
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0 && created)
		unlink(path);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(text, sizeof(text));
	return rc;
}
