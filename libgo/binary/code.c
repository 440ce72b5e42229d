// SPDX-License-Identifier: Apache-2.0
/*
 * A binary's code as its architecture reads it: each question handed to the binary's arch,
 * with the binary's struct go_code (arch/arch.h), through which the arch's decoder reads the
 * binary's bytes and function table and keeps its own state.
 */
#include <errno.h>

#include "binary/binary_priv.h"

static const uint8_t *code_bytes(void *ctx, uint64_t addr, size_t len)
{
	return gobin_bytes(ctx, addr, len);
}

static const struct go_func *code_func_at(void *ctx, uint64_t addr)
{
	return go_binary__func_at(ctx, addr);
}

/* The decoder's state, freed when the binary closes and when planning is done with it. */
static void code_free(struct go_binary *b)
{
	b->arch->code_free(&b->code);
}

/* b's code for its arch's decoder; NULL (*err) when its state could not be registered. */
static struct go_code *code_of(struct go_binary *b, int *err)
{
	*err = gobin_on_close(b, code_free, true);
	if (*err)
		return NULL;
	b->code.ctx = b;
	b->code.name = b->name;
	b->code.bytes = code_bytes;
	b->code.func_at = code_func_at;
	return &b->code;
}

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

bool go_binary__call_at(const struct go_binary *b, uint64_t addr)
{
	size_t len;
	const uint8_t *p = gobin_insn_bytes(b, addr, &len);
	struct go_branch br;

	return p && b->arch->branch(p, len, addr, &br) && br.kind == GO_BRANCH_CALL;
}

int go_binary__entry_site(struct go_binary *b, const struct go_func *fn, uint64_t *addr, int *jcc)
{
	int err;
	struct go_code *code = code_of(b, &err);

	return code ? b->arch->entry_site(code, fn, addr, jcc) : err;
}

int go_binary__ret_sites(struct go_binary *b, const struct go_func *fn, uint64_t **addrs,
			 size_t *cnt)
{
	int err;
	struct go_code *code = code_of(b, &err);

	return code ? b->arch->ret_sites(code, fn, addrs, cnt) : err;
}

int go_binary__split_ret(struct go_binary *b, const struct go_func *fn, uint64_t *addr)
{
	int err;
	struct go_code *code = code_of(b, &err);

	return code ? b->arch->split_ret(code, fn, addr) : err;
}

int go_binary__decode(struct go_binary *b, const struct go_func *fn, struct go_insn **insns,
		      size_t *n)
{
	int err;
	struct go_code *code = code_of(b, &err);

	return code ? b->arch->decode(code, fn, insns, n) : err;
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
	int err;
	struct go_code *code = code_of(b, &err);

	/* as when the decoder cannot start: assume the worst */
	return code ? b->arch->ref_at(code, w, fn, pos, target, insn_addr) : GO_REF_OTHER;
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
