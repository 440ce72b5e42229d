// SPDX-License-Identifier: Apache-2.0
/*
 * gotypes: name the runtime type descriptors at the given addresses, as libgo reads them from
 * the executable of a running Go process:
 *   gotypes PID ADDR...   ->   one line each: <addr> <kind> <name>, or <addr> - -
 * ADDR is the address in the process (an interface's first word); libgo is given it less the
 * process's load bias. For the tests, which compare with the program's own %T.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "libgo.h"

int main(int argc, char **argv)
{
	struct go_binary *bin;
	struct go_types *types;
	int64_t bias = 0;
	char name[256];
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: gotypes PID ADDR...\n");
		return 2;
	}
	bin = go_binary__open_pid(atoi(argv[1]));
	if (!bin || go_binary__load_bias(bin, atoi(argv[1]), &bias)) {
		fprintf(stderr, "gotypes: %s\n", libgo_errmsg());
		return 1;
	}
	types = go_types__open(bin);
	if (!types || go_types__set_process(types, atoi(argv[1]))) {
		fprintf(stderr, "gotypes: %s\n", libgo_errmsg());
		return 1;
	}
	for (i = 2; i < argc; i++) {
		uint64_t addr = strtoull(argv[i], NULL, 0) - (uint64_t)bias;

		if (go_types__name(types, addr, name, sizeof(name)))
			printf("%s - -\n", argv[i]);
		else
			printf("%s %d %s\n", argv[i], go_types__kind(types, addr), name);
	}
	go_types__close(types);
	go_binary__close(bin);
	return 0;
}
