// SPDX-License-Identifier: Apache-2.0
/* One place for libgo's failure messages: functions fail with go_fail(), tools print
 * libgo_errmsg(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

static __thread char errmsg[512];

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
