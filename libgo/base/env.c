// SPDX-License-Identifier: Apache-2.0
/* Settings from the environment, read one way by every part of libgo. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

/* Off when unset, empty, or a word that says no: 0, false, no, off (any case). */
bool go_env_flag(const char *name)
{
	static const char *const off[] = { "0", "false", "no", "off" };
	const char *e = getenv(name);
	size_t i;

	if (!e || !*e)
		return false;
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (!strcasecmp(e, off[i]))
			return false;
	return true;
}

/* A weak, empty definition: the test build links tests/helpers/testhook.c's instead. */
__attribute__((weak)) void go_test_hook(const char *point)
{
	(void)point;
}
