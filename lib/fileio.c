#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

int
fileio_read(const char *path, size_t maxbytes, char **out, size_t *len,
    struct llmops_err *err)
{
	FILE	*f;
	char	*buf = NULL;
	long	 n;
	int	 rc = -1;

	*out = NULL;
	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return err_set(err, 0, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		err_set(err, 0, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if ((size_t)n > maxbytes) {
		err_set(err, 0, "%s: larger than %zu bytes", path, maxbytes);
		goto out;
	}
	if ((buf = malloc((size_t)n + 1)) == NULL) {
		err_set(err, 0, "out of memory");
		goto out;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		err_set(err, 0, "%s: short read", path);
		free(buf);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = (size_t)n;
	rc = 0;
out:
	fclose(f);
	return rc;
}
