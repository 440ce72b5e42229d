// SPDX-License-Identifier: Apache-2.0
/*
 * gofuncs: print libgo's function table of a Go binary, one function a line:
 *   0x<entry> <abi> <name>
 * and with -s, the function's end, the entry site and RET sites too (0x<entry> <abi> <name>
 * end=0x<end> [split=0x<ret>] entry=0x<site> [jcc=<cc>] rets=0x<ret>,..., split: a gccgo
 * function's split-stack RET, jcc: the entry site is the stack check's conditional jump, whose
 * x86 condition code is cc), or why libgo would not probe it (skipped=<why>); with -c, instead, the CALL
 * and JMP sites of each function that would be probed at its callers (go_binary__call_sites,
 * asked for every function at once, as a wide pattern does): 0x<entry> <name> calls=0x<site>,...;
 * with -r, where each function entered by CALLs alone would have its returns seen
 * (go_binary__callers, then go_binary__return_sites): 0x<entry> <name> returns=0x<call>:0x<site>,...
 * or 0x<entry> <name> no-returns=<why>, with " guards=0x<jmp>,..." when loops' JMPs lead into the
 * lines, and a last line "# return sites: N of M functions"; with -g, the instantiations of generic
 * functions (go_binary__instances), one a line: <name> body=<shaped function> dict=0x<address>
 * reg=<register> how=<what named it> site=+<entry site's offset>[ lost: the dictionary is no
 * longer in its register there]; with -l, the release's layouts (go_binary__layout), a fact a
 * line: layout <name> <value> <source>, then what DWARF alone says: dwarf <name> <value> <source>. For the tests, which compare it with the Go toolchain's own
 * `go tool nm` and GNU objdump. A first line, a comment, holds the release and runtime.g's goid
 * offset, and a second runtime.m's layout when known.
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

static int print_return_sites(struct go_binary *bin)
{
	size_t j, k, n = go_binary__func_cnt(bin), with = 0;
	const struct go_func **fns = calloc(n ? n : 1, sizeof(*fns));
	struct go_call_sites *cs = calloc(n ? n : 1, sizeof(*cs));
	struct go_return_sites *rs = calloc(n ? n : 1, sizeof(*rs));

	if (!fns || !cs || !rs) {
		fprintf(stderr, "gofuncs: out of memory\n");
		return 1;
	}
	for (j = 0; j < n; j++)
		fns[j] = go_binary__func(bin, j);
	if (go_binary__callers(bin, fns, n, cs) || go_binary__return_sites(bin, fns, cs, n, rs)) {
		fprintf(stderr, "gofuncs: %s\n", libgo_errmsg());
		return 1;
	}
	for (j = 0; j < n; j++) {
		if (!cs[j].usable)
			continue;
		printf("0x%llx %s ", (unsigned long long)fns[j]->entry, fns[j]->name);
		if (!rs[j].usable) {
			printf("no-returns=%s\n", rs[j].why);
			continue;
		}
		with++;
		printf("returns=");
		for (k = 0; k < rs[j].cnt; k++)
			printf("%s0x%llx:0x%llx", k ? "," : "", (unsigned long long)cs[j].addrs[k],
			       (unsigned long long)rs[j].addrs[k]);
		for (k = 0; k < rs[j].nguards; k++)
			printf("%s0x%llx", k ? "," : " guards=", (unsigned long long)rs[j].guards[k]);
		printf("\n");
	}
	printf("# return sites: %zu of %zu functions\n", with, n);
	go_return_sites__free(rs, n);
	go_call_sites__free(cs, n);
	free(fns);
	free(cs);
	free(rs);
	return 0;
}

/* Each release fact: "name value source" as the binary's layout says, then DWARF's alone. */
static int print_layout(struct go_binary *bin)
{
	const struct go_layout *l = go_binary__layout(bin);
	struct go_layout dw;
	const struct go_fact *f;
	const char *name;
	size_t i;

	printf("# minor=%d pcln=%d moduledata=0x%llx labels_form=%d\n", l->minor, l->pcln_version,
	       (unsigned long long)l->moduledata, l->labels_form);
	for (i = 0; (f = go_layout__fact(l, i, &name)); i++)
		printf("layout %s %d %s\n", name, f->val, go_fact_src__name(f->src));
	if (go_binary__layout_dwarf(bin, &dw))
		return 0;
	for (i = 0; (f = go_layout__fact(&dw, i, &name)); i++)
		printf("dwarf %s %d %s\n", name, f->val, go_fact_src__name(f->src));
	return 0;
}

static int print_instances(struct go_binary *bin)
{
	const struct go_inst *in;
	size_t n, i;

	if (go_binary__instances(bin, NULL, &in, &n)) {
		fprintf(stderr, "gofuncs: %s\n", libgo_errmsg());
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint64_t site = 0;
		bool kept = !go_binary__entry_site(bin, in[i].body, &site, NULL) &&
			    go_inst__at_site(bin, &in[i], site);

		printf("%s\tbody=%s\tdict=0x%llx\treg=%s\thow=%s\tsite=+%llu%s\n", in[i].name,
		       in[i].body->name, (unsigned long long)in[i].dict, go_arch__reg_name(go_binary__arch(bin), in[i].reg),
		       in[i].how, (unsigned long long)(site - in[i].body->entry),
		       kept ? "" : " lost");
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct go_binary *bin;
	bool sites = argc > 2 && !strcmp(argv[1], "-s");
	bool calls = argc > 2 && !strcmp(argv[1], "-c");
	bool returns = argc > 2 && !strcmp(argv[1], "-r");
	bool insts = argc > 2 && !strcmp(argv[1], "-g");
	bool layout = argc > 2 && !strcmp(argv[1], "-l");
	const char *path = argv[argc - 1];
	struct go_m_layout ml;
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: gofuncs [-s | -c | -r | -g | -l] BINARY\n");
		return 2;
	}
	bin = go_binary__open(path);
	if (!bin) {
		fprintf(stderr, "gofuncs: %s\n", libgo_errmsg());
		return 1;
	}
	printf("# version=%s goid_offset=%d\n", go_binary__version(bin),
	       go_binary__goid_offset(bin));
	if (!go_binary__m_layout(bin, &ml))
		printf("# m_layout=%d,%d,%d,%d\n", ml.g_m, ml.m_g0, ml.m_gsignal, ml.m_curg);
	if (calls || returns || insts || layout) {
		int err = calls ? print_call_sites(bin) : returns ? print_return_sites(bin) :
			  insts ? print_instances(bin) : print_layout(bin);

		go_binary__close(bin);
		return err;
	}
	for (i = 0; i < go_binary__func_cnt(bin); i++) {
		const struct go_func *fn = go_binary__func(bin, i);
		uint64_t site, *rets, split = 0;
		size_t nrets, r;
		int jcc;

		printf("0x%llx %s %s", (unsigned long long)fn->entry, go_abi__name(fn->abi), fn->name);
		if (!sites) {
			printf("\n");
			continue;
		}
		printf(" end=0x%llx", (unsigned long long)fn->end);
		if (go_binary__entry_site(bin, fn, &site, &jcc) ||
		    go_binary__ret_sites(bin, fn, &rets, &nrets)) {
			printf(" skipped=%s\n", libgo_errmsg());	/* not probed: say why */
			continue;
		}
		if (!go_binary__split_ret(bin, fn, &split) && split)
			printf(" split=0x%llx", (unsigned long long)split);
		printf(" entry=0x%llx", (unsigned long long)site);
		if (jcc >= 0)
			printf(" jcc=%d", jcc);
		printf(" rets=");
		for (r = 0; r < nrets; r++)
			printf("%s0x%llx", r ? "," : "", (unsigned long long)rets[r]);
		free(rets);
		printf("\n");
	}
	go_binary__close(bin);
	return 0;
}
