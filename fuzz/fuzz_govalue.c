// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz the value formatter (govalue.c) and the type readers under it (gotype.c) on a real Go
 * binary, named by GOTOOLS_FUZZ_TARGET: what a probe copied of an interface's value comes from
 * the traced program, any bytes at all. The input's first 8 bytes pick the value's type (an
 * address in the binary's type data, so that recipes, fields and methods are read, descriptor or
 * not) and the inner interface's; the rest fills the value as a probe would (its words, flags,
 * strings and the struct copy). No process is read (pid 0). When its byte 10 is odd, the
 * value is a map of one of the binary's map types (byte 11 picks it), its copy the input's: a
 * random pick seldom lands on one, whose printing reads the most (map_text).
 * Then the same bytes as a composite value (composite.c): a plan of reads made for the picked
 * type, and a copy as a probe fills it (the value's bytes, what each read got), formatted by
 * %v and %+v.
 */
#include "fuzz.h"

static struct go_binary *bin;
static struct go_types *types;
static uint64_t lo, hi;
static uint64_t maps[64];	/* map types of the binary, found once */
static size_t nmaps;

static void maps_find(void)
{
	uint64_t a, kv[2];

	for (a = lo & ~7ULL; a < hi && nmaps < sizeof(maps) / sizeof(maps[0]); a += 8)
		if (go_types__plausible(types, a) && go_types__kind(types, a) == GO_RKIND_MAP &&
		    go_types__parts(types, a, kv, 2) == 2)
			maps[nmaps++] = a;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *target = getenv("GOTOOLS_FUZZ_TARGET");

	(void)argc;
	(void)argv;
	if (!target || !*target) {
		fprintf(stderr, "fuzz_govalue: set GOTOOLS_FUZZ_TARGET to a Go binary\n");
		exit(2);
	}
	bin = go_binary__open(target);
	types = bin ? go_types__open(bin) : NULL;
	if (!types) {
		fprintf(stderr, "fuzz_govalue: %s: %s\n", target, libgo_errmsg());
		exit(2);
	}
	go_types__range(types, &lo, &hi);
	maps_find();
	return 0;
}

static uint64_t pick(const uint8_t *p)
{
	uint32_t r;

	memcpy(&r, p, sizeof(r));
	return hi > lo ? (lo + r % (hi - lo)) & ~7ULL : r;
}

/* The input as an interface's value: its type, words, flags and strings. */
static int format(const uint8_t *data, size_t size)
{
	struct go_ivalue v;
	char str[64], *text = NULL;
	size_t n;

	if (size < 8 + 8)
		return 0;
	memset(&v, 0, sizeof(v));
	v.type = pick(data);
	v.kind = data[8] & 0x1f;
	v.direct = data[8] & 0x20;
	v.unreadable = data[8] & 0x40;
	v.quote = data[8] & 0x80;
	v.flags = data[9];
	if ((data[10] & 1) && nmaps) {
		v.type = maps[data[11] % nmaps];
		v.kind = GO_RKIND_MAP;
		v.direct = true;
		v.flags |= GO_IV_FIELDS;
	}
	v.has_str = v.flags & GO_IV_STR;
	data += 16;
	size -= 16;
	n = size < sizeof(v.word) ? size : sizeof(v.word);
	memcpy(v.word, data, n);
	data += n;
	size -= n;
	n = size < sizeof(v.x) ? size : sizeof(v.x);
	memcpy(&v.x, data, n);
	data += n;
	size -= n;
	if (v.flags & GO_IV_INNER)
		v.x.itype = pick((const uint8_t *)&v.x.itype);
	n = size < sizeof(str) ? size : sizeof(str);
	memcpy(str, data, n);
	v.str = str;
	v.str_size = sizeof(str);
	v.str_len = n;
	v.len = v.word[1];
	if (v.len < v.str_len)
		v.str_len = (size_t)v.len;
	if (!go_value__format(types, &v, &text) && !text)
		abort();
	free(text);
	return 0;
}

/* The input as a composite value of the type it picks: its plan, then a copy of any bytes. */
static void composite(const uint8_t *data, size_t size)
{
	static struct go_tval tv;
	struct go_vplan pl;
	uint64_t type = pick(data);
	char *text = NULL;
	size_t n;
	int stars = data[4] & 1;

	memset(&pl, 0, sizeof(pl));
	pl.root = 1 + data[5] * 8;
	if (go_vplan__make(types, type, stars, pl.root, &pl))
		return;
	memset(&tv, 0, sizeof(tv));
	data += 8;
	size -= 8;
	n = size < sizeof(tv) ? size : sizeof(tv);
	memcpy(&tv, data, n);
	if (!go_vplan__format(types, type, stars, &pl, &tv, data[0] & 1, &text) && !text)
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 16)
		composite(data, size);
	return format(data, size);
}
