/* SPDX-License-Identifier: Apache-2.0 */
/* gotrace's event record, as trace.bpf.c sends it and tools/gotrace.c reads it. */
#ifndef GO_TRACE_H
#define GO_TRACE_H

#include <linux/types.h>

#include "iface.h"
#include "labels.h"
#include "stackwalk.h"

#define GO_TRACE_MAX_ARGS 12
#define GO_TRACE_MAX_STRS 3
#define GO_TRACE_STR_LEN 128	/* a power of two */
/* The ring buffer's pages as compiled; the tool sizes it when it loads the program (-b). */
#define GO_TRACE_RINGBUF_PAGES 512	/* 2 MiB: bursts of ~4,000 events */

/* gotrace's settings, in its program's config map. */
struct go_trace_config {
	__u32 str_size;		/* -Z: bytes a string takes, its NUL included; 0: GO_TRACE_STR_LEN */
	__u32 flags;		/* GO_TRACE_* */
};
#define GO_TRACE_USER_STACKS 1U	/* -U: each record ends with the user stack */
#define GO_TRACE_NOTE_PROCS 2U	/* note each process's first probe (go_procs): PIE types */
#define GO_TRACE_LABELS 4U	/* -j, --labels: each record names its goroutine's label set */

/*
 * A composite value for %v (a struct, an array, a slice, a map, a pointer to one), as a probe
 * copies it by its plan (go_vplan, in the map vplans, made by libgo/binary/composite.c from the
 * type): the value's own bytes at buf[0] (from its address, or its registers placed where its
 * fields lie in memory), then bounded reads, each from an address (and a length) found in what
 * was copied before: what a pointer, a slice, a string or a map's header points to. User space
 * formats it from the type as fmt does; what was not copied is marked, never guessed.
 */
#define GO_TRACE_VAL_BUF 4096	/* reads start below half of it and copy at most half */
#define GO_TRACE_VREADS 32
#define GO_TRACE_VPLACES 16
#define GO_VREAD_NOLEN 0xffff	/* a read of max bytes, with no length word */
#define GO_VREAD_ROOT 0xff	/* a read's parent: the value's own bytes */
#define GO_VREAD_FAULT 0xffff	/* got: the read failed */

struct go_vread {
	__u16 src;		/* buf offset of the address word */
	__u16 len;		/* buf offset of the length word, or GO_VREAD_NOLEN */
	__u16 scale;		/* bytes per unit of the length (an element's size) */
	__u16 max;		/* bytes copied at most: below GO_TRACE_VAL_BUF / 2 */
	__u16 dst;		/* buf offset of the copy: below GO_TRACE_VAL_BUF / 2 */
	__u8 parent;		/* the read that copied src and len, or GO_VREAD_ROOT */
	__u8 pad;
};

struct go_vplace {
	__u16 off;		/* buf offset of a register's bytes */
	__u8 size;		/* 1, 2, 4 or 8 */
	__u8 pad;
};

struct go_vplan {
	__u32 root;		/* bytes of the value at its address; 0: it is in registers */
	__s32 root_off;		/* its address: the selector's last word plus this */
	__u32 nplaces;		/* in registers: the probe's words, placed */
	__u32 nreads;
	struct go_vplace place[GO_TRACE_VPLACES];
	struct go_vread read[GO_TRACE_VREADS];
};

#define GO_TRACE_MAX_VPLANS 16	/* one a probe */

struct go_tval {
	__u16 root;		/* bytes of buf[0] copied; GO_VREAD_FAULT: unreadable */
	__u16 got[GO_TRACE_VREADS];	/* bytes each read copied; GO_VREAD_FAULT: unreadable */
	__u16 pad[3];
	__u8 buf[GO_TRACE_VAL_BUF];
};

struct go_tevent {
	__u64 ts;
	__u32 pid;
	__u32 tid;
	__u64 goid;
	__u32 probe;
	__u32 func;		/* the function's index in the probe's target (from the cookie) */
	__u32 cpu;
	__u32 xbad;		/* GO_XERR_* of each variable read by a plan: 2 bits, by variable */
	char comm[16];		/* TASK_COMM_LEN */
	struct go_labels_key labels;	/* with GO_TRACE_LABELS, in labelsets; else 0, 0 */
	__u64 args[GO_TRACE_MAX_ARGS];
	__u32 slen[GO_TRACE_MAX_STRS];
	char str[GO_TRACE_MAX_STRS][GO_TRACE_STR_LEN];
	/* sent only by probes that print an interface with %v: its struct's words (iface.h) */
	struct go_ivx ivx[GO_TRACE_MAX_STRS];
	/* sent only with user stacks, and by probes that print a composite value */
	struct go_walk walk;
	/* sent only by probes that print a composite value with %v (go_vplan, above) */
	struct go_tval val;
};

/*
 * A selector's plan of reads (go_xexpr, libgo/binary/selector.c): from the one or two words
 * where the value starts (a register or stack word: a pointer, or a slice's data and length),
 * each step reads what the previous one found. Set in the map xplans at load, by probe and
 * variable: one compiled program serves every expression, and nothing read from a binary is
 * compiled.
 */
#define GO_TRACE_XSTEPS 8
#define GO_TRACE_MAX_PLANS 256	/* 16 probes of 16 variables */
#define GO_XOP_LOAD 1		/* v = size bytes at v + off (v == 0: a nil dereference) */
#define GO_XOP_LOAD0 2		/* the same, but v == 0 gives 0: len of a nil map */
#define GO_XOP_LOAD2 3		/* v, v2 = the 16 bytes at v + off: a string's or slice's header */
#define GO_XOP_INDEX 4		/* the slice header at v + off: idx < its length, v = data + add */
#define GO_XOP_INDEXR 5		/* the same of the header in v, v2 (the base words) */

struct go_xstep {
	__s32 off;
	__u8 op;		/* GO_XOP_* */
	__u8 size;		/* bytes a load reads: 1 to 16 */
	__u16 pad;
	__u32 idx;		/* INDEX: the index, checked against the length */
	__u32 add;		/* INDEX: idx times the element's size */
};

struct go_xplan {
	__u32 nsteps;
	__u32 pad;
	struct go_xstep step[GO_TRACE_XSTEPS];
};

/* What a plan's read met, 2 bits per variable in go_tevent.xbad */
#define GO_XERR_FAULT 1		/* memory that could not be read */
#define GO_XERR_NIL 2		/* a nil pointer dereferenced */
#define GO_XERR_RANGE 3		/* an index past a slice's length */

/* A filter's string literal, compared in the kernel with a string's bytes (xlits). */
#define GO_TRACE_LIT_LEN 64	/* a power of two */
#define GO_TRACE_MAX_LITS 64	/* 16 probes of 4 literals */
#define GO_TRACE_LITS_PER_PROBE 4
struct go_xlit {
	__u32 len;
	char s[GO_TRACE_LIT_LEN];
};

#endif
