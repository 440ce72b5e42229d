// SPDX-License-Identifier: Apache-2.0
/*
 * gofuncs: print libgo's function table of a Go binary, one function a line:
 *   0x<entry> <abi> <name>
 * and with -s, the entry site and RET sites too. For the tests, which compare it with the Go
 * toolchain's own `go tool nm`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libgo.h"

int main(int argc, char **argv)
{
	struct go_binary *bin;
	bool sites = argc > 2 && !strcmp(argv[1], "-s");
	const char *path = argv[argc - 1];
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: gofuncs [-s] BINARY\n");
		return 2;
	}
	bin = go_binary__open(path);
	if (!bin) {
		fprintf(stderr, "gofuncs: %s\n", libgo_errmsg());
		return 1;
	}
	printf("# version=%s goid_offset=%d\n", go_binary__version(bin),
	       go_binary__goid_offset(bin));
	for (i = 0; i < go_binary__func_cnt(bin); i++) {
		const struct go_func *fn = go_binary__func(bin, i);
		uint64_t site, *rets;
		size_t nrets, r;

		printf("0x%llx %s %s", (unsigned long long)fn->entry, go_abi__name(fn->abi), fn->name);
		if (sites && !go_binary__entry_site(bin, fn, &site) &&
		    !go_binary__ret_sites(bin, fn, &rets, &nrets)) {
			printf(" entry=0x%llx rets=", (unsigned long long)site);
			for (r = 0; r < nrets; r++)
				printf("%s0x%llx", r ? "," : "", (unsigned long long)rets[r]);
			free(rets);
		}
		printf("\n");
	}
	go_binary__close(bin);
	return 0;
}
