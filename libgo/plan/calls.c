// SPDX-License-Identifier: Apache-2.0
/*
 * Entering a function at its callers.
 *
 * x86 uprobes single-step most instructions out of line, which costs a trap (~15 us on a VM),
 * but emulate a direct CALL or JMP (~1 us). A leaf function's entry is usually an instruction
 * that must be single-stepped. When every way into such a function is a direct CALL or JMP,
 * probing those instead sees each call once, at a fraction of the cost. That holds when nothing
 * in the binary holds the function's address any other way: no function value (funcval) or
 * interface table (itab) in data, no method table's text offset, no address computed in code
 * (LEAQ), no conditional branch to it.
 *
 * The code is searched by its bytes for every rel32, rel8 or absolute operand that would name
 * one of the functions, and each hit is decoded to tell a CALL or JMP from another reference
 * (or from bytes that only look like one); data is searched word by word, PIE relocations by
 * addend. Anything unsure keeps the function at its entry site. For a wide pattern one pass
 * finds the call sites of every function of the binary (~0.3 s for 8,000 functions); they are
 * kept in the tools' cache (calls_cache.c), so that later runs, of any pattern, read them
 * instead.
 */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binary/binary_priv.h"
#include "plan/sites.h"
#include "plan/plan.h"


struct target {
	uint64_t entry;
	size_t idx;		/* into the caller's arrays */
};

struct scan {
	struct go_binary *b;
	struct target *t;	/* sorted by entry */
	size_t n;
	uint64_t lo, hi;	/* the range the bitmap covers */
	uint8_t *bits;		/* one bit per address in [lo, hi): an entry of a target */
	struct go_call_sites *out;
	struct go_insn_walk *walk;
};

static int target_cmp(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Is addr the entry of a target? The bitmap answers; it is asked for every byte of code. */
static inline bool scan_maybe(const struct scan *s, uint64_t addr)
{
	const struct go_addr_bits want = { s->bits, s->lo, s->hi };

	return go_addr_bits__has(&want, addr);
}

static struct go_call_sites *scan_find(const struct scan *s, uint64_t addr)
{
	struct target key = { .entry = addr }, *t;

	if (!scan_maybe(s, addr))
		return NULL;
	t = bsearch(&key, s->t, s->n, sizeof(*s->t), target_cmp);
	return t ? &s->out[t->idx] : NULL;
}

static int sites_add(struct go_call_sites *cs, uint64_t addr, uint8_t sp_adj)
{
	size_t i;

	for (i = 0; i < cs->cnt; i++)
		if (cs->addrs[i] == addr)
			return 0;
	if (cs->cnt == MAX_CALL_SITES) {
		go_call_sites__drop(cs);
		return 0;
	}
	if (!(cs->cnt & (cs->cnt - 1))) {	/* 0, 1, 2, 4, ...: the arrays are full */
		size_t cap = cs->cnt ? cs->cnt * 2 : 1;
		uint64_t *a = realloc(cs->addrs, cap * sizeof(*a));
		uint8_t *p;

		if (!a)
			return go_fail(ENOMEM, "out of memory");
		cs->addrs = a;
		p = realloc(cs->sp_adj, cap);
		if (!p)
			return go_fail(ENOMEM, "out of memory");
		cs->sp_adj = p;
	}
	cs->addrs[cs->cnt] = addr;
	cs->sp_adj[cs->cnt++] = sp_adj;
	return 0;
}

/* Bytes at code address pos may name target: decode them. */
static int scan_code_hit(struct scan *s, uint64_t pos, uint64_t target)
{
	struct go_call_sites *cs = scan_find(s, target);
	const struct go_func *fn;
	uint64_t insn = 0;

	if (!cs || !cs->usable)
		return 0;
	fn = go_binary__func_at(s->b, pos);
	if (!fn) {		/* code that is no Go function's (cgo's C) */
		go_call_sites__drop(cs);
		return 0;
	}
	switch (go_binary__ref_at(s->b, s->walk, fn, pos, target, &insn)) {
	case GO_REF_NONE:
		return 0;
	case GO_REF_CALL:
		/* the callee's SP is below the pushed return address */
		return sites_add(cs, insn, (uint8_t)s->b->arch->call_push);
	case GO_REF_JMP:
		return sites_add(cs, insn, 0);
	case GO_REF_OTHER:
		break;
	}
	go_call_sites__drop(cs);
	return 0;
}

/* Operands that begin at p[0, count) (p holds len >= count bytes) and name a target. */
static int scan_code_cb(void *ctx, uint64_t pos, uint64_t target)
{
	return scan_code_hit(ctx, pos, target);
}

static int scan_code(struct scan *s, const uint8_t *p, size_t len, size_t count, uint64_t vaddr)
{
	const struct go_addr_bits want = { s->bits, s->lo, s->hi };

	return s->b->arch->code_refs(p, len, count, vaddr, !s->b->pie, &want, scan_code_cb, s);
}

static inline void drop_at(struct scan *s, uint64_t addr)
{
	struct go_call_sites *cs;

	if (!scan_maybe(s, addr))
		return;
	cs = scan_find(s, addr);

	if (cs && cs->usable)
		go_call_sites__drop(cs);
}

/*
 * Function values, itabs and method tables: a data word that names a target disqualifies it.
 * Words that begin at p[0, count).
 */
static void scan_data(struct scan *s, const uint8_t *p, size_t len, size_t count, uint64_t vaddr)
{
	size_t i = (8 - vaddr % 8) % 8;

	for (; i < count && i + 8 <= len; i += 8) {
		uint64_t w = 0;

		memcpy(&w, p + i, 8);
		drop_at(s, w);
	}
	if (s->b->tc != GO_GC || !s->b->text_start)
		return;
	for (i = (4 - vaddr % 4) % 4; i < count && i + 4 <= len; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, 4);
		drop_at(s, s->b->text_start + w);	/* a method's textOff */
	}
}

/* PIE: pointers in data are relocations, to an addend (RELATIVE) or a symbol plus one. */
static void scan_rela(struct scan *s, Elf_Data *d, size_t cnt, Elf_Data *syms)
{
	size_t i;

	for (i = 0; i < cnt; i++) {
		GElf_Rela r;
		GElf_Sym sym;

		if (!gelf_getrela(d, (int)i, &r))
			continue;
		drop_at(s, (uint64_t)r.r_addend);
		if (GELF_R_SYM(r.r_info) && syms && gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym))
			drop_at(s, sym.st_value + (uint64_t)r.r_addend);
	}
}

/*
 * Sections that hold no pointer a program could call through. Go's own may carry a prefix:
 * .data.rel.ro.gopclntab in a Go 1.19 PIE.
 */
static bool section_inert(const char *name)
{
	static const char *const inert[] = {
		".interp", ".dynstr", ".dynsym", ".gnu.hash", ".hash", ".eh_frame",
		".eh_frame_hdr", ".gcc_except_table",
	};
	static const char *const go_inert[] = { ".gopclntab", ".gosymtab", ".go.buildinfo" };
	size_t i, len = strlen(name);

	for (i = 0; i < sizeof(inert) / sizeof(inert[0]); i++)
		if (!strcmp(name, inert[i]))
			return true;
	for (i = 0; i < sizeof(go_inert) / sizeof(go_inert[0]); i++)
		if (len >= strlen(go_inert[i]) && !strcmp(name + len - strlen(go_inert[i]), go_inert[i]))
			return true;
	return !strncmp(name, ".note", 5) || !strncmp(name, ".gnu.version", 12);
}

/*
 * A section's bytes, read from the file a piece at a time rather than through the binary's
 * mapping, so that they do not stay resident: only the callers decoded at hits are mapped in.
 * Each piece has 8 more bytes, for the operands and words that begin at its end.
 */
#define SCAN_PIECE (1 << 20)

static int scan_file(struct scan *s, uint64_t off, uint64_t size, uint64_t vaddr, bool code)
{
	uint8_t *buf = malloc(SCAN_PIECE + 8);
	uint64_t done = 0;
	int err = 0;

	if (!buf)
		return go_fail(ENOMEM, "out of memory");
	while (done < size && !err) {
		size_t count = size - done < SCAN_PIECE ? size - done : SCAN_PIECE;
		size_t want = size - done < SCAN_PIECE + 8 ? size - done : SCAN_PIECE + 8;
		ssize_t n = pread(s->b->fd, buf, want, (off_t)(off + done));

		if (n != (ssize_t)want) {
			err = go_fail(ENOEXEC, "cannot read '%s'", s->b->name);
			break;
		}
		if (code)
			err = scan_code(s, buf, want, count, vaddr + done);
		else
			scan_data(s, buf, want, count, vaddr + done);
		done += count;
	}
	free(buf);
	return err;
}

static int scan_sections(struct scan *s)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int err;

	if (elf_getshdrstrndx(s->b->elf, &shstrndx))
		return go_fail(ENOEXEC, "cannot read the sections of '%s'", s->b->name);
	while ((scn = elf_nextscn(s->b->elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || sh.sh_type == SHT_NOBITS)
			continue;
		if (sh.sh_offset > s->b->size || sh.sh_size > s->b->size - sh.sh_offset)
			return go_fail(ENOEXEC, "a section of '%s' runs past its end", s->b->name);
		name = elf_strptr(s->b->elf, shstrndx, sh.sh_name);
		if (!name || section_inert(name))
			continue;
		if (sh.sh_type == SHT_RELA && sh.sh_entsize) {
			Elf_Scn *link = elf_getscn(s->b->elf, sh.sh_link);
			Elf_Data *d = elf_getdata(scn, NULL);

			if (d)
				scan_rela(s, d, sh.sh_size / sh.sh_entsize,
					  link ? elf_getdata(link, NULL) : NULL);
		} else if (sh.sh_type != SHT_REL) {
			err = scan_file(s, sh.sh_offset, sh.sh_size, sh.sh_addr,
					sh.sh_flags & SHF_EXECINSTR);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * One pass over the binary for the call sites of n functions at once: the code is searched for
 * every operand that names any of them (a bitmap of their entries answers for each byte), and
 * only the instructions that hold such bytes are decoded, each caller once, in address order.
 */
static int scan_targets(struct go_binary *b, const struct go_func *const *fns, size_t n,
			struct go_call_sites *out, bool all)
{
	struct scan s = { .b = b, .n = 0, .out = out };
	size_t i;
	int err = 0;

	s.t = calloc(n, sizeof(*s.t));
	if (!s.t)
		return go_fail(ENOMEM, "out of memory");
	s.lo = UINT64_MAX;
	for (i = 0; i < n; i++) {
		uint64_t site;

		/* an entry site the kernel emulates is cheap already, but for one Go's preemption
		 * may run twice (go_binary__restarts_at), where a call would count twice */
		if (go_binary__entry_site(b, fns[i], &site, NULL) ||
		    (!all && go_binary__emulated(b, site) && !go_binary__restarts_at(b, site)))
			continue;
		out[i].usable = true;
		s.t[s.n].entry = fns[i]->entry;
		s.t[s.n++].idx = i;
		if (fns[i]->entry < s.lo)
			s.lo = fns[i]->entry;
		if (fns[i]->entry >= s.hi)
			s.hi = fns[i]->entry + 1;
	}
	if (!s.n)
		goto out;
	qsort(s.t, s.n, sizeof(*s.t), target_cmp);
	s.bits = calloc((s.hi - s.lo + 7) / 8, 1);
	s.walk = go_binary__walk_new(b);
	if (!s.bits || !s.walk) {
		err = go_fail(ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < s.n; i++)
		s.bits[(s.t[i].entry - s.lo) / 8] |= 1u << ((s.t[i].entry - s.lo) % 8);
	err = scan_sections(&s);
out:
	for (i = 0; i < n; i++)
		if (err || !out[i].cnt)
			go_call_sites__drop(&out[i]);
	if (err == -ENOEXEC)
		err = 0;	/* a binary it cannot read through: every function at its entry */
	go_binary__walk_free(b, s.walk);
	free(s.bits);
	free(s.t);
	return err;
}

/*
 * Finding the callers of a few functions decodes only the functions that call them; of more,
 * nearly every function: the whole binary is scanned, and kept, only for a pattern wider than
 * this one (before it is cached).
 */
#define NARROW 64

/*
 * Is addr a direct CALL (sp_adj: the arch's call_push) or JMP (sp_adj 0) to target, in Go
 * code? Its bytes say (the arch's branch). That it begins an instruction is not proved again
 * (decoding each caller from its entry took 0.15 s a run for runtime.* of Go's compiler): the
 * scan that wrote the file found it so, and only root can write a file whose name and digest
 * match.
 */
static bool site_ok(const struct go_binary *b, uint64_t addr, uint64_t target, uint8_t sp_adj)
{
	const struct go_arch *arch = go_binary__arch(b);
	struct go_branch br;
	const uint8_t *p;
	size_t len;

	if (!go_binary__func_at(b, addr) || !(p = gobin_insn_bytes(b, addr, &len)) ||
	    !arch->branch(p, len, addr, &br))
		return false;
	return br.target == target &&
	       sp_adj == (br.kind == GO_BRANCH_CALL ? arch->call_push : 0);
}

/* Are the cached sites of fns (out[0, n)) what the binary holds (site_ok())? */
static bool calls_verify(const struct go_binary *b, const struct go_func *const *fns, size_t n,
			 const struct go_call_sites *out)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; out[i].usable && k < out[i].cnt; k++)
			if (!site_ok(b, out[i].addrs[k], fns[i]->entry, out[i].sp_adj[k]))
				return false;
	return true;
}

/* The sites of every function of b, found in one pass and kept in the cache. */
static int calls_all(struct go_binary *b, const uint8_t *key, struct go_call_sites *all)
{
	const struct go_func **fns;
	size_t i;
	int err;

	fns = malloc(b->nfuncs * sizeof(*fns));
	if (!fns)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < b->nfuncs; i++)
		fns[i] = &b->funcs[i];
	err = scan_targets(b, fns, b->nfuncs, all, false);
	free(fns);
	if (!err)
		go_calls_cache__write(b, key, all);
	return err;
}

/* out[i]: all's sites of fns[i] (taken from all), for the functions of b's table. */
static void calls_take(struct go_binary *b, const struct go_func *const *fns, size_t n,
		       struct go_call_sites *all, struct go_call_sites *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t k = (size_t)(fns[i] - b->funcs);

		if (k >= b->nfuncs || fns[i] != &b->funcs[k])
			continue;	/* not of this table: at its entry site */
		out[i] = all[k];
		memset(&all[k], 0, sizeof(all[k]));
	}
}

int go_binary__call_sites(struct go_binary *b, const struct go_func *const *fns, size_t n,
			  struct go_call_sites *out)
{
	uint8_t key[GO_KEY_LEN];
	struct go_call_sites *all;
	int err = 0;

	memset(out, 0, n * sizeof(*out));
	if (b->tc != GO_GC || !n)
		return 0;	/* gccgo: functions begin with an emulated push anyway */
	if (go_calls_cache__key(b, key))	/* not cached: scanned every run */
		return scan_targets(b, fns, n, out, false);
	all = calloc(b->nfuncs ? b->nfuncs : 1, sizeof(*all));
	if (!all)
		return go_fail(ENOMEM, "out of memory");
	if (!go_calls_cache__read(b, key, all)) {
		calls_take(b, fns, n, all, out);
		if (calls_verify(b, fns, n, out))
			goto out;
		/* not what this binary holds: found again, and kept in place of what was read */
		go_call_sites__free(out, n);
		go_call_sites__free(all, b->nfuncs);
		memset(all, 0, b->nfuncs * sizeof(*all));
	} else if (n <= NARROW) {	/* not cached yet: the callers of a few functions cost less */
		free(all);
		return scan_targets(b, fns, n, out, false);
	}
	err = calls_all(b, key, all);
	if (!err)
		calls_take(b, fns, n, all, out);
out:
	go_call_sites__free(all, b->nfuncs);
	free(all);
	return err;
}

int go_binary__callers(struct go_binary *b, const struct go_func *const *fns, size_t n,
		       struct go_call_sites *out)
{
	memset(out, 0, n * sizeof(*out));
	return b->tc == GO_GC && n ? scan_targets(b, fns, n, out, true) : 0;
}
