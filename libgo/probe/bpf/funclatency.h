/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gofunclatency's maps, as funclatency.bpf.c keeps them and tools/gofunclatency.c reads them:
 * the statistics, and the per-goroutine state (see funclatency.bpf.c for how it is used).
 */
#ifndef GO_FUNCLATENCY_H
#define GO_FUNCLATENCY_H

#include <linux/types.h>

#define GO_LAT_SLOTS 64		/* log2 histogram slots per function */
#define GO_LAT_NFRAMES 4	/* calls in progress a goroutine's record holds; deeper ones spill */
#define GO_LAT_MAX_PROCS 65536	/* processes with records at once (the procs map) */
#define GO_LAT_MAX_THREADS 65536	/* threads whose m is known (GO_BIN_G_FROM_M) */

/* gofunclatency's settings, in config. */
struct go_lat_config {
	__u64 unit_div;		/* ns in the histograms' unit */
	__u32 level;		/* -l: time the outermost this many nested calls; 0: all */
	__u32 flags;		/* GO_LAT_* */
};
/* Goroutines' ends are probed: gs is a plain hash whose records go there, not an LRU. */
#define GO_LAT_GOEXIT 1U

/*
 * Indices into the stats map: calls that could not be timed, by cause, and what the tool needs
 * to count the entries its LRU maps dropped (ADDED - REMOVED - those left at the end).
 */
enum go_lat_stat {
	GO_LAT_UNWOUND,		/* their frame was unwound (panic, runtime.Goexit) */
	GO_LAT_NO_START,	/* a RET with no traced call: the call began before tracing */
	GO_LAT_NO_ROOM,		/* the tool's state for calls in progress was full at the entry */
	GO_LAT_EVICTED,		/* the spill (an LRU) dropped the call's start: found at its return */
	GO_LAT_ADDED,		/* entries added to an LRU map of starts or of goroutines ... */
	GO_LAT_REMOVED,		/* ... and removed by the program itself, not by the LRU */
	GO_LAT_SP_ADDED,	/* the same for the starts by stack pointer ... */
	GO_LAT_SP_REMOVED,	/* ... which Go < 1.17 keeps besides the goroutines' records */
	GO_LAT_STAT_CNT,
};

/* A call in progress. */
struct go_lat_frame {
	__u64 sp;		/* at the entry, for the return's quick match */
	__u64 ts;
	__u32 depth;		/* g.stack.hi - SP: Go stacks stay under 1 GB */
	__u32 func;		/* where it is timed: a generic function's instantiation (go_func),
				 * GO_FUNC_NONE for one not traced, whose return is still awaited */
	__u32 body;		/* the function its probes' cookies name, as its RETs' do */
	__u32 pad;
};

/* A goroutine's calls in progress: the first few here, the others in the spill map. */
struct go_lat_gstate {
	__u32 n;		/* frames in use */
	__u32 spilled;		/* calls in spill, above the frames, at places 0..spilled-1 */
	__u32 guard;		/* 1 + the depth of a GO_COOKIE_GUARD JMP, for the site it leads to */
	__u32 pad;
	struct go_lat_frame frames[GO_LAT_NFRAMES];
};

/* A goroutine: its g, in its process (copies of one program lay their goroutines out alike). */
struct go_lat_gid {
	__u64 g;
	__u32 tgid;
	__u32 pad;
};

struct go_lat_spill_key {
	struct go_lat_gid id;
	__u32 place;
	__u32 pad;
};

/* Go < 1.17: a thread's runtime.m, learned where g is in a register (GO_BIN_G_FROM_M). */
struct go_lat_thread {
	__u64 m;
	__u32 tgid;		/* its process: a thread id a new process reuses is another thread */
	__u32 pad;
};

/* Without g (gccgo, and Go < 1.17 on threads not seen yet), calls are keyed by SP alone. */
struct go_lat_start_key {
	__u64 sp;
	__u32 func;
	__u32 tgid;
};

#endif
