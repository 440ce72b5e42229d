/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the probe layer: compiled programs as the cache keeps them (bpf.c, bpfcache.c). */
#ifndef LIBGO_BPF_PRIV_H
#define LIBGO_BPF_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "gobpf.h"

#define GO_BPF_MAX_MAPS 16
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

struct go_bpf_image {
	int32_t nmaps, nprogs;
	struct go_bpf_image_map maps[GO_BPF_MAX_MAPS];
	struct go_bpf_image_prog progs[GO_BPF_MAX_PROGS];
};

/* The cache file for a program text, or -1 when caching is off or the directory untrusted. */
int go_bpf_cache__path(const char *text, bool multi, char *path, size_t size);
int go_bpf_cache__write(const char *path, const struct go_bpf_image *img);
int go_bpf_cache__read(const char *path, struct go_bpf_image *img);
void go_bpf_image__free(struct go_bpf_image *img);

#endif
