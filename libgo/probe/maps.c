// SPDX-License-Identifier: Apache-2.0
/* BPF maps read and written from user space, by file descriptor. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "probe/probe_priv.h"

int go_map__lookup(int fd, const void *key, void *value)
{
	return go_bpf_sys__map_elem(CMD_MAP_LOOKUP_ELEM, fd, key, value, 0);
}

int go_map__update(int fd, const void *key, const void *value)
{
	return go_bpf_sys__map_elem(CMD_MAP_UPDATE_ELEM, fd, key, (void *)value, 0);
}

int go_map__delete(int fd, const void *key)
{
	return go_bpf_sys__map_elem(CMD_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

int go_map__next_key(int fd, const void *key, void *next)
{
	return go_bpf_sys__map_elem(CMD_MAP_GET_NEXT_KEY, fd, key, next, 0);
}

int go_map__each(int fd, size_t key_size, int (*fn)(void *ctx, const void *key), void *ctx)
{
	uint64_t *key = malloc(key_size + 8), *next = malloc(key_size + 8), *tmp;
	bool have = false;
	int take = 0, err;

	if (!key || !next) {
		free(key);
		free(next);
		return -ENOMEM;
	}
	while (!(err = go_map__next_key(fd, have ? key : NULL, next))) {
		if (take)	/* the cursor has moved on: the key before it can go */
			go_map__delete(fd, key);
		tmp = key;
		key = next;
		next = tmp;
		have = true;
		take = fn(ctx, key);
		if (take < 0) {
			err = take;
			take = 0;
			break;
		}
	}
	if (take)
		go_map__delete(fd, key);
	free(key);
	free(next);
	return err == -ENOENT ? 0 : err;
}

int go_map__take_percpu(int fd, uint32_t key, uint64_t *sum)
{
	static uint64_t *zeros;
	int err = go_map__sum_percpu(fd, key, sum);

	if (!err && !zeros && !(zeros = calloc(go_ncpus_possible(), sizeof(*zeros))))
		err = -ENOMEM;
	return err ? err : go_map__update(fd, &key, zeros);
}

int go_bpf__sync(void)
{
	return go_bpf_sys__sync();
}

int go_map__sum_percpu(int fd, uint32_t key, uint64_t *sum)
{
	static uint64_t *vals;
	int ncpus = go_ncpus_possible(), c, err;

	*sum = 0;
	if (!vals && !(vals = calloc(ncpus, sizeof(*vals))))
		return -ENOMEM;
	err = go_map__lookup(fd, &key, vals);
	for (c = 0; c < ncpus && !err; c++)
		*sum += vals[c];
	return err;
}

int go_ncpus_possible(void)
{
	static int n;
	FILE *f;
	int a, b;
	char c;

	if (n)
		return n;
	f = fopen("/sys/devices/system/cpu/possible", "r");
	n = 1;
	if (!f)
		return n;
	/* "0-3", "0", or "0-3,5-7": count the last range's end */
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &c) == 1 && c == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			if (fscanf(f, "%c", &c) != 1)
				c = 0;
		}
		n = b + 1;
		if (c != ',')
			break;
	}
	fclose(f);
	return n;
}
