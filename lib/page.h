/*
 * The one page frame, in the manner of cgit's cgit_print_docstart() and
 * cgit_print_error_page(): the HTML head, the dashboard's header (its
 * navigation read from the route table, the account form), the filter
 * form, the footer, and the error page. Every HTML page of the responder
 * begins and ends here; what lies between is the page's own.
 */
#ifndef LLMOPS_PAGE_H
#define LLMOPS_PAGE_H

#include "app.h"

enum page_kind {
	PAGE_DASHBOARD,		/* header, navigation, filters, footer */
	PAGE_FORM,		/* a narrow box: logging in, a password */
	PAGE_ERROR,		/* an error page */
	PAGE__MAX
};

/*
 * Starts the answer (status, HTML) with the head, the frame of kind and
 * <h1>title</h1>; the page's content follows through ui->w.
 */
void	page_begin(struct ui *, enum page_kind, int status, const char *title);
/* Closes what page_begin opened. */
void	page_end(struct ui *);
/* The error page; once an answer has begun, a message in it instead. */
void	page_error(struct ui *, int status, const char *msg);

#endif
