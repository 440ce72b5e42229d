// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz function patterns and probe specs (pattern.c). The input is "PATTERN\0NAME": its first
 * byte's low bit picks a regular expression, and PATTERN is also split as a probe spec.
 */
#include "fuzz.h"

static const char *const names[] = {
	"main.main", "main.(*Counter).Inc", "main.Map[go.shape.int_0]", "type:.eq.main.T",
	"runtime.goexit", "main.héllo", "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pattern, *name, *binary, *funcs;
	struct go_pattern *pat;
	bool regex;
	size_t i;

	if (size < 1 || size > 512)
		return 0;
	regex = data[0] & 1;
	pattern = malloc(size + 1);
	memcpy(pattern, data + 1, size - 1);
	pattern[size - 1] = 0;
	name = pattern + strlen(pattern);
	if (name < pattern + size - 1)
		name++;		/* past the NUL that ends the pattern */
	if (!go_probe_spec__split(pattern, 0, regex, &binary, &funcs)) {
		free(binary);
		free(funcs);
	}
	if (!go_probe_spec__split(pattern, 1, !regex, &binary, &funcs)) {
		free(binary);
		free(funcs);
	}
	for (i = 0; pattern[i]; i++)
		(void)go_utf8_len(pattern + i);
	pat = go_pattern__new(pattern, regex && fuzz_regex_tame(pattern, strlen(pattern)));
	if (pat) {
		/* a name it matches, it may begin: every prefix of it (on a character's boundary) */
		bool matches = go_pattern__match(pat, name);

		for (i = 0; matches && !regex && i <= strlen(name); i++) {
			char c = name[i];

			name[i] = 0;
			if ((c & 0xc0) != 0x80 && !go_pattern__may_begin(pat, name))
				abort();
			name[i] = c;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			(void)go_pattern__match(pat, names[i]), (void)go_pattern__may_begin(pat, names[i]);
		go_pattern__free(pat);
	}
	free(pattern);
	return 0;
}
