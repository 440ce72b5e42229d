// SPDX-License-Identifier: Apache-2.0
/*
 * gofloat: floats as libgo prints them for %v, for the tests that compare with Go's own:
 *   gofloat GO_MINOR < lines "32 <bits in hex>" or "64 <bits in hex>"   ->   one value a line
 * GO_MINOR is the Go release whose strconv is followed (126 for Go 1.26, 0 for gccgo).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libgo.h"

int main(int argc, char **argv)
{
	char line[128], out[64];
	int minor;

	if (argc != 2) {
		fprintf(stderr, "usage: gofloat GO_MINOR < lines\n");
		return 2;
	}
	minor = atoi(argv[1]);
	while (fgets(line, sizeof(line), stdin)) {
		char *sp = strchr(line, ' ');
		unsigned long long bits = sp ? strtoull(sp + 1, NULL, 16) : 0;
		uint32_t b32 = (uint32_t)bits;
		float f;
		double d;

		if (atoi(line) == 32) {
			memcpy(&f, &b32, sizeof(f));
			go_format_float(f, 32, minor, out, sizeof(out));
		} else {
			memcpy(&d, &bits, sizeof(d));
			go_format_float(d, 64, minor, out, sizeof(out));
		}
		printf("%s\n", out);
	}
	return 0;
}
