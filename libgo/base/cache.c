// SPDX-License-Identifier: Apache-2.0
/*
 * The tools' cache: the BPF programs libbcc compiled (bpfcache.c) and the call sites found in
 * binaries (calls.c), kept between runs. It lives in a directory nobody but root can write
 * (trust.c), /var/cache/gotools or GOTOOLS_CACHE_DIR when that qualifies (a directory that
 * does not is not used, and the tools do without the cache); GOTOOLS_NO_CACHE=1 turns it off.
 * Every file is found relative to the directory's descriptor, never through a symbolic link.
 *
 * Each file is named by the SHA-256 digest of everything its contents were derived from (the
 * key), and holds, after a magic string naming its kind, that key, the contents' length, the
 * contents and a SHA-256 digest of all that: a file cut short, changed on disk or put under
 * another name is refused, and what refused it made again.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cache_priv.h"
#include "base/base.h"
#include "base/trust.h"

#define DEFAULT_DIR "/var/cache/gotools"
#define CACHE_MAX_FILES 256	/* of each kind: gotrace compiles a program per probe text */
#define CACHE_MAX_SIZE (256u << 20)
#define HDR_LEN (GO_CACHE_MAGIC_LEN + GO_KEY_LEN + 8)

static int dir_fd = -2;		/* -2: not looked for yet; -1: no cache */
static char dir_path[4096];

int go_cache__dirfd(void)
{
	const char *dir = getenv("GOTOOLS_CACHE_DIR");

	if (dir_fd != -2)
		return dir_fd;
	dir_fd = -1;
	if (go_env_flag("GOTOOLS_NO_CACHE"))
		return -1;
	if (!dir || !*dir)
		dir = DEFAULT_DIR;
	if (strlen(dir) >= sizeof(dir_path))
		return -1;
	dir_fd = go_trust__open_dir(dir, true);
	if (dir_fd >= 0)
		snprintf(dir_path, sizeof(dir_path), "%s", dir);
	else
		dir_fd = -1;
	return dir_fd;
}

const char *go_cache__dir(void)
{
	return go_cache__dirfd() >= 0 ? dir_path : NULL;
}

/* ---- digests ------------------------------------------------------------------------------- */

void go_hash__str(go_hash *h, const char *s)
{
	go_hash__add(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

void go_hash__u64(go_hash *h, uint64_t v)
{
	go_hash__add(h, &v, sizeof(v));
}

/* The GNU build id in the notes of the first object listed: the tool's own executable. */
struct note_search {
	const uint8_t *id;
	size_t len;
};

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

/* ---- files --------------------------------------------------------------------------------- */

/* The file name of a key: its digest in hex, then ext (".bpf"). */
static void key_name(const uint8_t key[GO_KEY_LEN], const char *ext, char *name, size_t size)
{
	size_t i;

	for (i = 0; i < GO_KEY_LEN && 2 * i + 3 <= size; i++)
		snprintf(name + 2 * i, 3, "%02x", key[i]);
	snprintf(name + 2 * i, size - 2 * i, "%s", ext);
}

int go_cache__check(const uint8_t *file, size_t size, const char magic[GO_CACHE_MAGIC_LEN],
		    const uint8_t key[GO_KEY_LEN], const uint8_t **payload, size_t *len)
{
	uint8_t digest[GO_KEY_LEN];
	uint64_t n;
	go_hash h;

	if (size < HDR_LEN + GO_KEY_LEN || memcmp(file, magic, GO_CACHE_MAGIC_LEN) ||
	    (key && memcmp(file + GO_CACHE_MAGIC_LEN, key, GO_KEY_LEN)))
		return -EINVAL;
	memcpy(&n, file + GO_CACHE_MAGIC_LEN + GO_KEY_LEN, 8);
	if (n != size - HDR_LEN - GO_KEY_LEN)
		return -EINVAL;
	go_hash__init(&h);
	go_hash__add(&h, file, size - GO_KEY_LEN);
	go_hash__end(&h, digest);
	if (memcmp(digest, file + size - GO_KEY_LEN, GO_KEY_LEN))
		return -EINVAL;
	*payload = file + HDR_LEN;
	*len = n;
	return 0;
}

int go_cache__load(const char *ext, const char magic[GO_CACHE_MAGIC_LEN],
		   const uint8_t key[GO_KEY_LEN], uint8_t **file, const uint8_t **payload,
		   size_t *len)
{
	return go_cache__load_at(go_cache__dirfd(), ext, magic, key, file, payload, len);
}

int go_cache__load_at(int dfd, const char *ext, const char magic[GO_CACHE_MAGIC_LEN],
		      const uint8_t key[GO_KEY_LEN], uint8_t **file, const uint8_t **payload,
		      size_t *len)
{
	int fd, err = -EINVAL;
	char name[2 * GO_KEY_LEN + 16];
	struct stat st;
	size_t got = 0;

	*file = NULL;
	if (dfd < 0)
		return -ENOENT;
	key_name(key, ext, name, sizeof(name));
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* root's file in root's directory: anything else was not written here by the tools */
	if (fstat(fd, &st) || !go_trust__file(&st) || st.st_size > CACHE_MAX_SIZE)
		goto out;
	*file = malloc(st.st_size ? st.st_size : 1);
	if (!*file) {
		err = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, *file + got, st.st_size - got, (off_t)got);

		if (n <= 0)
			goto out;
		got += n;
	}
	err = go_cache__check(*file, got, magic, key, payload, len);
out:
	close(fd);
	if (err) {
		free(*file);
		*file = NULL;
	}
	return err;
}

static bool write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return false;
		p = (const uint8_t *)p + w;
		n -= w;
	}
	return true;
}

int go_cache__store(const char *ext, const char magic[GO_CACHE_MAGIC_LEN],
		    const uint8_t key[GO_KEY_LEN], const void *payload, size_t len)
{
	int dfd = go_cache__dirfd(), fd;
	char name[2 * GO_KEY_LEN + 16], tmp[64];
	uint8_t hdr[HDR_LEN], digest[GO_KEY_LEN];
	uint64_t n = len;
	struct timespec ts;
	go_hash h;
	bool ok;

	if (dfd < 0)
		return -ENOENT;
	key_name(key, ext, name, sizeof(name));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* a name of its own, ending as the kind's do: a crash leaves it for go_cache__trim() */
	snprintf(tmp, sizeof(tmp), ".tmp-%d-%lx%s", (int)getpid(), (unsigned long)ts.tv_nsec, ext);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	memcpy(hdr, magic, GO_CACHE_MAGIC_LEN);
	memcpy(hdr + GO_CACHE_MAGIC_LEN, key, GO_KEY_LEN);
	memcpy(hdr + GO_CACHE_MAGIC_LEN + GO_KEY_LEN, &n, 8);
	go_hash__init(&h);
	go_hash__add(&h, hdr, sizeof(hdr));
	go_hash__add(&h, payload, len);
	go_hash__end(&h, digest);
	ok = write_all(fd, hdr, sizeof(hdr)) && write_all(fd, payload, len) &&
	     write_all(fd, digest, sizeof(digest));
	ok = !close(fd) && ok;
	if (!ok || renameat(dfd, tmp, dfd, name)) {
		unlinkat(dfd, tmp, 0);
		return -EIO;
	}
	go_cache__trim(ext);
	return 0;
}

void go_cache__trim(const char *ext)
{
	int dfd = go_cache__dirfd(), fd;
	char oldest[256];
	size_t n, elen = strlen(ext);
	struct dirent *d;
	time_t oldest_t;
	DIR *dp;

	if (dfd < 0)
		return;
	for (;;) {
		n = 0;
		oldest[0] = 0;
		oldest_t = 0;
		fd = dup(dfd);
		dp = fd >= 0 ? fdopendir(fd) : NULL;
		if (!dp) {
			if (fd >= 0)
				close(fd);
			return;
		}
		rewinddir(dp);
		while ((d = readdir(dp))) {
			size_t len = strlen(d->d_name);
			struct stat st;

			if (len <= elen || len >= sizeof(oldest) || strcmp(d->d_name + len - elen, ext) ||
			    fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
				continue;
			n++;
			if (!oldest[0] || st.st_atime < oldest_t) {
				oldest_t = st.st_atime;
				snprintf(oldest, sizeof(oldest), "%s", d->d_name);
			}
		}
		closedir(dp);
		if (n <= CACHE_MAX_FILES || !oldest[0] || unlinkat(dfd, oldest, 0))
			return;
	}
}
