/* Whole-file reads with a size limit (migrations, price tables). */
#ifndef LLMOPS_FILEIO_H
#define LLMOPS_FILEIO_H

#include <stddef.h>

#include "err.h"

/*
 * Reads path into a new NUL-terminated buffer (*out, owned by the caller).
 * Refuses files larger than maxbytes. Returns 0 or -1 (err).
 */
int	fileio_read(const char *path, size_t maxbytes, char **out, size_t *len,
	    struct llmops_err *);

#endif
