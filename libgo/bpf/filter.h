/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Who the BPF programs trace: the tasks bcc's options select (-p PID, -L TID, --uid UID, -c CPU,
 * -c CGROUP_PATH), checked in the kernel at each hit with the BPF helpers that bcc's tools use.
 * Set at run time in go_config (common.bpf.h) by go_bpf__set_pid and go_bpf__set_filter, so
 * that one compiled program serves every setting. Included by the BPF programs and the C code.
 */
#ifndef GO_FILTER_H
#define GO_FILTER_H

#include <linux/types.h>

#define GO_FILTER_ANY 0xffffffffU	/* uid, cpu: no filter */

struct go_filter {
	__u32 tgid;		/* the process, 0 for all (go_bpf__set_pid) */
	__u32 tid;		/* the thread, 0 for all */
	__u32 uid;		/* the user, GO_FILTER_ANY for all */
	__u32 cpu;		/* the CPU, GO_FILTER_ANY for all */
	__u32 cgroup;		/* 1: only tasks in the cgroup in go_cgroup[0] or below it */
};

#define GO_FILTER_INIT { 0, 0, GO_FILTER_ANY, GO_FILTER_ANY, 0 }

#endif
