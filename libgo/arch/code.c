// SPDX-License-Identifier: Apache-2.0
/* A binary's code as its architecture reads it: each question handed to the binary's arch. */
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

int go_binary__entry_site(struct go_binary *b, const struct go_func *fn, uint64_t *addr, int *jcc)
{
	return b->arch->entry_site(b, fn, addr, jcc);
}

int go_binary__ret_sites(struct go_binary *b, const struct go_func *fn, uint64_t **addrs,
			 size_t *cnt)
{
	return b->arch->ret_sites(b, fn, addrs, cnt);
}

int go_binary__split_ret(struct go_binary *b, const struct go_func *fn, uint64_t *addr)
{
	return b->arch->split_ret(b, fn, addr);
}

int go_binary__decode(struct go_binary *b, const struct go_func *fn, struct go_insn **insns,
		      size_t *n)
{
	return b->arch->decode(b, fn, insns, n);
}

struct go_insn_walk *go_binary__walk_new(const struct go_binary *b)
{
	return b->arch->walk_new();
}

void go_binary__walk_free(const struct go_binary *b, struct go_insn_walk *w)
{
	b->arch->walk_free(w);
}

enum go_insn_ref go_binary__ref_at(struct go_binary *b, struct go_insn_walk *w,
				   const struct go_func *fn, uint64_t pos, uint64_t target,
				   uint64_t *insn_addr)
{
	return b->arch->ref_at(b, w, fn, pos, target, insn_addr);
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
