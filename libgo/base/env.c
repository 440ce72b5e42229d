// SPDX-License-Identifier: Apache-2.0
/* Settings from the environment, read one way by every part of libgo. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

/*
 * The names the settings had before they were all GOTOOLS_*, still read when the new one is
 * unset (runbooks and scripts may use them).
 */
static const struct {
	const char *name, *old;
} aliases[] = {
	{ "GOTOOLS_NO_MULTI", "GOFUNC_NO_MULTI" },
	{ "GOTOOLS_NO_CALL_SITES", "GOFUNC_NO_CALL_SITES" },
	{ "GOTOOLS_NO_RETURN_SITES", "GOFUNC_NO_RETURN_SITES" },
	{ "GOTOOLS_NO_GOEXIT", "GOFUNCLATENCY_NO_GOEXIT" },
	{ "GOTOOLS_MAX_GOROUTINES", "GOFUNCLATENCY_MAX_GOROUTINES" },
	{ "GOTOOLS_MAX_SPILL", "GOFUNCLATENCY_MAX_SPILL" },
	{ "GOTOOLS_MAX_TYPES", "GOIFACE_MAX_ENTRIES" },
	{ "GOTOOLS_MAX_STACKS", "GOSTACK_MAX_STACKS" },
};

const char *go_env(const char *name)
{
	const char *v = getenv(name);
	size_t i;

	for (i = 0; !v && i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i].name, name))
			v = getenv(aliases[i].old);
	return v;
}

/* Off when unset, empty, or a word that says no: 0, false, no, off (any case). */
bool go_env_flag(const char *name)
{
	static const char *const off[] = { "0", "false", "no", "off" };
	const char *e = go_env(name);
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
