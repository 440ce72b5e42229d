// SPDX-License-Identifier: Apache-2.0
/* capstone, loaded at run time for the architectures' decoders (arch/capstone.h). */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "arch/capstone.h"
#include "base/base.h"

#define CS_STR_(x) #x
#define CS_STR(x) CS_STR_(x)
#define CS_LIB "libcapstone.so." CS_STR(CS_API_MAJOR)

struct go_cs_lib go_cs_lib;

static int cs_lib_load(const char *what)
{
	void *lib;

	if (go_cs_lib.lib)
		return 0;
	lib = dlopen(CS_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return go_fail(ENOENT, "cannot load the %s decoder %s: %s", what, CS_LIB, dlerror());
	*(void **)&go_cs_lib.open = dlsym(lib, "cs_open");
	*(void **)&go_cs_lib.option = dlsym(lib, "cs_option");
	*(void **)&go_cs_lib.malloc = dlsym(lib, "cs_malloc");
	*(void **)&go_cs_lib.disasm_iter = dlsym(lib, "cs_disasm_iter");
	*(void **)&go_cs_lib.free = dlsym(lib, "cs_free");
	*(void **)&go_cs_lib.close = dlsym(lib, "cs_close");
	*(void **)&go_cs_lib.regs_access = dlsym(lib, "cs_regs_access");
	if (!go_cs_lib.open || !go_cs_lib.option || !go_cs_lib.malloc ||
	    !go_cs_lib.disasm_iter || !go_cs_lib.free || !go_cs_lib.close ||
	    !go_cs_lib.regs_access) {
		dlclose(lib);
		memset(&go_cs_lib, 0, sizeof(go_cs_lib));
		return go_fail(ENOENT, "cannot load the %s decoder %s: a function is missing",
			       what, CS_LIB);
	}
	go_cs_lib.lib = lib;
	return 0;
}

int go_cs__open(void **slot, cs_arch arch, cs_mode mode, bool detail, const char *what)
{
	csh h;
	int err;

	if (*slot)
		return 0;
	err = cs_lib_load(what);
	if (err)
		return err;
	if (cs_open(arch, mode, &h) != CS_ERR_OK) {
		if (!go_cs_lib.users) {
			dlclose(go_cs_lib.lib);
			memset(&go_cs_lib, 0, sizeof(go_cs_lib));
		}
		return go_fail(ENOMEM, "cannot start the %s decoder", what);
	}
	cs_option(h, CS_OPT_DETAIL, detail ? CS_OPT_ON : CS_OPT_OFF);
	*slot = (void *)(uintptr_t)(h + 1);	/* +1: a handle may be 0 */
	go_cs_lib.users++;
	return 0;
}

csh go_cs__handle(void *slot)
{
	return (csh)(uintptr_t)slot - 1;
}

void go_cs__close(void **slot)
{
	csh h;

	if (!*slot)
		return;
	h = go_cs__handle(*slot);
	cs_close(&h);
	*slot = NULL;
	if (!--go_cs_lib.users) {
		dlclose(go_cs_lib.lib);
		memset(&go_cs_lib, 0, sizeof(go_cs_lib));
	}
}

int go_cs_cursor__init(struct go_cs_cursor *c, struct go_code *code, void *slot, unsigned step,
		       uint64_t from, uint64_t end)
{
	if (from >= end)
		return go_fail(EINVAL, "empty function at 0x%llx", (unsigned long long)from);
	c->code = code->bytes(code->ctx, from, end - from);
	if (!c->code)
		return go_fail(ERANGE, "code at 0x%llx is not in '%s'", (unsigned long long)from,
			       code->name);
	c->size = end - from;
	c->addr = from;
	c->skipped = false;
	c->step = step;
	c->handle = go_cs__handle(slot);
	c->insn = cs_malloc(c->handle);
	return c->insn ? 0 : go_fail(ENOMEM, "out of memory");
}

bool go_cs_cursor__next(struct go_cs_cursor *c)
{
	while (c->size) {
		size_t n = c->step < c->size ? c->step : c->size;

		if (cs_disasm_iter(c->handle, &c->code, &c->size, &c->addr, c->insn))
			return true;
		c->code += n;
		c->size -= n;
		c->addr += n;
		c->skipped = true;
	}
	return false;
}

void go_cs_cursor__free(struct go_cs_cursor *c)
{
	if (c->insn)
		cs_free(c->insn, 1);
	c->insn = NULL;
}
