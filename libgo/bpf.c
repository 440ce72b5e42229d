// SPDX-License-Identifier: Apache-2.0
/*
 * The probe layer. BPF C is compiled by libbcc at run time, in a child process: libbcc's
 * compiler (clang and LLVM) costs ~90 MiB that a process keeps even after freeing the module,
 * so the child compiles and loads the programs, hands their file descriptors to the tool over a
 * unix socket, and exits. The tool itself never loads libbcc.
 *
 * Probes attach as one uprobe_multi link per program and binary where the kernel has it (Linux
 * 6.6+: a thousand probes up in milliseconds), else as one perf-event uprobe per address.
 * Each probe carries a cookie (the caller's index) that the program reads with
 * bpf_get_attach_cookie(). GOFUNC_NO_MULTI=1 forces the perf-event path.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf/filter.h"
#include "bpf_priv.h"
#include "libgo.h"

/* Declared here: Debian's linux/bpf.h predates uprobe_multi. */
enum {
	CMD_MAP_CREATE = 0,
	CMD_MAP_LOOKUP_ELEM = 1,
	CMD_MAP_UPDATE_ELEM = 2,
	CMD_MAP_DELETE_ELEM = 3,
	CMD_MAP_GET_NEXT_KEY = 4,
	CMD_PROG_LOAD = 5,
	CMD_LINK_CREATE = 28,
	PROG_TYPE_KPROBE = 2,
	ATTACH_PERF_EVENT = 41,
	ATTACH_UPROBE_MULTI = 48,
};

struct attr_map_elem {
	uint32_t map_fd;
	uint32_t pad;
	uint64_t key;
	uint64_t value;		/* or next_key */
	uint64_t flags;
};

struct attr_map_create {
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t inner_map_fd;
	uint32_t numa_node;
	char map_name[16];
};

struct attr_prog_load {
	uint32_t prog_type;
	uint32_t insn_cnt;
	uint64_t insns;
	uint64_t license;
	uint32_t log_level;
	uint32_t log_size;
	uint64_t log_buf;
	uint32_t kern_version;
	uint32_t prog_flags;
	char prog_name[16];
	uint32_t prog_ifindex;
	uint32_t expected_attach_type;
};

struct attr_link_create {
	uint32_t prog_fd;
	uint32_t target_fd;
	uint32_t attach_type;
	uint32_t flags;
	union {
		struct {
			uint64_t bpf_cookie;
		} perf_event;
		struct {
			uint64_t path;
			uint64_t offsets;
			uint64_t ref_ctr_offsets;
			uint64_t cookies;
			uint32_t cnt;
			uint32_t flags;
			uint32_t pid;
		} uprobe_multi;
	};
};

#define MAX_OBJS 64
#define NAME_LEN 64

struct go_bpf_obj {
	char name[NAME_LEN];
	int fd;
	bool prog, multi;
};

struct go_link {
	int fd;
	int perf_fd;
};

struct go_bpf {
	struct go_bpf_obj objs[MAX_OBJS];
	int nobjs;
	struct go_link *links;
	size_t nlinks, cap;
	size_t nprobes;
	bool multi;		/* uprobe_multi in use */
};

static int sys_bpf(int cmd, void *attr, unsigned size)
{
	return (int)syscall(__NR_bpf, cmd, attr, size);
}

extern const char go_bpf_src_common[];
extern const char go_bpf_src_cookie_h[];
extern const char go_bpf_src_funclatency_h[];
extern const char go_bpf_src_trace_h[];
extern const char go_bpf_src_filter_h[];

/* The headers the BPF programs share with the C code (libgo/bpf/NAME.h), embedded too. */
static const struct {
	const char *name;
	const char *text;
} bpf_headers[] = {
	{ "cookie.h", go_bpf_src_cookie_h },
	{ "funclatency.h", go_bpf_src_funclatency_h },
	{ "trace.h", go_bpf_src_trace_h },
	{ "filter.h", go_bpf_src_filter_h },
};

/* "-DNAME=VALUE" -> "#define NAME VALUE" */
static void define_line(FILE *out, const char *flag)
{
	const char *eq;

	if (strncmp(flag, "-D", 2)) {
		fprintf(out, "/* %s */\n", flag);
		return;
	}
	flag += 2;
	eq = strchr(flag, '=');
	if (!eq)
		fprintf(out, "#define %s 1\n", flag);
	else
		fprintf(out, "#define %.*s %s\n", (int)(eq - flag), flag, eq + 1);
}

/* The embedded header a line '#include "NAME"' names, or NULL. */
static const char *bpf_header(const char *line, size_t len)
{
	size_t i, n;

	if (len < 12 || strncmp(line, "#include \"", 10) || line[len - 1] != '"')
		return NULL;
	for (i = 0; i < sizeof(bpf_headers) / sizeof(bpf_headers[0]); i++) {
		n = strlen(bpf_headers[i].name);
		if (len == n + 11 && !strncmp(line + 10, bpf_headers[i].name, n))
			return bpf_headers[i].text;
	}
	return NULL;
}

/* src, each line that includes an embedded header replaced by the header (guards dedupe). */
static void put_expanded(FILE *out, const char *src, int depth)
{
	const char *line, *end, *hdr;

	for (line = src; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		hdr = depth < 4 ? bpf_header(line, end - line) : NULL;
		if (hdr)
			put_expanded(out, hdr, depth + 1);
		else
			fprintf(out, "%.*s\n", (int)(end - line), line);
	}
}

char *go_bpf_spec__text(const struct go_bpf_spec *spec)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int i;

	if (!out)
		return NULL;
	for (i = 0; i < spec->ncflags; i++)
		define_line(out, spec->cflags[i]);
	put_expanded(out, go_bpf_src_common, 0);
	put_expanded(out, spec->src, 0);
	if (fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}

/* ---- the compiling child -------------------------------------------------------------------- */

/* The few libbcc entry points the child needs, looked up at run time. */
struct bcc_api {
	void *(*create)(const char *, unsigned, const char *[], int, bool, const char *);
	void *(*start)(void *, const char *);
	size_t (*size)(void *, const char *);
	char *(*license)(void *);
	unsigned (*kern_version)(void *);
	int (*load)(void *, int, const char *, const void *, int, const char *, unsigned, int,
		    char *, unsigned, const char *, int);
	size_t (*num_tables)(void *);
	const char *(*table_name)(void *, size_t);
	int (*table_fd_id)(void *, size_t);
	int (*table_type_id)(void *, size_t);
	size_t (*table_key_size_id)(void *, size_t);
	size_t (*table_leaf_size_id)(void *, size_t);
	size_t (*table_max_entries_id)(void *, size_t);
	int (*table_flags_id)(void *, size_t);
};

static int bcc_api_open(struct bcc_api *api)
{
	void *h = dlopen("libbcc.so.0", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return -1;
	api->create = dlsym(h, "bpf_module_create_c_from_string");
	api->start = dlsym(h, "bpf_function_start");
	api->size = dlsym(h, "bpf_function_size");
	api->license = dlsym(h, "bpf_module_license");
	api->kern_version = dlsym(h, "bpf_module_kern_version");
	api->load = dlsym(h, "bcc_func_load");
	api->num_tables = dlsym(h, "bpf_num_tables");
	api->table_name = dlsym(h, "bpf_table_name");
	api->table_fd_id = dlsym(h, "bpf_table_fd_id");
	api->table_type_id = dlsym(h, "bpf_table_type_id");
	api->table_key_size_id = dlsym(h, "bpf_table_key_size_id");
	api->table_leaf_size_id = dlsym(h, "bpf_table_leaf_size_id");
	api->table_max_entries_id = dlsym(h, "bpf_table_max_entries_id");
	api->table_flags_id = dlsym(h, "bpf_table_flags_id");
	return api->create && api->start && api->size && api->license && api->kern_version &&
	       api->load && api->num_tables && api->table_name && api->table_fd_id &&
	       api->table_type_id && api->table_key_size_id && api->table_leaf_size_id &&
	       api->table_max_entries_id && api->table_flags_id ? 0 : -1;
}

/* The child's reply: "ok" or "error: ...", then one name per descriptor passed alongside. */
struct reply {
	char text[4096];
	size_t len;
	int fds[MAX_OBJS];
	int nfds;
};

static void reply_add(struct reply *r, const char *kind, const char *name, int fd)
{
	if (r->nfds >= MAX_OBJS || fd < 0)
		return;
	r->len += snprintf(r->text + r->len, sizeof(r->text) - r->len, "%s %s\n", kind, name);
	r->fds[r->nfds++] = fd;
}

static void reply_send(int sock, struct reply *r)
{
	char cbuf[CMSG_SPACE(sizeof(int) * MAX_OBJS)];
	struct iovec iov = { .iov_base = r->text, .iov_len = r->len + 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(cbuf, 0, sizeof(cbuf));
	if (r->nfds) {
		struct cmsghdr *c;

		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * r->nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * r->nfds);
		memcpy(CMSG_DATA(c), r->fds, sizeof(int) * r->nfds);
	}
	if (sendmsg(sock, &msg, 0) < 0)
		_exit(1);
}

/* A verifier log line that is no instruction, register state or summary: its reason. */
static bool verifier_reason(const char *line)
{
	static const char *const noise[] = {
		"processed ", "verification time", "stack depth", "bpf: Failed", "HINT:", "from ",
		"last_idx", "regs=", "parent ", "mark_precise", "func#", "Live regs",
	};
	size_t i;

	if (!*line || isdigit((unsigned char)*line) || *line == ' ' || *line == ';' || *line == '(')
		return false;
	for (i = 0; i < sizeof(noise) / sizeof(noise[0]); i++)
		if (!strncmp(line, noise[i], strlen(noise[i])))
			return false;
	return true;
}

/*
 * What the compiler or the verifier said, in one line: the compiler's first error, else the
 * verifier's reason, which ends its log.
 */
static void first_error(int fd, char *out, size_t outsz)
{
	static char buf[1 << 20];
	const char *reason = NULL;
	ssize_t n, got = 0;
	char *line, *save;

	snprintf(out, outsz, "compiling the BPF program failed");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	while ((size_t)got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "error:") || strstr(line, "Unable")) {
			snprintf(out, outsz, "compiling the BPF program failed: %s", line);
			return;
		}
		if (verifier_reason(line))
			reason = line;
	}
	if (reason)
		snprintf(out, outsz, "the kernel refused the BPF program: %s", reason);
}

static void child_error(int sock, struct reply *r, int errfd, const char *what)
{
	char msg[1024];

	if (what)
		snprintf(msg, sizeof(msg), "%s", what);
	else
		first_error(errfd, msg, sizeof(msg));
	r->len = snprintf(r->text, sizeof(r->text), "error: %s", msg);
	r->nfds = 0;
	reply_send(sock, r);
	_exit(1);
}

#define INSN_LD_IMM64 0x18
#define PSEUDO_MAP_FD 1

/*
 * Replace each map fd in a program's 64-bit immediate loads with the map's index; false when
 * the program refers to anything else (then it is not cached).
 */
static bool insns_unbind(uint64_t *insns, uint32_t cnt, const int *map_fds, int nmaps)
{
	uint32_t i;
	int m;

	for (i = 0; i < cnt; i++) {
		uint8_t *b = (uint8_t *)&insns[i];
		int32_t imm;

		if (b[0] != INSN_LD_IMM64)
			continue;
		if ((b[1] >> 4) != 0 && (b[1] >> 4) != PSEUDO_MAP_FD)
			return false;
		if ((b[1] >> 4) == PSEUDO_MAP_FD) {
			memcpy(&imm, b + 4, 4);
			for (m = 0; m < nmaps && map_fds[m] != imm; m++)
				;
			if (m == nmaps)
				return false;
			memcpy(b + 4, &m, 4);
		}
		i++;	/* the second half of the load */
	}
	return true;
}

static int map_create(const struct go_bpf_image_map *m);

/* The size spec asks for map name, or 0 for its compiled size. */
static uint32_t spec_size(const struct go_bpf_spec *spec, const char *name)
{
	int i;

	for (i = 0; i < spec->nsizes; i++)
		if (!strcmp(spec->sizes[i].name, name))
			return spec->sizes[i].max_entries;
	return 0;
}

/*
 * Table t made anew at the size spec asks for: its descriptor, or -1 when it keeps libbcc's
 * (the child fails with the reason when the kernel refuses the size).
 */
static int table_resize(struct bcc_api *api, void *mod, size_t t, const struct go_bpf_spec *spec,
			int sock, struct reply *r, int errfd)
{
	struct go_bpf_image_map m;
	uint32_t size = spec_size(spec, api->table_name(mod, t));
	int fd;

	if (!size)
		return -1;
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "%s", api->table_name(mod, t));
	m.type = api->table_type_id(mod, t);
	m.key_size = api->table_key_size_id(mod, t);
	m.value_size = api->table_leaf_size_id(mod, t);
	m.max_entries = size;
	m.flags = api->table_flags_id(mod, t);
	fd = map_create(&m);
	if (fd < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "cannot create BPF map '%s' of size %u: %s", m.name, size,
			 strerror(errno));
		child_error(sock, r, errfd, msg);
	}
	return fd;
}

/* A program's instructions with the maps that table_resize() made in place of libbcc's. */
static uint64_t *insns_rebind(const void *start, size_t size, const int *old_fds,
			      const int *new_fds, size_t nmaps)
{
	uint64_t *insns = malloc(size);
	size_t i, m;

	if (!insns)
		return NULL;
	memcpy(insns, start, size);
	for (i = 0; i < size / 8; i++) {
		uint8_t *b = (uint8_t *)&insns[i];
		int32_t imm;

		if (b[0] != INSN_LD_IMM64)
			continue;
		memcpy(&imm, b + 4, 4);
		for (m = 0; (b[1] >> 4) == PSEUDO_MAP_FD && m < nmaps; m++)
			if (new_fds[m] >= 0 && old_fds[m] == imm)
				memcpy(b + 4, &new_fds[m], 4);
		i++;	/* the second half of the load */
	}
	return insns;
}

/* What the child compiled, for the cache. */
static void image_save(const char *path, struct bcc_api *api, void *mod,
		       const struct go_bpf_spec *spec)
{
	static struct go_bpf_image img;
	int map_fds[GO_BPF_MAX_MAPS], i, variant;
	size_t t, n = api->num_tables(mod);

	if (!path || n > GO_BPF_MAX_MAPS || spec->nprogs * 2 > GO_BPF_MAX_PROGS)
		return;
	for (t = 0; t < n; t++) {
		struct go_bpf_image_map *m = &img.maps[t];

		snprintf(m->name, sizeof(m->name), "%s", api->table_name(mod, t));
		m->type = api->table_type_id(mod, t);
		m->key_size = api->table_key_size_id(mod, t);
		m->value_size = api->table_leaf_size_id(mod, t);
		m->max_entries = api->table_max_entries_id(mod, t);
		m->flags = api->table_flags_id(mod, t);
		map_fds[t] = api->table_fd_id(mod, t);
	}
	img.nmaps = n;
	for (i = 0; i < spec->nprogs; i++) {
		for (variant = 0; variant < (spec->multi ? 2 : 1); variant++) {
			struct go_bpf_image_prog *p = &img.progs[img.nprogs++];
			const char *name = spec->progs[i];

			snprintf(p->hdr.name, sizeof(p->hdr.name), "%s", name);
			snprintf(p->hdr.license, sizeof(p->hdr.license), "%s", api->license(mod));
			p->hdr.insn_cnt = api->size(mod, name) / 8;
			p->hdr.kern_version = api->kern_version(mod);
			p->hdr.multi = variant;
			p->insns = malloc(8 * p->hdr.insn_cnt);
			if (!p->insns)
				return;
			memcpy(p->insns, api->start(mod, name), 8 * p->hdr.insn_cnt);
			if (!insns_unbind(p->insns, p->hdr.insn_cnt, map_fds, img.nmaps))
				return;
		}
	}
	go_bpf_cache__write(path, &img);
}

static void child_main(int sock, const struct go_bpf_spec *spec, const char *cache_path)
{
	static struct reply r;
	struct bcc_api api;
	int errfd, i, variant, old_fds[GO_BPF_MAX_MAPS], new_fds[GO_BPF_MAX_MAPS];
	char *text;
	size_t t, ntables;
	void *mod;

	/* compiler chatter goes to a scratch file; only a failure is reported, in one line */
	errfd = memfd_create("bcc-stderr", 0);
	if (errfd >= 0)
		dup2(errfd, STDERR_FILENO);
	if (bcc_api_open(&api))
		child_error(sock, &r, errfd, "cannot load libbcc (libbcc.so.0): install libbpfcc");
	text = go_bpf_spec__text(spec);
	if (!text)
		child_error(sock, &r, errfd, "out of memory");
	mod = api.create(text, 0, NULL, 0, true, NULL);
	if (!mod)
		child_error(sock, &r, errfd, NULL);
	ntables = api.num_tables(mod);
	if (ntables > GO_BPF_MAX_MAPS)
		child_error(sock, &r, errfd, "too many BPF maps");
	for (t = 0; t < ntables; t++) {
		old_fds[t] = api.table_fd_id(mod, t);
		new_fds[t] = table_resize(&api, mod, t, spec, sock, &r, errfd);
	}
	r.len = snprintf(r.text, sizeof(r.text), "ok\n");
	for (i = 0; i < spec->nprogs; i++) {
		const char *name = spec->progs[i];
		void *start = api.start(mod, name);
		uint64_t *insns;

		if (!start)
			child_error(sock, &r, errfd, "a BPF function is missing from the program");
		insns = insns_rebind(start, api.size(mod, name), old_fds, new_fds, ntables);
		if (!insns)
			child_error(sock, &r, errfd, "out of memory");
		for (variant = 0; variant < 2; variant++) {
			int fd;

			if (variant == 1 && !spec->multi)
				continue;
			fd = api.load(mod, PROG_TYPE_KPROBE, name, insns, (int)api.size(mod, name),
				      api.license(mod), api.kern_version(mod), 0, NULL, 0, NULL,
				      variant ? ATTACH_UPROBE_MULTI : -1);
			if (fd < 0 && variant == 0)
				child_error(sock, &r, errfd, NULL);
			reply_add(&r, variant ? "multi" : "prog", name, fd);
		}
		free(insns);
	}
	for (t = 0; t < ntables; t++)
		reply_add(&r, "map", api.table_name(mod, t), new_fds[t] >= 0 ? new_fds[t] : old_fds[t]);
	reply_send(sock, &r);
	image_save(cache_path, &api, mod, spec);
	_exit(0);
}

/* ---- the tool's side ------------------------------------------------------------------------ */

static int recv_reply(int sock, struct reply *r)
{
	char cbuf[CMSG_SPACE(sizeof(int) * MAX_OBJS)];
	struct iovec iov = { .iov_base = r->text, .iov_len = sizeof(r->text) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	r->text[n] = 0;
	r->len = n;
	r->nfds = 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		r->nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(r->fds, CMSG_DATA(c), sizeof(int) * r->nfds);
	}
	return 0;
}

static int bpf_take_reply(struct go_bpf *bpf, struct reply *r)
{
	char *line, *save;
	int i = 0;

	if (strncmp(r->text, "ok\n", 3))
		return go_fail(EINVAL, "%s", r->text[0] ? r->text + 7 : "compiling the BPF program failed");
	for (line = strtok_r(r->text + 3, "\n", &save); line && i < r->nfds;
	     line = strtok_r(NULL, "\n", &save), i++) {
		struct go_bpf_obj *o = &bpf->objs[bpf->nobjs++];
		char kind[8];

		if (sscanf(line, "%7s %63s", kind, o->name) != 2)
			return go_fail(EINVAL, "bad reply from the BPF compiler");
		o->fd = r->fds[i];
		o->prog = strcmp(kind, "map") != 0;
		o->multi = !strcmp(kind, "multi");
	}
	return 0;
}

static int map_create(const struct go_bpf_image_map *m)
{
	struct attr_map_create a;

	memset(&a, 0, sizeof(a));
	a.map_type = m->type;
	a.key_size = m->key_size;
	a.value_size = m->value_size;
	a.max_entries = m->max_entries;
	a.map_flags = m->flags;
	snprintf(a.map_name, sizeof(a.map_name), "%.15s", m->name);
	return sys_bpf(CMD_MAP_CREATE, &a, sizeof(a));
}

static int prog_load(struct go_bpf_image_prog *p, const int *map_fds)
{
	struct attr_prog_load a;
	uint32_t i;

	for (i = 0; i < p->hdr.insn_cnt; i++) {
		uint8_t *b = (uint8_t *)&p->insns[i];
		int32_t idx;

		if (b[0] != INSN_LD_IMM64)
			continue;
		if ((b[1] >> 4) == PSEUDO_MAP_FD) {
			memcpy(&idx, b + 4, 4);
			memcpy(b + 4, &map_fds[idx], 4);
		}
		i++;
	}
	memset(&a, 0, sizeof(a));
	a.prog_type = PROG_TYPE_KPROBE;
	a.insn_cnt = p->hdr.insn_cnt;
	a.insns = (uint64_t)(uintptr_t)p->insns;
	a.license = (uint64_t)(uintptr_t)p->hdr.license;
	a.kern_version = p->hdr.kern_version;
	snprintf(a.prog_name, sizeof(a.prog_name), "%.15s", p->hdr.name);
	a.expected_attach_type = p->hdr.multi ? ATTACH_UPROBE_MULTI : 0;
	return sys_bpf(CMD_PROG_LOAD, &a, sizeof(a));
}

/* Load a cached image without libbcc; false (and nothing left open) when that fails. */
static bool bpf_load_image(struct go_bpf *bpf, struct go_bpf_image *img,
			   const struct go_bpf_spec *spec)
{
	int map_fds[GO_BPF_MAX_MAPS], i;

	for (i = 0; i < img->nmaps; i++) {
		struct go_bpf_obj *o = &bpf->objs[bpf->nobjs];
		uint32_t size = spec_size(spec, img->maps[i].name);

		if (size)
			img->maps[i].max_entries = size;
		map_fds[i] = map_create(&img->maps[i]);
		if (map_fds[i] < 0)
			goto fail;
		snprintf(o->name, sizeof(o->name), "%s", img->maps[i].name);
		o->fd = map_fds[i];
		bpf->nobjs++;
	}
	for (i = 0; i < img->nprogs; i++) {
		struct go_bpf_obj *o = &bpf->objs[bpf->nobjs];

		if (img->progs[i].hdr.multi && !bpf->multi)
			continue;
		o->fd = prog_load(&img->progs[i], map_fds);
		if (o->fd < 0 && !img->progs[i].hdr.multi)
			goto fail;
		if (o->fd < 0)
			continue;
		snprintf(o->name, sizeof(o->name), "%s", img->progs[i].hdr.name);
		o->prog = true;
		o->multi = img->progs[i].hdr.multi;
		bpf->nobjs++;
	}
	return true;
fail:
	while (bpf->nobjs > 0)
		close(bpf->objs[--bpf->nobjs].fd);
	return false;
}

static bool bpf_load_cached(struct go_bpf *bpf, const char *path, const struct go_bpf_spec *spec)
{
	static struct go_bpf_image img;
	bool ok;

	if (go_bpf_cache__read(path, &img))
		return false;
	ok = bpf_load_image(bpf, &img, spec);
	go_bpf_image__free(&img);
	return ok;
}

struct go_bpf *go_bpf__load(const struct go_bpf_spec *spec)
{
	struct go_bpf *bpf = calloc(1, sizeof(*bpf));
	static char cache_path[PATH_MAX_LEN];
	static struct reply r;
	int sv[2], status, err;
	char *text;
	pid_t child;

	if (!bpf) {
		errno = ENOMEM;
		return NULL;
	}
	bpf->multi = spec->multi;
	text = go_bpf_spec__text(spec);
	if (!text) {
		err = go_fail(ENOMEM, "out of memory");
		goto fail;
	}
	if (go_bpf_cache__path(text, spec->multi, cache_path, sizeof(cache_path)))
		cache_path[0] = 0;
	free(text);
	if (cache_path[0] && bpf_load_cached(bpf, cache_path, spec))
		return bpf;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		err = go_fail(errno, "cannot create a socket pair: %s", strerror(errno));
		goto fail;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		err = go_fail(errno, "cannot fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	if (child == 0) {
		close(sv[0]);
		child_main(sv[1], spec, cache_path[0] ? cache_path : NULL);
	}
	close(sv[1]);
	err = recv_reply(sv[0], &r);
	close(sv[0]);
	waitpid(child, &status, 0);
	if (err && WIFSIGNALED(status))
		err = go_fail(EIO, "compiling the BPF program failed: libbcc died of signal %d",
			      WTERMSIG(status));
	else if (err)
		err = go_fail(EIO, "compiling the BPF program failed: no answer from libbcc");
	if (!err)
		err = bpf_take_reply(bpf, &r);
	if (err)
		goto fail;
	return bpf;
fail:
	go_bpf__close(bpf);
	errno = -err;
	return NULL;
}

static const struct go_bpf_obj *bpf_obj(const struct go_bpf *bpf, const char *name, bool prog,
					bool multi)
{
	int i;

	for (i = 0; i < bpf->nobjs; i++)
		if (bpf->objs[i].prog == prog && bpf->objs[i].multi == multi &&
		    !strcmp(bpf->objs[i].name, name))
			return &bpf->objs[i];
	return NULL;
}

int go_bpf__map_fd(const struct go_bpf *bpf, const char *name)
{
	const struct go_bpf_obj *o = bpf_obj(bpf, name, false, false);

	return o ? o->fd : go_fail(ENOENT, "no BPF map '%s'", name);
}

static int links_push(struct go_bpf *bpf, int fd, int perf_fd)
{
	if (bpf->nlinks == bpf->cap) {
		size_t cap = bpf->cap ? bpf->cap * 2 : 64;
		struct go_link *n = realloc(bpf->links, cap * sizeof(*n));

		if (!n)
			return go_fail(ENOMEM, "out of memory");
		bpf->links = n;
		bpf->cap = cap;
	}
	bpf->links[bpf->nlinks].fd = fd;
	bpf->links[bpf->nlinks].perf_fd = perf_fd;
	bpf->nlinks++;
	return 0;
}

static int attach_multi(struct go_bpf *bpf, int prog_fd, const char *path, const uint64_t *offsets,
			const uint64_t *cookies, size_t cnt, pid_t pid)
{
	struct attr_link_create a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = prog_fd;
	a.attach_type = ATTACH_UPROBE_MULTI;
	a.uprobe_multi.path = (uint64_t)(uintptr_t)path;
	a.uprobe_multi.offsets = (uint64_t)(uintptr_t)offsets;
	a.uprobe_multi.cookies = (uint64_t)(uintptr_t)cookies;
	a.uprobe_multi.cnt = (uint32_t)cnt;
	a.uprobe_multi.pid = pid > 0 ? (uint32_t)pid : 0;
	fd = sys_bpf(CMD_LINK_CREATE, &a, sizeof(a));
	if (fd < 0)
		return -errno;
	return links_push(bpf, fd, -1);
}

static int uprobe_pmu_type(void)
{
	static int type = -1;
	FILE *f;

	if (type >= 0)
		return type;
	f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	if (!f)
		return go_fail(ENOTSUP, "this kernel has no uprobe PMU");
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	return type >= 0 ? type : go_fail(ENOTSUP, "cannot read the uprobe PMU type");
}

static int attach_one(struct go_bpf *bpf, int prog_fd, const char *path, uint64_t offset,
		      uint64_t cookie, pid_t pid)
{
	struct perf_event_attr pa;
	struct attr_link_create a;
	int type = uprobe_pmu_type(), pfd, fd;

	if (type < 0)
		return type;
	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = type;
	pa.config1 = (uint64_t)(uintptr_t)path;
	pa.config2 = offset;
	pa.sample_period = 1;
	pa.wakeup_events = 1;
	pfd = (int)syscall(__NR_perf_event_open, &pa, pid > 0 ? pid : -1, pid > 0 ? -1 : 0, -1,
			   PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	memset(&a, 0, sizeof(a));
	a.prog_fd = prog_fd;
	a.target_fd = pfd;
	a.attach_type = ATTACH_PERF_EVENT;
	a.perf_event.bpf_cookie = cookie;
	fd = sys_bpf(CMD_LINK_CREATE, &a, sizeof(a));
	if (fd < 0) {
		int e = errno;

		close(pfd);
		return -e;
	}
	return links_push(bpf, fd, pfd);
}

static int attach_each(struct go_bpf *bpf, int prog_fd, const char *path, const uint64_t *offsets,
		       const uint64_t *cookies, size_t cnt, pid_t pid)
{
	size_t i;
	int err;

	for (i = 0; i < cnt; i++) {
		err = attach_one(bpf, prog_fd, path, offsets[i], cookies[i], pid);
		if (err)
			return go_fail(-err, "cannot attach a uprobe to '%s' at offset 0x%llx: %s",
				       path, (unsigned long long)offsets[i], strerror(-err));
	}
	return 0;
}

int go_bpf__attach(struct go_bpf *bpf, const char *prog, const char *path,
		   const uint64_t *offsets, const uint64_t *cookies, size_t cnt, pid_t pid)
{
	const struct go_bpf_obj *p = bpf_obj(bpf, prog, true, false);
	const struct go_bpf_obj *m = bpf_obj(bpf, prog, true, true);
	int err;

	if (!p)
		return go_fail(ENOENT, "no BPF program '%s'", prog);
	if (!cnt)
		return 0;
	/* the kernel filters by pid too; the programs check again, for older kernels */
	err = go_bpf__set_pid(bpf, pid);
	if (err)
		return err;
	/* a kernel without uprobe_multi refused to load the program for it: one by one then */
	if (bpf->multi && m) {
		err = attach_multi(bpf, m->fd, path, offsets, cookies, cnt, pid);
		if (err == -ESRCH)
			return go_fail(ESRCH, "no process with pid %d", (int)pid);
		if (err)
			return go_fail(-err, "cannot attach %zu uprobes to '%s': %s", cnt, path,
				       strerror(-err));
		bpf->nprobes += cnt;
		return 0;
	}
	bpf->multi = false;
	err = attach_each(bpf, p->fd, path, offsets, cookies, cnt, pid);
	if (!err)
		bpf->nprobes += cnt;
	return err;
}

int go_bpf__set_pid(struct go_bpf *bpf, pid_t pid)
{
	int fd = go_bpf__map_fd(bpf, "go_config");
	struct go_filter f = { 0 };
	uint32_t zero = 0;

	if (fd < 0)
		return fd;
	go_map__lookup(fd, &zero, &f);	/* an array's element is always there */
	f.tgid = pid > 0 ? (uint32_t)pid : 0;
	return go_map__update(fd, &zero, &f) ? go_fail(EIO, "cannot set the traced pid") : 0;
}

/* The cgroup v2 directory at path into go_cgroup[0], for bpf_current_task_under_cgroup(). */
static int set_cgroup(struct go_bpf *bpf, const char *path)
{
	int map_fd = go_bpf__map_fd(bpf, "go_cgroup"), fd, err;
	uint32_t zero = 0;

	if (map_fd < 0)
		return map_fd;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return go_fail(errno, "cannot open cgroup '%s': %s", path, strerror(errno));
	err = go_map__update(map_fd, &zero, &fd);
	close(fd);
	if (err)
		return go_fail(-err, "'%s' is not a cgroup v2 directory", path);
	return 0;
}

int go_bpf__set_filter(struct go_bpf *bpf, const struct go_filter *filter, const char *cgroup)
{
	int fd = go_bpf__map_fd(bpf, "go_config"), err;
	struct go_filter f = *filter;
	uint32_t zero = 0;

	if (fd < 0)
		return fd;
	if (cgroup) {
		err = set_cgroup(bpf, cgroup);
		if (err)
			return err;
		f.flags |= GO_FILTER_CGROUP;
	}
	return go_map__update(fd, &zero, &f) ? go_fail(EIO, "cannot set the traced tasks") : 0;
}

size_t go_bpf__probe_cnt(const struct go_bpf *bpf)
{
	return bpf->nprobes;
}

bool go_bpf__uses_multi(const struct go_bpf *bpf)
{
	return bpf->multi;
}

static void link_close(struct go_link *l)
{
	close(l->fd);
	if (l->perf_fd >= 0)
		close(l->perf_fd);
}

/*
 * Newest first: a tool attaches its return probes before its entry probes, so that no call is
 * seen entering whose return goes unseen; taking the entries away first keeps that true.
 */
void go_bpf__detach(struct go_bpf *bpf)
{
	size_t i;

	/* each perf-event uprobe takes ~0.1 s to go: the kernel serializes them (threads do not
	 * help), which is why uprobe_multi is the default */
	for (i = bpf->nlinks; i-- > 0;)
		link_close(&bpf->links[i]);
	bpf->nlinks = 0;
	bpf->nprobes = 0;
}

void go_bpf__close(struct go_bpf *bpf)
{
	int i;

	if (!bpf)
		return;
	go_bpf__detach(bpf);
	for (i = 0; i < bpf->nobjs; i++)
		close(bpf->objs[i].fd);
	free(bpf->links);
	free(bpf);
}

bool go_bpf__want_multi(void)
{
	return !go_env_flag("GOFUNC_NO_MULTI");
}

/* ---- maps ----------------------------------------------------------------------------------- */

static int map_elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	struct attr_map_elem a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = flags;
	return sys_bpf(cmd, &a, sizeof(a)) ? -errno : 0;
}

int go_map__lookup(int fd, const void *key, void *value)
{
	return map_elem(CMD_MAP_LOOKUP_ELEM, fd, key, value, 0);
}

int go_map__update(int fd, const void *key, const void *value)
{
	return map_elem(CMD_MAP_UPDATE_ELEM, fd, key, (void *)value, 0);
}

int go_map__delete(int fd, const void *key)
{
	return map_elem(CMD_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

int go_map__next_key(int fd, const void *key, void *next)
{
	return map_elem(CMD_MAP_GET_NEXT_KEY, fd, key, next, 0);
}

int go_map__sum_percpu(int fd, uint32_t key, uint64_t *sum)
{
	static uint64_t *vals;
	int ncpus = go_ncpus_possible(), c, err;

	*sum = 0;
	if (!vals && !(vals = calloc(ncpus, sizeof(*vals))))
		return -ENOMEM;
	err = go_map__lookup(fd, &key, vals);
	for (c = 0; c < ncpus && !err; c++)
		*sum += vals[c];
	return err;
}

int go_ncpus_possible(void)
{
	static int n;
	FILE *f;
	int a, b;
	char c;

	if (n)
		return n;
	f = fopen("/sys/devices/system/cpu/possible", "r");
	n = 1;
	if (!f)
		return n;
	/* "0-3", "0", or "0-3,5-7": count the last range's end */
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &c) == 1 && c == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			if (fscanf(f, "%c", &c) != 1)
				c = 0;
		}
		n = b + 1;
		if (c != ',')
			break;
	}
	fclose(f);
	return n;
}
