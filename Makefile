# gotools: bcc-style eBPF tools for Go programs.
# `make` builds every tool to ./tools/<tool>; V=1 shows the full commands.
# `make SANITIZE=1` builds them with ASan and UBSan instead (objects in build/sanitize/), for the
# tests to run on; WERROR=0 lets warnings through (for packagers on newer compilers).
# CPPFLAGS, CFLAGS and LDFLAGS are honoured, so dpkg-buildflags' hardening reaches the binaries.

TOOLS := gofunccount gotrace gofunclatency gostack goiface gofuncslower
HELPERS := tests/helpers/gofuncs tests/helpers/gotypes tests/helpers/golines tests/helpers/gofloat \
	tests/helpers/gofunccount-test

CC ?= cc
AR ?= ar
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
WERROR ?= 1
SANITIZE ?= 0
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man/man8
DOCDIR ?= $(DATADIR)/doc/gotools
EXAMPLESDIR ?= $(DOCDIR)/examples
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
# The prebuilt BPF programs: the tools look for them in ../lib/gotools/bpf from their own
# directory (SBINDIR), and in the build tree in build/bpf (libgo/probe/image_cache.c).
BPFDIR ?= $(PREFIX)/lib/gotools/bpf

ifeq ($(SANITIZE),1)
BUILD := build/sanitize
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
else
BUILD := build/normal
SAN_FLAGS :=
endif

ALL_CPPFLAGS := -Ilibgo $(CPPFLAGS)
ALL_CFLAGS := -std=gnu11 -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) $(CFLAGS) $(SAN_FLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(SAN_FLAGS)
# capstone is loaded at run time (libgo/arch/capstone.c), so that it can be unloaded while tracing
LDLIBS := -lelf -ldw -ldl -lz -lnettle -lmicrohttpd

LIBGO_SRCS := $(filter-out %.bpf.c,$(wildcard libgo/*/*.c libgo/*/*/*.c))
LIBGO_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIBGO_SRCS)) $(BUILD)/libgo/probe/bpf_src.o
BPF_SRCS := $(sort $(wildcard libgo/probe/bpf/*.bpf.c libgo/probe/bpf/*.h libgo/arch/*/regs.h))
# Stamps holding the flags an object or a program was built with: an object is rebuilt when its
# build's flags change, and ./tools/<tool> is relinked when the build it comes from does, even
# from the other build's older objects.
CC_STAMP := $(BUILD)/cflags
CC_STAMP_TEXT := $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS)
LINK_STAMP := build/linked
LINK_STAMP_TEXT := $(BUILD) $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LDLIBS)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean deps demo check check-bare check-arm64 test bench install uninstall fuzz fuzz-build FORCE
.SECONDARY:
.DELETE_ON_ERROR:
all: $(addprefix tools/,$(TOOLS)) $(HELPERS) build/bpf.stamp

$(CC_STAMP): FORCE | $(BUILD)/libgo
	@[ "$$(cat $@ 2>/dev/null)" = "$(CC_STAMP_TEXT)" ] || echo "$(CC_STAMP_TEXT)" >$@

$(LINK_STAMP): FORCE | $(BUILD)/libgo
	@[ "$$(cat $@ 2>/dev/null)" = "$(LINK_STAMP_TEXT)" ] || echo "$(LINK_STAMP_TEXT)" >$@

# -MMD -MP: each object's header dependencies, in a .d file beside it.
$(BUILD)/libgo/%.o: libgo/%.c $(CC_STAMP) | $(BUILD)/libgo
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The BPF programs and their headers (every file of libgo/probe/bpf/) are embedded as strings;
# libbcc compiles them when a tool starts.
build/bpf_src.S: scripts/embed-bpf.sh $(BPF_SRCS) FORCE
	$(Q)mkdir -p $(@D)
	$(Q)sh scripts/embed-bpf.sh $(BPF_SRCS) >$@.tmp
	$(Q)cmp -s $@.tmp $@ 2>/dev/null && rm $@.tmp || mv $@.tmp $@

$(BUILD)/libgo/probe/bpf_src.o: build/bpf_src.S $(BPF_SRCS) $(CC_STAMP) | $(BUILD)/libgo
	$(call msg,EMBED,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CPPFLAGS) -c $< -o $@

$(BUILD)/libgo.a: $(LIBGO_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/tools/%.o: tools/%.c $(CC_STAMP) | $(BUILD)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/helpers/%.o: tests/helpers/%.c $(CC_STAMP) | $(BUILD)/tests/helpers
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The tools' BPF programs, compiled now into images (scripts/bpf-prebuild.c) when make runs as
# root with libbcc and kernel headers; else one line says why not, and they compile at run time.
$(BUILD)/bpf-prebuild: $(BUILD)/scripts/bpf-prebuild.o $(BUILD)/libgo.a $(LINK_STAMP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

$(BUILD)/scripts/%.o: scripts/%.c $(CC_STAMP) | $(BUILD)/scripts
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

build/bpf.stamp: $(BUILD)/bpf-prebuild $(BPF_SRCS)
	$(call msg,BPF,build/bpf)
	$(Q)if $(BUILD)/bpf-prebuild $(CURDIR)/build/bpf; then touch $@; fi

tools/%: $(BUILD)/tools/%.o $(BUILD)/libgo.a $(LINK_STAMP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

# gofunccount with tests/helpers/testhook.c's go_test_hook(), which stops where a test asks
tests/helpers/gofunccount-test: $(BUILD)/tools/gofunccount.o $(BUILD)/tests/helpers/testhook.o \
		$(BUILD)/libgo.a $(LINK_STAMP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

tests/helpers/%: $(BUILD)/tests/helpers/%.o $(BUILD)/libgo.a $(LINK_STAMP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

$(BUILD)/libgo $(BUILD)/tools $(BUILD)/tests/helpers $(BUILD)/scripts:
	$(Q)mkdir -p $@

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/libgo/*/*.d $(BUILD)/libgo/*/*/*.d $(BUILD)/tests/helpers/*.d)

# libFuzzer harnesses (fuzz/*.c), one per parser of untrusted input, built with clang against
# libgo compiled for fuzzing (ASan + UBSan + coverage) in build/fuzz/. `make fuzz` runs each for
# FUZZ_SECONDS over a corpus in build/fuzz/corpus/<harness>, seeded from fuzz/seeds/ and from Go
# binaries (fuzz/seeds.sh); what a harness finds is left in build/fuzz/crashes/<harness>/.
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -g -O1 $(FUZZ_SAN)
FUZZERS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(LIBGO_SRCS)) $(FUZZ_BUILD)/libgo/probe/bpf_src.o

$(FUZZ_BUILD)/cflags: FORCE | $(FUZZ_BUILD)/libgo
	@[ "$$(cat $@ 2>/dev/null)" = "$(FUZZ_CC) $(FUZZ_CFLAGS)" ] || echo "$(FUZZ_CC) $(FUZZ_CFLAGS)" >$@

$(FUZZ_BUILD)/libgo/%.o: libgo/%.c $(FUZZ_BUILD)/cflags | $(FUZZ_BUILD)/libgo
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/libgo/probe/bpf_src.o: build/bpf_src.S $(BPF_SRCS) $(FUZZ_BUILD)/cflags | $(FUZZ_BUILD)/libgo
	$(call msg,EMBED,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(ALL_CPPFLAGS) -c $< -o $@

$(FUZZ_BUILD)/libgo.a: $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BUILD)/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_BUILD)/libgo.a $(FUZZ_BUILD)/cflags
	$(call msg,FUZZER,$@)
	$(Q)$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libgo.a \
		$(LDLIBS)

$(FUZZ_BUILD)/libgo:
	$(Q)mkdir -p $@

-include $(wildcard $(FUZZ_BUILD)/libgo/*/*.d $(FUZZ_BUILD)/libgo/*/*/*.d)

fuzz-build: $(addprefix $(FUZZ_BUILD)/,$(FUZZERS))

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./fuzz/run.sh $(FUZZERS)

# What a fresh Debian 12 machine needs (as root): the demo's share (build, Go 1.26), or all of
# it (the tests' packages and Go toolchains, bcc's tools); then build; then show or test.
deps:
	./scripts/setup.sh --tests

demo:
	./scripts/setup.sh
	$(MAKE) --no-print-directory all
	./scripts/demo.sh

# check sets the machine up first (README); test only builds and runs the tests, so that a
# package build or a user's checkout never runs apt-get.
check: deps
	$(MAKE) --no-print-directory all
	./scripts/test.sh

# The README's two commands, `sudo make demo` and `sudo make check`, as a user of a fresh Debian
# 12 (mmdebstrap) with no Go runs them, on this machine's kernel (.ci/run runs it first, with
# a part of the suite: GOTOOLS_BARE_TESTS).
check-bare: deps
	./scripts/test-bare-debian.sh

# The tools on an arm64 kernel: an arm64 Debian 12 under QEMU (scripts/arm64-vm.sh), the tools
# cross-compiled for it, tests/test_arm64_run.py there (scripts/check-arm64.sh). Slow: emulated.
check-arm64: deps
	./scripts/check-arm64.sh

test: all
	./scripts/test.sh

bench: all
	./scripts/bench.sh

# Only the tools, their prebuilt BPF programs (if make built them), man pages, examples and bash
# completion: not the test helpers.
install: $(addprefix tools/,$(TOOLS))
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(EXAMPLESDIR) \
		$(DESTDIR)$(COMPLETIONDIR)
	install -m 0755 $(addprefix tools/,$(TOOLS)) $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(addprefix man/man8/,$(addsuffix .8,$(TOOLS))) $(DESTDIR)$(MANDIR)/
	install -m 0644 $(addprefix tools/,$(addsuffix _example.txt,$(TOOLS))) $(DESTDIR)$(EXAMPLESDIR)/
	install -m 0644 completion/gotools $(DESTDIR)$(COMPLETIONDIR)/$(firstword $(TOOLS))
	for t in $(wordlist 2,$(words $(TOOLS)),$(TOOLS)); do \
		ln -sf $(firstword $(TOOLS)) $(DESTDIR)$(COMPLETIONDIR)/$$t; done
	if ls build/bpf/*.bpf >/dev/null 2>&1; then install -d -m 0755 $(DESTDIR)$(BPFDIR) && \
		install -m 0644 build/bpf/*.bpf $(DESTDIR)$(BPFDIR)/; fi

uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(TOOLS)) \
		$(addprefix $(DESTDIR)$(MANDIR)/,$(addsuffix .8,$(TOOLS))) \
		$(addprefix $(DESTDIR)$(EXAMPLESDIR)/,$(addsuffix _example.txt,$(TOOLS))) \
		$(addprefix $(DESTDIR)$(COMPLETIONDIR)/,$(TOOLS))
	rm -rf $(DESTDIR)$(BPFDIR)
	-rmdir $(DESTDIR)$(dir $(BPFDIR)) 2>/dev/null
	-rmdir $(DESTDIR)$(EXAMPLESDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build $(addprefix tools/,$(TOOLS)) $(HELPERS)
