// SPDX-License-Identifier: Apache-2.0
/* Settings from the environment, read one way by every part of libgo. */
#include <stdlib.h>
#include <string.h>

#include "libgo.h"

bool go_env_flag(const char *name)
{
	const char *e = getenv(name);

	return e && *e && strcmp(e, "0");
}

/* A weak, empty definition: the test build links tests/helpers/testhook.c's instead. */
__attribute__((weak)) void go_test_hook(const char *point)
{
	(void)point;
}
