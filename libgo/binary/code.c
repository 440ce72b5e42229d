// SPDX-License-Identifier: Apache-2.0
/*
 * A binary's code as its architecture reads it: each question handed to the binary's arch,
 * with the binary's struct go_code (arch/arch.h), through which the arch's decoder reads the
 * binary's bytes and function table and keeps its own state.
 */
#include <errno.h>
#include <stdlib.h>

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

bool go_binary__restarts_at(struct go_binary *b, uint64_t pc)
{
	struct go_lines *l;
	bool r = false, in;

	if (b->tc != GO_GC || !(l = go_lines__open(b)))
		return false;
	r = go_lines__restarts_at(l, pc, &in);
	go_lines__close(l);
	return r;
}

/* Does a direct branch of in[0, n) go into (from, to]? */
static bool branch_into(const struct go_insn *in, size_t n, uint64_t from, uint64_t to)
{
	size_t j;

	for (j = 0; j < n; j++)
		if ((in[j].kind == GO_INSN_JMP || in[j].kind == GO_INSN_JCC) && in[j].ref > from &&
		    in[j].ref <= to)
			return true;
	return false;
}

/* The argument registers (a bit per code) fn takes words in: by DWARF, or its argument size;
 * all of the ABI's when neither says. */
static uint32_t arg_regs(struct go_binary *b, const struct go_func *fn)
{
	int n = go_abi__int_regs(b->arch, fn->abi, false), i;
	struct go_words w;
	uint32_t mask = 0;
	struct go_loc loc;

	if (!go_binary__words(b, fn, false, &w))
		n = w.regs < n ? w.regs : n;
	else if (fn->args >= 0 && (fn->args + 7) / 8 < n)
		n = (fn->args + 7) / 8;
	for (i = 1; i <= n; i++)
		if (!go_abi__arg(b->arch, fn->abi, i, &loc) && loc.kind == GO_LOC_REG && loc.code >= 0)
			mask |= 1u << loc.code;
	return mask;
}

/*
 * An entry site where Go's asynchronous preemption may resume (go_lines__restarts_at: arm64's
 * leaf functions that begin with ADRP X27 and a load or store through it) would count a call
 * preempted in that sequence twice. The site moves to the first instruction past the sequences
 * there, when the code up to it runs in a straight line that no branch enters and overwrites
 * none of the function's arguments; *written: the argument registers (a bit per code) the
 * instructions passed write. false: it stays (and call sites are preferred: go_binary__call_sites).
 */
static bool restart_skip(struct go_binary *b, const struct go_func *fn, uint64_t site,
			 uint64_t *to, uint32_t *written)
{
	struct go_insn *in = NULL;
	struct go_lines *l;
	size_t n = 0, i, k;
	bool ok = false, r = false;

	*written = 0;
	if (b->tc != GO_GC || !(l = go_lines__open(b)))
		return false;
	/* a function to restart at its entry (not in a sequence): nowhere to move to */
	if (!go_lines__restarts_at(l, site, &r) || !r || go_binary__decode(b, fn, &in, &n))
		goto out;
	for (i = 0; i < n && in[i].addr != site; i++)
		;
	for (k = i; k < n && (k == i || (go_lines__restarts_at(l, in[k].addr, &r), r)); k++) {
		if (in[k].kind != GO_INSN_OTHER || in[k].writes_sp)
			goto out;
		*written |= in[k].regs_written;
	}
	if (k < n && !branch_into(in, n, site, in[k].addr) && !(*written & arg_regs(b, fn))) {
		*to = in[k].addr;
		ok = true;
	}
out:
	free(in);
	go_lines__close(l);
	return ok;
}

int go_binary__entry_site(struct go_binary *b, const struct go_func *fn, uint64_t *addr, int *jcc)
{
	int err;
	struct go_code *code = code_of(b, &err);
	uint32_t written;
	uint64_t to;

	if (!code)
		return err;
	err = b->arch->entry_site(code, fn, addr, jcc);
	if (!err && restart_skip(b, fn, *addr, &to, &written)) {
		*addr = to;
		if (jcc)
			*jcc = -1;
	}
	return err;
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
