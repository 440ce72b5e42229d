// SPDX-License-Identifier: Apache-2.0
/*
 * A cache of compiled BPF programs. libbcc's compile is most of a tool's start-up (clang parses
 * the kernel's headers every time); the same tool with the same settings compiles to the same
 * instructions, so the instructions and the maps they use are kept, keyed by the program's
 * text and the kernel release, and loaded again without libbcc. The kernel verifies them again
 * at every load.
 *
 * The cache is a directory only its owner (root) can write: loading bytecode from a file others
 * could write would hand them the kernel. GOTOOLS_CACHE_DIR names another directory;
 * GOTOOLS_NO_CACHE=1 turns the cache off.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bpf_priv.h"
#include "libgo.h"

#define CACHE_MAGIC "GOBPF02"
#define DEFAULT_DIR "/var/cache/gotools"
#define CACHE_MAX_FILES 256	/* gotrace compiles a program per probe text: keep the newest */

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A directory or file we may trust: ours, and writable by nobody else. */
static bool trusted(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The cache's directory, made when missing; NULL when the cache is off or not to be trusted. */
struct note_search {
	const uint8_t *id;
	size_t len;
};

/* The GNU build id in the notes of the first object listed: the tool's own executable. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	struct note_search *ns = data;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr), *end;

		if (ph->p_type != PT_NOTE)
			continue;
		for (end = p + ph->p_memsz; p + 12 <= end;) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			size_t name = (n->n_namesz + 3) & ~3u, desc = (n->n_descsz + 3) & ~3u;

			if (p + 12 + name + desc > end)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(p + 12, "GNU", 4)) {
				ns->id = p + 12 + name;
				ns->len = n->n_descsz;
				return 1;
			}
			p += 12 + name + desc;
		}
	}
	return 1;	/* the executable comes first: look no further */
}

int go_cache__tool_id(const uint8_t **id, size_t *len)
{
	static struct note_search ns;
	static bool done;

	if (!done) {
		dl_iterate_phdr(find_build_id, &ns);
		done = true;
	}
	*id = ns.id;
	*len = ns.len;
	return ns.id ? 0 : -ENOENT;
}

const char *go_cache__dir(void)
{
	const char *dir = getenv("GOTOOLS_CACHE_DIR");
	struct stat st;

	if (go_env_flag("GOTOOLS_NO_CACHE"))
		return NULL;
	if (!dir || !*dir)
		dir = DEFAULT_DIR;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return NULL;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode) || !trusted(&st))
		return NULL;
	return dir;
}

FILE *go_cache__open(const char *path)
{
	struct stat st;
	FILE *f = fopen(path, "re");

	if (f && (fstat(fileno(f), &st) || !trusted(&st) || !S_ISREG(st.st_mode))) {
		fclose(f);
		errno = EPERM;
		return NULL;
	}
	return f;
}

int go_bpf_cache__path(const char *text, bool multi, char *path, size_t size)
{
	const char *dir = go_cache__dir();
	uint64_t h = 0xcbf29ce484222325ULL;
	struct utsname u;

	if (!dir)
		return -1;
	uname(&u);
	h = fnv1a(h, CACHE_MAGIC, sizeof(CACHE_MAGIC));
	h = fnv1a(h, u.release, strlen(u.release) + 1);
	h = fnv1a(h, &multi, sizeof(multi));
	h = fnv1a(h, text, strlen(text));
	/* a directory too long for a path: no cache, rather than a cut name */
	return (size_t)snprintf(path, size, "%s/%016llx.bpf", dir, (unsigned long long)h) < size ?
	       0 : -1;
}

static bool write_all(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n;
}

static bool read_all(FILE *f, void *p, size_t n)
{
	return fread(p, 1, n, f) == n;
}

/*
 * Remove the least recently used files of the cache's directory beyond CACHE_MAX_FILES, among
 * those whose names end as path's does (.bpf, .calls).
 */
void go_cache__trim(const char *path)
{
	char dir[PATH_MAX_LEN], oldest[PATH_MAX_LEN + 300];
	const char *ext = strrchr(path, '.');
	struct dirent *d;
	time_t oldest_t;
	size_t n, elen;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s", path);
	if (!strrchr(dir, '/') || !ext || strchr(ext, '/'))
		return;
	*strrchr(dir, '/') = 0;
	elen = strlen(ext);
	for (;;) {
		n = 0;
		oldest[0] = 0;
		oldest_t = 0;
		dp = opendir(dir);
		if (!dp)
			return;
		while ((d = readdir(dp))) {
			char file[PATH_MAX_LEN + 300];
			struct stat st;
			size_t len = strlen(d->d_name);

			if (len <= elen || strcmp(d->d_name + len - elen, ext))
				continue;
			snprintf(file, sizeof(file), "%s/%s", dir, d->d_name);
			if (stat(file, &st))
				continue;
			n++;
			if (!oldest[0] || st.st_atime < oldest_t) {
				oldest_t = st.st_atime;
				snprintf(oldest, sizeof(oldest), "%s", file);
			}
		}
		closedir(dp);
		if (n <= CACHE_MAX_FILES || !oldest[0] || unlink(oldest))
			return;
	}
}

int go_bpf_cache__write(const char *path, const struct go_bpf_image *img)
{
	char tmp[PATH_MAX_LEN + 16];
	bool ok;
	FILE *f;
	int i, fd;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -errno;
	}
	ok = write_all(f, CACHE_MAGIC, sizeof(CACHE_MAGIC)) &&
	     write_all(f, &img->nmaps, sizeof(img->nmaps)) &&
	     write_all(f, &img->nprogs, sizeof(img->nprogs)) &&
	     write_all(f, img->maps, sizeof(img->maps[0]) * img->nmaps);
	for (i = 0; ok && i < img->nprogs; i++)
		ok = write_all(f, &img->progs[i].hdr, sizeof(img->progs[i].hdr)) &&
		     write_all(f, img->progs[i].insns, 8 * img->progs[i].hdr.insn_cnt);
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		return -EIO;
	}
	go_cache__trim(path);
	return 0;
}

int go_bpf_cache__read(const char *path, struct go_bpf_image *img)
{
	char magic[sizeof(CACHE_MAGIC)];
	bool ok;
	FILE *f;
	int i;

	memset(img, 0, sizeof(*img));
	f = go_cache__open(path);
	if (!f)
		return -errno;
	ok = read_all(f, magic, sizeof(magic)) && !memcmp(magic, CACHE_MAGIC, sizeof(magic)) &&
	     read_all(f, &img->nmaps, sizeof(img->nmaps)) &&
	     read_all(f, &img->nprogs, sizeof(img->nprogs)) &&
	     img->nmaps >= 0 && img->nmaps <= GO_BPF_MAX_MAPS && img->nprogs >= 0 &&
	     img->nprogs <= GO_BPF_MAX_PROGS &&
	     read_all(f, img->maps, sizeof(img->maps[0]) * img->nmaps);
	for (i = 0; ok && i < img->nprogs; i++) {
		struct go_bpf_image_prog *p = &img->progs[i];

		ok = read_all(f, &p->hdr, sizeof(p->hdr)) && p->hdr.insn_cnt > 0 &&
		     p->hdr.insn_cnt < 1000000 && (p->insns = malloc(8 * p->hdr.insn_cnt)) &&
		     read_all(f, p->insns, 8 * p->hdr.insn_cnt);
	}
	fclose(f);
	if (!ok) {
		go_bpf_image__free(img);
		return -EINVAL;
	}
	return 0;
}

void go_bpf_image__free(struct go_bpf_image *img)
{
	int i;

	for (i = 0; i < img->nprogs; i++)
		free(img->progs[i].insns);
	memset(img, 0, sizeof(*img));
}
