/* SPDX-License-Identifier: Apache-2.0 */
/*
 * capstone, for the architectures' decoders (libgo/arch/<arch>/insn.c): loaded when code is
 * first decoded and unloaded when no binary holds a handle (go_binary__release, once probes are
 * planned), since the pages of its tables are half of what a tool holds while it traces. A
 * decoder calls capstone's functions by their own names, which name the loaded ones here.
 */
#ifndef LIBGO_ARCH_CAPSTONE_H
#define LIBGO_ARCH_CAPSTONE_H

#include <capstone/capstone.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"

struct go_cs_lib {
	void *lib;
	size_t users;
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*option)(csh, cs_opt_type, size_t);
	cs_insn *(*malloc)(csh);
	bool (*disasm_iter)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *);
	void (*free)(cs_insn *, size_t);
	cs_err (*close)(csh *);
	cs_err (*regs_access)(csh, const cs_insn *, cs_regs, uint8_t *, cs_regs, uint8_t *);
};

extern struct go_cs_lib go_cs_lib;

#define cs_open go_cs_lib.open
#define cs_option go_cs_lib.option
#define cs_malloc go_cs_lib.malloc
#define cs_disasm_iter go_cs_lib.disasm_iter
#define cs_free go_cs_lib.free
#define cs_close go_cs_lib.close
#define cs_regs_access go_cs_lib.regs_access

/*
 * Open a handle for arch and mode in *slot (go_code's decoder or decoder_lite), with operand
 * details (detail) or without, which decodes a third faster where only lengths and instruction
 * ids are read; 0 when *slot holds one already. what names the decoder in messages ("x86").
 */
int go_cs__open(void **slot, cs_arch arch, cs_mode mode, bool detail, const char *what);
void go_cs__close(void **slot);
csh go_cs__handle(void *slot);

/* A decoding cursor over one function (or any range of code). */
struct go_cs_cursor {
	const uint8_t *code;
	size_t size;
	uint64_t addr;
	cs_insn *insn;
	csh handle;
	unsigned step;		/* bytes to step over where one does not decode: 1 on x86, 4 on arm64 */
	bool skipped;		/* a byte did not decode: what follows may be out of step */
};

/*
 * Start c over [from, end) of code, decoding with the handle in slot (opened already). step is
 * how many bytes an undecodable instruction is taken to be.
 */
int go_cs_cursor__init(struct go_cs_cursor *c, struct go_code *code, void *slot, unsigned step,
		       uint64_t from, uint64_t end);
/*
 * Decode the next instruction into c->insn. Bytes capstone cannot decode are stepped over and
 * mark the cursor: past them, instruction boundaries are guesses (on x86), and a probe must
 * never go where an instruction does not begin.
 */
bool go_cs_cursor__next(struct go_cs_cursor *c);
void go_cs_cursor__free(struct go_cs_cursor *c);

#endif /* LIBGO_ARCH_CAPSTONE_H */
