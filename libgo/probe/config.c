// SPDX-License-Identifier: Apache-2.0
/*
 * What every tool tells its loaded program about whom to trace: the process (-p), and bcc's
 * other task filters (filter.h), in go_config and go_cgroup (common.bpf.h), and the scope of
 * the calls traced (--label, labels.h) in go_scope (labels.bpf.h), checked by the programs at
 * each hit.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "probe/bpf/filter.h"
#include "probe/bpf/labels.h"
#include "probe/probe_priv.h"
#include "probe/probe.h"

int go_bpf__set_pid(struct go_bpf *bpf, pid_t pid)
{
	int fd = go_bpf__map_fd(bpf, "go_config");
	struct go_filter f = { 0 };
	uint32_t zero = 0;

	if (fd < 0)
		return fd;
	go_map__lookup(fd, &zero, &f);	/* an array's element is always there */
	f.tgid = pid > 0 ? (uint32_t)pid : 0;
	return go_map__update(fd, &zero, &f) ? go_fail(EIO, "cannot set the traced pid") : 0;
}

/* The cgroup v2 directory at path into go_cgroup[0], for bpf_current_task_under_cgroup(). */
static int set_cgroup(struct go_bpf *bpf, const char *path)
{
	int map_fd = go_bpf__map_fd(bpf, "go_cgroup"), fd, err;
	uint32_t zero = 0;

	if (map_fd < 0)
		return map_fd;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return go_fail(errno, "cannot open cgroup '%s': %s", path, strerror(errno));
	err = go_map__update(map_fd, &zero, &fd);
	close(fd);
	if (err)
		return go_fail(-err, "'%s' is not a cgroup v2 directory", path);
	return 0;
}

int go_bpf__set_filter(struct go_bpf *bpf, const struct go_filter *filter, const char *cgroup)
{
	int fd = go_bpf__map_fd(bpf, "go_config"), err;
	struct go_filter f = *filter;
	uint32_t zero = 0;

	if (fd < 0)
		return fd;
	if (cgroup) {
		err = set_cgroup(bpf, cgroup);
		if (err)
			return err;
		f.flags |= GO_FILTER_CGROUP;
	}
	return go_map__update(fd, &zero, &f) ? go_fail(EIO, "cannot set the traced tasks") : 0;
}

int go_bpf__set_scope(struct go_bpf *bpf, const struct go_scope *scope)
{
	int fd = go_bpf__map_fd(bpf, "go_scope");
	uint32_t zero = 0;

	if (fd < 0)
		return fd;
	return go_map__update(fd, &zero, scope) ? go_fail(EIO, "cannot set the labels to trace") : 0;
}

int go_bpf__scope_lost(struct go_bpf *bpf, uint32_t kind, uint64_t *n)
{
	int fd = go_bpf__map_fd(bpf, "go_scope_lost");

	*n = 0;
	return fd < 0 ? fd : go_map__sum_percpu(fd, kind, n);
}
