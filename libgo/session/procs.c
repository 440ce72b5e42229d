// SPDX-License-Identifier: Apache-2.0
/*
 * Processes watched until they exit: a pidfd each (readable once the whole process has exited,
 * every thread), in one epoll set that a tool waits on (go_wait_also).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "session/tool.h"

struct go_procs {
	int epfd;
	int *fds;		/* the pidfds watched */
	size_t nfds, fdcap;
	pid_t *gone;		/* exited, not yet taken */
	size_t ngone, cap;
};

struct go_procs *go_procs__new(void)
{
	struct go_procs *w = calloc(1, sizeof(*w));
	struct rlimit rl;

	/* a descriptor a process: as many as the tool may have */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!w) {
		go_fail(ENOMEM, "out of memory");
		return NULL;
	}
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0) {
		go_fail(errno, "cannot watch processes: epoll_create1");
		free(w);
		return NULL;
	}
	return w;
}

void go_procs__free(struct go_procs *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->nfds; i++)
		close(w->fds[i]);
	close(w->epfd);
	free(w->fds);
	free(w->gone);
	free(w);
}

static int procs_gone(struct go_procs *w, pid_t pid)
{
	if (w->ngone == w->cap) {
		size_t c = w->cap ? w->cap * 2 : 64;
		pid_t *g = realloc(w->gone, c * sizeof(*g));

		if (!g)
			return -ENOMEM;
		w->gone = g;
		w->cap = c;
	}
	w->gone[w->ngone++] = pid;
	return 0;
}

int go_procs__add(struct go_procs *w, pid_t pid)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return errno == ESRCH ? procs_gone(w, pid) : -errno;
	if (w->nfds == w->fdcap) {
		size_t c = w->fdcap ? w->fdcap * 2 : 64;
		int *f = realloc(w->fds, c * sizeof(*f));

		if (!f) {
			close(fd);
			return -ENOMEM;
		}
		w->fds = f;
		w->fdcap = c;
	}
	ev.data.u64 = (uint64_t)(uint32_t)pid << 32 | (uint32_t)fd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		close(fd);
		return err;
	}
	w->fds[w->nfds++] = fd;
	return 0;
}

static void procs_unwatch(struct go_procs *w, int fd)
{
	size_t i;

	for (i = 0; i < w->nfds; i++)
		if (w->fds[i] == fd) {
			w->fds[i] = w->fds[--w->nfds];
			break;
		}
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

int go_procs__fd(const struct go_procs *w)
{
	return w->epfd;
}

size_t go_procs__exited(struct go_procs *w, pid_t *out, size_t max)
{
	struct epoll_event ev[64];
	size_t n = 0;
	int i, k;

	k = epoll_wait(w->epfd, ev, sizeof(ev) / sizeof(ev[0]), 0);
	for (i = 0; i < k; i++) {
		int fd = (int)(uint32_t)ev[i].data.u64;

		if (procs_gone(w, (pid_t)(ev[i].data.u64 >> 32)))
			break;	/* out of memory: still watched, so told next time */
		procs_unwatch(w, fd);
	}
	while (n < max && w->ngone)
		out[n++] = w->gone[--w->ngone];
	return n;
}
