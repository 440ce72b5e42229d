/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interface arguments as the BPF programs read them and the C code reads their results:
 * goiface's configuration and count keys (iface.bpf.c, tools/goiface.c), and the flags of a
 * value read in a probe (iface.bpf.h, which gotrace's %T and %v use too). Included by both.
 */
#ifndef GO_IFACE_H
#define GO_IFACE_H

#include <linux/types.h>

#include "ivalue.h"

/* What an interface's first word is. */
enum { GO_IFACE_TYPE, GO_IFACE_ITAB, GO_IFACE_GUESS };

/* Where a word of an argument is. */
enum { GO_IN_NONE, GO_IN_REG, GO_IN_STACK };

struct go_iface_word {
	__u8 where;		/* GO_IN_* */
	__u8 reg;		/* GO_IN_REG: a register's code (go_arch__reg_code, GO_ARG_REGS) */
	__u16 pad;
	__s32 off;		/* GO_IN_STACK: from SP at the callee's entry */
};

#define GO_IFACE_NSLOTS 4	/* interface arguments per function goiface counts */
#define GO_IFACE_STR_LEN 64	/* bytes of a string kept with -V (a power of two) */

struct go_iface_slot {
	struct go_iface_word w[2];
	__u32 mode;		/* GO_IFACE_* */
};

struct go_iface_cfg {
	struct go_iface_slot slot[GO_IFACE_NSLOTS];
	__u32 values;		/* -V: copy each value too */
};

/* With -i, goiface's intervals alternate between two epochs (its dropped calls are per epoch). */
#define GO_IFACE_EPOCHS 2

/*
 * goiface's count key; with -V also the value. Without -V the map's keys are its first
 * GO_IFACE_KEY_TYPES bytes (the map is made so at load), the rest left zero.
 */
struct go_iface_key {
	__u64 type;		/* the dynamic type's address in the process; 0: nil */
	__u32 pid;
	__u16 func;
	__u8 slot;
	__u8 flags;		/* GO_IV_* */
	__u8 kind;		/* the type's Kind_ and TFlag bytes */
	__u8 tflag;
	__u8 epoch;		/* the interval's parity when counted (-i: goiface's epoch map) */
	__u8 pad[5];
	__u64 word[2];		/* the value's bytes, or its address for pointer-shaped types */
	char str[GO_IFACE_STR_LEN];
	struct go_ivx x;
};
#define GO_IFACE_KEY_TYPES 24	/* where word begins */

#endif
