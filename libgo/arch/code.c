// SPDX-License-Identifier: Apache-2.0
/* A binary's code as its architecture reads it: the questions planning asks of one site. */
#include <errno.h>

#include "binary/gobin_priv.h"

bool go_binary__probeable(const struct go_binary *b, uint64_t addr)
{
	size_t len;
	const uint8_t *p = gobin_insn_bytes(b, addr, &len);

	return p && b->arch->probeable(p, len);
}

bool go_binary__emulated(const struct go_binary *b, uint64_t addr)
{
	size_t len;
	const uint8_t *p = gobin_insn_bytes(b, addr, &len);

	return p && b->arch->emulated(p, len);
}

int go_binary__goexit_site(struct go_binary *b, uint64_t *addr, int *jcc)
{
	const struct go_func *fn = NULL;

	if (b->tc == GO_GC)
		fn = go_binary__func_by_name(b, "runtime.goexit1");
	if (!fn)
		return go_fail(ENOENT, "'%s' has no runtime.goexit1", b->name);
	return go_binary__entry_site(b, fn, addr, jcc);
}
