/*
 * Dashboard passwords: hashed with yescrypt through libxcrypt's crypt_r
 * (random salt from the library's own source), verified in constant time,
 * and generated for one-time use from the OpenSSL CSPRNG. Only hashes this
 * module makes ("$y$...") are ever accepted by password_verify: DES, MD5
 * and the other legacy methods crypt_r still knows are refused, so a
 * stray stored value can never weaken a login.
 *
 * Passwords are bytes: no Unicode normalization is done, so the form must
 * send what it sent when the password was set (browsers send UTF-8).
 */
#ifndef LLMOPS_PASSWORD_H
#define LLMOPS_PASSWORD_H

#include <stddef.h>

#include "err.h"

/*
 * yescrypt cost (crypt_gensalt "count", 1 to 11): 5 is libxcrypt's and
 * Debian's default for /etc/shadow, 16 MiB and about 30 ms per hash on a
 * 2020s x86 core; every step up doubles both. Memory is the limit here:
 * each concurrent login in each FastCGI worker holds that much while it
 * hashes. Stored hashes carry their cost, so raising it later only
 * affects new hashes (see password_needs_rehash).
 */
#define PASSWORD_COST		5

/* Characters (UTF-8 code points) a new password needs at least. */
#define PASSWORD_MIN_CHARS	12
/* Bytes a password may have at most: crypt_r refuses 512 and more
 * (CRYPT_MAX_PASSPHRASE_SIZE), and a login form has no use for more. */
#define PASSWORD_MAX_BYTES	256

/* A stored hash: "$y$" params "$" salt "$" hash, under CRYPT_OUTPUT_SIZE. */
#define PASSWORD_HASH_BYTES	384

/* Characters of a password_generate() password: 20 x 6 = 120 bits. */
#define PASSWORD_GENERATED_CHARS	20
#define PASSWORD_GENERATED_BYTES	(PASSWORD_GENERATED_CHARS + 1)

/*
 * Hashes a new password into out (outsz at least PASSWORD_HASH_BYTES,
 * which any crypt_r output fits). Refuses, with a message fit for the user, passwords shorter
 * than PASSWORD_MIN_CHARS characters or longer than PASSWORD_MAX_BYTES.
 * Returns 0 or -1.
 */
int	password_hash(const char *pw, char *out, size_t outsz,
	    struct llmops_err *);
/*
 * 1 when pw matches stored, 0 otherwise: wrong password, or a stored value
 * that is not a well-formed "$y$" hash ("", "*0", "!", DES, "$6$"...),
 * or any failure. Compares in constant time. Takes as long as a real
 * check except for refused stored values and overlong passwords.
 */
int	password_verify(const char *pw, const char *stored);
/*
 * Runs the same KDF as password_verify against a fixed hash of the same
 * cost and returns 0: call it when the user does not exist, so the answer
 * takes as long as for a user that does (no account enumeration by time).
 */
int	password_verify_none(const char *pw);
/* 1 when stored was made with other parameters than PASSWORD_COST (or is
 * not ours): rehash it with password_hash at the next successful login. */
int	password_needs_rehash(const char *stored);
/*
 * A random one-time password of outsz - 1 base64url characters (6 bits
 * each) and a NUL. outsz - 1 must be at least PASSWORD_MIN_CHARS and at
 * most PASSWORD_MAX_BYTES. Returns 0 or -1 (bad size, no randomness).
 */
int	password_generate(char *out, size_t outsz);

#endif
