// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz gotrace's selectors (selector.c): the input is one selector as a user types it
 * (r.URL.Path, len(goarg1.(*main.Counter).n), goarg2.([]byte)); one that parses and asserts a
 * type is then planned over the runtime's types of the Go binary GOTOOLS_FUZZ_TARGET names,
 * from argument registers, and its plan printed as --dry-run prints it.
 */
#include "fuzz.h"

static struct go_binary *bin;
static struct go_types *types;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *target = getenv("GOTOOLS_FUZZ_TARGET");

	(void)argc;
	(void)argv;
	bin = target && *target ? go_binary__open(target) : NULL;
	types = bin ? go_types__open(bin) : NULL;
	return 0;
}

/* A base in every argument register, as goargN would give them. */
static void base_regs(struct go_xbase *b)
{
	int i;

	for (i = 0; i < GO_XBASE_REGS; i++)
		if (go_abi__arg(go_binary__arch(bin), GO_ABI_INTERNAL, i + 1, &b->reg[i]))
			break;
	b->nregs = i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_xsyntax s;
	struct go_xbase b;
	struct go_xexpr x;
	char *text;
	FILE *out;

	if (size > 512)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	if (go_xsyntax__parse(text, &s) || !types || !s.assert[0]) {
		free(text);
		return 0;
	}
	memset(&b, 0, sizeof(b));
	memset(&x, 0, sizeof(x));
	snprintf(x.text, sizeof(x.text), "%s", text);
	base_regs(&b);
	if (!go_xtype__find(types, s.assert, &b.type, &b.stars) &&
	    !go_xexpr__plan(types, bin, &s, &b, &x)) {
		if (x.plan.nsteps > GO_TRACE_XSTEPS || x.nwords > 2)
			abort();
		out = fopen("/dev/null", "w");
		if (out) {
			go_xexpr__print(&x, out);
			fclose(out);
		}
	}
	free(text);
	return 0;
}
