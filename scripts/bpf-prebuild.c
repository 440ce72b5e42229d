// SPDX-License-Identifier: Apache-2.0
/*
 * bpf-prebuild DIR: the tools' BPF programs (gofunccount's, gofunclatency's, goiface's,
 * gostack's and gofuncslower's), built by `make` into images in DIR, in the cache's own format and keyed as the
 * cache keys them (libgo/probe/image_cache.c), for the tools to load at run time and `make
 * install` to install beside them: then no run, not even the first, pays for clang. gotrace's
 * programs are made from the user's probe text and still compile at run time.
 *
 * libbcc compiles each program and the kernel verifies it, as at run time, so this needs what
 * a run needs: root, libbcc and the kernel's headers. Without them it says so in one line, makes
 * nothing and exits 1 (make goes on: the tools then compile at run time, as they always could).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libgo.h"

static int skip(const char *why)
{
	printf("  %-8s not built, the tools compile their programs at first run: %s\n", "BPF", why);
	return 1;
}

/* Take out the images of an earlier build: only this build's are installed. */
static void remove_images(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n;

	if (!d)
		return;
	while ((e = readdir(d))) {
		n = strlen(e->d_name);
		if (n > 4 && !strcmp(e->d_name + n - 4, ".bpf"))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	const char *srcs[] = { go_bpf_src_funccount, go_bpf_src_funclatency, go_bpf_src_iface,
			       go_bpf_src_stackcount, go_bpf_src_funcslower };
	struct go_bpf *bpf;
	size_t i;

	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: bpf-prebuild DIR (an absolute path)\n");
		return 2;
	}
	if (go_bpf__check_privileges())
		return skip(libgo_errmsg());
	/* the cache, in DIR, is where the compile keeps its image */
	unsetenv("GOTOOLS_NO_CACHE");
	setenv("GOTOOLS_CACHE_DIR", argv[1], 1);
	if (!go_cache__dir())
		return skip("the build directory is not root's alone");
	remove_images(argv[1]);
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		struct go_bpf_spec spec = { 0 };

		spec.src = srcs[i];
		spec.multi = true;	/* both variants are kept whatever */
		bpf = go_bpf__load(&spec);
		if (!bpf)
			return skip(libgo_errmsg());
		go_bpf__close(bpf);
	}
	return 0;
}
