/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the probe layer: the objects and images program.c, compile.c, attach.c, image_cache.c,
 * config.c and sys.c share. */
#ifndef LIBGO_BPF_PRIV_H
#define LIBGO_BPF_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"

/* Declared here: Debian's linux/bpf.h predates uprobe_multi. */
enum {
	CMD_MAP_CREATE = 0,
	CMD_MAP_LOOKUP_ELEM = 1,
	CMD_MAP_UPDATE_ELEM = 2,
	CMD_MAP_DELETE_ELEM = 3,
	CMD_MAP_GET_NEXT_KEY = 4,
	CMD_PROG_LOAD = 5,
	CMD_RAW_TRACEPOINT_OPEN = 17,
	CMD_LINK_CREATE = 28,
	PROG_TYPE_KPROBE = 2,
	PROG_TYPE_RAW_TRACEPOINT = 17,
	MAP_TYPE_ARRAY = 2,
	MAP_TYPE_ARRAY_OF_MAPS = 12,
	ATTACH_PERF_EVENT = 41,
	ATTACH_UPROBE_MULTI = 48,
};

#define INSN_LD_IMM64 0x18
#define PSEUDO_MAP_FD 1

#define GO_BPF_MAX_MAPS 48	/* gofuncslower's, with --label's and --within's */
#define GO_BPF_MAX_PROGS 40
#define PATH_MAX_LEN 4096

/* A map as BPF_MAP_CREATE takes it. */
struct go_bpf_image_map {
	char name[64];
	uint32_t type, key_size, value_size, max_entries, flags;
};

/*
 * A program's instructions; each map reference (a 64-bit immediate load of a map fd) holds the
 * map's index in the image instead of a descriptor.
 */
struct go_bpf_image_prog {
	struct {
		char name[64];
		char license[16];
		uint32_t insn_cnt;
		uint32_t kern_version;
		uint32_t multi;		/* loaded for uprobe_multi links */
		uint32_t pad;
	} hdr;
	uint64_t *insns;
};

/* A file the compile read (libbcc, the kernel headers' configuration), as it was then. */
struct go_bpf_dep {
	char path[256];
	uint64_t dev, ino, size, mtime_ns, ctime_ns;
};

#define GO_BPF_MAX_DEPS 8
#define GO_BPF_MAX_INSNS 1000000

struct go_bpf_image {
	int32_t nmaps, nprogs, ndeps;
	struct go_bpf_image_map maps[GO_BPF_MAX_MAPS];
	struct go_bpf_image_prog progs[GO_BPF_MAX_PROGS];
	struct go_bpf_dep deps[GO_BPF_MAX_DEPS];
};

#define MAX_OBJS 64
#define NAME_LEN 64

struct go_bpf_obj {
	char name[NAME_LEN];
	int fd;
	bool prog, multi;
};

struct go_link {
	int fd;
	int perf_fd;
};

struct go_bpf {
	struct go_bpf_obj objs[MAX_OBJS];
	int nobjs;
	struct go_link *links;
	size_t nlinks, cap;
	bool multi;		/* uprobe_multi in use */
};

/* A program or map of bpf by its name; prog and multi say which kind. NULL when there is none. */
const struct go_bpf_obj *go_bpf__obj(const struct go_bpf *bpf, const char *name, bool prog,
				     bool multi);
/* Compile spec with libbcc in a child process, taking its programs and maps into bpf; the child
 * keeps them in the cache under key (unless NULL). 0 or a negative errno (compile.c). */
int go_bpf__compile(struct go_bpf *bpf, const struct go_bpf_spec *spec, const uint8_t *key);
/* m as spec shapes it (go_bpf_map_shape); false when spec leaves it as compiled. */
bool go_bpf_spec__apply_shape(const struct go_bpf_spec *spec, struct go_bpf_image_map *m);

/* The bpf() commands (sys.c): a file descriptor, 0, or a negative errno. */
int go_bpf_sys__map_create(const struct go_bpf_image_map *m);
/*
 * The kind of program a BPF function is, by its name: a kernel raw tracepoint's when it begins
 * with GO_BPF_TP_PREFIX (go_bpf__attach_tracepoint), else a probe's (PROG_TYPE_KPROBE, uprobes).
 */
#define GO_BPF_TP_PREFIX "tp_"
uint32_t go_bpf_sys__prog_type(const char *name);
/* Loads p with its map indices replaced by the descriptors in map_fds[0, nmaps). */
int go_bpf_sys__prog_load(struct go_bpf_image_prog *p, const int *map_fds, int nmaps);
int go_bpf_sys__map_elem(int cmd, int fd, const void *key, void *value, uint64_t flags);
/* Wait until every BPF program running now has returned (go_bpf__sync). */
int go_bpf_sys__sync(void);
int go_bpf_sys__link_uprobe_multi(int prog_fd, const char *path, const uint64_t *offsets,
				  const uint64_t *cookies, size_t cnt, pid_t pid);
int go_bpf_sys__link_perf_event(int prog_fd, int perf_fd, uint64_t cookie);
/* Attach prog_fd to the kernel's raw tracepoint name (sched_switch): a descriptor, or -errno. */
int go_bpf_sys__raw_tracepoint_open(int prog_fd, const char *name);

/*
 * The cache (image_cache.c): the key of a program's text (a SHA-256 digest of it and of all else
 * that decides what libbcc makes of it), -ENOENT when the cache is off (GOTOOLS_NO_CACHE); an
 * image by its key, from the cache or else the images made at build time, read whole, checked
 * and fresh (-ESTALE: what it was compiled from changed), or written to the cache.
 */
int go_bpf_cache__key(const char *text, uint8_t key[32]);
int go_bpf_cache__read(const uint8_t key[32], struct go_bpf_image *img);
int go_bpf_cache__write(const uint8_t key[32], const struct go_bpf_image *img);
/* An image from a cache file's contents, every count, name and map reference checked. */
int go_bpf_image__parse(const uint8_t *p, size_t len, struct go_bpf_image *img);
void go_bpf_image__free(struct go_bpf_image *img);
/* d: path as st says it is now. */
struct stat;
void go_bpf_dep__set(struct go_bpf_dep *d, const char *path, const struct stat *st);

#endif
