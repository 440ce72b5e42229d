// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz gotrace's probe, filter and format parsers (traceprobe.c) on a real Go binary, named by
 * GOTOOLS_FUZZ_TARGET: the input's first byte picks a return probe (bit 0) and a regular
 * expression (bit 1, for patterns fuzz_regex_tame() allows); the rest follows "p:TARGET:"
 * (FUNCTION [(FILTER)] ["FORMAT"[, ARG...]]).
 * A probe that parses then formats an event made of the input's bytes, as the BPF program would
 * send it (its strings NUL-terminated, as trace.bpf.c leaves them).
 */
#include "fuzz.h"
#include "session/traceprobe.h"

static const char *target;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	target = getenv("GOTOOLS_FUZZ_TARGET");
	if (!target || !*target) {
		fprintf(stderr, "fuzz_tprobe: set GOTOOLS_FUZZ_TARGET to a Go binary\n");
		exit(2);
	}
	return 0;
}

static void event(const struct go_tprobe *p, const uint8_t *data, size_t size)
{
	struct go_tevent e;
	char buf[1024];
	FILE *out;
	int i;

	memset(&e, 0, sizeof(e));
	memcpy(&e, data, size < sizeof(e) ? size : sizeof(e));
	e.pid = 0;	/* no process to read from */
	for (i = 0; i < GO_TRACE_MAX_STRS; i++)
		e.str[i][GO_TRACE_STR_LEN - 1] = 0;
	go_tprobe__format(p, &e, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf))
		abort();
	out = fopen("/dev/null", "w");
	if (out) {
		go_tprobe__json_args(p, &e, out);
		go_tprobe__emit(p, 0, out);
		fclose(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_tprobe p;
	size_t tlen = strlen(target);
	bool regex;
	char *text;

	if (size < 1 || size > 4096)
		return 0;
	text = malloc(tlen + size + 4);
	snprintf(text, tlen + 4, "%s:%s:", data[0] & 1 ? "r" : "p", target);
	memcpy(text + tlen + 3, data + 1, size - 1);
	text[tlen + 3 + size - 1] = 0;
	regex = (data[0] & 2) &&
		fuzz_regex_tame(text + tlen + 3, strcspn(text + tlen + 3, " \t\n\v\f\r"));
	if (!go_tprobe__parse(&p, text, 0, regex))
		event(&p, data, size);
	else
		fuzz_note("parse");
	go_tprobe__free(&p);
	free(text);
	return 0;
}
