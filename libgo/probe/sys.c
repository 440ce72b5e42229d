// SPDX-License-Identifier: Apache-2.0
/*
 * The bpf() system call: the attribute structs the kernel takes, declared here because Debian's
 * linux/bpf.h predates uprobe_multi, and one function for each command the probe layer uses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe/probe_priv.h"

struct attr_map_elem {
	uint32_t map_fd;
	uint32_t pad;
	uint64_t key;
	uint64_t value;		/* or next_key */
	uint64_t flags;
};

struct attr_map_create {
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t inner_map_fd;
	uint32_t numa_node;
	char map_name[16];
};

struct attr_prog_load {
	uint32_t prog_type;
	uint32_t insn_cnt;
	uint64_t insns;
	uint64_t license;
	uint32_t log_level;
	uint32_t log_size;
	uint64_t log_buf;
	uint32_t kern_version;
	uint32_t prog_flags;
	char prog_name[16];
	uint32_t prog_ifindex;
	uint32_t expected_attach_type;
};

struct attr_link_create {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	union {
		struct {
			uint64_t bpf_cookie;
		} perf_event;
		struct {
			uint64_t path;
			uint64_t offsets;
			uint64_t ref_ctr_offsets;
			uint64_t cookies;
			uint32_t cnt;
			uint32_t flags;
			uint32_t pid;
		} uprobe_multi;
	};
};

struct attr_raw_tracepoint {
	uint64_t name;
	uint32_t prog_fd;
	uint32_t pad;
};

static int sys_bpf(int cmd, void *attr, unsigned size)
{
	return (int)syscall(__NR_bpf, cmd, attr, size);
}

int go_bpf_sys__map_create(const struct go_bpf_image_map *m)
{
	struct attr_map_create a;

	memset(&a, 0, sizeof(a));
	a.map_type = m->type;
	a.key_size = m->key_size;
	a.value_size = m->value_size;
	a.max_entries = m->max_entries;
	a.map_flags = m->flags;
	snprintf(a.map_name, sizeof(a.map_name), "%.15s", m->name);
	return sys_bpf(CMD_MAP_CREATE, &a, sizeof(a));
}

int go_bpf_sys__prog_load(struct go_bpf_image_prog *p, const int *map_fds, int nmaps)
{
	struct attr_prog_load a;
	uint32_t i;

	for (i = 0; i < p->hdr.insn_cnt; i++) {
		uint8_t *b = (uint8_t *)&p->insns[i];
		int32_t idx;

		if (b[0] != INSN_LD_IMM64)
			continue;
		if ((b[1] >> 4) == PSEUDO_MAP_FD) {
			memcpy(&idx, b + 4, 4);
			if (idx < 0 || idx >= nmaps)
				return -EINVAL;	/* go_bpf_image__parse() let none through */
			memcpy(b + 4, &map_fds[idx], 4);
		}
		i++;
	}
	memset(&a, 0, sizeof(a));
	a.prog_type = go_bpf_sys__prog_type(p->hdr.name);
	a.insn_cnt = p->hdr.insn_cnt;
	a.insns = (uint64_t)(uintptr_t)p->insns;
	a.license = (uint64_t)(uintptr_t)p->hdr.license;
	a.kern_version = p->hdr.kern_version;
	snprintf(a.prog_name, sizeof(a.prog_name), "%.15s", p->hdr.name);
	a.expected_attach_type = p->hdr.multi ? ATTACH_UPROBE_MULTI : 0;
	return sys_bpf(CMD_PROG_LOAD, &a, sizeof(a));
}

uint32_t go_bpf_sys__prog_type(const char *name)
{
	return strncmp(name, GO_BPF_TP_PREFIX, strlen(GO_BPF_TP_PREFIX)) ? PROG_TYPE_KPROBE :
									    PROG_TYPE_RAW_TRACEPOINT;
}

/*
 * The kernel waits for every BPF program running on any CPU to finish (synchronize_rcu) when
 * user space replaces an element of a map of maps: such a map, of one tiny array, made once,
 * is the tools' way to wait for the programs that began before a change to their maps.
 */
/* An array of one 4-byte value: of the map inner when it is not negative, a map of maps. */
static int sync_map_create(int inner)
{
	struct attr_map_create a;

	memset(&a, 0, sizeof(a));
	a.map_type = inner < 0 ? MAP_TYPE_ARRAY : MAP_TYPE_ARRAY_OF_MAPS;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	a.inner_map_fd = inner < 0 ? 0 : (uint32_t)inner;
	return sys_bpf(CMD_MAP_CREATE, &a, sizeof(a));
}

int go_bpf_sys__sync(void)
{
	static int outer = -1, inner = -1;
	uint32_t zero = 0;

	if (inner < 0 && (inner = sync_map_create(-1)) < 0)
		return -errno;
	if (outer < 0 && (outer = sync_map_create(inner)) < 0)
		return -errno;
	return go_bpf_sys__map_elem(CMD_MAP_UPDATE_ELEM, outer, &zero, &inner, 0);
}

int go_bpf_sys__map_elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	struct attr_map_elem a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = flags;
	return sys_bpf(cmd, &a, sizeof(a)) ? -errno : 0;
}


int go_bpf_sys__link_uprobe_multi(int prog_fd, const char *path, const uint64_t *offsets,
				  const uint64_t *cookies, size_t cnt, pid_t pid)
{
	struct attr_link_create a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = prog_fd;
	a.attach_type = ATTACH_UPROBE_MULTI;
	a.uprobe_multi.path = (uint64_t)(uintptr_t)path;
	a.uprobe_multi.offsets = (uint64_t)(uintptr_t)offsets;
	a.uprobe_multi.cookies = (uint64_t)(uintptr_t)cookies;
	a.uprobe_multi.cnt = (uint32_t)cnt;
	a.uprobe_multi.pid = pid > 0 ? (uint32_t)pid : 0;
	fd = sys_bpf(CMD_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

int go_bpf_sys__link_perf_event(int prog_fd, int perf_fd, uint64_t cookie)
{
	struct attr_link_create a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = prog_fd;
	a.target_fd = perf_fd;
	a.attach_type = ATTACH_PERF_EVENT;
	a.perf_event.bpf_cookie = cookie;
	fd = sys_bpf(CMD_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

int go_bpf_sys__raw_tracepoint_open(int prog_fd, const char *name)
{
	struct attr_raw_tracepoint a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.name = (uint64_t)(uintptr_t)name;
	a.prog_fd = (uint32_t)prog_fd;
	fd = sys_bpf(CMD_RAW_TRACEPOINT_OPEN, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}
