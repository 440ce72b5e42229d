// SPDX-License-Identifier: Apache-2.0
/* Addresses in a running process back to Go function names, for stacks. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gobin_priv.h"

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

	if (stat(b->path, &st))
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

int go_binary__load_bias(const struct go_binary *b, pid_t pid, int64_t *bias)
{
	uint64_t start, addr;
	int err;

	*bias = 0;
	if (!b->pie)
		return 0;
	/* asked once per event with stacks: remember the last process's answer */
	if (b->bias_pid == pid && pid > 0) {
		*bias = b->bias;
		return 0;
	}
	err = maps_find(b, pid, &start, &addr);
	if (err == -ENOENT)
		return go_fail(ENOENT, "'%s' is not mapped in pid %d", b->name, (int)pid);
	if (err)
		return err;
	*bias = (int64_t)(start - addr);
	((struct go_binary *)b)->bias_pid = pid;
	((struct go_binary *)b)->bias = *bias;
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
