// SPDX-License-Identifier: Apache-2.0
/*
 * A tool's run as a list of steps, each said once when it fails: watch the traced process, open
 * the target (or say that nothing matched), plan (and with --dry-run print the plan and stop),
 * print the program (-D), load, attach, wait for each summary, say what was lost, detach,
 * close.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe/bpf/labels.h"
#include "probe/probe.h"
#include "session/tool.h"

static volatile sig_atomic_t *exit_flag;

static void on_signal(int sig)
{
	(void)sig;
	*exit_flag = 1;
}

/* Ctrl-C and SIGTERM set *exiting, which the tool's loop checks (as libbpf-tools' do). */
static void catch_signals(volatile sig_atomic_t *exiting)
{
	exit_flag = exiting;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
}

/* A descriptor that becomes readable when pid exits (pidfd), or -1 with the message set. */
static int pid_watch(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return go_fail(errno, errno == ESRCH ? "no process with pid %d" :
				      "cannot watch pid %d: %s", (int)pid, strerror(errno));
	return fd;
}

/* What else go_session__wait waits for (go_wait_also). */
#define MAX_ALSO 8
static struct {
	int fd;
	void (*fn)(void *ctx);
	void *ctx;
} also[MAX_ALSO];
static int nalso;

int go_wait_also(int fd, void (*fn)(void *ctx), void *ctx)
{
	if (nalso == MAX_ALSO)
		return go_fail(E2BIG, "too many descriptors to wait for");
	also[nalso].fd = fd;
	also[nalso].fn = fn;
	also[nalso].ctx = ctx;
	nalso++;
	return 0;
}

void go_wait_forget(void *ctx)
{
	int i, j;

	for (i = j = 0; i < nalso; i++)
		if (also[i].ctx != ctx)
			also[j++] = also[i];
	nalso = j;
}

/*
 * Sleep up to ms, or until a signal; meanwhile call each go_wait_also() function whose
 * descriptor is readable, and those without one. 1 when the watched process has exited.
 */
static int wait_ms(int pidfd, long ms)
{
	struct pollfd p[1 + MAX_ALSO];
	int i, n;

	p[0].fd = pidfd;	/* poll skips a negative descriptor */
	p[0].events = POLLIN;
	for (i = 0; i < nalso; i++) {
		p[1 + i].fd = also[i].fd;
		p[1 + i].events = POLLIN;
	}
	if (pidfd < 0 && !nalso) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		return 0;
	}
	n = poll(p, 1 + nalso, (int)ms);
	for (i = 0; i < nalso; i++)
		if (also[i].fd < 0 || (n > 0 && p[1 + i].revents))
			also[i].fn(also[i].ctx);
	return n > 0 && p[0].revents ? 1 : 0;
}

bool go_session__wait(struct go_session *s, long interval, long duration)
{
	long period = interval ? interval : duration ? duration : 99999999;
	uint64_t start = go_monotonic_ns(), end = start + (uint64_t)period * 1000000000ull, now;
	bool gone = false;

	/* by the clock: wait_ms returns early whenever a go_wait_also descriptor is readable */
	while ((now = go_monotonic_ns()) < end && !s->exiting && !gone) {
		uint64_t left = (end - now + 999999) / 1000000;

		gone = wait_ms(s->pidfd, left < 100 ? (long)left : 100);
	}
	s->elapsed += now >= end ? period : (long)((now - start) / 1000000000ull);
	s->gone |= gone;
	return gone || s->exiting || (duration && s->elapsed >= duration);
}

void go_session__poll(struct go_session *s, int fd, long ms)
{
	struct pollfd p[2 + MAX_ALSO] = { { fd, POLLIN, 0 }, { s->pidfd, POLLIN, 0 } };
	int i, n;

	for (i = 0; i < nalso; i++) {
		p[2 + i].fd = also[i].fd;
		p[2 + i].events = POLLIN;
	}
	n = poll(p, 2 + (nfds_t)nalso, (int)ms);
	if (n > 0 && (p[1].revents & POLLIN))
		s->gone = true;
	/* as wait_ms: those without a descriptor at each wait (--prometheus's idle connections) */
	for (i = 0; i < nalso; i++)
		if (also[i].fd < 0 || (n > 0 && (p[2 + i].revents & POLLIN)))
			also[i].fn(also[i].ctx);
}

/*
 * No function matches, said on stderr (stdout is for what is traced: -j's JSON) in the words of
 * the bcc tool the caller follows, which runbooks grep for: funccount's and stackcount's
 * "No functions matched by pattern PATTERN", or funclatency's
 * "0 functions matched by "PATTERN". Exiting."
 */
static int say_no_match(struct go_session *s, const char *pattern)
{
	if (s->funclatency)
		fprintf(stderr, "0 functions matched by \"%s\". Exiting.\n", pattern);
	else
		fprintf(stderr, "No functions matched by pattern %s\n", pattern);
	fflush(stderr);
	s->said = true;
	return -ENOENT;
}

int go_session__open(struct go_session *s, const char *pattern, bool regex)
{
	return go_session__open_list(s, pattern ? &pattern : NULL, pattern ? 1 : 0, regex);
}

int go_session__open_list(struct go_session *s, const char *const *patterns, int n, bool regex)
{
	const char *pattern = n ? patterns[0] : NULL;
	int err;

	s->open = true;
	s->pidfd = -1;
	s->info = s->data_only || s->json ? stderr : stdout;
	go_losses__init(&s->losses, s->unit);
	if (s->pid) {
		s->pidfd = pid_watch(s->pid);
		if (s->pidfd < 0)
			return s->pidfd;
	}
	s->pattern = pattern;
	if (!pattern)
		return 0;
	err = go_target__open_list(&s->target, patterns, n, s->pid, regex);
	if (err)
		return err;
	if (n > 1)
		s->pattern = s->target.pattern;
	return s->target.cnt ? 0 : say_no_match(s, s->pattern);
}

/* Entry probes that may see a call twice (go_plan__restarting): said, never silent. */
static void say_restarting(const struct go_plan *plan)
{
	char esc[GO_ESC_LEN];
	size_t n = plan->restarting;

	if (n)
		warn("note: %s%s %s probed where Go restarts the code after preemption: a call "
		     "preempted there is seen twice (--dry-run lists %s)\n",
		     go_esc(plan->restarting_first, esc, sizeof(esc)), n > 1 ? " and others" : "",
		     n > 1 ? "are" : "is", n > 1 ? "them" : "it");
}

int go_session__plan_of(struct go_session *s, struct go_target *t, unsigned int what,
			struct go_plan *plan, const char *label)
{
	int err = go_target__plan(t, what, plan);

	if (!err && !(what & GO_PLAN_INLINE))	/* matched only in part: said */
		go_target__say_inlined(t, false, s->inline_why);
	if (!err && !go_dry_run() && go_binary__arch(t->bin) != go_arch__host())
		return go_fail(ENOEXEC, "'%s' is for %s and this machine is %s: its probes can "
			       "only be planned here (--dry-run)", go_binary__name(t->bin),
			       go_binary__arch(t->bin)->name, go_arch__host()->name);
	if (!err && !go_dry_run())
		say_restarting(plan);
	if (err || !go_dry_run())
		return err;
	err = go_plan__print(t, plan, label, s->pid, s->json, stdout);
	if (!err && go_within_asked() && !s->within)	/* once, in the first target's binary */
		err = go_session__within_print(s, t);
	return err ? err : GO_SESSION_DRY_RUN;
}

int go_session__plan(struct go_session *s, unsigned int what)
{
	return go_session__plan_of(s, &s->target, what, &s->plan, s->pattern);
}

int go_session__load(struct go_session *s, const struct go_bpf_spec *spec, bool print)
{
	if (print) {
		char *text = go_bpf_spec__listing(spec);

		if (!text)
			return go_fail(ENOMEM, "out of memory");
		go_esc_fputs(s->info, text, true);	/* gotrace's probes are quoted in it */
		fflush(s->info);
		free(text);
	}
	s->bpf = go_bpf__load(spec);
	return s->bpf ? 0 : -errno;
}

/*
 * --label: the labels to the program, once t's binary is known to keep labels it reads;
 * --within: its probes, in the binary of the first target attached.
 */
static int scope_set(struct go_session *s, const struct go_target *t)
{
	const struct go_scope *scope = go_scope_asked();
	struct go_labels_layout l;
	struct go_scope sc;
	char why[256];

	if (!scope)
		return 0;
	if (scope->nlabels && go_binary__labels_layout(t->bin, &l)) {
		snprintf(why, sizeof(why), "%s", libgo_errmsg());
		return go_fail(ENOTSUP, "cannot trace by --label in '%s': %s",
			       go_binary__name(t->bin), why);
	}
	if (s->attached)
		return 0;
	sc = *scope;
	return sc.flags & GO_SCOPE_WITHIN ? go_session__within(s, t, &sc) :
					    go_bpf__set_scope(s->bpf, &sc);
}

int go_session__attach(struct go_session *s, const char *prog, const struct go_target *t,
		       const struct go_probes *ps)
{
	int err = scope_set(s, t);

	if (err)
		return err;
	if (!s->attached)
		catch_signals(&s->exiting);
	s->attached = true;
	return go_bpf__attach(s->bpf, prog, go_binary__path(t->bin), ps->offs, ps->cookies, ps->cnt,
			      s->pid);
}

void go_session__detach(struct go_session *s)
{
	go_bpf__detach(s->bpf);
}

void go_session__losses(struct go_session *s)
{
	uint64_t n;

	if (go_scope_asked() && s->bpf &&
	    !go_bpf__scope_lost(s->bpf, GO_SCOPE_LOST_LABELS, &n) && n > s->scope_lost) {
		go_losses__add(&s->losses, GO_LOST_SCOPE_LABELS, n - s->scope_lost);
		s->scope_lost = n;
	}
	go_session__within_lost(s);
	go_losses__report(&s->losses, s->json ? stdout : NULL);
}

void go_session__end(struct go_session *s)
{
	go_session__losses(s);
	fprintf(s->info, "Detaching...\n");
	fflush(s->info);
}

/*
 * A scrape: the tool's figures, then the calls --label could not tell and the goroutines
 * --within could not mark so far, if asked.
 */
static int session_collect(struct go_metrics *m, void *ctx)
{
	struct go_session *s = ctx;
	int err = s->collect(m, s->collect_ctx);
	uint64_t n;

	if (!err && go_scope_asked() && s->bpf &&
	    !go_bpf__scope_lost(s->bpf, GO_SCOPE_LOST_LABELS, &n))
		go_metrics__lost(m, GO_LOST_SCOPE_LABELS, n > s->scope_lost ? n - s->scope_lost : 0);
	if (!err && s->within && s->bpf && !go_bpf__scope_lost(s->bpf, GO_SCOPE_LOST_WITHIN, &n))
		go_metrics__lost(m, GO_LOST_SCOPE_WITHIN, n > s->within_lost ? n - s->within_lost : 0);
	return err;
}

int go_session__serve(struct go_session *s, go_metrics_fn fn, void *ctx)
{
	if (!go_prometheus())
		return 0;
	s->collect = fn;
	s->collect_ctx = ctx;
	s->metrics = go_metrics__start(go_prometheus(), program_invocation_short_name,
				       s->target.bin ? go_binary__name(s->target.bin) : NULL, s->pid,
				       &s->losses, session_collect, s);
	return s->metrics ? 0 : -errno;
}

int go_session__close(struct go_session *s, int err)
{
	if (err < 0 && !s->said)
		go_warn("%s\n", libgo_errmsg());
	go_metrics__stop(s->metrics);
	if (!s->open)
		return err < 0;
	go_bpf__close(s->bpf);
	if (s->pidfd >= 0)
		close(s->pidfd);
	go_session__within_free(s);
	go_plan__free(&s->plan);
	go_target__close(&s->target);
	return err < 0;
}
