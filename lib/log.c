#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "llmops_limits.h"
#include "log.h"

static const char *const level_names[LOG_LEVEL__MAX] = {
	"error", "warn", "info", "debug",
};
static const int level_syslog[LOG_LEVEL__MAX] = {
	LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG,
};

static const char	*log_ident = "llmops";
static enum log_level	 log_threshold = LOG_LEVEL_INFO;
static int		 log_syslog;

void
log_open(const char *ident, enum log_level level, int use_syslog)
{
	log_ident = ident;
	log_threshold = level;
	if (log_syslog)
		closelog();
	log_syslog = use_syslog;
	if (log_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_close(void)
{
	if (log_syslog)
		closelog();
	log_syslog = 0;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	int	i;

	for (i = 0; i < LOG_LEVEL__MAX; i++)
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

int
log_enabled(enum log_level level)
{
	return level <= log_threshold;
}

void
log_escape(char *dst, size_t dstsz, const char *src)
{
	size_t		 o = 0;
	unsigned char	 c;
	char		 esc[5];
	size_t		 n;

	if (dstsz == 0)
		return;
	for (; (c = (unsigned char)*src) != '\0'; src++) {
		if (c == '\n')
			n = (size_t)snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\r')
			n = (size_t)snprintf(esc, sizeof(esc), "\\r");
		else if (c == '\t')
			n = (size_t)snprintf(esc, sizeof(esc), "\\t");
		else if (c == '\\')
			n = (size_t)snprintf(esc, sizeof(esc), "\\\\");
		else if (c < 0x20 || c == 0x7f)
			n = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c);
		else if (c == 0xc2 && (unsigned char)src[1] >= 0x80 &&
		    (unsigned char)src[1] <= 0x9f) {
			/* C1 controls (CSI, NEL) in UTF-8 steer terminals too. */
			n = (size_t)snprintf(esc, sizeof(esc), "\\x%02x",
			    (unsigned char)src[1]);
			src++;
		}
		else {
			esc[0] = (char)c;
			n = 1;
		}
		if (o + n >= dstsz)
			break;
		memcpy(dst + o, esc, n);
		o += n;
	}
	dst[o] = '\0';
}

void
log_msg(enum log_level level, const char *tag, const char *fmt, ...)
{
	char		 raw[LIMIT_LOG_LINE_BYTES];
	/*
	 * A byte escapes to at most four ("\x01"), so the escaped line is
	 * never cut: only raw is, and its "..." marker stays.
	 */
	char		 line[LIMIT_LOG_LINE_BYTES * 4];
	char		 stamp[32];
	va_list		 ap;
	int		 n;
	time_t		 now;
	struct tm	 tm;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(raw))
		memcpy(raw + sizeof(raw) - 4, "...", 4);
	log_escape(line, sizeof(line), raw);

	if (log_syslog) {
		syslog(level_syslog[level], "[%s] %s", tag, line);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s[%ld]: %s: [%s] %s\n", stamp, log_ident,
	    (long)getpid(), level_names[level], tag, line);
	fflush(stderr);
}
