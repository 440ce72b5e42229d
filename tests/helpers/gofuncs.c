// SPDX-License-Identifier: Apache-2.0
/*
 * gofuncs: print libgo's function table of a Go binary, one function a line:
 *   0x<entry> <abi> <name>
 * and with -s, the function's end, the entry site and RET sites too (0x<entry> <abi> <name>
 * end=0x<end> [split=0x<ret>] entry=0x<site> rets=0x<ret>,..., split: a gccgo function's
 * split-stack RET), or why libgo would not probe it (skipped=<why>); with -c, instead, the CALL
 * and JMP sites of each function that would be probed at its callers (go_binary__call_sites,
 * asked for every function at once, as a wide pattern does): 0x<entry> <name> calls=0x<site>,...
 * For the tests, which
 * compare it with the Go toolchain's own `go tool nm` and GNU objdump.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libgo.h"

static int print_call_sites(struct go_binary *bin)
{
	size_t j, k, m = go_binary__func_cnt(bin);
	const struct go_func **fns = calloc(m ? m : 1, sizeof(*fns));
	struct go_call_sites *cs = calloc(m ? m : 1, sizeof(*cs));

	if (!fns || !cs) {
		fprintf(stderr, "gofuncs: out of memory\n");
		return 1;
	}
	for (j = 0; j < m; j++)
		fns[j] = go_binary__func(bin, j);
	if (go_binary__call_sites(bin, fns, m, cs)) {
		fprintf(stderr, "gofuncs: %s\n", libgo_errmsg());
		return 1;
	}
	for (j = 0; j < m; j++) {
		if (!cs[j].usable)
			continue;
		printf("0x%llx %s calls=", (unsigned long long)fns[j]->entry, fns[j]->name);
		for (k = 0; k < cs[j].cnt; k++)
			printf("%s0x%llx", k ? "," : "", (unsigned long long)cs[j].addrs[k]);
		printf("\n");
	}
	go_call_sites__free(cs, m);
	free(fns);
	free(cs);
	return 0;
}

int main(int argc, char **argv)
{
	struct go_binary *bin;
	bool sites = argc > 2 && !strcmp(argv[1], "-s");
	bool calls = argc > 2 && !strcmp(argv[1], "-c");
	const char *path = argv[argc - 1];
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: gofuncs [-s | -c] BINARY\n");
		return 2;
	}
	bin = go_binary__open(path);
	if (!bin) {
		fprintf(stderr, "gofuncs: %s\n", libgo_errmsg());
		return 1;
	}
	printf("# version=%s goid_offset=%d\n", go_binary__version(bin),
	       go_binary__goid_offset(bin));
	if (calls) {
		int err = print_call_sites(bin);

		go_binary__close(bin);
		return err;
	}
	for (i = 0; i < go_binary__func_cnt(bin); i++) {
		const struct go_func *fn = go_binary__func(bin, i);
		uint64_t site, *rets, split = 0;
		size_t nrets, r;

		printf("0x%llx %s %s", (unsigned long long)fn->entry, go_abi__name(fn->abi), fn->name);
		if (!sites) {
			printf("\n");
			continue;
		}
		printf(" end=0x%llx", (unsigned long long)fn->end);
		if (go_binary__entry_site(bin, fn, &site) ||
		    go_binary__ret_sites(bin, fn, &rets, &nrets)) {
			printf(" skipped=%s\n", libgo_errmsg());	/* not probed: say why */
			continue;
		}
		if (!go_binary__split_ret(bin, fn, &split) && split)
			printf(" split=0x%llx", (unsigned long long)split);
		printf(" entry=0x%llx rets=", (unsigned long long)site);
		for (r = 0; r < nrets; r++)
			printf("%s0x%llx", r ? "," : "", (unsigned long long)rets[r]);
		free(rets);
		printf("\n");
	}
	go_binary__close(bin);
	return 0;
}
