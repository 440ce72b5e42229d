// SPDX-License-Identifier: Apache-2.0
/*
 * Whole Go stacks from an entry probe. The kernel's user stack walk (bpf_get_stack) records the
 * probed pc, then follows frame pointers. At a function's entry, before PUSH RBP; MOV RSP, RBP
 * have run, RBP is still the caller's: the walk goes on with the caller's caller, and the
 * caller itself, whose return address is at *SP, is missing, unless the kernel adds *SP, which
 * Linux 6.11 and later do when the probed instruction is PUSH RBP or ENDBR64
 * (arch/x86/events/core.c, is_uprobe_at_func_entry()). Probes on a CALL that enters the traced
 * function see the caller's own frame complete: the caller is the walk's first frame.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "gobin_priv.h"

static int kernel_adds = -1;

bool go_binary__walk_adds_sp(const struct go_binary *b, uint64_t site)
{
	const uint8_t *p = gobin_bytes(b, site, 4);

	if (kernel_adds < 0) {
		struct utsname u;
		int major = 0, minor = 0;

		kernel_adds = !uname(&u) && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
			      (major > 6 || (major == 6 && minor >= 11));
	}
	return kernel_adds && p && (p[0] == 0x55 || !memcmp(p, "\xf3\x0f\x1e\xfa", 4));
}

enum go_probe_kind go_binary__probe_kind(struct go_binary *b, const struct go_func *fn,
					 uint64_t pc)
{
	const uint8_t *p = gobin_bytes(b, pc, 1);
	uint64_t site;

	/* a recursive function's own CALLs of itself are call sites inside it */
	if (pc == fn->entry || (!go_binary__entry_site(b, fn, &site, NULL) && pc == site))
		return GO_PROBE_ENTRY;
	if (p && p[0] == 0xe8)
		return GO_PROBE_CALL;
	if (p && (p[0] == 0xe9 || p[0] == 0xeb))
		return GO_PROBE_JMP;
	return GO_PROBE_ENTRY;
}

/* MOV [RSP+x], RBP or LEA RBP, [RSP+x]: Go < 1.21 saving and setting RBP. */
static bool sets_bp_old(const uint8_t *p)
{
	return p[0] == 0x48 && (p[1] == 0x89 || p[1] == 0x8d) &&
	       (p[2] == 0x2c || p[2] == 0x6c || p[2] == 0xac) && p[3] == 0x24;
}

int go_binary__entry_frame(struct go_binary *b, const struct go_lines *lines,
			   const struct go_func *fn, uint64_t site, int *ra_off, bool *framed)
{
	const uint8_t *p = gobin_bytes(b, site, 4);
	int32_t d = 0;
	int err;

	*ra_off = 0;
	*framed = false;
	if (site == fn->entry)
		return 0;
	err = go_lines__sp_delta(lines, site, &d);
	if (err)
		return err;
	if (d < 0 || d > 1 << 20 || !p)
		return go_fail(ENOEXEC, "cannot tell the frame of %s at +0x%llx", fn->name,
			       (unsigned long long)(site - fn->entry));
	*ra_off = d;
	/* Go 1.21+: PUSHQ BP (SP - 8), MOVQ SP, BP, SUBQ $frame, SP;
	 * before: SUBQ $frame, SP, MOVQ BP, frame-8(SP), LEAQ frame-8(SP), BP */
	if (d > 0)
		*framed = memcmp(p, "\x48\x89\xe5", 3) && !sets_bp_old(p);
	return 0;
}

/*
 * Offset of runtime.g.labels on amd64 for the releases that keep pprof labels as a slice of
 * {key, value string} pairs (Go 1.24+; before, a map), checked against each release's DWARF.
 */
static const struct {
	int from, to, off;
} labels_table[] = {
	{ 124, 124, 352 },
	{ 125, 125, 344 },
	{ 126, 126, 352 },
};

int go_binary__labels_offset(const struct go_binary *b)
{
	int minor = gobin_go_minor(b);
	size_t i;

	if (b->tc != GO_GC)
		return -ENOTSUP;
	for (i = 0; i < sizeof(labels_table) / sizeof(labels_table[0]); i++)
		if (minor >= labels_table[i].from && minor <= labels_table[i].to)
			return labels_table[i].off;
	return -ENOTSUP;
}
