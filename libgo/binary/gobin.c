// SPDX-License-Identifier: Apache-2.0
/*
 * Reading Go executables: opening one (a path, or a process's executable), reading it in order
 * (the ELF file, elf.c; the build info, buildinfo.c; the release's layouts, release.c; the
 * function table, functab.c, with what .symtab adds, symtab.c; gccgo's from .symtab alone),
 * letting go of what planning read, and closing it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binary/binary_priv.h"

/* Drop the pages of the mapping from from to to, but those elf_apply_relative() wrote in. */
static void release_range(const struct go_binary *b, uint64_t from, uint64_t to, uint64_t page)
{
	uint64_t lo = b->written_lo / page * page, hi = (b->written_hi + page - 1) / page * page;

	if (b->written_hi && from < hi && lo < to) {
		if (from < lo)
			madvise((void *)(b->map + from), lo - from, MADV_DONTNEED);
		if (hi < to)
			madvise((void *)(b->map + hi), to - hi, MADV_DONTNEED);
		return;
	}
	if (from < to)
		madvise((void *)(b->map + from), to - from, MADV_DONTNEED);
}

/*
 * The mapping's pages of the loadable segments are not written (libdw decompresses only DWARF,
 * which is outside them), but for relocated words (elf_apply_relative()): the others are
 * dropped, and read from the file again when touched.
 */
void go_binary__release(struct go_binary *b)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	int i;

	for (i = 0; i < b->ncleanups; i++)
		if (b->cleanups[i].release)
			b->cleanups[i].fn(b);
	for (i = 0; i < b->nsegs; i++) {
		uint64_t from = (b->segs[i].off + page - 1) / page * page;
		uint64_t to = (b->segs[i].off + b->segs[i].filesz) / page * page;

		if (from < to && to <= b->size)
			release_range(b, from, to, page);
	}
}

static int gobin_load(struct go_binary *b)
{
	size_t cnt, strndx;
	GElf_Ehdr eh;
	int err;

	if (!gelf_getehdr(b->elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    !(b->arch = go_arch__for_machine(eh.e_machine)))
		return go_fail(ENOEXEC, "'%s' is not a 64-bit ELF executable for x86-64 or arm64",
			       b->name);
	b->pie = eh.e_type == ET_DYN;
	err = gobin_elf_load(b);
	if (err)
		return err;
	b->has_syms = gobin_symtab(b, &cnt, &strndx) != NULL;
	gobin_buildinfo_load(b);
	b->pcln = gobin_pcln_find(b, &b->pcln_size, &b->pcln_addr);
	gobin_release_load(b, b->pcln, b->pcln_addr);
	if (b->pcln) {
		b->tc = GO_GC;
		err = gobin_functab_load(b);
		if (!err)
			err = gobin_symtab_gc(b);
	} else if (gobin_is_gccgo(b)) {
		b->tc = GO_GCCGO;
		snprintf(b->version, sizeof(b->version), "gccgo");
		err = gobin_symtab_gccgo(b);
	} else {
		err = go_fail(ENOEXEC, "'%s' is not a Go binary (no Go function table)", b->name);
	}
	if (!b->version[0])
		snprintf(b->version, sizeof(b->version), "unknown");
	return err;
}

/*
 * The largest file read as a binary: Go's largest programs are a few hundred MB with their
 * DWARF, and the readers search some of it byte by byte (a pclntab without a section header).
 */
#define MAX_BINARY_SIZE (4ull << 30)

static struct go_binary *gobin_open(const char *path, const char *name)
{
	struct go_binary *b = calloc(1, sizeof(*b));
	char fdpath[64];
	struct stat st;
	int err;

	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	b->fd = -1;
	b->name = strdup(name);
	if (!b->name) {
		err = go_fail(ENOMEM, "out of memory");
		goto fail;
	}
	/*
	 * Looked at first, opened for reading only once it is a regular file: opening a device
	 * (a link to /dev/watchdog) runs its driver, opening a FIFO wakes its writer
	 */
	b->fd = open(path, O_PATH | O_CLOEXEC);
	if (b->fd >= 0 && (fstat(b->fd, &st) || !S_ISREG(st.st_mode))) {
		err = go_fail(EINVAL, "'%s' is not a regular file", name);
		goto fail;
	}
	if (b->fd >= 0) {
		int fd;

		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", b->fd);
		fd = open(fdpath, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		close(b->fd);
		b->fd = fd;
	}
	if (b->fd < 0) {
		err = -errno;
		if ((err == -EACCES || err == -EPERM) && !strncmp(path, "/proc/", 6) &&
		    !go_has_cap(GO_CAP_SYS_PTRACE))
			go_fail(-err, "cannot read '%s': %s (another user's process needs "
				"CAP_SYS_PTRACE)", name, strerror(-err));
		else
			go_fail(-err, "cannot open '%s': %s", name, strerror(-err));
		goto fail;
	}
	/*
	 * Probes go into the file that was read, by this descriptor: the path may name another
	 * file by the time they are attached (a rename, or a -p process's exec)
	 */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", b->fd);
	b->path = strdup(fdpath);
	if (!b->path) {
		err = go_fail(ENOMEM, "out of memory");
		goto fail;
	}
	if (fstat(b->fd, &st) || !S_ISREG(st.st_mode)) {
		err = go_fail(EINVAL, "'%s' is not a regular file", name);
		goto fail;
	}
	b->size = st.st_size;
	if ((uint64_t)st.st_size > MAX_BINARY_SIZE) {
		err = go_fail(EFBIG, "'%s' is too large to be a Go binary: %.1f GiB (the tools read "
			      "at most %llu GiB)", name, st.st_size / 1073741824.0,
			      MAX_BINARY_SIZE >> 30);
		goto fail;
	}
	/* private and writable: libdw decompresses DWARF sections in place */
	b->map = b->size ? mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, b->fd, 0) : MAP_FAILED;
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		err = b->size ? go_fail(errno, "cannot map '%s' (%.1f MiB): %s", name,
					b->size / 1048576.0, strerror(errno)) :
				go_fail(ENOEXEC, "'%s' is not an ELF file", name);
		goto fail;
	}
	elf_version(EV_CURRENT);
	b->elf = elf_memory((char *)b->map, b->size);
	if (!b->elf || elf_kind(b->elf) != ELF_K_ELF) {
		err = go_fail(ENOEXEC, "'%s' is not an ELF file", name);
		goto fail;
	}
	err = gobin_load(b);
	if (err)
		goto fail;
	return b;
fail:
	go_binary__close(b);
	errno = -err;
	return NULL;
}

struct go_binary *go_binary__open(const char *path)
{
	return gobin_open(path, path);
}

struct go_binary *go_binary__open_pid(pid_t pid)
{
	char exe[64], name[PATH_MAX];
	ssize_t n;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	n = readlink(exe, name, sizeof(name) - 1);
	if (n < 0) {
		int e = errno == ENOENT ? ESRCH : errno;

		/* /proc/PID is there but its exe is not: a kernel thread, or a zombie */
		snprintf(exe, sizeof(exe), "/proc/%d", (int)pid);
		if (e == ESRCH && !access(exe, F_OK))
			go_fail(e, "pid %d has no executable (a kernel thread, or a process that has "
				"exited)", (int)pid);
		else if ((e == EACCES || e == EPERM) && !go_has_cap(GO_CAP_SYS_PTRACE))
			go_fail(e, "cannot read the executable of pid %d: %s (another user's process "
				"needs CAP_SYS_PTRACE)", (int)pid, strerror(e));
		else
			go_fail(e, e == ESRCH ? "no process with pid %d" :
				   "cannot read the executable of pid %d: %s", (int)pid, strerror(e));
		errno = e;
		return NULL;
	}
	name[n] = 0;
	/* the magic link resolves to the right file even inside another mount namespace */
	return gobin_open(exe, name);
}

void go_binary__close(struct go_binary *b)
{
	int i;

	if (!b)
		return;
	for (i = 0; i < b->ncleanups; i++)
		b->cleanups[i].fn(b);
	if (b->elf)
		elf_end(b->elf);
	if (b->map)
		munmap((void *)b->map, b->size);
	if (b->fd >= 0)
		close(b->fd);
	while (b->nowned)
		free(b->owned[--b->nowned]);
	free(b->owned);
	free(b->funcs);
	free(b->path);
	free(b->name);
	free(b);
}

bool go_binary__stepped_at(const struct go_binary *b, uint64_t off)
{
	uint64_t addr = gobin_offset_addr(b, off);
	const uint8_t *p;
	size_t len;

	if (!addr)
		return false;
	p = gobin_insn_bytes(b, addr, &len);
	return !p || !b->arch->emulated(p, len);
}
