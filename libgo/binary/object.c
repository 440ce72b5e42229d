// SPDX-License-Identifier: Apache-2.0
/*
 * A binary once read: what it says of itself (its path, name, toolchain, release, functions,
 * architecture), and the cleanups the parts that read it register for its release and close.
 * Below every reader of the binary; gobin.c opens and closes it.
 */
#include <errno.h>

#include "binary/binary_priv.h"

int gobin_on_close(struct go_binary *b, gobin_cleanup_fn fn, bool release)
{
	int i;

	for (i = 0; i < b->ncleanups; i++)
		if (b->cleanups[i].fn == fn)
			return 0;
	if (b->ncleanups == (int)(sizeof(b->cleanups) / sizeof(b->cleanups[0])))
		return go_fail(ENOSPC, "too many cleanups for one binary");
	b->cleanups[b->ncleanups].fn = fn;
	b->cleanups[b->ncleanups++].release = release;
	return 0;
}

const char *go_binary__path(const struct go_binary *b) { return b->path; }
const char *go_binary__name(const struct go_binary *b) { return b->name; }
enum go_toolchain go_binary__toolchain(const struct go_binary *b) { return b->tc; }
const char *go_binary__version(const struct go_binary *b) { return b->version; }
const char *go_binary__module(const struct go_binary *b) { return b->module; }
bool go_binary__is_pie(const struct go_binary *b) { return b->pie; }
bool go_binary__has_symbols(const struct go_binary *b) { return b->has_syms; }
size_t go_binary__func_cnt(const struct go_binary *b) { return b->nfuncs; }

const struct go_func *go_binary__func(const struct go_binary *b, size_t idx)
{
	return idx < b->nfuncs ? &b->funcs[idx] : NULL;
}

const struct go_arch *go_binary__arch(const struct go_binary *b) { return b->arch; }
