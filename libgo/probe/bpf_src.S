/* The BPF programs, embedded as NUL-terminated strings. The build runs from the top directory. */
	.section .rodata
	.global go_bpf_src_common
go_bpf_src_common:
	.incbin "libgo/probe/bpf/common.bpf.h"
	.byte 0
	.global go_bpf_src_funccount
go_bpf_src_funccount:
	.incbin "libgo/probe/bpf/funccount.bpf.c"
	.byte 0
	.global go_bpf_src_trace
go_bpf_src_trace:
	.incbin "libgo/probe/bpf/trace.bpf.c"
	.byte 0
	.global go_bpf_src_funclatency
go_bpf_src_funclatency:
	.incbin "libgo/probe/bpf/funclatency.bpf.c"
	.byte 0
	.global go_bpf_src_cookie_h
go_bpf_src_cookie_h:
	.incbin "libgo/probe/bpf/cookie.h"
	.byte 0
	.global go_bpf_src_funclatency_h
go_bpf_src_funclatency_h:
	.incbin "libgo/probe/bpf/funclatency.h"
	.byte 0
	.global go_bpf_src_trace_h
go_bpf_src_trace_h:
	.incbin "libgo/probe/bpf/trace.h"
	.byte 0
	.global go_bpf_src_iface_bpf_h
go_bpf_src_iface_bpf_h:
	.incbin "libgo/probe/bpf/iface.bpf.h"
	.byte 0
	.global go_bpf_src_iface
go_bpf_src_iface:
	.incbin "libgo/probe/bpf/iface.bpf.c"
	.byte 0
	.global go_bpf_src_stackcount
go_bpf_src_stackcount:
	.incbin "libgo/probe/bpf/stackcount.bpf.c"
	.byte 0
	.global go_bpf_src_filter_h
go_bpf_src_filter_h:
	.incbin "libgo/probe/bpf/filter.h"
	.byte 0
	.global go_bpf_src_iface_h
go_bpf_src_iface_h:
	.incbin "libgo/probe/bpf/iface.h"
	.byte 0
	.global go_bpf_src_unwind_h
go_bpf_src_unwind_h:
	.incbin "libgo/probe/bpf/unwind.h"
	.byte 0
	.global go_bpf_src_unwind_bpf_h
go_bpf_src_unwind_bpf_h:
	.incbin "libgo/probe/bpf/unwind.bpf.h"
	.byte 0
	.global go_bpf_src_stackcount_h
go_bpf_src_stackcount_h:
	.incbin "libgo/probe/bpf/stackcount.h"
	.byte 0
	.global go_bpf_src_ivalue_h
go_bpf_src_ivalue_h:
	.incbin "libgo/probe/bpf/ivalue.h"
	.byte 0
	.global go_bpf_src_arch_h
go_bpf_src_arch_h:
	.incbin "libgo/probe/bpf/arch.bpf.h"
	.byte 0
	.global go_bpf_src_x86_64_h
go_bpf_src_x86_64_h:
	.incbin "libgo/probe/bpf/x86_64.bpf.h"
	.byte 0
	.global go_bpf_src_x86_64_regs_h
go_bpf_src_x86_64_regs_h:
	.incbin "libgo/arch/x86_64/regs.h"
	.byte 0
	.section .note.GNU-stack,"",@progbits
