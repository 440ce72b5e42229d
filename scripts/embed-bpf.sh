#!/bin/sh
# The BPF programs and the headers they share with the C code, embedded in libgo as NUL-terminated
# strings: `make` writes the assembly this prints for the files it is given (every file of
# libgo/probe/bpf/, and each arch's libgo/arch/<arch>/regs.h), so that adding one edits no list.
# Each program NAME.bpf.c is go_bpf_src_NAME and common.bpf.h go_bpf_src_common, for the tools;
# every file is in go_bpf_files[] by its name (a file of libgo/probe/bpf/) or its path under
# libgo/ (another), for the probe layer to put in place of an #include "NAME"
# (libgo/probe/compile.c).
set -eu

echo "/* Written by scripts/embed-bpf.sh: the files of libgo/probe/bpf/. */"
echo "	.section .rodata"
i=0
for f in "$@"; do
	base=${f##*/}
	case $f in
	libgo/probe/bpf/*) name=$base ;;
	*) name=${f#libgo/} ;;
	esac
	case $base in
	common.bpf.h) sym=go_bpf_src_common ;;
	*.bpf.c) sym=go_bpf_src_${base%.bpf.c} ;;
	*) sym= ;;
	esac
	echo ".Lname$i:"
	echo "	.string \"$name\""
	[ -z "$sym" ] || echo "	.global $sym"
	[ -z "$sym" ] || echo "$sym:"
	echo ".Ltext$i:"
	echo "	.incbin \"$f\""
	echo "	.byte 0"
	i=$((i + 1))
done
echo "	.section .data.rel.ro,\"aw\""
echo "	.balign 8"
echo "	.global go_bpf_files"
echo "go_bpf_files:"
n=0
while [ $n -lt $i ]; do
	echo "	.quad .Lname$n, .Ltext$n"
	n=$((n + 1))
done
echo "	.quad 0, 0"
echo "	.section .note.GNU-stack,\"\",@progbits"
