/*
 * The server secret that signs session cookies (HMAC-SHA256), read from a
 * file named in the configuration.
 *
 * File format: the key in hexadecimal on one line, 64 to 128 hex digits
 * (32 to 64 bytes, upper or lower case), optionally followed by one "\n"
 * or "\r\n", and nothing else: no spaces, no comments, no second line.
 * Make one with secret_generate_file() or `openssl rand -hex 32 >FILE`.
 *
 * The file must be a regular file that nobody but its owner and group can
 * read and only its owner can write: any world permission bit or the
 * group write bit is refused (0600, 0640, 0400, 0440 are fine; 0640 with
 * the web server's group is the usual choice). A key with fewer than
 * SECRET_MIN_DISTINCT different byte values is refused as a placeholder
 * ("0000...", "deadbeef" repeated): 32 random bytes never look like that.
 *
 * Changing the file logs everybody out (their cookies no longer verify).
 */
#ifndef LLMOPS_SECRET_H
#define LLMOPS_SECRET_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define SECRET_KEY_MIN		32	/* bytes: HMAC-SHA256's full strength */
#define SECRET_KEY_MAX		64	/* bytes: SHA-256's block */
#define SECRET_MIN_DISTINCT	8	/* different byte values in a key */
#define SECRET_GENERATED_BYTES	32	/* what secret_generate_file writes */
/* Longest file read: 128 hex digits, "\r\n", and one byte to notice more. */
#define SECRET_FILE_BYTES	(2 * SECRET_KEY_MAX + 2)

/*
 * Reads the key of path into key (SECRET_KEY_MAX bytes) and its length
 * into *keylen. Returns 0, or -1 with err naming the file and the reason
 * (permissions, format, length). key is wiped on error.
 */
int	secret_load(const char *path, unsigned char key[SECRET_KEY_MAX],
	    size_t *keylen, struct llmops_err *);
/*
 * Creates path (O_EXCL: never overwrites, never follows a symbolic link)
 * with mode (0600, 0640, 0400 or 0440: no world bit, no group write, owner
 * read) and SECRET_GENERATED_BYTES random bytes in the format above. The
 * caller sets the group (chown) when the web server needs it. Returns 0,
 * or -1 with err (a half-written file is removed).
 */
int	secret_generate_file(const char *path, mode_t mode, struct llmops_err *);

#endif
