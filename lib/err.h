/*
 * The error a library function fills for its caller: an HTTP-style status
 * (meaningful for request handling, 0 elsewhere) and one line of text that
 * is safe to log and to show to the client.
 */
#ifndef LLMOPS_ERR_H
#define LLMOPS_ERR_H

#define ERR_MSG_BYTES	512

struct llmops_err {
	int	status;
	char	msg[ERR_MSG_BYTES];
};

void	err_clear(struct llmops_err *);
/* Fills err (if not NULL) and returns -1, so callers can `return err_set(...)`. */
int	err_set(struct llmops_err *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
