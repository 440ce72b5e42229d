// SPDX-License-Identifier: Apache-2.0
/*
 * The tools that match calls to their returns (libgo/probe/bpf/calls.bpf.h: gofunclatency,
 * gofuncslower): the shapes of the maps they share, the cookies of their dual probes, the
 * records of processes that exit (swept), and the calls that never returned, counted as lost.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/bpf/cookie.h"
#include "probe/bpf/funclatency.h"
#include "probe/probe.h"
#include "plan/plan.h"
#include "session/tool.h"

void go_calls__shape(struct go_bpf_spec *spec, const struct go_plan *plan, bool by_g, bool by_sp,
		     bool g_from_m, long max_goroutines, long max_spill)
{
	struct go_bpf_map_shape gs = { .max_entries = by_g ? (uint32_t)max_goroutines : 1 };

	if (!plan->goexit)
		gs.type = GO_BPF_MAP_LRU_HASH;
	go_bpf_spec__shape(spec, "gs", &gs);
	go_bpf_spec__size(spec, "spill", by_g ? (uint32_t)max_spill : 1);
	go_bpf_spec__size(spec, "starts", by_sp ? (uint32_t)max_spill : 1);
	go_bpf_spec__size(spec, "threads", g_from_m ? GO_LAT_MAX_THREADS : 1);
	go_bpf_spec__size(spec, "go_dual", plan->ndual ? plan->ndual : 1);
	if (plan->save_g)
		go_bpf_spec__size(spec, "go_gsaved", GO_GSAVED_ENTRIES);
}

int go_calls__set_dual(struct go_bpf *bpf, const struct go_plan *plan)
{
	int fd = go_bpf__map_fd(bpf, "go_dual"), err = 0;
	uint32_t i;

	if (fd < 0)
		return fd;
	for (i = 0; i < plan->ndual && !err; i++)
		err = go_map__update(fd, &i, &plan->dual[i]);
	return err;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

static bool among(const pid_t *pids, size_t n, uint32_t tgid)
{
	pid_t p = (pid_t)tgid;

	return bsearch(&p, pids, n, sizeof(*pids), pid_cmp) != NULL;
}

/* What sweep_map() deletes: the keys of the processes in pids, which fn sees first. */
struct sweeping {
	struct go_calls_sweeper *sw;
	size_t tgid_off;
	const pid_t *pids;
	size_t n;
	void (*fn)(struct go_calls_sweeper *, const void *);
};

static int sweep_one(void *ctx, const void *key)
{
	struct sweeping *w = ctx;
	uint32_t tgid;

	memcpy(&tgid, (const uint8_t *)key + w->tgid_off, sizeof(tgid));
	if (!among(w->pids, w->n, tgid))
		return 0;
	w->fn(w->sw, key);
	return 1;
}

/* Delete the keys of map fd whose process, a u32 at tgid_off, is among pids. */
static int sweep_map(int fd, size_t key_size, size_t tgid_off, const pid_t *pids, size_t n,
		     void (*fn)(struct go_calls_sweeper *, const void *), struct go_calls_sweeper *sw)
{
	struct sweeping w = { sw, tgid_off, pids, n, fn };

	return go_map__each(fd, key_size, sweep_one, &w);
}

/* A spilled call of a process gone: held, if its goroutine's record still counts it. */
static void sweep_spilled(struct go_calls_sweeper *sw, const void *key)
{
	struct go_lat_spill_key k;
	struct go_lat_gstate st;

	memcpy(&k, key, sizeof(k));
	if (!go_map__lookup(go_bpf__map_fd(sw->bpf, "gs"), &k.id, &st) && k.place < st.spilled)
		sw->held++;
}

static void sweep_record(struct go_calls_sweeper *sw, const void *key)
{
	struct go_lat_gstate st;

	if (go_map__lookup(go_bpf__map_fd(sw->bpf, "gs"), key, &st))
		return;
	sw->running += st.n;
	sw->spilled += st.spilled;
	sw->removed_gs += sw->lru_gs;
}

static void sweep_start(struct go_calls_sweeper *sw, const void *key)
{
	(void)key;
	sw->running++;
	sw->removed_sp++;
}

static void sweep_none(struct go_calls_sweeper *sw, const void *key)
{
	(void)sw;
	(void)key;
}

static void sweep(struct go_calls_sweeper *sw)
{
	int gs = go_bpf__map_fd(sw->bpf, "gs"), spill = go_bpf__map_fd(sw->bpf, "spill");
	int starts = go_bpf__map_fd(sw->bpf, "starts"), procs = go_bpf__map_fd(sw->bpf, "procs");
	pid_t pids[1024];
	size_t n, i;
	int err = 0;

	while (!err && (n = go_procs__exited(sw->procs, pids, 1024))) {
		qsort(pids, n, sizeof(*pids), pid_cmp);
		if (spill >= 0 && gs >= 0)	/* first, while the records say what they held */
			err = sweep_map(spill, sizeof(struct go_lat_spill_key),
					offsetof(struct go_lat_spill_key, id.tgid), pids, n,
					sweep_spilled, sw);
		if (!err && gs >= 0)
			err = sweep_map(gs, sizeof(struct go_lat_gid),
					offsetof(struct go_lat_gid, tgid), pids, n, sweep_record, sw);
		if (!err && starts >= 0)
			err = sweep_map(starts, sizeof(struct go_lat_start_key),
					offsetof(struct go_lat_start_key, tgid), pids, n, sweep_start,
					sw);
		for (i = 0; sw->extra && sw->extra[i].name && !err; i++) {
			int fd = go_bpf__map_fd(sw->bpf, sw->extra[i].name);

			if (fd >= 0)
				err = sweep_map(fd, sw->extra[i].key_size,
						offsetof(struct go_lat_gid, tgid), pids, n, sweep_none,
						sw);
		}
		for (i = 0; i < n; i++) {
			uint32_t tgid = (uint32_t)pids[i];

			go_map__delete(procs, &tgid);
		}
	}
	if (err && !sw->err)
		sw->err = err;
}

/* A process has records: watch it (one already gone is swept at once). */
static void on_newproc(void *ctx, const void *data, size_t size)
{
	struct go_calls_sweeper *sw = ctx;
	uint32_t tgid;
	int err;

	if (size < sizeof(tgid))
		return;
	memcpy(&tgid, data, sizeof(tgid));
	err = go_procs__add(sw->procs, (pid_t)tgid);
	if (err && !sw->err)
		sw->err = err;
}

static void on_newprocs(void *ctx)
{
	struct go_calls_sweeper *sw = ctx;

	go_ringbuf__consume(sw->rb);
	sweep(sw);
}

static void on_exits(void *ctx)
{
	sweep(ctx);
}

int go_calls__sweeper_start(struct go_calls_sweeper *sw, struct go_bpf *bpf, bool lru_gs)
{
	int fd = go_bpf__map_fd(bpf, "newprocs");

	sw->bpf = bpf;
	sw->lru_gs = lru_gs;
	if (fd < 0)
		return fd;
	sw->procs = go_procs__new();
	if (!sw->procs)
		return -errno;
	sw->rb = go_ringbuf__new(fd, (size_t)getpagesize(), on_newproc, sw);
	if (!sw->rb)
		return -errno;
	if (go_wait_also(fd, on_newprocs, sw) || go_wait_also(go_procs__fd(sw->procs), on_exits, sw))
		return -E2BIG;
	return 0;
}

void go_calls__sweeper_stop(struct go_calls_sweeper *sw)
{
	go_ringbuf__free(sw->rb);
	go_procs__free(sw->procs);
}

/* What tracing left in the tool's state at the end. */
struct leftover {
	uint64_t running;	/* calls in progress */
	uint64_t dropped;	/* spilled calls whose starts the spill's LRU dropped */
	uint64_t records;	/* goroutine records */
	uint64_t starts;	/* starts by stack pointer */
};

/*
 * Calls in progress when tracing ended: in each goroutine's record (the calls it holds and
 * those spilled past it, unless the spill dropped them), or in the map of starts by stack
 * pointer. The spill is read once, each of its calls checked against its goroutine's record
 * (it may hold calls of the past, above the record's count).
 */
static void count_leftover(struct go_bpf *bpf, struct leftover *left)
{
	int gs_fd = go_bpf__map_fd(bpf, "gs"), starts_fd = go_bpf__map_fd(bpf, "starts");
	int spill_fd = go_bpf__map_fd(bpf, "spill");
	struct go_lat_start_key skey, snext;
	struct go_lat_spill_key place, pnext;
	struct go_lat_gid key, next;
	struct go_lat_gstate st;
	uint64_t spilled = 0, held = 0;
	void *k = NULL;

	while (gs_fd >= 0 && go_map__next_key(gs_fd, k, &next) == 0) {
		key = next;
		k = &key;
		left->records++;
		if (go_map__lookup(gs_fd, &key, &st))
			continue;
		left->running += st.n;
		spilled += st.spilled;
	}
	k = NULL;
	while (spilled && spill_fd >= 0 && go_map__next_key(spill_fd, k, &pnext) == 0) {
		place = pnext;
		k = &place;
		if (!go_map__lookup(gs_fd, &place.id, &st) && place.place < st.spilled)
			held++;
	}
	held = held < spilled ? held : spilled;
	left->running += held;
	left->dropped += spilled - held;
	k = NULL;
	while (starts_fd >= 0 && go_map__next_key(starts_fd, k, &snext) == 0) {
		skey = snext;
		k = &skey;
		left->starts++;
		left->running++;
	}
}

static uint64_t stat_sum(int stats_fd, enum go_lat_stat i)
{
	uint64_t n = 0;

	go_map__sum_percpu(stats_fd, i, &n);
	return n;
}

/*
 * Entries of an LRU map that the LRU dropped: added, less removed, less those left (the records
 * of goroutines, or with sp the starts by stack pointer).
 */
static uint64_t lru_dropped(int stats_fd, bool sp, uint64_t left)
{
	uint64_t added = stat_sum(stats_fd, sp ? GO_LAT_SP_ADDED : GO_LAT_ADDED);
	uint64_t removed = stat_sum(stats_fd, sp ? GO_LAT_SP_REMOVED : GO_LAT_REMOVED);

	return added > removed + left ? added - removed - left : 0;
}

/*
 * Calls that never reached a RET: unwound ones (panic, runtime.Goexit), found as their
 * goroutines went on or ended, and those in progress at the end; calls that found no room in
 * the tool's state, and those whose starts its LRU maps dropped (the spill, the starts by stack
 * pointer) and goroutines whose records were dropped (records are an LRU without
 * runtime.goexit1).
 */
void go_calls__count_unreturned(struct go_losses *l, struct go_bpf *bpf, bool by_g, bool by_sp,
				bool goexit, const struct go_calls_sweeper *sw)
{
	int stats_fd = go_bpf__map_fd(bpf, "stats");
	uint64_t dropped, dropped_gs = 0;
	struct leftover left = { 0 };

	count_leftover(bpf, &left);
	/* and what the records of processes that exited held */
	left.running += sw->running + (sw->held < sw->spilled ? sw->held : sw->spilled);
	left.dropped += sw->held < sw->spilled ? sw->spilled - sw->held : 0;
	dropped = stat_sum(stats_fd, GO_LAT_EVICTED) + left.dropped;
	if (by_sp)
		dropped += lru_dropped(stats_fd, true, left.starts + sw->removed_sp);
	if (by_g && !goexit)
		dropped_gs = lru_dropped(stats_fd, false, left.records + sw->removed_gs);
	go_losses__add(l, GO_LOST_UNWOUND, stat_sum(stats_fd, GO_LAT_UNWOUND));
	go_losses__add(l, GO_LOST_UNFINISHED, left.running);
	go_losses__add(l, GO_LOST_NO_ROOM, stat_sum(stats_fd, GO_LAT_NO_ROOM));
	go_losses__add(l, GO_LOST_STARTS_DROPPED, dropped);
	go_losses__add(l, GO_LOST_GOROUTINES_DROPPED, dropped_gs);
}

uint64_t go_calls__stat(struct go_bpf *bpf, int i)
{
	return stat_sum(go_bpf__map_fd(bpf, "stats"), (enum go_lat_stat)i);
}
