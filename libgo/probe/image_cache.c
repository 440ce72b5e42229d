// SPDX-License-Identifier: Apache-2.0
/*
 * A cache of compiled BPF programs. libbcc's compile is most of a tool's start-up (clang parses
 * the kernel's headers every time); the same tool with the same settings compiles to the same
 * instructions, so the instructions and the maps they use are kept in the tools' cache
 * (cache.c) and loaded again without libbcc. The kernel verifies them again at every load.
 *
 * A program is keyed by everything that decides what libbcc makes of it: its text (the same
 * for every setting: settings are data written at load), the kernel's release and version, and
 * the environment libbcc reads to find kernel headers. An image holds each program twice, for
 * perf-event uprobes and for uprobe_multi links, whichever a run uses. What the compile read from files (libbcc itself, the kernel
 * headers' configuration and version) is recorded in the file, each by its identity (device,
 * inode, size, times): a program is compiled again once any of them changed. One removed since
 * does not count: a cached program needs neither libbcc nor the headers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "probe/probe_priv.h"
#include "base/cache_priv.h"
#include "probe/probe.h"

#define CACHE_MAGIC "GOBPF04"	/* with its NUL, 8 bytes */
#define CACHE_EXT ".bpf"

int go_bpf_cache__key(const char *text, uint8_t key[GO_KEY_LEN])
{
	struct utsname u;
	go_hash h;

	if (!go_cache__dir())
		return -ENOENT;
	uname(&u);
	go_hash__init(&h);
	go_hash__str(&h, CACHE_MAGIC);
	go_hash__str(&h, u.release);
	go_hash__str(&h, u.version);
	go_hash__str(&h, u.machine);
	go_hash__str(&h, getenv("BCC_KERNEL_SOURCE"));
	go_hash__str(&h, getenv("BCC_KERNEL_MODULES_SUFFIX"));
	go_hash__str(&h, text);
	go_hash__end(&h, key);
	return 0;
}

void go_bpf_dep__set(struct go_bpf_dep *d, const char *path, const struct stat *st)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->dev = st->st_dev;
	d->ino = st->st_ino;
	d->size = (uint64_t)st->st_size;
	d->mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000ull + (uint64_t)st->st_mtim.tv_nsec;
	d->ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000ull + (uint64_t)st->st_ctim.tv_nsec;
}

/* Is what img was compiled from as it was (or gone)? */
static bool deps_fresh(const struct go_bpf_image *img)
{
	struct go_bpf_dep now;
	struct stat st;
	int i;

	for (i = 0; i < img->ndeps; i++) {
		if (stat(img->deps[i].path, &st))
			continue;
		go_bpf_dep__set(&now, img->deps[i].path, &st);
		if (memcmp(&now, &img->deps[i], sizeof(now)))
			return false;
	}
	return true;
}

/* ---- the file's contents ------------------------------------------------------------------- */

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

/*
 * A program's instructions may refer to the image's maps (by index) and to nothing else that
 * a 64-bit immediate load could name; the last instruction cannot begin such a load.
 */
static bool insns_ok(const uint64_t *insns, uint32_t cnt, int nmaps)
{
	uint32_t i;

	for (i = 0; i < cnt; i++) {
		const uint8_t *b = (const uint8_t *)&insns[i];
		int32_t idx;

		if (b[0] != INSN_LD_IMM64)
			continue;
		if (i + 1 >= cnt || ((b[1] >> 4) != 0 && (b[1] >> 4) != PSEUDO_MAP_FD))
			return false;
		memcpy(&idx, b + 4, 4);
		if ((b[1] >> 4) == PSEUDO_MAP_FD && (idx < 0 || idx >= nmaps))
			return false;
		i++;	/* the second half of the load */
	}
	return true;
}

int go_bpf_image__parse(const uint8_t *p, size_t len, struct go_bpf_image *img)
{
	struct go_cache_reader r = { p, p + len };
	bool ok;
	int i;

	memset(img, 0, sizeof(*img));
	ok = go_cache__take(&r, &img->nmaps, sizeof(img->nmaps)) &&
	     go_cache__take(&r, &img->nprogs, sizeof(img->nprogs)) &&
	     go_cache__take(&r, &img->ndeps, sizeof(img->ndeps)) &&
	     img->nmaps >= 0 && img->nmaps <= GO_BPF_MAX_MAPS &&
	     img->nprogs >= 0 && img->nprogs <= GO_BPF_MAX_PROGS &&
	     img->ndeps >= 0 && img->ndeps <= GO_BPF_MAX_DEPS &&
	     go_cache__take(&r, img->maps, sizeof(img->maps[0]) * img->nmaps) &&
	     go_cache__take(&r, img->deps, sizeof(img->deps[0]) * img->ndeps);
	for (i = 0; ok && i < img->nmaps; i++)
		ok = terminated(img->maps[i].name, sizeof(img->maps[i].name));
	for (i = 0; ok && i < img->ndeps; i++)
		ok = terminated(img->deps[i].path, sizeof(img->deps[i].path)) &&
		     img->deps[i].path[0] == '/';
	if (!ok)
		img->nprogs = 0;
	for (i = 0; ok && i < img->nprogs; i++) {
		struct go_bpf_image_prog *p = &img->progs[i];

		ok = go_cache__take(&r, &p->hdr, sizeof(p->hdr)) &&
		     terminated(p->hdr.name, sizeof(p->hdr.name)) &&
		     terminated(p->hdr.license, sizeof(p->hdr.license)) && p->hdr.multi <= 1 &&
		     p->hdr.insn_cnt > 0 && p->hdr.insn_cnt <= GO_BPF_MAX_INSNS &&
		     (size_t)(r.end - r.p) >= 8ull * p->hdr.insn_cnt &&
		     (p->insns = malloc(8ull * p->hdr.insn_cnt)) &&
		     go_cache__take(&r, p->insns, 8ull * p->hdr.insn_cnt) &&
		     insns_ok(p->insns, p->hdr.insn_cnt, img->nmaps);
		if (!ok)
			img->nprogs = i + 1;	/* what to free */
	}
	if (!ok || r.p != r.end) {
		go_bpf_image__free(img);
		return -EINVAL;
	}
	return 0;
}

int go_bpf_cache__read(const uint8_t key[GO_KEY_LEN], struct go_bpf_image *img)
{
	const uint8_t *payload;
	uint8_t *file;
	size_t len;
	int err;

	memset(img, 0, sizeof(*img));
	err = go_cache__load(CACHE_EXT, CACHE_MAGIC, key, &file, &payload, &len);
	if (err)
		return err;
	err = go_bpf_image__parse(payload, len, img);
	free(file);
	if (!err && !deps_fresh(img)) {
		go_bpf_image__free(img);
		err = -ESTALE;
	}
	return err;
}

int go_bpf_cache__write(const uint8_t key[GO_KEY_LEN], const struct go_bpf_image *img)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	bool ok;
	int i, err;

	if (!m)
		return -ENOMEM;
	ok = fwrite(&img->nmaps, sizeof(img->nmaps), 1, m) == 1 &&
	     fwrite(&img->nprogs, sizeof(img->nprogs), 1, m) == 1 &&
	     fwrite(&img->ndeps, sizeof(img->ndeps), 1, m) == 1 &&
	     fwrite(img->maps, sizeof(img->maps[0]), img->nmaps, m) == (size_t)img->nmaps &&
	     fwrite(img->deps, sizeof(img->deps[0]), img->ndeps, m) == (size_t)img->ndeps;
	for (i = 0; ok && i < img->nprogs; i++)
		ok = fwrite(&img->progs[i].hdr, sizeof(img->progs[i].hdr), 1, m) == 1 &&
		     fwrite(img->progs[i].insns, 8, img->progs[i].hdr.insn_cnt, m) ==
		     img->progs[i].hdr.insn_cnt;
	ok = !fclose(m) && ok;
	err = ok ? go_cache__store(CACHE_EXT, CACHE_MAGIC, key, buf, len) : -EIO;
	free(buf);
	return err;
}

void go_bpf_image__free(struct go_bpf_image *img)
{
	int i;

	for (i = 0; i < img->nprogs; i++)
		free(img->progs[i].insns);
	memset(img, 0, sizeof(*img));
}
