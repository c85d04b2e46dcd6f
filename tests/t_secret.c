/*
 * The session secret file: permissions, the one-line hex format, lengths,
 * placeholders, files that are not files, and generated files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "tap.h"

#define HEX64	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"

static char	dir[256];
static char	path[512];

static int
write_file(const char *name, const char *text, size_t len, mode_t mode)
{
	int	fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Loads text written with mode; 0 or -1, err filled. */
static int
load(const char *text, size_t len, mode_t mode, unsigned char *key,
    size_t *keylen, struct llmops_err *err)
{
	err_clear(err);
	if (write_file("secret", text, len, mode) != 0) {
		err_set(err, 0, "cannot write the test file");
		return -2;
	}
	return secret_load(path, key, keylen, err);
}

static void
good(const char *text, mode_t mode, size_t want_len, const char *name)
{
	struct llmops_err	err;
	unsigned char		key[SECRET_KEY_MAX];
	size_t			keylen = 99;
	int			rc;

	rc = load(text, strlen(text), mode, key, &keylen, &err);
	if (!ok(rc == 0, "accepted: %s", name))
		tap_diag("%s", err.msg);
	is_int(keylen, rc == 0 ? want_len : 0, "%s: %zu bytes", name, want_len);
}

/* Refused, and the message names the file and contains reason. */
static void
bad(const char *text, size_t len, mode_t mode, const char *reason,
    const char *name)
{
	struct llmops_err	err;
	unsigned char		key[SECRET_KEY_MAX];
	size_t			keylen = 99, i, nonzero = 0;
	int			rc;

	memset(key, 0xaa, sizeof(key));
	rc = load(text, len, mode, key, &keylen, &err);
	is_int(rc, -1, "refused: %s", name);
	if (!ok(strstr(err.msg, path) != NULL && strstr(err.msg, reason) != NULL,
	    "%s: the message names the file and says \"%s\"", name, reason))
		tap_diag("got: %s", err.msg);
	for (i = 0; i < sizeof(key); i++)
		nonzero += key[i] != 0;
	ok(keylen == 0 && nonzero == 0, "%s: key wiped, length 0", name);
}

static void
test_permissions(void)
{
	good(HEX64 "\n", 0600, 32, "0600");
	good(HEX64 "\n", 0640, 32, "0640");
	good(HEX64 "\n", 0400, 32, "0400");
	good(HEX64 "\n", 0440, 32, "0440");
	good(HEX64 "\n", 0700, 32, "0700 (owner execute is harmless)");
	bad(HEX64 "\n", 65, 0644, "mode 0644", "0644 (world-readable)");
	bad(HEX64 "\n", 65, 0604, "mode 0604", "0604");
	bad(HEX64 "\n", 65, 0602, "mode 0602", "0602 (world-writable)");
	bad(HEX64 "\n", 65, 0601, "mode 0601", "0601 (world-executable)");
	bad(HEX64 "\n", 65, 0660, "mode 0660", "0660 (group-writable)");
	bad(HEX64 "\n", 65, 0620, "mode 0620", "0620");
	bad(HEX64 "\n", 65, 0666, "chmod it 0600 or 0640", "0666 says how to fix");
}

static void
test_format(void)
{
	char	buf[300];
	size_t	i;

	good(HEX64, 0600, 32, "no final newline");
	good(HEX64 "\r\n", 0600, 32, "CRLF");
	good("000102030405060708090A0B0C0D0E0F"
	    "101112131415161718191A1B1C1D1E1F\n", 0600, 32, "upper case");
	good(HEX64 HEX64 "\n", 0600, 64, "128 digits (64 bytes)");
	good(HEX64 "2021\n", 0600, 34, "68 digits (34 bytes)");
	bad("", 0, 0600, "empty", "an empty file");
	bad("\n", 1, 0600, "empty", "a newline only");
	bad(HEX64 "\n\n", 66, 0600, "hexadecimal digits on one line",
	    "two newlines");
	bad(HEX64 "\nabcd\n", 70, 0600, "hexadecimal digits on one line",
	    "a second line");
	bad(" " HEX64 "\n", 66, 0600, "hexadecimal digits", "a leading space");
	bad(HEX64 " \n", 66, 0600, "hexadecimal digits", "a trailing space");
	bad("0x" HEX64 "\n", 67, 0600, "hexadecimal digits", "a 0x prefix");
	bad(HEX64 "\r", 65, 0600, "hexadecimal digits", "a lone CR...");
	bad("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e\n",
	    63, 0600, "shorter than 64 hexadecimal digits", "62 digits");
	bad("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1\n",
	    64, 0600, "odd number", "63 digits");
	bad(HEX64 HEX64 "20\n", 131, 0600, "longer than 130 bytes",
	    "130 digits (over the 130-byte file limit with its newline)");
	bad(HEX64 HEX64 "20", 130, 0600, "longer than 128 hexadecimal digits",
	    "130 digits without a newline");
	memset(buf, 'a', sizeof(buf));
	bad(buf, sizeof(buf), 0600, "longer than 130 bytes", "300 bytes");
	bad("0123456789abcdef0123456789abcdef" "0123456789abcdef0123456789abcde\0"
	    "\n", 65, 0600, "hexadecimal digits", "a NUL byte");
	bad("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
	    "\xc3\xa9\n", 65, 0600, "hexadecimal digits", "non-ASCII");

	/* Placeholders: fewer than 8 different bytes. */
	memset(buf, '0', 64);
	memcpy(buf + 64, "\n", 2);
	bad(buf, 65, 0600, "not random", "64 zeros");
	for (i = 0; i < 8; i++)
		memcpy(buf + 8 * i, "deadbeef", 8);
	bad(buf, 65, 0600, "not random", "deadbeef x 8");
	for (i = 0; i < 4; i++)
		memcpy(buf + 16 * i, "0001020304050607", 16);
	good(buf, 0600, 32, "8 different bytes (the minimum)");
	for (i = 0; i < 4; i++)
		memcpy(buf + 16 * i, "0001020304050606", 16);
	bad(buf, 65, 0600, "not random", "7 different bytes");
}

static void
test_not_files(void)
{
	struct llmops_err	err;
	unsigned char		key[SECRET_KEY_MAX];
	size_t			keylen;

	snprintf(path, sizeof(path), "%s/missing", dir);
	err_clear(&err);
	is_int(secret_load(path, key, &keylen, &err), -1, "a missing file");
	ok(strstr(err.msg, path) != NULL &&
	    strstr(err.msg, strerror(ENOENT)) != NULL,
	    "a missing file: says which and why (%s)", err.msg);

	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0700);
	err_clear(&err);
	is_int(secret_load(path, key, &keylen, &err), -1, "a directory");
	ok(strstr(err.msg, "not a regular file") != NULL,
	    "a directory: not a regular file (%s)", err.msg);
	rmdir(path);

	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) == 0) {
		err_clear(&err);
		/* Would block forever without O_NONBLOCK. */
		is_int(secret_load(path, key, &keylen, &err), -1,
		    "a FIFO (without hanging)");
		ok(strstr(err.msg, "not a regular file") != NULL,
		    "a FIFO: not a regular file (%s)", err.msg);
		unlink(path);
	} else
		ok(0, "mkfifo: %s", strerror(errno));
}

static void
test_generate(void)
{
	struct llmops_err	err;
	struct stat		st;
	unsigned char		k1[SECRET_KEY_MAX], k2[SECRET_KEY_MAX];
	char			p2[512], link[512], text[200];
	size_t			l1 = 0, l2 = 0;
	mode_t			old;
	FILE			*f;

	snprintf(path, sizeof(path), "%s/gen1", dir);
	snprintf(p2, sizeof(p2), "%s/gen2", dir);
	old = umask(077);
	err_clear(&err);
	is_int(secret_generate_file(path, 0640, &err), 0,
	    "secret_generate_file 0640 under umask 077");
	umask(old);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "the file has mode 0640 exactly");
	ok(secret_load(path, k1, &l1, &err) == 0 && l1 == SECRET_GENERATED_BYTES,
	    "it loads, %d bytes", SECRET_GENERATED_BYTES);
	if ((f = fopen(path, "r")) != NULL) {
		text[0] = '\0';
		if (fgets(text, sizeof(text), f) == NULL)
			text[0] = '\0';
		fclose(f);
		is_int(strlen(text), 65, "64 hex digits and a newline");
		is_int(strspn(text, "0123456789abcdef"), 64, "lower-case hex");
	} else
		ok(0, "fopen");
	is_int(secret_generate_file(p2, 0600, &err), 0, "another, 0600");
	ok(stat(p2, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "the file has mode 0600");
	ok(secret_load(p2, k2, &l2, &err) == 0 && l1 == l2 &&
	    memcmp(k1, k2, l1) != 0, "two generated secrets differ");

	err_clear(&err);
	is_int(secret_generate_file(path, 0600, &err), -1,
	    "never overwrites an existing file");
	ok(strstr(err.msg, path) != NULL, "says which file (%s)", err.msg);
	ok(secret_load(path, k2, &l2, &err) == 0 && l2 == l1 &&
	    memcmp(k1, k2, l1) == 0, "the existing secret is unchanged");

	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(p2, sizeof(p2), "%s/target", dir);
	if (symlink(p2, link) == 0) {
		is_int(secret_generate_file(link, 0600, &err), -1,
		    "refuses a dangling symbolic link");
		ok(access(p2, F_OK) != 0, "and creates nothing behind it");
		unlink(link);
	} else
		ok(0, "symlink");

	snprintf(p2, sizeof(p2), "%s/gen3", dir);
	err_clear(&err);
	is_int(secret_generate_file(p2, 0644, &err), -1, "refuses mode 0644");
	ok(strstr(err.msg, "0644") != NULL, "says so (%s)", err.msg);
	is_int(secret_generate_file(p2, 0660, &err), -1, "refuses mode 0660");
	is_int(secret_generate_file(p2, 0200, &err), -1, "refuses mode 0200");
	is_int(secret_generate_file(p2, 04600, &err), -1, "refuses setuid");
	ok(access(p2, F_OK) != 0, "refused modes create no file");
	snprintf(p2, sizeof(p2), "%s/nodir/x", dir);
	is_int(secret_generate_file(p2, 0600, &err), -1,
	    "a missing directory is an error");

	snprintf(p2, sizeof(p2), "%s/gen2", dir);
	unlink(path);
	unlink(p2);
}

int
main(void)
{
	const char	*tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/t_secret.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp %s: %s", dir, strerror(errno));
		return tap_done();
	}
	test_permissions();
	test_format();
	test_not_files();
	test_generate();
	snprintf(path, sizeof(path), "%s/secret", dir);
	unlink(path);
	if (rmdir(dir) != 0)
		tap_diag("rmdir %s: %s", dir, strerror(errno));
	return tap_done();
}
