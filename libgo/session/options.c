// SPDX-License-Identifier: Apache-2.0
/* Options as every tool parses them (argp, bcc's exit statuses), and its one-line warnings. */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/bpf/labels.h"
#include "probe/probe.h"
#include "session/tool.h"

static bool dry_run;
static const char *prometheus;
static struct go_scope scope;	/* --label, --within */
static const char *within;	/* --within */

const struct go_scope *go_scope_asked(void)
{
	return scope.nlabels || scope.flags ? &scope : NULL;
}

const char *go_within_asked(void)
{
	return within;
}

/* --label KEY=VALUE (KEY=*: any value) into scope; -EINVAL with the message set. */
static int parse_label(const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct go_scope_label *l = &scope.label[scope.nlabels];
	size_t klen = eq ? (size_t)(eq - arg) : 0, vlen = eq ? strlen(eq + 1) : 0;

	if (!eq || !klen)
		return go_fail(EINVAL, "invalid label '%s': KEY=VALUE or KEY=* expected", arg);
	if (scope.nlabels == GO_SCOPE_LABELS)
		return go_fail(E2BIG, "too many --label options (at most %d)", GO_SCOPE_LABELS);
	if (klen > GO_SCOPE_STR || vlen > GO_SCOPE_STR)
		return go_fail(EINVAL, "label '%s' is too long: keys and values of up to %d bytes "
			       "are matched", arg, GO_SCOPE_STR);
	memset(l, 0, sizeof(*l));
	l->klen = (uint32_t)klen;
	memcpy(l->key, arg, klen);
	l->any = !strcmp(eq + 1, "*");
	if (!l->any) {
		l->vlen = (uint32_t)vlen;
		memcpy(l->value, eq + 1, vlen);
	}
	scope.nlabels++;
	return 0;
}

bool go_dry_run(void)
{
	return dry_run;
}

const char *go_prometheus(void)
{
	return prometheus;
}

int go_parse_args(const struct argp *argp, int argc, char **argv)
{
	argp_err_exit_status = 2;	/* as bcc's tools (Python's argparse) */
	/* getopt names the program by argv[0]: "gofunccount: ...", not its full path */
	if (argc > 0)
		argv[0] = program_invocation_short_name;
	if (argp_parse(argp, argc, argv, ARGP_NO_HELP, NULL, NULL))
		return 2;
	/* before any binary is read: without the privileges, that is all there is to say */
	if (!dry_run && go_bpf__check_privileges()) {
		go_warn("%s\n", libgo_errmsg());
		return 1;
	}
	return 0;
}

/* The process a thread belongs to; tid itself when unknown (the tool then says what is wrong). */
static pid_t thread_group(pid_t tid)
{
	pid_t tgid;

	return go_tid_tgid(tid, &tgid) || tgid <= 0 ? tid : tgid;
}

int go_parse_common(int key, char *arg, struct argp_state *state, pid_t *pid)
{
	long v;

	switch (key) {
	case 'h':	/* the doc's own USAGE line, not argp's second one */
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP & ~ARGP_HELP_SHORT_USAGE);
		return 0;
	case GO_OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		return 0;
	case GO_OPT_DRY_RUN:
		dry_run = true;
		return 0;
	case GO_OPT_PROMETHEUS:
		if (go_metrics__check_addr(arg))
			go_option_error();
		prometheus = arg;
		return 0;
	case GO_OPT_LABEL:
		if (parse_label(arg))
			go_option_error();
		return 0;
	case GO_OPT_WITHIN:
		if (!*arg || within) {
			go_fail(EINVAL, *arg ? "--within is given once" : "empty --within pattern");
			go_option_error();
		}
		within = arg;
		scope.flags |= GO_SCOPE_WITHIN;
		return 0;
	case 'p':
		if (go_parse_long(arg, 1, INT32_MAX, "PID", &v))
			go_option_error();
		*pid = thread_group((pid_t)v);	/* a thread stands for its process */
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

void go_option_error(void)
{
	go_warn("%s\n", libgo_errmsg());
	exit(2);
}

int go_parse_long(const char *arg, long min, long max, const char *what, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return go_fail(EINVAL, "invalid %s: '%s'", what, arg);
	*out = v;
	return 0;
}

int go_tid_tgid(pid_t tid, pid_t *tgid)
{
	char path[64], line[128];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f && errno == ENOENT)
		return go_fail(ESRCH, "no thread with tid %d", (int)tid);
	if (!f)
		return go_fail(errno, "cannot read '%s': %s", path, strerror(errno));
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "Tgid: %d", tgid) == 1;
	fclose(f);
	return found ? 0 : go_fail(EINVAL, "no Tgid in '%s'", path);
}
