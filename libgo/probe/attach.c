// SPDX-License-Identifier: Apache-2.0
/*
 * Probes, attached (go_bpf__detach, program.c, takes them away). They attach as one uprobe_multi link per program and binary
 * where the kernel has it (Linux 6.6+: a thousand probes up in milliseconds), else as one
 * perf-event uprobe per address. Each probe carries a cookie (the caller's index) that the
 * program reads with bpf_get_attach_cookie(). GOTOOLS_NO_MULTI=1 forces the perf-event path.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arch/arch.h"
#include "probe/probe_priv.h"
#include "probe/probe.h"

static int links_push(struct go_bpf *bpf, int fd, int perf_fd)
{
	if (bpf->nlinks == bpf->cap) {
		size_t cap = bpf->cap ? bpf->cap * 2 : 64;
		struct go_link *n = realloc(bpf->links, cap * sizeof(*n));

		if (!n)
			return go_fail(ENOMEM, "out of memory");
		bpf->links = n;
		bpf->cap = cap;
	}
	bpf->links[bpf->nlinks].fd = fd;
	bpf->links[bpf->nlinks].perf_fd = perf_fd;
	bpf->nlinks++;
	return 0;
}

static int attach_multi(struct go_bpf *bpf, int prog_fd, const char *path, const uint64_t *offsets,
			const uint64_t *cookies, size_t cnt, pid_t pid)
{
	int fd = go_bpf_sys__link_uprobe_multi(prog_fd, path, offsets, cookies, cnt, pid);

	if (fd < 0)
		return fd;
	return links_push(bpf, fd, -1);
}

static int uprobe_pmu_type(void)
{
	static int type = -1;
	FILE *f;

	if (type >= 0)
		return type;
	f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	if (!f)
		return go_fail(ENOTSUP, "this kernel has no uprobe PMU");
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	return type >= 0 ? type : go_fail(ENOTSUP, "cannot read the uprobe PMU type");
}

static int attach_one(struct go_bpf *bpf, int prog_fd, const char *path, uint64_t offset,
		      uint64_t cookie, pid_t pid)
{
	struct perf_event_attr pa;
	int type = uprobe_pmu_type(), pfd, fd;

	if (type < 0)
		return type;
	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = type;
	pa.config1 = (uint64_t)(uintptr_t)path;
	pa.config2 = offset;
	pa.sample_period = 1;
	pa.wakeup_events = 1;
	pfd = (int)syscall(__NR_perf_event_open, &pa, pid > 0 ? pid : -1, pid > 0 ? -1 : 0, -1,
			   PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	fd = go_bpf_sys__link_perf_event(prog_fd, pfd, cookie);
	if (fd < 0) {
		close(pfd);
		return fd;
	}
	return links_push(bpf, fd, pfd);
}

/* The file a path names, for messages: /proc/self/fd/N (go_binary__path) says which. */
static const char *path_name(const char *path, char *buf, size_t size)
{
	ssize_t n;

	if (strncmp(path, "/proc/self/fd/", 14))
		return path;
	n = readlink(path, buf, size - 1);
	if (n <= 0)
		return path;
	buf[n] = 0;
	return buf;
}

/*
 * The kernel's log since the attach began, which says why a uprobe was refused where the error
 * cannot: a probe at the same place with another ref_ctr_offset ("ref_ctr_offset mismatch")
 * is EINVAL, like any bad argument. bcc 0.26's Python tools register their uprobes with a
 * ref_ctr_offset of their own, so tracing a function they trace fails so. Reading the log
 * needs CAP_SYSLOG when kernel.dmesg_restrict is set; without it, nothing is said.
 */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static bool kmsg_says(int fd, const char *what)
{
	char rec[1024];
	ssize_t n;
	bool found = false;

	if (fd < 0)
		return false;
	/* one record a read; EAGAIN when there are no more, EPIPE when some were overwritten */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		found |= strstr(rec, what) != NULL;
	}
	return found;
}

/* Why the kernel refused probes with err, in words (of a failed attach of cnt at path). */
static int attach_failed(int err, size_t cnt, const char *path, int kmsg)
{
	char name[4096];

	path = path_name(path, name, sizeof(name));
	if (err == -EINVAL && kmsg_says(kmsg, "ref_ctr_offset mismatch"))
		return go_fail(EBUSY, "cannot attach %zu uprobe%s to '%s': another tool (bcc's "
			       "Python tools, for one) probes the same instruction with a different "
			       "ref_ctr_offset (the kernel log says \"ref_ctr_offset mismatch\"): "
			       "stop it, or leave that function out", cnt, cnt == 1 ? "" : "s", path);
	if (err == -524)	/* ENOTSUPP, from the instruction decoder */
		return go_fail(ENOTSUP, "cannot attach %zu uprobe%s to '%s': the kernel cannot "
			       "probe the instruction at one of the offsets (ENOTSUPP): has the file "
			       "changed since it was read?", cnt, cnt == 1 ? "" : "s", path);
	return go_fail(-err, "cannot attach %zu uprobe%s to '%s': %s", cnt, cnt == 1 ? "" : "s",
		       path, go_strerror(-err));
}

static int attach_each(struct go_bpf *bpf, int prog_fd, const char *path, const uint64_t *offsets,
		       const uint64_t *cookies, size_t cnt, pid_t pid, int kmsg)
{
	size_t i;
	int err;

	for (i = 0; i < cnt; i++) {
		err = attach_one(bpf, prog_fd, path, offsets[i], cookies[i], pid);
		if (err)
			return attach_failed(err, 1, path, kmsg);
	}
	return 0;
}

/* A probed process gone while it was attached: /proc/PID/exe no longer resolves. */
static bool pid_gone(pid_t pid)
{
	char exe[64];

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	return pid > 0 && access(exe, F_OK) && errno == ENOENT;
}

/*
 * Does pid still run or map the file at path (the one the tool read)? A process that exec'd
 * another program between the read and the attach does not: the probes are in the file read,
 * where that process no longer runs. Its executable is compared as the tool's own descriptor
 * sees it (both through the same mount, an overlayfs one in a container too); a file it maps
 * otherwise, by inode as /proc/PID/maps tells it.
 */
static bool pid_maps(pid_t pid, const char *path)
{
	char maps[64], line[512];
	unsigned long long ino;
	struct stat st, exe;
	bool found = false;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/exe", (int)pid);
	if (stat(path, &st))
		return true;	/* nothing to tell by */
	if (!stat(maps, &exe) && exe.st_dev == st.st_dev && exe.st_ino == st.st_ino)
		return true;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	if (!(f = fopen(maps, "re")))
		return true;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*x-%*x %*s %*x %*x:%*x %llu", &ino) == 1 &&
			ino == (unsigned long long)st.st_ino;
	fclose(f);
	return found;
}

int go_bpf__attach(struct go_bpf *bpf, const char *prog, const char *path,
		   const uint64_t *offsets, const uint64_t *cookies, size_t cnt, pid_t pid)
{
	const struct go_bpf_obj *p = go_bpf__obj(bpf, prog, true, false);
	const struct go_bpf_obj *m = go_bpf__obj(bpf, prog, true, true);
	char name[4096];
	int err, kmsg;

	if (!p)
		return go_fail(ENOENT, "no BPF program '%s'", prog);
	if (!cnt)
		return 0;
	go_test_hook("attach");
	/* the kernel filters by pid too; the programs check again, for older kernels */
	err = go_bpf__set_pid(bpf, pid);
	if (err)
		return err;
	kmsg = kmsg_open();
	/* a kernel without uprobe_multi refused to load the program for it: one by one then */
	if (bpf->multi && m) {
		err = attach_multi(bpf, m->fd, path, offsets, cookies, cnt, pid);
		if (err == -ESRCH || (err && pid_gone(pid)))
			err = go_fail(ESRCH, "pid %d exited before its probes were attached", (int)pid);
		else if (err)
			err = attach_failed(err, cnt, path, kmsg);
	} else {
		bpf->multi = false;
		err = attach_each(bpf, p->fd, path, offsets, cookies, cnt, pid, kmsg);
		if (err && pid_gone(pid))
			err = go_fail(ESRCH, "pid %d exited before its probes were attached", (int)pid);
	}
	if (kmsg >= 0)
		close(kmsg);
	if (err)
		return err;
	if (pid > 0 && !pid_maps(pid, path))
		return go_fail(ESRCH, "pid %d no longer runs '%s' (it ran another program by the time "
			       "the probes were attached)", (int)pid, path_name(path, name, sizeof(name)));
	return 0;
}

int go_bpf__attach_tracepoint(struct go_bpf *bpf, const char *prog, const char *event)
{
	const struct go_bpf_obj *p = go_bpf__obj(bpf, prog, true, false);
	const char *slash = strchr(event, '/');
	int fd;

	if (!p)
		return go_fail(ENOENT, "no BPF program '%s'", prog);
	fd = go_bpf_sys__raw_tracepoint_open(p->fd, slash ? slash + 1 : event);
	if (fd < 0)
		return go_fail(-fd, "cannot attach to tracepoint %s: %s", event, strerror(-fd));
	return links_push(bpf, fd, -1);
}

bool go_bpf__want_multi(void)
{
	return !go_env_flag("GOTOOLS_NO_MULTI");
}

/*
 * What a probe the kernel single-steps costs more than one it emulates, measured on this
 * process's own code: a probe on go_calib_emulated's first instruction and one on
 * go_calib_stepped's (arch/arch.h), each run some hundred times, the fastest of a few rounds
 * kept.
 */

#define CALIB_CALLS 200
#define CALIB_ROUNDS 5

/* The file offset of this process's code at addr, from its mappings of its executable. */
static int64_t self_offset(uintptr_t addr)
{
	char line[512];
	int64_t off = -1;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -errno;
	while (off < 0 && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, o;

		if (sscanf(line, "%llx-%llx %*s %llx", &lo, &hi, &o) == 3 && addr >= lo && addr < hi)
			off = (int64_t)(addr - lo + o);
	}
	fclose(f);
	return off >= 0 ? off : -ENOENT;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* The fastest of CALIB_ROUNDS rounds of CALIB_CALLS calls of fn, per call, in ns. */
static uint64_t calib_time(void (*volatile fn)(void))
{
	uint64_t best = UINT64_MAX;
	int r, i;

	for (r = 0; r < CALIB_ROUNDS; r++) {
		uint64_t t0 = now_ns(), t;

		for (i = 0; i < CALIB_CALLS; i++)
			fn();
		t = (now_ns() - t0) / CALIB_CALLS;
		if (t < best)
			best = t;
	}
	return best;
}

int go_bpf__step_cost(struct go_bpf *bpf, const char *prog, uint64_t *ns)
{
	int64_t push = self_offset((uintptr_t)go_calib_emulated),
		sub = self_offset((uintptr_t)go_calib_stepped);
	uint64_t offs[2], cookies[2] = { 0, 0 }, emulated, stepped;
	int err;

	*ns = 0;
	if (push < 0 || sub < 0)
		return go_fail(ENOENT, "cannot find this program's own code in /proc/self/maps");
	offs[0] = (uint64_t)push;
	offs[1] = (uint64_t)sub;
	err = go_bpf__attach(bpf, prog, "/proc/self/exe", offs, cookies, 2, getpid());
	if (!err) {
		emulated = calib_time(go_calib_emulated);
		stepped = calib_time(go_calib_stepped);
		*ns = stepped > emulated ? stepped - emulated : 0;
	}
	go_bpf__detach(bpf);
	go_bpf__set_pid(bpf, 0);
	return err;
}

