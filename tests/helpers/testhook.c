// SPDX-License-Identifier: Apache-2.0
/*
 * The test build's hook (libgo's go_test_hook(), which does nothing in the tools): linked into
 * tests/helpers/gofunccount-test, a gofunccount that, with GOTOOLS_TEST_STOP=POINT in its
 * environment, stops itself (SIGSTOP) at that point and goes on at SIGCONT, so that a test can
 * change the world under it at a known moment. POINT "attach": before each attach of probes,
 * after the binary was read and the probes planned.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "libgo.h"

void go_test_hook(const char *point)
{
	const char *want = getenv("GOTOOLS_TEST_STOP");

	if (want && !strcmp(want, point))
		raise(SIGSTOP);
}
