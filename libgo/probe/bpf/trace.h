/* SPDX-License-Identifier: Apache-2.0 */
/* gotrace's event record, as trace.bpf.c sends it and tools/gotrace.c reads it. */
#ifndef GO_TRACE_H
#define GO_TRACE_H

#include <linux/types.h>

#include "iface.h"
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

struct go_tevent {
	__u64 ts;
	__u32 pid;
	__u32 tid;
	__u64 goid;
	__u32 probe;
	__u32 func;		/* the function's index in the probe's target (from the cookie) */
	__u32 cpu;
	__u32 pad;
	char comm[16];		/* TASK_COMM_LEN */
	__u64 args[GO_TRACE_MAX_ARGS];
	__u32 slen[GO_TRACE_MAX_STRS];
	char str[GO_TRACE_MAX_STRS][GO_TRACE_STR_LEN];
	/* sent only by probes that print an interface with %v: its struct's words (iface.h) */
	struct go_ivx ivx[GO_TRACE_MAX_STRS];
	/* sent only with user stacks: the record ends here otherwise */
	struct go_walk walk;
};

#endif
