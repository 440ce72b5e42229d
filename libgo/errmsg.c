// SPDX-License-Identifier: Apache-2.0
/* One place for libgo's failure messages: functions fail with go_fail(), tools print
 * libgo_errmsg(). */
#include <stdarg.h>
#include <stdio.h>

#include "libgo.h"

static __thread char errmsg[512];

const char *libgo_errmsg(void)
{
	return errmsg[0] ? errmsg : "unknown error";
}

int go_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return -err;
}
