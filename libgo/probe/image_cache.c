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
 *
 * `make` builds the tools' programs into images too (scripts/bpf-prebuild.c), which `make
 * install` puts beside the tools: a program not in the cache is looked for there, so that even
 * a first run need not compile. They are found from the tool's own executable, BIN/tool:
 * BIN/../lib/gotools/bpf once installed, BIN/../build/bpf in the build tree; and, like the
 * cache, taken only from a directory nobody but root can change (trust.c), with the same checks
 * of every file (its key, kind and digest, cache.c; its instructions; what it was compiled
 * from); one found there is kept in the cache too, as a compiled one is. GOTOOLS_NO_CACHE=1
 * turns both off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "probe/probe_priv.h"
#include "base/cache_priv.h"
#include "base/trust.h"
#include "probe/probe.h"

#define CACHE_MAGIC "GOBPF04"	/* with its NUL, 8 bytes */
#define CACHE_EXT ".bpf"

int go_bpf_cache__key(const char *text, uint8_t key[GO_KEY_LEN])
{
	struct utsname u;
	go_hash h;

	if (go_env_flag("GOTOOLS_NO_CACHE"))
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

/* ---- the images made at build time ---------------------------------------------------------- */

#define PREBUILT_DIRS 2

/* The directory of the tool's own executable, less its last component: BIN/.. */
static bool exe_prefix(char *out, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);
	char *slash;
	int i;

	if (n <= 0)
		return false;
	out[n] = 0;
	for (i = 0; i < 2; i++) {
		slash = strrchr(out, '/');
		if (!slash)
			return false;
		*slash = 0;
	}
	return true;
}

/* The i-th directory of prebuilt images, trusted, or -1 (looked for once). */
static int prebuilt_dirfd(int i)
{
	static const char *const rel[PREBUILT_DIRS] = { "/lib/gotools/bpf", "/build/bpf" };
	static int fds[PREBUILT_DIRS] = { -2, -2 };
	char dir[PATH_MAX_LEN + 32];

	if (fds[i] != -2)
		return fds[i];
	fds[i] = -1;
	if (exe_prefix(dir, PATH_MAX_LEN)) {
		strcat(dir, rel[i]);
		fds[i] = go_trust__open_dir(dir, false);
		if (fds[i] < 0)
			fds[i] = -1;
	}
	return fds[i];
}

/* ---- reading and writing ------------------------------------------------------------------- */

/* The image of key in directory dfd (the cache, or one of prebuilt images). */
static int image_read_at(int dfd, const uint8_t key[GO_KEY_LEN], struct go_bpf_image *img)
{
	const uint8_t *payload;
	uint8_t *file;
	size_t len;
	int err;

	memset(img, 0, sizeof(*img));
	err = go_cache__load_at(dfd, CACHE_EXT, CACHE_MAGIC, key, &file, &payload, &len);
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

int go_bpf_cache__read(const uint8_t key[GO_KEY_LEN], struct go_bpf_image *img)
{
	int err = image_read_at(go_cache__dirfd(), key, img), i;

	if (!err)
		return 0;
	for (i = 0; err && i < PREBUILT_DIRS; i++)
		err = image_read_at(prebuilt_dirfd(i), key, img);
	if (!err)	/* kept in the cache too, as a compiled program is */
		go_bpf_cache__write(key, img);
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
