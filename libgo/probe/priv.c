// SPDX-License-Identifier: Apache-2.0
/*
 * What the tools need of the kernel's privileges, checked before anything is loaded: without it,
 * the first BPF syscall fails with a bare EPERM, or the compiler's child fails somewhere else.
 *
 * Loading a BPF program of a tracing type needs CAP_BPF and CAP_PERFMON (bpf_capable and
 * perfmon_capable in the kernel), and so does a uprobe (perf_event_open, uprobe_multi links);
 * CAP_SYS_ADMIN stands for both. Root has all three unless they were dropped.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe/probe.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/*
 * Capabilities count in the user namespace they were given in: root of a namespace made by
 * unshare or a rootless container has them all there, and none in the initial namespace,
 * where BPF and uprobes check them. The initial namespace maps every uid to itself.
 */
static bool in_user_namespace(void)
{
	unsigned long inside, outside, count;
	FILE *f = fopen("/proc/self/uid_map", "re");
	int n;

	if (!f)
		return false;
	n = fscanf(f, "%lu %lu %lu", &inside, &outside, &count);
	fclose(f);
	return n == 3 && !(inside == 0 && outside == 0 && count == 4294967295ul);
}

int go_bpf__check_privileges(void)
{
	bool able = go_has_cap(CAP_SYS_ADMIN) || (go_has_cap(CAP_BPF) && go_has_cap(CAP_PERFMON));

	if (able && in_user_namespace())
		return go_fail(EPERM, "runs in a user namespace, whose root the kernel does not let "
			       "load BPF programs or attach uprobes: run it as root of the host");
	if (able)
		return 0;
	return go_fail(EPERM, "needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) to load "
		       "BPF programs and attach uprobes");
}
