/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gofuncslower's records, as funcslower.bpf.c keeps them and tools/gofuncslower.c reads them:
 * where a goroutine's time went while it is in a traced call (on CPU, runnable, in system
 * calls, waiting by the runtime's wait reason), each slow call's record, and the settings.
 */
#ifndef GO_FUNCSLOWER_H
#define GO_FUNCSLOWER_H

#include <linux/types.h>

#include "funclatency.h"
#include "labels.h"
#include "stackwalk.h"


#define GO_SLOW_WAITS 64	/* wait reasons kept apart (g.waitreason); past them: 0, "" */
#define GO_SLOW_SYSCALLS 8	/* system calls kept apart per goroutine; past them: other */
#define GO_SLOW_ARGS 9		/* argument words -a may print: the register ABI's integers */
#define GO_SLOW_RINGBUF_PAGES 256
#define GO_SLOW_MAX_GOROUTINES 65536	/* goroutines in a traced call at once */
#define GO_SLOW_MAX_CALLS 65536	/* traced calls in progress at once */

/* A system call's count and time; nr is its number + 1, 0 for a slot not used yet. */
struct go_slow_sys {
	__u32 nr;
	__u32 count;
	__u64 ns;
};

/* Where a goroutine's time went, in ns: its parts add up to the time they cover. */
struct go_slow_times {
	__u64 oncpu;		/* running (_Grunning) on a thread on a CPU, out of system calls */
	__u64 runnable;		/* _Grunnable or preempted; or running, its thread off CPU */
	__u64 syscall;		/* its thread in a system call (raw_syscalls), on CPU or off */
	__u64 wait[GO_SLOW_WAITS];	/* _Gwaiting, by g.waitreason */
	struct go_slow_sys sys[GO_SLOW_SYSCALLS];
	struct go_slow_sys other;	/* the system calls past sys's slots, nr 0 */
};

/* What a goroutine does now, as go_slow_acct.state says. */
enum go_slow_state {
	GO_SLOW_RUNNING,	/* its thread (task) runs it: on CPU or not, in a system call or not */
	GO_SLOW_RUNNABLE,
	GO_SLOW_WAITING,	/* for reason */
};

/*
 * A goroutine in a traced call: its times since its first traced call began (go_slow_times
 * first, so that a call's snapshot of them is a map value of its own), and its state since.
 */
struct go_slow_acct {
	struct go_slow_times t;
	__u64 since;		/* when the times were last brought up to date */
	__u64 sys_start;	/* when its thread entered the system call it is in */
	__u64 task;		/* GO_SLOW_RUNNING: its thread, as bpf_get_current_task() gives it */
	__u32 state;		/* enum go_slow_state */
	__u32 reason;		/* GO_SLOW_WAITING: g.waitreason */
	__u32 oncpu;		/* that thread is on a CPU */
	__u32 insys;		/* that thread is in a system call, of number sysnr */
	__u32 sysnr;
};

/* A traced call in progress, known by its goroutine and its depth in its stack (calls.bpf.h). */
struct go_slow_call_key {
	struct go_lat_gid id;
	__u32 depth;
	__u32 pad;
};

/* A call's argument words at its entry (-a). */
struct go_slow_args {
	__u64 w[GO_SLOW_ARGS];
};

/* A slow call, at its return. */
struct go_slow_event {
	__u64 start_ns;		/* CLOCK_MONOTONIC */
	__u64 lat_ns;
	__u64 goid;
	__u64 rval;		/* the first integer result register at the return, which holds
				 * the call's first result where GO_SLOW_EV_RVAL says */
	__u32 pid;
	__u32 tid;
	__u32 func;
	__u32 flags;		/* GO_SLOW_EV_* */
	char comm[16];
	struct go_labels_key labels;	/* --labels, -j: its goroutine's label set (labelsets) at
					 * the return; 0, 0 when none or not asked */
	__u64 args[GO_SLOW_ARGS];
	struct go_slow_times t;
	struct go_walk stack;	/* -U: at the return (GO_SLOW_EV_STACK) */
};
#define GO_SLOW_EV_ARGS 1U	/* args were kept at the entry */
#define GO_SLOW_EV_STACK 2U	/* stack holds the walk */
#define GO_SLOW_EV_RVAL 4U	/* rval is the call's first result (not overwritten) */

/* gofuncslower's settings, in slowcfg. */
struct go_slow_config {
	__u64 min_ns;		/* calls that took less are not told */
	__s32 goid_off;		/* of goid in runtime.g, -1 when unknown */
	__u32 nargs;		/* -a: argument words to keep at the entry */
	__u32 arg_codes[GO_SLOW_ARGS];	/* the register ABI's integer registers, by code */
	__u32 ustack;		/* -U: walk each slow call's stack at its return */
	__u32 labels;		/* --labels, -j: keep each slow call's goroutine's labels */
	__u32 pad;
};

/* Indices into slowstats: what could not be told. */
enum go_slow_stat {
	GO_SLOW_LOST,		/* slow calls the ring buffer had no room for */
	GO_SLOW_NO_ROOM,	/* calls whose goroutine or start found no room */
	GO_SLOW_CORO_UNSEEN,	/* coroutine switches whose next goroutine (or gp's wait
				 * reason) could not be read */
	GO_SLOW_STAT_CNT,
};

#endif
