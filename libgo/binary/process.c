// SPDX-License-Identifier: Apache-2.0
/*
 * A binary in a running process: where the process loaded it (its load bias, from
 * /proc/PID/maps or from the addresses a probe saw), whether the process runs it, and an
 * address of it as a function name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "binary/binary_priv.h"

/* Link-time address of file offset off, through the segment that holds it. */
static bool offset_addr(const struct go_binary *b, uint64_t off, uint64_t *addr)
{
	int i;

	for (i = 0; i < b->nsegs; i++)
		if (off >= b->segs[i].off && off < b->segs[i].off + b->segs[i].filesz) {
			*addr = b->segs[i].vaddr + (off - b->segs[i].off);
			return true;
		}
	return false;
}

/*
 * Where pid maps b: the start of its first mapping of b's file and the link-time address that
 * mapping begins at. -ENOENT when it maps none, -ESRCH when there is no such process.
 */
static int maps_find(const struct go_binary *b, pid_t pid, uint64_t *start, uint64_t *addr)
{
	char path[64], line[512];
	struct stat st;
	FILE *f;
	int err = -ENOENT;

	if (fstat(b->fd, &st))	/* the file read, not what its path names now */
		return go_fail(errno, "cannot stat '%s'", b->name);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return go_fail(ESRCH, "no process with pid %d", (int)pid);
	while (err && fgets(line, sizeof(line), f)) {
		uint64_t end, off, ino;
		unsigned maj, min;
		char perms[8];

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64, start,
			   &end, perms, &off, &maj, &min, &ino) != 7)
			continue;
		if (ino == st.st_ino && offset_addr(b, off, addr))
			err = 0;
	}
	fclose(f);
	return err;
}

/* Where pid loaded b, as found before; false when it was not. */
static bool recall_bias(const struct go_binary *b, pid_t pid, int64_t *bias)
{
	size_t i;

	for (i = 0; i < b->nbiases; i++)
		if (b->biases[i].pid == pid) {
			*bias = b->biases[i].bias;
			return true;
		}
	return false;
}

static void remember_bias(const struct go_binary *b, pid_t pid, int64_t bias)
{
	struct go_binary *w = (struct go_binary *)b;	/* a cache: the binary's reading is unchanged */
	size_t n = sizeof(w->biases) / sizeof(w->biases[0]);
	size_t i = w->nbiases < n ? w->nbiases++ : (size_t)pid % n;

	w->biases[i].pid = pid;
	w->biases[i].bias = bias;
}

int go_binary__load_bias(const struct go_binary *b, pid_t pid, int64_t *bias)
{
	uint64_t start, addr;
	int err;

	*bias = 0;
	if (!b->pie)
		return 0;
	/* asked once per event with stacks, and after the process is gone */
	if (pid > 0 && recall_bias(b, pid, bias))
		return 0;
	err = maps_find(b, pid, &start, &addr);
	if (err == -ENOENT)
		return go_fail(ENOENT, "'%s' is not mapped in pid %d", b->name, (int)pid);
	if (err)
		return err;
	*bias = (int64_t)(start - addr);
	remember_bias(b, pid, *bias);
	return 0;
}

/* How many of a stack's return addresses, moved by bias, follow a CALL in a Go function. */
static int frames_fit(const struct go_binary *b, const uint64_t *frames, int nframes,
		      int64_t bias)
{
	const struct go_arch *arch = go_binary__arch(b);
	struct go_branch br;
	int i, fit = 0;

	for (i = 1; i < nframes; i++) {
		uint64_t ra = frames[i] - bias, at = ra - (uint64_t)arch->call_size;
		const uint8_t *p = gobin_bytes(b, at, (size_t)arch->call_size);

		fit += go_binary__func_at(b, ra - 1) != NULL;
		/* a direct CALL ends there */
		fit += p && arch->branch(p, (size_t)arch->call_size, at, &br) &&
		       br.kind == GO_BRANCH_CALL && br.size == arch->call_size;
	}
	return fit;
}

/*
 * A process maps a PIE binary at a page boundary, so the probed pc and the site it was probed
 * at share their place in a page, and the bias is their difference. Where several of the
 * sites share that place (a function called from many places), the bias that puts more of the
 * stack's return addresses after a CALL in a Go function wins; a tie is no answer.
 */
int go_binary__bias_from_stack(const struct go_binary *b, pid_t pid, const uint64_t *offs,
			       size_t n, const uint64_t *frames, int nframes, int64_t *bias)
{
	const uint64_t page = 4096;
	int best = -1, fit;
	bool tie = false;
	int64_t found = 0;
	size_t i;

	*bias = 0;
	if (!b->pie)
		return 0;
	if (nframes < 1)
		return go_fail(ENOENT, "an empty stack");
	for (i = 0; i < n; i++) {
		uint64_t site;
		int64_t d;

		if (!offset_addr(b, offs[i], &site) || frames[0] < site)
			continue;
		d = (int64_t)(frames[0] - site);
		if (d % (int64_t)page)
			continue;
		if (d == found && best >= 0)
			continue;	/* the same answer again */
		fit = frames_fit(b, frames, nframes, d);
		tie = fit == best || (tie && fit < best);
		if (fit > best) {
			best = fit;
			found = d;
		}
	}
	if (best < 0 || tie)
		return go_fail(ENOENT, "%s probe site of '%s' at pc 0x%llx", best < 0 ? "no" :
			       "more than one", b->name, (unsigned long long)frames[0]);
	*bias = found;
	remember_bias(b, pid, found);
	return 0;
}

int go_binary__runs_in(const struct go_binary *b, pid_t pid)
{
	uint64_t start, addr;
	int err = maps_find(b, pid, &start, &addr);

	if (err == -ENOENT)
		return go_fail(ENOENT, "process %d does not run '%s'", (int)pid, b->name);
	return err;
}

int go_binary__symbolize(const struct go_binary *b, uint64_t addr, char *buf, size_t size)
{
	const struct go_func *fn = go_binary__func_at(b, addr);

	if (!fn)
		return snprintf(buf, size, "[unknown] 0x%" PRIx64, addr);
	return snprintf(buf, size, "%s+0x%" PRIx64, fn->name, addr - fn->entry);
}

