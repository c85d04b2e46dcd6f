#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "err.h"

void
err_clear(struct llmops_err *err)
{
	if (err == NULL)
		return;
	err->status = 0;
	err->msg[0] = '\0';
}

int
err_set(struct llmops_err *err, int status, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return -1;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}
