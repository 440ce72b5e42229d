/* SPDX-License-Identifier: Apache-2.0 */
/* The probe layer: BPF programs compiled by libbcc, attached as uprobes. See bpf.c, bpfcompile.c,
 * attach.c and maps.c. */
#ifndef LIBGO_GOBPF_H
#define LIBGO_GOBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/base.h"

/*
 * A map made at load otherwise than compiled, as libbpf's bpf_map__set_max_entries(),
 * bpf_map__set_type() and bpf_map__set_key_size() do before load: one compiled (and cached)
 * program serves every size and kind. Each field 0 keeps the compiled one; a key_size is a
 * prefix of the compiled key (the program hashes only that much of it); type comes with flags.
 */
struct go_bpf_map_shape {
	const char *name;
	uint32_t max_entries;
	uint32_t key_size;
	uint32_t type;		/* GO_BPF_MAP_*, 0: as compiled (flags too) */
	uint32_t flags;		/* with type: GO_BPF_F_* */
};

/* The kinds of map a shape may ask for (the kernel's numbers). */
enum {
	GO_BPF_MAP_HASH = 1,
	GO_BPF_MAP_LRU_HASH = 9,
};
#define GO_BPF_F_NO_PREALLOC 1U

/* At most this many shapes in a spec. */
#define GO_BPF_MAX_SHAPES 16

/*
 * A tool's BPF program: its text, the same for every setting and every binary (settings and a
 * binary's facts are data the tool writes to the program's maps after load: go_binfo,
 * cookie.h; each program's own configuration map), and the shapes of its maps.
 */
struct go_bpf_spec {
	const char *src;		/* BPF C source */
	const char *const *progs;	/* names of the BPF functions to load (none: all) */
	int nprogs;
	bool multi;			/* also load them for uprobe_multi links */
	struct go_bpf_map_shape shapes[GO_BPF_MAX_SHAPES];
	int nshapes;
	int err;			/* the first go_bpf_spec__shape() that did not fit */
};

/* Ask for map name made with max_entries (0: as compiled); -E2BIG (kept in spec) when full. */
int go_bpf_spec__size(struct go_bpf_spec *spec, const char *name, uint32_t max_entries);
/* Ask for map name made as shape says (its name is set here). */
int go_bpf_spec__shape(struct go_bpf_spec *spec, const char *name,
		       const struct go_bpf_map_shape *shape);

struct go_bpf;

/* The program text as compiled: the common header, then the source. */
char *go_bpf_spec__text(const struct go_bpf_spec *spec);
/* The text, then the shapes of its maps as comments: what -v shows. */
char *go_bpf_spec__listing(const struct go_bpf_spec *spec);
/* The tools' BPF programs, embedded at build time (libgo/probe/bpf/). */
extern const char go_bpf_src_funccount[];
extern const char go_bpf_src_trace[];
extern const char go_bpf_src_funclatency[];
extern const char go_bpf_src_iface[];
extern const char go_bpf_src_stackcount[];
extern const char go_bpf_src_funcslower[];

/*
 * Whether this process may load the tools' BPF programs and attach uprobes: 0, or -EPERM with
 * a message naming the capabilities it lacks.
 */
int go_bpf__check_privileges(void);
/* Compile (in a child process) and load. NULL with errno set; the message in libgo_errmsg(). */
struct go_bpf *go_bpf__load(const struct go_bpf_spec *spec);
/* Detach everything and close every program and map. */
void go_bpf__close(struct go_bpf *bpf);
/* Detach every probe, the last attached first, keeping the maps readable. */
void go_bpf__detach(struct go_bpf *bpf);

/* Trace only process pid (0: every process); the programs check it at each hit. */
int go_bpf__set_pid(struct go_bpf *bpf, pid_t pid);
/*
 * Trace only the tasks filter selects (its tgid included), and with cgroup (a cgroup v2
 * directory, or NULL) only those in that cgroup or below it; the programs that call
 * go_task_ok() check this at each hit (bpf/filter.h).
 */
struct go_filter;
int go_bpf__set_filter(struct go_bpf *bpf, const struct go_filter *filter, const char *cgroup);
/* The scope of the calls to trace (labels.h: --label, --within), in go_scope (labels.bpf.h). */
struct go_scope;
int go_bpf__set_scope(struct go_bpf *bpf, const struct go_scope *scope);
/*
 * What the scope lost so far, of kind GO_SCOPE_LOST_* (labels.h): calls not traced because their
 * goroutine's labels could not all be read; goroutines --within could not mark.
 */
int go_bpf__scope_lost(struct go_bpf *bpf, uint32_t kind, uint64_t *n);
/* A map's file descriptor by its name in the source, or a negative errno. */
int go_bpf__map_fd(const struct go_bpf *bpf, const char *name);

/*
 * Attach program prog at cnt file offsets of the binary at path, each probe with its cookie.
 * pid > 0 limits the probes to that process (go_bpf__set_pid() included).
 */
int go_bpf__attach(struct go_bpf *bpf, const char *prog, const char *path,
		   const uint64_t *offsets, const uint64_t *cookies, size_t cnt, pid_t pid);
/*
 * How much longer a call takes under a probe the kernel single-steps than under one it emulates,
 * in ns, measured now on this process's own code with program prog (a program that does next to
 * nothing will do), attached and detached again; before the tool's own probes. 0 with *ns when
 * the kernel emulates both.
 */
int go_bpf__step_cost(struct go_bpf *bpf, const char *prog, uint64_t *ns);
/*
 * Attach program prog (a raw tracepoint program: its name begins "tp_", its context the
 * tracepoint's arguments) to the kernel's tracepoint event, "category/name" as tracefs names it
 * (raw_syscalls/sys_enter), on every CPU. Raw: a program on a perf event's tracepoint is
 * skipped, uncounted, whenever the CPU's perf recursion context is taken.
 */
int go_bpf__attach_tracepoint(struct go_bpf *bpf, const char *prog, const char *event);
/* False when GOTOOLS_NO_MULTI asks for one perf-event uprobe per address. */
bool go_bpf__want_multi(void);

/* A BPF ring buffer read from user space. */
struct go_ringbuf;
typedef void (*go_ringbuf_fn)(void *ctx, const void *data, size_t size);
struct go_ringbuf *go_ringbuf__new(int map_fd, size_t size, go_ringbuf_fn fn, void *ctx);
/* Hand every complete record to fn; returns how many. */
int go_ringbuf__consume(struct go_ringbuf *rb);
void go_ringbuf__free(struct go_ringbuf *rb);

/* Map access; 0 or a negative errno (-ENOENT at the end of iteration). */
int go_map__lookup(int fd, const void *key, void *value);
int go_map__update(int fd, const void *key, const void *value);
int go_map__delete(int fd, const void *key);
int go_map__next_key(int fd, const void *key, void *next);
/* The sum over CPUs of a per-CPU array's element. */
int go_map__sum_percpu(int fd, uint32_t key, uint64_t *sum);
/*
 * Call fn for each key of hash map fd (keys of key_size bytes, 8-byte aligned): it returns 1
 * for a key to delete, 0 to keep, or a negative errno to stop with. A key is deleted once the
 * walk has moved past it (deleting the key the walk is at would start it over). 0 or the
 * first error.
 */
int go_map__each(int fd, size_t key_size, int (*fn)(void *ctx, const void *key), void *ctx);
/*
 * The sum, and reset to 0, of a per-CPU array's element that no program writes meanwhile (one
 * for the interval that has ended, after go_bpf__sync).
 */
int go_map__take_percpu(int fd, uint32_t key, uint64_t *sum);
/*
 * Wait until every BPF program that is running has returned (the kernel's synchronize_rcu):
 * after it, none still works with what a map held before. 0 or a negative errno.
 */
int go_bpf__sync(void);
/* CPUs a per-CPU map holds a value for. */
int go_ncpus_possible(void);

#endif
