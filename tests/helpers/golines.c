// SPDX-License-Identifier: Apache-2.0
/*
 * golines: print libgo's frames at addresses of a Go binary, from its pclntab (go_lines__frames):
 *   golines BINARY [-r] ADDR...  ->  per address: 0x<addr> then one line a frame, innermost
 *   first: "  <func> <file>:<line> [inlined] [wrapper]" (wrapper: code Go makes itself, which
 *   its tracebacks leave out); -r takes the addresses as return addresses.
 *   golines BINARY -f FUNC      ->  every instruction start of FUNC is not known here: instead
 *   each byte address of FUNC, "0x<addr> <file>:<line>" of its innermost frame.
 * For the tests, which compare it with `go tool objdump` and with the program's own
 * runtime.CallersFrames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libgo.h"

int main(int argc, char **argv)
{
	struct go_frame fr[32];
	struct go_binary *bin;
	struct go_lines *l;
	bool ret = false;
	int i, j, n;

	if (argc < 3) {
		fprintf(stderr, "usage: golines BINARY [-r] ADDR... | golines BINARY -f FUNC\n");
		return 2;
	}
	bin = go_binary__open(argv[1]);
	l = bin ? go_lines__open(bin) : NULL;
	if (!l) {
		fprintf(stderr, "golines: %s\n", libgo_errmsg());
		return 1;
	}
	if (!strcmp(argv[2], "-f") && argc == 4) {
		const struct go_func *fn = go_binary__func_by_name(bin, argv[3]);
		uint64_t a;

		if (!fn) {
			fprintf(stderr, "golines: no function %s\n", argv[3]);
			go_lines__close(l);
			go_binary__close(bin);
			return 1;
		}
		for (a = fn->entry; a < fn->end; a++) {
			n = go_lines__frames(l, a, false, fr, 32);
			if (n > 0)
				printf("0x%llx %s:%d\n", (unsigned long long)a, fr[0].file, fr[0].line);
		}
		goto out;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-r")) {
			ret = true;
			continue;
		}
		n = go_lines__frames(l, strtoull(argv[i], NULL, 0), ret, fr, 32);
		printf("%s\n", argv[i]);
		for (j = 0; j < n; j++)
			printf("  %s %s:%d%s%s\n", fr[j].func, fr[j].file, fr[j].line,
			       fr[j].inlined ? " inlined" : "", fr[j].wrapper ? " wrapper" : "");
	}
out:
	go_lines__close(l);
	go_binary__close(bin);
	return 0;
}
