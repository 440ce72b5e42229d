// SPDX-License-Identifier: Apache-2.0
/*
 * Reading Go binaries: the runtime's names of why a goroutine waits (runtime.waitReasonStrings,
 * a [N]string indexed by g.waitreason), which each release numbers its own way. Found by its
 * symbol, or in a stripped binary by its first named entry: "GC assist marking", reason 1 in
 * every release (see ../shared/notes/go-scheduler.md), whose string header {ptr, 17} follows
 * entry 0's {ptr, 0}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary_priv.h"
#include "binary/binary.h"

#define FIRST_REASON "GC assist marking"
#define MAX_REASONS 256
#define MAX_REASON_LEN 64

/* The string at header addr, {ptr, len}: a copy, or NULL when it is no plausible reason. */
static char *reason_at(const struct go_binary *b, uint64_t addr, bool empty)
{
	const uint8_t *hdr = gobin_bytes(b, addr, 16), *s;
	uint64_t len;
	size_t i;

	if (!hdr)
		return NULL;
	len = gobin_le64(hdr + 8);
	if (empty)
		return len ? NULL : strdup("");
	if (!len || len > MAX_REASON_LEN || !(s = gobin_bytes(b, gobin_le64(hdr), len)))
		return NULL;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return NULL;
	return strndup((const char *)s, len);
}

/* Read the array at addr, at most max entries: how many (0 when entry 0 is not ""). */
static size_t reasons_read(const struct go_binary *b, uint64_t addr, size_t max, char **out)
{
	size_t n;

	for (n = 0; n < max && n < MAX_REASONS; n++) {
		out[n] = reason_at(b, addr + 16 * n, n == 0);
		if (!out[n])
			break;
	}
	return n > 1 ? n : 0;
}

/* The link-time address of bytes s in a loaded segment, after from; 0 when none. */
static uint64_t find_bytes(const struct go_binary *b, const void *s, size_t len, uint64_t *from)
{
	const uint8_t *p;
	int i;

	for (i = 0; i < b->nsegs; i++) {
		const struct go_seg *g = &b->segs[i];
		const uint8_t *lo = b->map + g->off;
		size_t skip = *from > g->vaddr ? *from - g->vaddr : 0;

		if (g->off > b->size || g->filesz > b->size - g->off || skip >= g->filesz)
			continue;
		p = memmem(lo + skip, g->filesz - skip, s, len);
		if (p) {
			*from = g->vaddr + (uint64_t)(p - lo) + 1;
			return *from - 1;
		}
	}
	return 0;
}

/* A stripped binary's array: entry 1's header {FIRST_REASON's address, its length}. */
static uint64_t reasons_find(const struct go_binary *b)
{
	uint64_t from = 0, str, hdr[2], at, from_hdr;

	while ((str = find_bytes(b, FIRST_REASON, strlen(FIRST_REASON), &from))) {
		hdr[0] = str;
		hdr[1] = strlen(FIRST_REASON);
		from_hdr = 0;
		while ((at = find_bytes(b, hdr, sizeof(hdr), &from_hdr)))
			if (at % 8 == 0 && at >= 16)
				return at - 16;
	}
	return 0;
}

int go_binary__wait_reasons(struct go_binary *bin, char ***reasons)
{
	uint64_t size = 0, addr = gobin_symbol(bin, "runtime.waitReasonStrings", &size);
	size_t max = addr && size ? size / 16 : MAX_REASONS, n;
	char **r;

	*reasons = NULL;
	if (go_binary__toolchain(bin) != GO_GC)
		return go_fail(ENOTSUP, "%s: not built by gc, it has no runtime.waitReasonStrings",
			       go_binary__name(bin));
	if (!addr)
		addr = reasons_find(bin);
	r = calloc(MAX_REASONS, sizeof(*r));
	if (!r)
		return go_fail(ENOMEM, "out of memory");
	n = addr ? reasons_read(bin, addr, max, r) : 0;
	if (!n) {
		go_wait_reasons__free(r, MAX_REASONS);
		return go_fail(ENOENT, "%s: cannot find the runtime's wait reasons "
			       "(runtime.waitReasonStrings)", go_binary__name(bin));
	}
	*reasons = r;
	return (int)n;
}

void go_wait_reasons__free(char **reasons, size_t n)
{
	size_t i;

	if (!reasons)
		return;
	for (i = 0; i < n; i++)
		free(reasons[i]);
	free(reasons);
}

int go_binary__wait_reason_value(struct go_binary *bin, const char *name)
{
	char **r;
	int n = go_binary__wait_reasons(bin, &r), i, v = -1;

	for (i = 0; i < n && v < 0; i++)
		if (r[i] && !strcmp(r[i], name))
			v = i;
	go_wait_reasons__free(r, n > 0 ? (size_t)n : 0);
	if (n < 0)
		return n;
	if (v < 0)
		return go_fail(ENOENT, "%s: the runtime has no wait reason '%s'", go_binary__name(bin),
			       name);
	return v;
}
