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

/* Which of uid, cpu and the cgroup are set: a zeroed filter (a new map's) traces every task. */
#define GO_FILTER_UID 1U
#define GO_FILTER_CPU 2U
#define GO_FILTER_CGROUP 4U	/* only tasks in the cgroup in go_cgroup[0] or below it */

struct go_filter {
	__u32 tgid;		/* the process, 0 for all (go_bpf__set_pid) */
	__u32 tid;		/* the thread, 0 for all */
	__u32 uid;		/* the user, with GO_FILTER_UID */
	__u32 cpu;		/* the CPU, with GO_FILTER_CPU */
	__u32 flags;
};

#endif
