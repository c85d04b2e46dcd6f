/*
 * One line per event, to stderr (the web server puts it in its error log)
 * or to syslog. Every line carries a subsystem tag such as "[LITELLM]";
 * control characters in the message are escaped so that input can never
 * forge a line. Never pass a body, a token or a password.
 */
#ifndef LLMOPS_LOG_H
#define LLMOPS_LOG_H

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL__MAX
};

/* Tags name the subsystem; the integration guide tells users to grep for [LITELLM]. */
#define LOG_TAG_LITELLM	"LITELLM"
#define LOG_TAG_DB	"DB"
#define LOG_TAG_CONF	"CONF"
#define LOG_TAG_HTTP	"HTTP"
#define LOG_TAG_MAIN	"MAIN"
#define LOG_TAG_AUTH	"AUTH"
#define LOG_TAG_SPOOL	"SPOOL"

void	log_open(const char *ident, enum log_level, int use_syslog);
void	log_close(void);
int	log_level_parse(const char *, enum log_level *);
int	log_enabled(enum log_level);
void	log_msg(enum log_level, const char *tag, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Escapes \n \r \t, backslash and other control bytes of src into dst. */
void	log_escape(char *dst, size_t dstsz, const char *src);

#define log_error(tag, ...)	log_msg(LOG_LEVEL_ERROR, (tag), __VA_ARGS__)
#define log_warn(tag, ...)	log_msg(LOG_LEVEL_WARN, (tag), __VA_ARGS__)
#define log_info(tag, ...)	log_msg(LOG_LEVEL_INFO, (tag), __VA_ARGS__)
#define log_debug(tag, ...)	log_msg(LOG_LEVEL_DEBUG, (tag), __VA_ARGS__)

#endif
