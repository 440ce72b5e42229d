// SPDX-License-Identifier: Apache-2.0
/* One place for libgo's failure messages: functions fail with go_fail(), tools print
 * libgo_errmsg() with go_warn(). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static __thread char errmsg[4096];	/* a message may quote a whole probe */

const char *libgo_errmsg(void)
{
	return errmsg[0] ? errmsg : "unknown error";
}

int go_fail(int err, const char *fmt, ...)
{
	va_list ap;

	char raw[sizeof(errmsg)];
	const char *msg;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* a message quotes names and paths others chose: one line, escaped */
	msg = go_esc(raw, errmsg, sizeof(errmsg));
	if (msg == raw)
		memcpy(errmsg, raw, sizeof(errmsg));
	return -err;
}

/* The kernel's internal codes that reach user space (include/linux/errno.h), by name. */
const char *go_strerror(int errnum)
{
	switch (errnum) {
	case 524:	/* ENOTSUPP */
		return "not supported by the kernel (ENOTSUPP)";
	case 525:	/* ETOOSMALL */
		return "buffer too small (ETOOSMALL)";
	case 527:	/* EBADTYPE */
		return "type not supported by the kernel (EBADTYPE)";
	default:
		return strerror(errnum);
	}
}

/* One line to stderr, prefixed with the tool's name. */
void go_warn(const char *fmt, ...)
{
	va_list ap;
	char *line = NULL;
	size_t len;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* one line, whatever names it quotes: all but its own newline escaped */
	len = (size_t)n;
	if (len && line[len - 1] == '\n')
		line[--len] = 0;
	fprintf(stderr, "%s: ", program_invocation_short_name);
	go_esc_fputs(stderr, line, false);
	if (len < (size_t)n)
		fputc('\n', stderr);
	free(line);
}
