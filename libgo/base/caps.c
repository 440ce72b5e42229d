// SPDX-License-Identifier: Apache-2.0
/* The capabilities this process has (capget), for the messages that say what is missing. */
#include <linux/capability.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/base.h"

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

bool go_has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	return cap >= 0 && cap < 64 && !syscall(SYS_capget, &h, d) && has_cap(d, cap);
}
