// SPDX-License-Identifier: Apache-2.0
/*
 * Compiling a BPF program with libbcc. libbcc's compiler (clang and LLVM) costs ~90 MiB that a
 * process keeps even after freeing the module, so a child process compiles and loads the
 * programs, hands their file descriptors to the tool over a unix socket, and exits. The tool
 * itself never loads libbcc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe/probe_priv.h"
#include "probe/probe.h"
#include "base/trust.h"

extern const char go_bpf_src_common[];

/*
 * Every file of libgo/probe/bpf/ by its name, and each arch's registers (libgo/arch/<arch>/
 * regs.h) by their path under libgo/, embedded at build time (scripts/embed-bpf.sh).
 */
extern const struct {
	const char *name;
	const char *text;
} go_bpf_files[];

/* The embedded file a line '#include "NAME"' names, or NULL. */
static const char *bpf_header(const char *line, size_t len)
{
	size_t i, n;

	if (len < 12 || strncmp(line, "#include \"", 10) || line[len - 1] != '"')
		return NULL;
	for (i = 0; go_bpf_files[i].name; i++) {
		n = strlen(go_bpf_files[i].name);
		if (len == n + 11 && !strncmp(line + 10, go_bpf_files[i].name, n))
			return go_bpf_files[i].text;
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

int go_bpf_spec__shape(struct go_bpf_spec *spec, const char *name,
		       const struct go_bpf_map_shape *shape)
{
	if (spec->nshapes >= GO_BPF_MAX_SHAPES)
		return spec->err = spec->err ? spec->err :
				   go_fail(E2BIG, "too many map shapes for a BPF program");
	spec->shapes[spec->nshapes] = *shape;
	spec->shapes[spec->nshapes++].name = name;
	return 0;
}

int go_bpf_spec__size(struct go_bpf_spec *spec, const char *name, uint32_t max_entries)
{
	struct go_bpf_map_shape s = { .max_entries = max_entries };

	return go_bpf_spec__shape(spec, name, &s);
}

static const struct go_bpf_map_shape *spec_shape(const struct go_bpf_spec *spec,
						 const char *name)
{
	int i;

	for (i = 0; i < spec->nshapes; i++)
		if (!strcmp(spec->shapes[i].name, name))
			return &spec->shapes[i];
	return NULL;
}

bool go_bpf_spec__apply_shape(const struct go_bpf_spec *spec, struct go_bpf_image_map *m)
{
	const struct go_bpf_map_shape *s = spec_shape(spec, m->name);

	if (!s)
		return false;
	if (s->max_entries)
		m->max_entries = s->max_entries;
	if (s->key_size && s->key_size < m->key_size)
		m->key_size = s->key_size;
	if (s->type) {
		m->type = s->type;
		m->flags = s->flags;
	}
	return true;
}

char *go_bpf_spec__text(const struct go_bpf_spec *spec)
{
	char *text = NULL;
	size_t size;
	FILE *m = open_memstream(&text, &size);

	if (!m)
		return NULL;
	put_expanded(m, go_bpf_src_common, 0);
	put_expanded(m, spec->src, 0);
	if (fclose(m)) {
		free(text);
		return NULL;
	}
	return text;
}

char *go_bpf_spec__listing(const struct go_bpf_spec *spec)
{
	char *text = go_bpf_spec__text(spec), *out = NULL;
	size_t size;
	FILE *m = text ? open_memstream(&out, &size) : NULL;
	int i;

	if (!m) {
		free(text);
		return NULL;
	}
	fputs(text, m);
	free(text);
	for (i = 0; i < spec->nshapes; i++) {
		const struct go_bpf_map_shape *s = &spec->shapes[i];

		fprintf(m, "/* at load: map %s", s->name);
		if (s->type)
			fprintf(m, " %s", s->type == GO_BPF_MAP_LRU_HASH ? "lru_hash" :
				s->type == GO_BPF_MAP_HASH ? "hash" : "other");
		if (s->max_entries)
			fprintf(m, ", %u entries", s->max_entries);
		if (s->key_size)
			fprintf(m, ", keys of %u bytes", s->key_size);
		fputs(" */\n", m);
	}
	if (fclose(m)) {
		free(out);
		return NULL;
	}
	return out;
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
	size_t (*num_functions)(void *);
	const char *(*function_name)(void *, size_t);
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
	api->num_functions = dlsym(h, "bpf_num_functions");
	api->function_name = dlsym(h, "bpf_function_name");
	return api->create && api->start && api->size && api->license && api->kern_version &&
	       api->load && api->num_tables && api->table_name && api->table_fd_id &&
	       api->table_type_id && api->table_key_size_id && api->table_leaf_size_id &&
	       api->table_max_entries_id && api->table_flags_id && api->num_functions &&
	       api->function_name ? 0 : -1;
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
	int n;

	if (r->nfds >= MAX_OBJS || fd < 0)
		return;
	n = snprintf(r->text + r->len, sizeof(r->text) - r->len, "%s %s\n", kind, name);
	if (n < 0 || (size_t)n >= sizeof(r->text) - r->len) {
		r->text[r->len] = 0;	/* no room: the parent finds the object missing */
		return;
	}
	r->len += n;
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

/*
 * Table t made anew as spec shapes it: its descriptor, or -1 when it keeps libbcc's (the child
 * fails with the reason when the kernel refuses the shape).
 */
static int table_reshape(struct bcc_api *api, void *mod, size_t t, const struct go_bpf_spec *spec,
			 int sock, struct reply *r, int errfd)
{
	struct go_bpf_image_map m;
	int fd;

	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "%s", api->table_name(mod, t));
	m.type = api->table_type_id(mod, t);
	m.key_size = api->table_key_size_id(mod, t);
	m.value_size = api->table_leaf_size_id(mod, t);
	m.max_entries = api->table_max_entries_id(mod, t);
	m.flags = api->table_flags_id(mod, t);
	if (!go_bpf_spec__apply_shape(spec, &m))
		return -1;
	fd = go_bpf_sys__map_create(&m);
	if (fd < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "cannot create BPF map '%s' of size %u: %s", m.name,
			 m.max_entries, strerror(errno));
		child_error(sock, r, errfd, msg);
	}
	return fd;
}

/* A program's instructions with the maps that table_reshape() made in place of libbcc's. */
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

/* ---- what the compile reads ---------------------------------------------------------------- */

/*
 * The kernel headers libbcc compiles against, found as libbcc 0.26 finds them (loader.cc):
 * BCC_KERNEL_SOURCE, else /lib/modules/RELEASE/source with the generated headers in build
 * beside it, else /lib/modules/RELEASE/build (or BCC_KERNEL_MODULES_SUFFIX). When they lack
 * include/linux/kconfig.h libbcc unpacks /sys/kernel/kheaders.tar.xz into $TMPDIR.
 */
struct kheaders {
	char kpath[PATH_MAX];	/* where libbcc compiles */
	char build[PATH_MAX];	/* where the generated headers are: kpath, or build beside source */
	bool found;		/* kpath has include/linux/kconfig.h */
};

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static void kheaders_find(struct kheaders *k)
{
	const char *env = getenv("BCC_KERNEL_SOURCE"), *suffix = getenv("BCC_KERNEL_MODULES_SUFFIX");
	char kdir[PATH_MAX / 2], conf[PATH_MAX + 32];
	struct utsname u;
	struct stat st;

	uname(&u);
	snprintf(kdir, sizeof(kdir), "/lib/modules/%s", u.release);
	if (env) {
		snprintf(k->kpath, sizeof(k->kpath), "%s", env);
		snprintf(k->build, sizeof(k->build), "%s", env);
	} else if (snprintf(k->build, sizeof(k->build), "%s/build", kdir), is_dir(k->build) &&
		   (snprintf(k->kpath, sizeof(k->kpath), "%s/source", kdir), is_dir(k->kpath))) {
		/* Debian's: the common headers in source, the generated ones in build */
	} else {
		snprintf(k->kpath, sizeof(k->kpath), "%s/%s", kdir, suffix ? suffix : "build");
		snprintf(k->build, sizeof(k->build), "%s", k->kpath);
	}
	snprintf(conf, sizeof(conf), "%s/include/linux/kconfig.h", k->kpath);
	k->found = !stat(conf, &st) && S_ISREG(st.st_mode);
}

/*
 * The headers clang will read must be root's alone: every directory of the include trees
 * (and wherever their links lead) writable by root only. NULL, or why not.
 */
static const char *kheaders_untrusted(const struct kheaders *k, char *why, size_t size)
{
#if defined(__aarch64__)
	static const char *const trees[] = { "include", "arch/arm64/include" };
#else
	static const char *const trees[] = { "include", "arch/x86/include" };
#endif
	const char *roots[2] = { k->kpath, k->build };
	char dir[PATH_MAX + 32];
	size_t r, t;

	for (r = 0; r < 2; r++) {
		if (r && !strcmp(roots[0], roots[1]))
			break;
		/* libbcc compiles in kpath: "-include ./include/linux/kconfig.h" */
		if (go_trust__path(roots[r], why, size))
			return why;
		for (t = 0; t < sizeof(trees) / sizeof(trees[0]); t++) {
			snprintf(dir, sizeof(dir), "%s/%s", roots[r], trees[t]);
			if (is_dir(dir) && go_trust__tree(dir, why, size))
				return why;
		}
	}
	return NULL;
}

/*
 * Set up what libbcc reads beside the program: it runs from / (libbcc puts the working
 * directory first on the include path, so that a linux/types.h planted there would be
 * compiled into root's program), with trusted headers, and nothing from the environment
 * that would change the program without changing its key (go_bpf_cache__key). NULL, or why
 * the compile cannot go on.
 */
static const char *compile_setup(struct kheaders *k, char *why, size_t size)
{
	char bad[PATH_MAX + 64];

	if (chdir("/"))
		return "cannot change to /";
	unsetenv("ARCH");
	unsetenv("BCC_LINUX_VERSION_CODE");
	/* clang's driver adds these to the include path (`sudo -E` keeps a user's) */
	unsetenv("CPATH");
	unsetenv("C_INCLUDE_PATH");
	unsetenv("CPLUS_INCLUDE_PATH");
	unsetenv("OBJC_INCLUDE_PATH");
	kheaders_find(k);
	if (!k->found) {
		/* libbcc would unpack kheaders in $TMPDIR, under a name anyone could take first */
		if (!go_cache__dir()) {
			snprintf(why, size, "compiling the BPF program failed: Unable to find kernel "
				 "headers at '%s' (and with the cache off there is no root-only directory "
				 "to unpack /sys/kernel/kheaders.tar.xz in)", k->kpath);
			return why;
		}
		setenv("TMPDIR", go_cache__dir(), 1);
		return NULL;
	}
	if (kheaders_untrusted(k, bad, sizeof(bad))) {
		snprintf(why, size, "the kernel headers are not root's alone, so nothing is compiled "
			 "against them: %s", bad);
		return why;
	}
	return NULL;
}

/* Each file the compile read that may change (libbcc, the headers' configuration). */
static void deps_record(struct go_bpf_image *img, struct bcc_api *api, const struct kheaders *k)
{
	char paths[4][PATH_MAX + 64], real[PATH_MAX];
	struct stat st;
	Dl_info dl;
	int i;

	snprintf(paths[0], sizeof(paths[0]), "%s",
		 dladdr((void *)api->create, &dl) && dl.dli_fname ? dl.dli_fname : "");
	snprintf(paths[1], sizeof(paths[1]), "%s/include/linux/kconfig.h", k->kpath);
	snprintf(paths[2], sizeof(paths[2]), "%s/include/generated/autoconf.h", k->build);
	snprintf(paths[3], sizeof(paths[3]), "%s/include/generated/uapi/linux/version.h", k->build);
	for (i = 0; i < 4 && img->ndeps < GO_BPF_MAX_DEPS; i++)
		if (paths[i][0] && realpath(paths[i], real) && !stat(real, &st) &&
		    strlen(real) < sizeof(img->deps[0].path))
			go_bpf_dep__set(&img->deps[img->ndeps++], real, &st);
}

/* What the child compiled, for the cache. */
static void image_save(const uint8_t *key, struct bcc_api *api, void *mod,
		       const struct go_bpf_spec *spec, const struct kheaders *k)
{
	static struct go_bpf_image img;
	int map_fds[GO_BPF_MAX_MAPS], i, variant;
	size_t t, n = api->num_tables(mod);

	if (!key || n > GO_BPF_MAX_MAPS || spec->nprogs * 2 > GO_BPF_MAX_PROGS)
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
		for (variant = 0; variant < 2; variant++) {	/* both, whatever this run uses */
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
	deps_record(&img, api, k);
	go_bpf_cache__write(key, &img);
}

/* spec, or with no programs named, spec naming every function of the module. */
static const struct go_bpf_spec *spec_whole(struct bcc_api *api, void *mod,
					    const struct go_bpf_spec *spec)
{
	static const char *names[GO_BPF_MAX_PROGS / 2];
	static struct go_bpf_spec whole;
	size_t i, n = api->num_functions(mod);

	if (spec->nprogs)
		return spec;
	whole = *spec;
	for (i = 0; i < n && i < GO_BPF_MAX_PROGS / 2; i++)
		names[i] = api->function_name(mod, i);
	whole.progs = names;
	whole.nprogs = (int)i;
	return &whole;
}

static void child_main(int sock, const struct go_bpf_spec *spec, const uint8_t *key)
{
	static struct kheaders k;
	static struct reply r;
	static char why[PATH_MAX + 256];
	struct bcc_api api;
	int errfd, i, variant, old_fds[GO_BPF_MAX_MAPS], new_fds[GO_BPF_MAX_MAPS];
	char *text;
	size_t t, ntables;
	void *mod;

	/* compiler chatter goes to a scratch file; only a failure is reported, in one line */
	errfd = memfd_create("bcc-stderr", 0);
	if (errfd >= 0)
		dup2(errfd, STDERR_FILENO);
	if (compile_setup(&k, why, sizeof(why)))
		child_error(sock, &r, errfd, why);
	if (bcc_api_open(&api))
		child_error(sock, &r, errfd, "cannot load libbcc (libbcc.so.0): install libbpfcc");
	text = go_bpf_spec__text(spec);
	if (!text)
		child_error(sock, &r, errfd, "out of memory");
	mod = api.create(text, 0, NULL, 0, true, NULL);
	if (!mod)
		child_error(sock, &r, errfd, NULL);
	spec = spec_whole(&api, mod, spec);
	ntables = api.num_tables(mod);
	if (ntables > GO_BPF_MAX_MAPS)
		child_error(sock, &r, errfd, "too many BPF maps");
	for (t = 0; t < ntables; t++) {
		old_fds[t] = api.table_fd_id(mod, t);
		new_fds[t] = table_reshape(&api, mod, t, spec, sock, &r, errfd);
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

			uint32_t type = go_bpf_sys__prog_type(name);

			if (variant == 1 && (!spec->multi || type != PROG_TYPE_KPROBE))
				continue;
			fd = api.load(mod, (int)type, name, insns, (int)api.size(mod, name),
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
	image_save(key, &api, mod, spec, &k);
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

int go_bpf__compile(struct go_bpf *bpf, const struct go_bpf_spec *spec, const uint8_t *key)
{
	static struct reply r;
	int sv[2], status, err;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return go_fail(errno, "cannot create a socket pair: %s", strerror(errno));
	fflush(NULL);
	child = fork();
	if (child < 0) {
		err = go_fail(errno, "cannot fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (child == 0) {
		close(sv[0]);
		child_main(sv[1], spec, key);
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
	return err;
}
