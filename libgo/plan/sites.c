// SPDX-License-Identifier: Apache-2.0
/* A function's call sites (struct go_call_sites), as the scan (calls.c) and its cache
 * (calls_cache.c) fill them: let go of them. */
#include <stdlib.h>
#include <string.h>

#include "plan/sites.h"

void go_call_sites__drop(struct go_call_sites *cs)
{
	free(cs->addrs);
	free(cs->sp_adj);
	memset(cs, 0, sizeof(*cs));
}

void go_call_sites__free(struct go_call_sites *cs, size_t n)
{
	size_t i;

	for (i = 0; cs && i < n; i++)
		go_call_sites__drop(&cs[i]);
}
