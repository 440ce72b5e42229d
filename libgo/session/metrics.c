// SPDX-License-Identifier: Apache-2.0
/*
 * --prometheus: a tool's figures served in Prometheus's text exposition format (0.0.4) over
 * HTTP, by libmicrohttpd, from the tool's own thread while it waits (go_session__wait): a
 * scrape asks the tool for its figures then (one reading of its maps, never cleared), so
 * counters only grow. Each sample carries the labels that say whose it is (tool, binary, pid,
 * host), so that several tools on several hosts add up in PromQL; samples that share every
 * label (two functions of one name, goiface's values of one type) are written once, summed.
 * The server answers GET and HEAD of /metrics and nothing else: no request steers it, none is
 * echoed, connections are few, short-lived and their requests bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "session/tool.h"

#define MAX_CONNECTIONS 16	/* at once; a Prometheus keeps one per target */
#define MAX_PER_IP 8
#define TIMEOUT_S 10		/* an idle connection is closed after this */
#define REQUEST_BYTES 16384	/* a request's headers, at most */
#define MAX_TARGET 4		/* the target's labels: tool, binary, pid, host */

/* A sample as written: "SUFFIX{LABELS}" and its value; same keys are summed into the first. */
struct sample {
	char *key;
	size_t order;
	double x;
	uint64_t n;
	bool is_x, merged;
};

struct go_metrics {
	struct MHD_Daemon *d;
	go_metrics_fn collect;
	void *ctx;
	const struct go_losses *losses;
	const char *target[2 * MAX_TARGET];	/* (name, value) pairs */
	int ntarget;
	char pid[16], host[256];
	/* the scrape being written */
	FILE *out;
	const char *family;
	struct sample *s;
	size_t n, cap;
	uint64_t lost[GO_LOST_KINDS];	/* not yet counted in losses (go_metrics__lost) */
	bool lost_said[GO_LOST_KINDS];	/* by go_metrics__lost, 0 or more */
	bool failed;
};

/* [HOST:]PORT, HOST an IPv4 address, [an IPv6 one] or localhost; 127.0.0.1 without it. */
static int parse_addr(const char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM }, *ai;
	char host[64] = "127.0.0.1";
	const char *port = arg, *colon = strrchr(arg, ':');
	long p;

	if (colon) {
		size_t hl = (size_t)(colon - arg);
		bool bracket = arg[0] == '[' && hl >= 2 && arg[hl - 1] == ']';

		if (bracket)
			arg++, hl -= 2;
		if (!hl || hl >= sizeof(host) || (!bracket && memchr(arg, ':', hl)))
			return go_fail(EINVAL, "invalid address '%s': [HOST:]PORT, an IPv6 HOST in "
				       "brackets", port);
		memcpy(host, arg, hl);
		host[hl] = 0;
		port = colon + 1;
		if (!strcmp(host, "localhost"))
			strcpy(host, "127.0.0.1");
	}
	if (go_parse_long(port, 0, 65535, "port", &p))
		return -EINVAL;
	if (getaddrinfo(host, port, &hints, &ai))
		return go_fail(EINVAL, "invalid address '%s': HOST is an IP address", host);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int go_metrics__check_addr(const char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return parse_addr(arg, &ss, &len);
}

/* ---- the exposition --------------------------------------------------------------------- */

/* A number as Prometheus reads it: the shorter of %.15g and %.17g that reads back the same. */
static const char *fmt_double(char buf[32], double v)
{
	snprintf(buf, 32, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, 32, "%.17g", v);
	return buf;
}

static void put_labels(FILE *out, const char *const *l, int n, bool *first)
{
	int i;

	for (i = 0; i + 1 < 2 * n; i += 2) {
		fprintf(out, "%s%s=\"", *first ? "" : ",", l[i]);
		go_esc_label(out, l[i + 1]);
		fputc('"', out);
		*first = false;
	}
}

/* A sample of the family being written: suffix ("" or "_bucket"...), labels, le (or NULL). */
static void add_sample(struct go_metrics *m, const char *suffix, const char *const *labels,
		       int nlabels, const char *le, uint64_t n, double x, bool is_x)
{
	const char *lel[2] = { "le", le };
	struct sample *s;
	bool first = true;
	size_t size;
	FILE *k;

	if (m->failed || !m->family)
		return;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256;

		s = realloc(m->s, cap * sizeof(*s));
		if (!s) {
			m->failed = true;
			return;
		}
		m->s = s;
		m->cap = cap;
	}
	s = &m->s[m->n];
	memset(s, 0, sizeof(*s));
	k = open_memstream(&s->key, &size);
	if (!k) {
		m->failed = true;
		return;
	}
	fprintf(k, "%s{", suffix);
	put_labels(k, labels, nlabels, &first);
	put_labels(k, m->target, m->ntarget, &first);
	if (le)
		put_labels(k, lel, 1, &first);
	fputc('}', k);
	if (fclose(k) || !s->key) {
		free(s->key);
		m->failed = true;
		return;
	}
	s->order = m->n++;
	s->n = n;
	s->x = x;
	s->is_x = is_x;
}

static int key_cmp(const void *a, const void *b)
{
	const struct sample *const *x = a, *const *y = b;
	int c = strcmp((*x)->key, (*y)->key);

	return c ? c : (*x)->order < (*y)->order ? -1 : 1;
}

/* Sum the samples that share a key into the first written. */
static void merge_samples(struct go_metrics *m)
{
	struct sample **by = malloc((m->n ? m->n : 1) * sizeof(*by));
	size_t i, first = 0;

	if (!by) {
		m->failed = true;
		return;
	}
	for (i = 0; i < m->n; i++)
		by[i] = &m->s[i];
	qsort(by, m->n, sizeof(*by), key_cmp);
	for (i = 1; i < m->n; i++) {
		if (strcmp(by[i]->key, by[first]->key)) {
			first = i;
			continue;
		}
		by[first]->n += by[i]->n;
		by[first]->x += by[i]->x;
		by[i]->merged = true;
	}
	free(by);
}

/* Write the family's samples, in the order written (a histogram's buckets by le), and free them. */
static void flush_family(struct go_metrics *m)
{
	size_t i;

	if (!m->family)
		return;
	merge_samples(m);
	for (i = 0; i < m->n; i++) {
		struct sample *s = &m->s[i];

		if (!m->failed && !s->merged) {
			fprintf(m->out, "%s%s ", m->family, s->key);
			char buf[32];

			if (s->is_x)
				fputs(fmt_double(buf, s->x), m->out);
			else
				fprintf(m->out, "%llu", (unsigned long long)s->n);
			fputc('\n', m->out);
		}
		free(s->key);
	}
	m->n = 0;
	m->family = NULL;
}

void go_metrics__family(struct go_metrics *m, const char *name, const char *type,
			const char *help)
{
	flush_family(m);
	fprintf(m->out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	m->family = name;
}

void go_metrics__count(struct go_metrics *m, const char *const *labels, int nlabels, uint64_t n)
{
	add_sample(m, "", labels, nlabels, NULL, n, 0, false);
}

void go_metrics__value(struct go_metrics *m, const char *const *labels, int nlabels, double x)
{
	add_sample(m, "", labels, nlabels, NULL, 0, x, true);
}

void go_metrics__histogram(struct go_metrics *m, const char *const *labels, int nlabels,
			   const double *le, const uint64_t *counts, int nb, uint64_t count,
			   double sum)
{
	uint64_t cum = 0;
	char buf[32];
	int i;

	for (i = 0; i < nb; i++) {
		cum += counts[i];
		add_sample(m, "_bucket", labels, nlabels, fmt_double(buf, le[i]), cum, 0, false);
	}
	add_sample(m, "_bucket", labels, nlabels, "+Inf", count, 0, false);
	add_sample(m, "_sum", labels, nlabels, NULL, 0, sum, true);
	add_sample(m, "_count", labels, nlabels, NULL, count, 0, false);
}

void go_metrics__lost(struct go_metrics *m, enum go_lost kind, uint64_t n)
{
	if ((unsigned int)kind >= GO_LOST_KINDS)
		return;
	m->lost[kind] += n;
	m->lost_said[kind] = true;
}

/*
 * gotools_lost_total{what}: what was counted since the start and what the tool adds now, of
 * each kind the tool can count: one with a limit (a table that can fill), one it said now, and
 * any counted.
 */
static void write_lost(struct go_metrics *m)
{
	const struct go_losses *l = m->losses;
	const char *labels[2] = { "what", NULL };
	uint64_t n;
	int k;

	go_metrics__family(m, "gotools_lost_total", "counter", "What the tool could not record, "
			   "by what (the man page's FIELDS).");
	for (k = 0; k < GO_LOST_KINDS; k++) {
		labels[1] = go_losses__name((enum go_lost)k);
		n = go_losses__total(l, (enum go_lost)k) + m->lost[k] +
		    (k == GO_LOST_UNWOUND ? m->lost[GO_LOST_UNFINISHED] : 0);
		if (labels[1] && (n || l->limit[k] || m->lost_said[k]))
			go_metrics__count(m, labels, 1, n);
	}
	flush_family(m);
}

/* The text of a scrape, malloc'd, in *text; NULL when the tool could not read its figures. */
static size_t scrape(struct go_metrics *m, char **text)
{
	size_t size = 0;
	int err;

	*text = NULL;
	m->out = open_memstream(text, &size);
	if (!m->out)
		return 0;
	m->failed = false;
	memset(m->lost, 0, sizeof(m->lost));
	memset(m->lost_said, 0, sizeof(m->lost_said));
	err = m->collect(m, m->ctx);
	flush_family(m);
	if (!err)
		write_lost(m);
	if (fclose(m->out) || err || m->failed) {
		free(*text);
		*text = NULL;
	}
	m->out = NULL;
	return *text ? size : 0;
}

/* ---- the server ---------------------------------------------------------------------------- */

static enum MHD_Result respond(struct MHD_Connection *c, unsigned int status, const char *type,
			       char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result fixed(struct MHD_Connection *c, unsigned int status, const char *text)
{
	return respond(c, status, "text/plain; charset=utf-8", (char *)text, strlen(text),
		       MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req)
{
	struct go_metrics *m = cls;
	char *text;
	size_t len;

	(void)version, (void)upload, (void)upload_size, (void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return fixed(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (!strcmp(url, "/"))
		return fixed(c, MHD_HTTP_OK, "gotools: the metrics are at /metrics\n");
	if (strcmp(url, "/metrics"))
		return fixed(c, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	len = scrape(m, &text);
	if (!text)
		return fixed(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the tool could not read its "
			     "figures\n");
	return respond(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len,
		       MHD_RESPMEM_MUST_FREE);
}

/* Answer what has come (go_wait_also), and close idle connections (each wait's tick). */
static void on_ready(void *ctx)
{
	struct go_metrics *m = ctx;

	MHD_run(m->d);
}

/* A listening socket on ss, or a negative errno with the message set. */
static int listen_on(const char *arg, const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return go_fail(errno, "cannot serve on %s: %s", arg, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) || listen(fd, MAX_CONNECTIONS)) {
		int err = errno;

		close(fd);
		return go_fail(err, "cannot serve on %s: %s", arg, strerror(err));
	}
	return fd;
}

/* "http://ADDRESS:PORT/metrics" of the socket, for the message that says where it listens. */
static void say_where(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[64] = "?", port[16] = "?";

	if (!getsockname(fd, (struct sockaddr *)&ss, &len))
		getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port, sizeof(port),
			    NI_NUMERICHOST | NI_NUMERICSERV);
	fprintf(stderr, "Serving Prometheus metrics on http://%s%s%s:%s/metrics\n",
		ss.ss_family == AF_INET6 ? "[" : "", host, ss.ss_family == AF_INET6 ? "]" : "",
		port);
	fflush(stderr);
}

static void set_target(struct go_metrics *m, const char *tool, const char *binary, pid_t pid)
{
	const char **t = m->target;

	*t++ = "tool", *t++ = tool;
	if (binary)
		*t++ = "binary", *t++ = binary;
	if (pid) {
		snprintf(m->pid, sizeof(m->pid), "%d", (int)pid);
		*t++ = "pid", *t++ = m->pid;
	}
	if (gethostname(m->host, sizeof(m->host) - 1))
		strcpy(m->host, "unknown");
	*t++ = "host", *t++ = m->host;
	m->ntarget = (int)(t - m->target) / 2;
}

struct go_metrics *go_metrics__start(const char *addr, const char *tool, const char *binary,
				     pid_t pid, const struct go_losses *losses, go_metrics_fn fn,
				     void *ctx)
{
	struct go_metrics *m = calloc(1, sizeof(*m));
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	if (!m) {
		errno = -go_fail(ENOMEM, "out of memory");
		return NULL;
	}
	err = parse_addr(addr, &ss, &len);
	fd = err ? err : listen_on(addr, &ss, len);
	if (fd < 0) {
		free(m);
		return errno = -fd, NULL;
	}
	set_target(m, tool, binary, pid);
	m->losses = losses;
	m->collect = fn;
	m->ctx = ctx;
	m->d = MHD_start_daemon(MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0,
				NULL, NULL, on_request, m, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)MAX_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REQUEST_BYTES,
				MHD_OPTION_END);
	info = m->d ? MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	err = !m->d ? go_fail(EIO, "cannot serve on %s: libmicrohttpd did not start", addr) :
	      !info ? go_fail(EIO, "cannot serve on %s: no epoll descriptor", addr) :
	      go_wait_also(info->epoll_fd, on_ready, m);
	if (!err)
		err = go_wait_also(-1, on_ready, m);
	if (err) {
		if (!m->d)
			close(fd);
		go_metrics__stop(m);
		errno = -err;
		return NULL;
	}
	say_where(fd);
	return m;
}

void go_metrics__stop(struct go_metrics *m)
{
	if (!m)
		return;
	go_wait_forget(m);
	if (m->d)
		MHD_stop_daemon(m->d);
	free(m->s);
	free(m);
}
