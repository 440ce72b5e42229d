/* SPDX-License-Identifier: Apache-2.0 */
/* Planning probe sites: patterns, targets, entry, call, RET and return sites, stack walks. */
#ifndef LIBGO_PLAN_H
#define LIBGO_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "binary/binary.h"
#include "probe/bpf/cookie.h"

/* ---- Probe specs ------------------------------------------------------------------------- */

/*
 * Split "[p:][BINARY:]FUNCTIONS" (pid: the -p PID or 0; regex: FUNCTIONS is -r's). *binary is
 * NULL when absent. Returns malloc'd copies in *binary and *funcs; -EINVAL for an empty
 * function pattern, and for bcc's probe forms that name no Go function (t:, u:, p::, c:,
 * FUNC+OFFSET, C signatures), with the reason.
 */
int go_probe_spec__split(const char *spec, pid_t pid, bool regex, char **binary, char **funcs);

/*
 * Open the binary a probe spec names: BINARY when given (which pid, when > 0, must run), else
 * the executable of pid.
 */
struct go_binary *go_binary__open_spec(const char *binary, pid_t pid);

/* ---- Whole stacks at entry probes ------------------------------------------------------- */

/* What kind of probe of go_target__entry_probes() fired at link-time pc for fn. */
enum go_probe_kind {
	GO_PROBE_ENTRY,		/* fn's entry site: its caller's return address is at *SP */
	GO_PROBE_CALL,		/* a CALL to fn: the caller is at pc, returning to pc + 5 */
	GO_PROBE_JMP,		/* a JMP to fn (a tail call): the caller's return address is at *SP */
};
enum go_probe_kind go_binary__probe_kind(struct go_binary *bin, const struct go_func *fn,
					 uint64_t pc);
/*
 * The frame of fn at an entry probe on site: *ra_off bytes of it are pushed or reserved there
 * (the BPF side's go_site_ra finds the return address from that); *framed when the frame
 * pointer already holds fn's own frame there (the walk then has the caller).
 */
int go_binary__entry_frame(struct go_binary *bin, const struct go_lines *lines,
			   const struct go_func *fn, uint64_t site, int *ra_off, bool *framed);
/*
 * How the stack walk (bpf/stackwalk.bpf.h) goes on below a cgo callback's frame on a goroutine's
 * stack: where runtime.cgocallback returns from runtime.cgocallbackg (cb_pc, 0 when the binary
 * has none), its frame's size there (its CFA is SP + cb_cfa) and where its return address is
 * (cb_ra, struct go_unwind_cb's ra); then, for each pc that can be below it, that frame's size
 * and what it is (GO_UNWIND_* of bpf/stackwalk.h).
 */
#define GO_UNWIND_PLAN_MAX 128
struct go_unwind_plan {
	uint64_t cb_pc;
	int32_t cb_cfa, cb_ra;
	size_t n;
	uint64_t pc[GO_UNWIND_PLAN_MAX];
	int32_t cfa[GO_UNWIND_PLAN_MAX];
	uint32_t kind[GO_UNWIND_PLAN_MAX];
};
void go_binary__unwind_plan(struct go_binary *bin, const struct go_lines *lines,
			    struct go_unwind_plan *plan);

/*
 * A Go stack as the tools print it, from a walk (bpf/stackwalk.h) taken at a probe: pc[0] is the
 * traced function's (its entry, or the probed pc), the others return addresses, up to the
 * goroutine's first frame (or a thread's), or to where the walk stopped, which end says.
 */
enum go_stack_end {
	GO_STACK_WHOLE,		/* where Go's own traceback ends too */
	GO_STACK_TRUNCATED,	/* deeper than the walk's frames (GO_WALK_MAX_FRAMES) */
	GO_STACK_CUT,		/* the walk could not go on: why says where */
};

#define GO_STACK_MAX_PCS 160

struct go_inl_site;
struct go_stack {
	uint64_t pc[GO_STACK_MAX_PCS];	/* link-time */
	int npc;
	enum go_stack_end end;
	const char *why;		/* GO_STACK_CUT: "code that is not Go's", ... */
	/* taken at an inlined call's site: pc[0] is its probe's, whose frames are the site's
	 * (go_inl_site__frames); NULL at an entry probe */
	const struct go_inl_site *inl;
};

/* A function's frame at its entry site: its return address is at SP + ra_off; framed: RBP is
 * already its own (go_binary__entry_frame). */
struct go_entry_frame {
	int32_t ra_off;
	bool framed;
};

struct go_walk;
/*
 * The stack of walk w, taken at a probe of fn whose link-time pc is w's first frame less bias
 * (w's addresses are the process's): leaf is the stack's first pc; ef is fn's frame at its
 * entry site, NULL where its return address is at SP (a RET). lines NULL (gccgo): no Go line
 * table, functions from the symbol table, and a stack ends only where the walk does.
 */
void go_stack__from_walk(struct go_stack *s, struct go_binary *bin, const struct go_lines *lines,
			 const struct go_func *fn, const struct go_entry_frame *ef,
			 const struct go_walk *w, int64_t bias, uint64_t leaf);
/*
 * The stack of walk w, taken at the probe of an inlined call's site (planned: its addr): the
 * site's pc, then the return address of the function holding it (from the walk, or where that
 * function keeps no frame record there, the word the probe read: go_inl_site.frame), and on.
 */
void go_stack__from_inline_walk(struct go_stack *s, struct go_binary *bin,
				const struct go_lines *lines, const struct go_inl_site *site,
				const struct go_walk *w, int64_t bias);

/* A frame of a stack: a go_frame, and the stack's pc it is at (its index at). */
struct go_stack_frame {
	struct go_frame f;
	uint64_t pc;
	int at;
};
/*
 * The frames of s as runtime.CallersFrames gives them: the calls inlined at each pc expanded,
 * the code Go makes itself (wrappers) left out as Go's tracebacks leave it out, but for the
 * traced function itself. At most max; how many.
 */
int go_stack__frames(const struct go_stack *s, const struct go_binary *bin,
		     const struct go_lines *lines, struct go_stack_frame *out, int max);
/* The text gostack and gotrace print for a stack that is not whole, e.g. "[cut: ...]"; NULL. */
const char *go_stack__note(const struct go_stack *s, char *buf, size_t size);

/* A generic function's instantiation among a target's functions (go_binary__instances). */
struct go_target_inst {
	struct go_func fn;	/* its shaped body's, under the instantiation's name */
	const struct go_inst *inst;
};

/* An entry of the BPF programs' go_dicts (cookie.h): the instantiation a dictionary names. */
struct go_target_dict {
	struct go_dict_key key;
	uint32_t func;
};

/*
 * A place where a function of a target was inlined (libgo/plan/inline.c): the call's entry of
 * the inline tree of the function whose code holds it, and the instruction that runs once per
 * inlined call there (go_target__choose_inlined), or why none does.
 */
struct go_inl_site {
	const char *func;		/* the inlined function */
	const struct go_func *outer;	/* the function whose code holds it */
	int32_t call;			/* its index in outer's inline tree */
	uint64_t mark;			/* its inline mark (parentPc), link-time; 0 when none */
	const char *caller;		/* the function it was inlined into: outer, or a call
					 * inlined into outer */
	const char *file;		/* the call's position ("" and 0 when unknown) */
	int line;
	uint64_t addr;			/* the instruction to probe; 0: none */
	const char *kind;		/* with addr: "inline-mark" (its mark, a NOP of its own) or
					 * "inline-start" (in its code, entered from the call only) */
	const char *mark_why;		/* why the mark cannot stand for the call, or NULL */
	const char *why;		/* without addr: why no instruction can */
	bool planned;			/* a probe of the plan is there (GO_PLAN_INLINE) */
	/*
	 * func's body is outer's own code: outer is the method wrapper Go makes for a pointer
	 * (pkg.(*T).M of pkg.T.M), into which the compiler inlined it leaving no trace of the
	 * call (no inline tree entry, no CALL); call is -1, the site is where the body begins
	 */
	bool wrapper;
	/* planned: the frame of outer at addr (its return address, where RBP is not its own) */
	struct go_entry_frame frame;
	/*
	 * with addr: a pc of the call's own code, whose frames less the skip innermost are the
	 * call's and its callers' (go_inl_site__frames); 0 when it has none (an empty body)
	 */
	uint64_t code;
	int skip;
};

/*
 * The functions a tool traces: "[BINARY:]FUNCTIONS" (or with -p, the process's executable),
 * matched as a glob or, with regex, an extended regular expression. The names matched are
 * the binary's functions' and its generic functions' instantiations' (main.Sum[int]: calls of
 * its shaped body, main.Sum[go.shape.int], with its dictionary): each instantiation is a
 * function of its own; a shaped body matched with some of its instantiations keeps the calls
 * with any other dictionary, and an instantiation's own wrapper (main.Sum[main.myInt] for a
 * function value) goes, as its calls pass through the body.
 */
struct go_target {
	struct go_binary *bin;
	char *pattern;		/* the FUNCTIONS part */
	size_t *idx;		/* indices into the binary's function table; an index past it,
				 * go_binary__func_cnt() + k, is the instantiation insts[k] */
	size_t cnt;
	struct go_target_inst *insts;
	size_t ninsts;
	struct go_target_dict *dicts;	/* from the plan, for go_target__set_binfo */
	size_t ndicts;
	struct go_call_sites *calls;	/* per function, when entered at call sites */
	struct go_return_sites *rsites;	/* per function, GO_PLAN_RETURN_SITES */
	uint32_t slot;		/* the binary's slot in the BPF programs' go_binfo (cookie.h) */
	size_t *slots;		/* go_target__slot's answers, for slots_cnt functions */
	size_t slots_cnt;
	/*
	 * Where the matched functions were inlined (gc), sorted by the function holding them;
	 * a matched name that has no function of its own (it exists only inlined) is a
	 * function of t too, numbered past the instantiations (go_target__inline_only), with no
	 * entry: inl_funcs holds them
	 */
	const struct go_lines *lines;
	struct go_inl_site *inl;
	size_t ninl;
	struct go_func *inl_funcs;
	size_t ninl_funcs;
};

int go_target__open(struct go_target *t, const char *spec, pid_t pid, bool regex);
/*
 * The functions any of n specs matches, in one binary (all name the same one, or none: -p's);
 * t->pattern holds their FUNCTIONS parts, a space between.
 */
int go_target__open_list(struct go_target *t, const char *const *specs, int n, pid_t pid,
			 bool regex);

/* ---- inlined calls (libgo/plan/inline.c) ---- */
/* Why the tools that time calls cannot time an inlined one. */
#define GO_INLINE_UNTIMED "an inlined call has no return to time"
/* Find where the functions pat matches were inlined (t->inl), and those that exist only so. */
int go_target__find_inlined(struct go_target *t, const struct go_pattern *pat);
/* Choose each site's instruction (go_inl_site.addr, .kind, .why), decoding their callers. */
int go_target__choose_inlined(struct go_target *t);
/* Is t's i-th function one that exists only inlined (no code, no entry of its own)? */
bool go_target__inline_only(const struct go_target *t, size_t i);
/* out[k]: the number of t's function that t->inl[k] is of; SIZE_MAX when none is (dropped). */
int go_target__map_inlined(const struct go_target *t, size_t *out);
/* How many of t's functions were inlined somewhere: *first names one, *nsites counts sites. */
size_t go_target__inlined_funcs(const struct go_target *t, const char **first, size_t *nsites);
/*
 * Say on stderr, once, which matched functions were inlined, and where they go unseen: with
 * counted, the sites no probe sees (none: nothing said); else all of them, which the tool does
 * not probe, for the reason why (NULL: it cannot see inlined calls).
 */
void go_target__say_inlined(const struct go_target *t, bool counted, const char *why);
/* -v: each site, its caller, position, and its instruction or why none runs once per call. */
void go_target__list_inlined(const struct go_target *t, FILE *out);
/* Why site s has no instruction, in words. */
void go_inl_site__why(const struct go_inl_site *s, char *buf, size_t size);
/*
 * The frames where site s's probe fires, innermost first, as runtime.CallersFrames gives them
 * in the call's code: the inlined function (inlined), then those it was inlined into, each at
 * the line of its call. At most max; how many, or -ENOENT.
 */
int go_inl_site__frames(const struct go_inl_site *s, const struct go_lines *lines,
			struct go_frame *out, int max);
/* t's planned sites, by address (malloc'd), *n of them; NULL when out of memory. */
const struct go_inl_site **go_target__planned_inlined(const struct go_target *t, size_t *n);
/* The site at link-time addr among n sites by address (go_target__planned_inlined), or NULL. */
const struct go_inl_site *go_inl_sites__at(const struct go_inl_site *const *sites, size_t n,
					   uint64_t addr);
/*
 * -v of a tool that does not probe inlined calls: each site where a matched function was
 * inlined (of those it dropped for existing only so too), its caller and position, and why it
 * is not seen (why).
 */
void go_target__list_inlined_unseen(const struct go_target *t, FILE *out, const char *why);
void go_target__close(struct go_target *t);
const struct go_func *go_target__func(const struct go_target *t, size_t i);
/*
 * Where the i-th function's calls are counted, the function number its probes' cookies carry:
 * i, or for GCC's clone of a gccgo function (go_func.clone) the number of that function (or of
 * its first clone when it is not in t), so that the tools count, time and print a function
 * and its clones as one, under go_target__func(t, slot)->name.
 */
size_t go_target__slot(const struct go_target *t, size_t i);

/* Probe sites (file offsets) and their cookies (libgo/probe/bpf/cookie.h), for go_bpf__attach(). */
struct go_probes {
	uint64_t *offs;
	uint64_t *cookies;
	size_t cnt;
};

struct go_dual;
struct go_plan;
struct go_bpf;

/*
 * The load bias of a process that is gone, from a stack taken at one of ps's probes of function
 * func (its index, as in the cookies): go_binary__bias_from_stack() over those probes' sites.
 */
int go_probes__bias_from_stack(const struct go_probes *ps, const struct go_binary *bin,
			       pid_t pid, uint32_t func, const uint64_t *frames, int nframes,
			       int64_t *bias);
/*
 * Which of t's functions plan enters where the kernel single-steps the probe (stepped[f] for
 * the function of cookie index f, go_target__slots(t) of them): their calls' times hold that
 * step (go_bpf__step_cost). How many.
 */
size_t go_target__stepped(const struct go_target *t, const struct go_plan *plan, bool *stepped);
/*
 * Make sure go_binary__load_bias() knows where pid loaded t's binary (PIE), also when pid is
 * gone: from the probe of plan that pid hit first, which a program built with GO_NOTE_PROCS
 * keeps (go_procs, common.bpf.h). 0, or -ENOENT when nothing tells.
 */
int go_target__bias(const struct go_target *t, const struct go_plan *plan, struct go_bpf *bpf,
		    pid_t pid);

/* What go_target__plan() probes. */
enum {
	GO_PLAN_ENTRY = 1,	/* each function's entry site */
	GO_PLAN_CALL_SITES = 2,	/* with ENTRY: its callers' CALLs and JMPs where cheaper */
	GO_PLAN_RET = 4,	/* each function's RET instructions */
	GO_PLAN_GOEXIT = 8,	/* with ENTRY: where goroutines end (gc), GO_COOKIE_GOEXIT */
	/*
	 * with RET: a function entered by direct CALLs alone has its returns probed in its
	 * callers (go_binary__return_sites, GO_COOKIE_RETURN), not at its RETs, unless
	 * GOTOOLS_NO_RETURN_SITES is set: with ENTRY among the entry probes, guards too (for a
	 * program that keeps each goroutine's calls and skips a guard's passage); without ENTRY
	 * among the RETs' probes, and only where no guard is needed
	 */
	GO_PLAN_RETURN_SITES = 16,
	/*
	 * with ENTRY: where threads start and go idle (gc: runtime.minit, runtime.stopm, on
	 * the thread's g0), GO_COOKIE_THREAD, for a program that learns each thread's runtime.m
	 */
	GO_PLAN_THREADS = 32,
	/*
	 * with ENTRY (gc only: gccgo fails): where the runtime changes a goroutine's status
	 * (runtime.casgstatus, runtime.casGToPreemptScan), GO_COOKIE_SCHED, and where a coroutine
	 * switches goroutines (runtime.coroswitch_m, Go 1.22+), GO_COOKIE_CORO, in sched_entry;
	 * and the kernel's tracepoints of threads' CPUs and system calls (tracepoints), for a
	 * program that tells where a goroutine's time goes
	 */
	GO_PLAN_SCHED = 64,
	/*
	 * with ENTRY: each site where a matched function was inlined, at its instruction that
	 * runs once per inlined call (go_inl_site), GO_COOKIE_INLINE; functions that exist only
	 * inlined are kept. Without it they are dropped, said once, and the others' inlined
	 * calls go unseen (go_target__inlined_funcs says how many)
	 */
	GO_PLAN_INLINE = 128,
};

struct go_plan {
	struct go_probes entry;	/* entry sites, call sites and goexit (GO_PLAN_ENTRY) */
	struct go_probes ret;	/* RET sites (GO_PLAN_RET) */
	/*
	 * GO_PLAN_RET without GO_PLAN_ENTRY: the entry sites of the functions whose RETs cannot
	 * find g in its register (go_binary__g_in_reg), where a program must save it (go_g_save). With
	 * GO_PLAN_ENTRY, those entry probes carry GO_COOKIE_SAVE_G instead.
	 */
	struct go_probes gsave;
	/*
	 * GO_PLAN_SCHED: the runtime's entry sites GO_COOKIE_SCHED and GO_COOKIE_CORO, for a BPF
	 * program of their own (the calls' entry program is already near what the kernel's
	 * verifier takes)
	 */
	struct go_probes sched_entry;
	/*
	 * GO_PLAN_RETURN_SITES: the cookie pairs of the entry probes that are GO_COOKIE_DUAL
	 * (struct go_dual), for the BPF program's go_dual array
	 */
	struct go_dual *dual;
	size_t ndual;
	size_t nreturn_sites;	/* return sites among the entry probes */
	bool save_g;		/* some RETs take g saved at the entry: compile with GO_SAVE_G */
	bool goexit;		/* the goexit probe is in entry */
	size_t threads;		/* GO_COOKIE_THREAD probes in entry */
	size_t sched;		/* GO_COOKIE_SCHED probes in sched_entry */
	size_t coro;		/* GO_COOKIE_CORO probes in sched_entry */
	/* entry probes where Go may restart the code (go_plan__restarting), the first's function */
	size_t restarting;
	const char *restarting_first;
	/* GO_PLAN_SCHED: the kernel's tracepoints to attach (raw), "category/name" as tracefs says */
	const char *const *tracepoints;
	size_t ntracepoints;
};

/*
 * Plan the probes of t in one pass: drop the functions that cannot be probed as asked (an
 * entry the kernel cannot probe, such as runtime.abort's int3; code the decoder cannot read
 * through to find every RET), with one warning on stderr per cause naming the first; number
 * the rest (t->idx keeps them, in order: cookie function i is go_target__func(t, i), and a
 * GCC clone's probes carry its function's number, go_target__slot); then emit every probe
 * with cookies from that numbering and t->slot. Call sites (a function whose entry the kernel
 * would single-step, probed at its callers' CALL and JMP instructions when nothing else
 * enters it, go_binary__call_sites) carry how far below SP the callee's SP is; the RETs of a
 * gccgo function's body, the distance to its split-stack RET (GO_COOKIE_SPLIT). -ENOTSUP when
 * no function is left, -ENOENT when none has a RET to probe.
 */
int go_target__plan(struct go_target *t, unsigned int what, struct go_plan *plan);
void go_plan__free(struct go_plan *plan);
/*
 * Tell the BPF programs the facts of t's binary (goid offset, g in its register), at t->slot,
 * and the dictionaries of the instantiations its plan tells apart (go_dicts). Every tool calls it once
 * its program is loaded, before attaching.
 */
struct go_bpf;
int go_target__set_binfo(struct go_target *t, struct go_bpf *bpf);
/* GO_BIN_MAPS_HASH or GO_BIN_MAPS_SWISS (cookie.h): how bin's maps are read; 0: not read. */
unsigned go_target__map_flags(struct go_binary *bin);
/*
 * For each function of t probed at its entry site, its frame there (go_binary__entry_frame);
 * zero for the others (probed where they are called). *out is calloc'd, one per function.
 */
int go_target__entry_frames(struct go_target *t, const struct go_lines *lines,
			    struct go_entry_frame **out);
/*
 * Tell a program that walks stacks (bpf/stackwalk.bpf.h) how to walk t's binary, at t->slot: how
 * to go on below its cgo callbacks, and where each function's return address is at its entry
 * site (ef, from go_target__entry_frames; NULL for return probes, where it is at SP).
 */
int go_target__set_unwind(struct go_target *t, const struct go_lines *lines,
			  const struct go_entry_frame *ef, struct go_bpf *bpf);
/*
 * How many per-function slots a BPF program should have: the count rounded up to a power of
 * two, so that runs with similar patterns compile to the same program (and share its cache).
 */
size_t go_target__slots(const struct go_target *t);
/* Print each matched function with address, entry site and ABI (the -v listing). */
void go_target__list(struct go_target *t, FILE *out);
/* After go_target__plan with GO_PLAN_RETURN_SITES: where each function's returns are seen. */
void go_target__list_returns(struct go_target *t, FILE *out);
/*
 * How many of plan's entry probes are on entry sites where Go's asynchronous preemption may
 * restart the code (go_binary__restarts_at): a call preempted there is seen twice. *first: the
 * function of the first of them.
 */
size_t go_plan__restarting(const struct go_target *t, const struct go_plan *plan,
			   const char **first);
/*
 * --dry-run: print every probe of plan (its entry, RET and g-saving probes) on t, as a tool
 * would attach them, by address: link-time address, file offset, kind (entry, entry-jcc, call,
 * jmp, return, guard, ret, save-g, goexit, thread; "return+call" or "return+guard" for an
 * address with two roles), whether the kernel single-steps it, the function and, for a site in
 * a caller's code, the caller, and at a shaped body's probe the instantiations its dictionary
 * tells apart (t->dicts) and that dictionary's register; after a header naming the binary, pid (0: any process) and
 * label (what the probes are for; NULL: t's pattern), and before a summary. json: one JSON
 * object per line instead (the header's, each probe's, the summary's). Nothing is loaded or
 * attached; 0, or a negative errno with the message set.
 */
int go_plan__print(const struct go_target *t, const struct go_plan *plan, const char *label,
		   pid_t pid, bool json, FILE *out);

#endif /* LIBGO_PLAN_H */
