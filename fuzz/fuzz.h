/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the libFuzzer harnesses share: opening the fuzzer's bytes as a Go binary. The bytes go to
 * a memory file that go_binary__open() reads through /proc/self/fd, the path every tool's
 * binaries take (open, fstat, mmap, libelf), so nothing is written to disk.
 */
#ifndef FUZZ_H
#define FUZZ_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libgo.h"

/* With FUZZ_VERBOSE set, say why an input was refused (to check that seeds get far). */
static inline void fuzz_note(const char *what)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "%s: %s\n", what, libgo_errmsg());
}

/*
 * glibc's regcomp takes memory exponential in stacked and counted repetitions ("a++++...",
 * "((a{255}){255}){255}", "((((a+)+)+)+)+"): a pattern the user writes, not untrusted input.
 * The harnesses take as a regular expression only the len bytes at re that are none of these.
 */
static inline bool fuzz_regex_tame(const char *re, size_t len)
{
	size_t i, plus = 0;

	if (len > 64 || memchr(re, '{', len))
		return false;
	for (i = 0; i < len; i++) {
		plus += re[i] == '+';
		if (i + 1 < len && strchr("*+?", re[i]) && strchr("*+?", re[i + 1]))
			return false;
	}
	return plus <= 4;
}

static inline struct go_binary *fuzz_open_binary(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct go_binary *bin;
	char path[64];
	size_t off = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz-binary", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
	}
	if (ftruncate(fd, 0) || ftruncate(fd, size)) {
		perror("ftruncate");
		abort();
	}
	while (off < size) {
		ssize_t n = pwrite(fd, data + off, size - off, off);

		if (n <= 0) {
			perror("pwrite");
			abort();
		}
		off += n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	bin = go_binary__open(path);
	/* the message is part of the contract: one line, never empty */
	if (!bin && (!libgo_errmsg()[0] || strchr(libgo_errmsg(), '\n'))) {
		fprintf(stderr, "bad failure message: '%s'\n", libgo_errmsg());
		abort();
	}
	if (!bin)
		fuzz_note("open");
	return bin;
}

/* The step that visits about max of n indexes, spread evenly (a few of a large table). */
static inline size_t fuzz_step(size_t n, size_t max)
{
	return n > max ? n / max : 1;
}

#endif
