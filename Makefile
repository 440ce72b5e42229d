# gotools: bcc-style eBPF tools for Go programs.
# `make` builds every tool to ./tools/<tool>; V=1 shows the full commands.

TOOLS := gofunccount gotrace gofunclatency gostack
HELPERS := tests/helpers/gofuncs tests/helpers/golines

CC ?= cc
CFLAGS ?= -O2 -g
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR := $(PREFIX)/sbin
MANDIR := $(PREFIX)/share/man/man8
DOCDIR := $(PREFIX)/share/doc/gotools

ALL_CFLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -Ilibgo
LDLIBS := -lelf -ldw -lcapstone -ldl -lz

LIBGO_SRCS := $(wildcard libgo/*.c)
LIBGO_OBJS := $(patsubst %.c,build/%.o,$(LIBGO_SRCS)) build/libgo/bpf_src.o
BPF_SRCS := $(wildcard libgo/bpf/*.bpf.c libgo/bpf/*.bpf.h)

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean deps demo check test bench install
.SECONDARY:
all: $(addprefix tools/,$(TOOLS)) $(HELPERS)

build/libgo/%.o: libgo/%.c $(wildcard libgo/*.h) | build/libgo
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The BPF programs are embedded as strings; libbcc compiles them when a tool starts.
build/libgo/bpf_src.o: libgo/bpf_src.S $(BPF_SRCS) | build/libgo
	$(call msg,EMBED,$@)
	$(Q)$(CC) -c $< -o $@

build/libgo.a: $(LIBGO_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

build/tools/%.o: tools/%.c $(wildcard libgo/*.h) | build/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

tools/%: build/tools/%.o build/libgo.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

tests/helpers/%: tests/helpers/%.c build/libgo.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/libgo build/tools:
	$(Q)mkdir -p $@

# Everything a fresh Debian 12 machine needs (as root); then build; then show or test.
deps:
	./scripts/setup.sh

demo: deps
	$(MAKE) --no-print-directory all
	./scripts/demo.sh

check test: deps
	$(MAKE) --no-print-directory all
	./scripts/test.sh

bench: all
	./scripts/bench.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(addprefix tools/,$(TOOLS)) $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(addprefix man/man8/,$(addsuffix .8,$(TOOLS))) $(DESTDIR)$(MANDIR)/
	install -m 0644 $(addprefix tools/,$(addsuffix _example.txt,$(TOOLS))) $(DESTDIR)$(DOCDIR)/

clean:
	rm -rf build $(addprefix tools/,$(TOOLS)) $(HELPERS)
