/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a Go release lays out where (amd64): the pclntab's header, _func and inlinedCall records,
 * the runtime's moduledata, g and m. libgo/binary/release.c owns every such offset; the readers
 * of binaries, the planners and the tools ask it, never a literal of their own.
 */
#ifndef LIBGO_BINARY_LAYOUT_H
#define LIBGO_BINARY_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a fact came from. */
enum go_fact_src {
	GO_FACT_UNKNOWN,	/* nothing says: the fact is not there to use (never a guess) */
	GO_FACT_DWARF,		/* the binary's own DWARF */
	GO_FACT_TABLE,		/* release.c's table for the binary's Go release or pclntab version */
};

/* An offset in bytes (or a size, or a value where its comment says); -1 when unknown. */
struct go_fact {
	int val;
	enum go_fact_src src;
};

/* How g.labels holds a goroutine's pprof labels. */
enum go_labels_form {
	GO_LABELS_UNKNOWN,
	GO_LABELS_MAP,		/* Go 1.16-1.23: a pointer to a map[string]string */
	GO_LABELS_SLICE,	/* Go 1.24+: a pointer to a []struct{key, value string}, by key */
};

/* How gc's maps are laid out (a map value is a pointer to the header). */
enum go_map_form {
	GO_MAPS_UNKNOWN,	/* gccgo, or a release libgo does not know */
	GO_MAPS_HASH,		/* Go 1.16-1.23: runtime.hmap and its buckets */
	GO_MAPS_SWISS,		/* Go 1.24+: internal/runtime/maps.Map, its groups and tables */
};

/*
 * One binary's layouts. The pclntab's and moduledata's come from the table, decided by the
 * pclntab's magic and the Go release (the tests check them against each release's DWARF);
 * g's and m's, which the probes read, from DWARF where the binary has it, else from the table.
 */
struct go_layout {
	int minor;			/* 126 for go1.26.x; 0 when unknown (gccgo, no build info) */
	int pcln_version;		/* 112 (Go 1.2-1.15), 116 (1.16-1.17), 118 (1.18-1.19),
					 * 120 (1.20+); 0 without a pclntab (gccgo) */
	uint64_t moduledata;		/* link-time address of runtime.firstmoduledata, or 0 */
	enum go_labels_form labels_form;
	enum go_map_form map_form;
	struct go_fact regabi;		/* 1: the register ABI (Go 1.17+, g in R14), 0: ABI0 */
	struct {			/* runtime.pcHeader: offsets of its words */
		struct go_fact nfunc, text_start, funcname, cu, filetab, pctab, pcln;
		struct go_fact ftab_entry;	/* size of a functab entry: {entry, funcoff} */
	} hdr;
	struct {			/* runtime._func */
		struct go_fact entry, name, args, deferreturn, pcsp, pcfile, pcln, npcdata, cu,
			start_line, func_id, flag, nfuncdata;
		struct go_fact pcdata;		/* where the pcdata table offsets begin */
		struct go_fact funcdata_size;	/* 8: addresses (1.16-1.17); 4: offsets from
						 * moduledata.gofunc */
		struct go_fact wrapper_id;	/* value: the funcID of compiler-made wrappers */
	} func;
	struct {			/* runtime.inlinedCall: an inline tree's entry */
		struct go_fact size, parent, func_id, file, line, name, parent_pc, start_line;
	} inl;
	struct {			/* runtime.moduledata */
		struct go_fact funcnametab, pclntable, ftab, text, types, etypes, gofunc,
			textsectmap;
	} md;
	struct {			/* runtime.g */
		struct go_fact stack_hi, m, atomicstatus, goid, waitreason, labels;
		struct go_fact coroarg, coroexit;	/* Go 1.22+: its coroutine switch's */
	} g;
	struct {			/* runtime.m */
		struct go_fact g0, procid, gsignal, curg;
	} m;
	struct {			/* runtime.coro (Go 1.22+, iter.Pull's) */
		struct go_fact gp;		/* the goroutine blocked in it, to run next */
	} coro;
	struct {			/* runtime.hmap (Go < 1.24: the labels' map[string]string) */
		struct go_fact count, b, buckets, oldbuckets;
	} hmap;
};

/* Offset of stack.hi in runtime.g in every release: g starts with its stack bounds {lo, hi}. */
#define GO_G_STACK_HI 8

/* The pclntab's indexes and flags, the same in every release since Go 1.16. */
#define GO_PCDATA_UNSAFE_POINT 0
#define GO_PCDATA_INL_TREE_INDEX 2
/*
 * PCDATA_UnsafePoint's values of where an asynchronous preemption resumes: Restart1 and Restart2
 * mark a sequence (alternating, so that two in a row stay apart) that resumes at its first
 * instruction, RestartAtEntry at the function's entry (LR machines' REGTMP sequences: arm64's
 * ADRP X27 and the load or store through it).
 */
#define GO_UNSAFE_RESTART1 (-3)
#define GO_UNSAFE_RESTART2 (-4)
#define GO_UNSAFE_RESTART_AT_ENTRY (-5)
#define GO_FUNCDATA_INL_TREE 3
#define GO_FUNC_FLAG_TOP_FRAME 1
#define GO_FUNC_FLAG_SPWRITE 2	/* it writes SP in a way the pcsp table cannot say (1.17+) */
#define GO_FUNC_FLAG_ASM 4	/* written in assembly: ABI0 (1.18+) */

struct go_binary;

/*
 * bin's layouts (gc; for gccgo every fact is unknown). The first call reads the binary's DWARF
 * when it has some. Owned by bin.
 */
const struct go_layout *go_binary__layout(struct go_binary *bin);
/*
 * What bin's DWARF alone says of each fact (unknown where it has none), for checking the table:
 * the version, moduledata and labels_form are the table's. -ENOENT without DWARF.
 */
int go_binary__layout_dwarf(struct go_binary *bin, struct go_layout *out);

/* The facts one by one, for printing: the i-th's name ("g.goid"); NULL past the last. */
const struct go_fact *go_layout__fact(const struct go_layout *l, size_t i, const char **name);
const char *go_fact_src__name(enum go_fact_src src);

#endif /* LIBGO_BINARY_LAYOUT_H */
