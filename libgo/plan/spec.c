// SPDX-License-Identifier: Apache-2.0
/*
 * A probe spec as bcc's tools take it, "[p:][BINARY:]FUNCTIONS": split into the binary and the
 * function pattern (refusing bcc's forms that name no Go function), and the binary it names
 * opened (or the executable of -p PID).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/plan.h"

/*
 * bcc's probe forms that name no Go function. bcc's tools read "t:CATEGORY:EVENT" as a
 * tracepoint, "u:LIB:PROBE" as USDT, an empty library ("p::F", ":F") as the kernel's, "c" as
 * the C library, "F+OFFSET" as an offset into F and "F(int x)" as a C signature: said so here,
 * rather than "no function matches". A '(' in a Go name follows a '.' (main.(*T).M) or is
 * inside a type argument's brackets (main.Map[go.shape.func(int)]), and no Go name holds
 * "+N"; with -r, '(' and '+' are the expression's own.
 */
static bool has_offset(const char *s)
{
	const char *n = strrchr(s, '+');

	if (!n)
		return false;
	n++;
	if (n[0] == '0' && (n[1] == 'x' || n[1] == 'X') && n[2])
		return strspn(n + 2, "0123456789abcdefABCDEF") == strlen(n + 2);
	return *n && strspn(n, "0123456789") == strlen(n);
}

static bool has_signature(const char *s)
{
	int depth = 0;

	for (; *s; s++) {
		if (*s == '[')
			depth++;
		else if (*s == ']' && depth)
			depth--;
		else if (*s == '(' && !depth && s[-1] != '.' && s[-1] != '\\')
			return true;
	}
	return false;
}

static int spec_check(const char *spec, const char *funcs, bool regex)
{
	const char *colon = strchr(spec, ':');
	bool three = colon && strchr(colon + 1, ':');

	if (three && !strncmp(spec, "t:", 2))
		return go_fail(EINVAL, "t: is a kernel tracepoint: these tools trace Go functions");
	if (three && !strncmp(spec, "u:", 2))
		return go_fail(EINVAL, "u: is a USDT probe: Go's compilers put none in a binary");
	if (colon == spec || (three && !strncmp(spec, "p::", 3)))
		return go_fail(EINVAL, "an empty library is bcc's kernel function: Go functions are "
			       "traced in user space");
	if (colon && !strncmp(spec, "c:", 2))
		return go_fail(EINVAL, "c: is bcc's C library: these tools trace Go functions; name "
			       "a Go binary by its path");
	if (regex || !funcs)
		return 0;
	if (has_offset(funcs))
		return go_fail(EINVAL, "FUNC+OFFSET: Go functions are probed where a call is seen "
			       "once (past the stack check) and at their returns only");
	if (has_signature(funcs + 1))
		return go_fail(EINVAL, "C signatures: a Go function's arguments are found by the Go "
			       "ABI and DWARF (goargN, or their Go names)");
	return 0;
}

/*
 * "[BINARY:]FUNCTIONS". Since Go 1.20 some function names hold a ':' (type:.eq.main.T), so with
 * -p the part before the first ':' is a binary only when it looks like a path (has a '/') or is
 * an existing file; without -p there must be a binary, so it always is.
 */
static bool names_binary(const char *prefix, pid_t pid)
{
	return pid <= 0 || strchr(prefix, '/') || access(prefix, F_OK) == 0;
}

int go_probe_spec__split(const char *spec, pid_t pid, bool regex, char **binary, char **funcs)
{
	const char *colon;
	int err;

	*binary = NULL;
	*funcs = NULL;
	/* bcc's "p:LIBRARY:FUNCTION" is "LIBRARY:FUNCTION" */
	if (!strncmp(spec, "p:", 2) && spec[2] != ':' && strchr(spec + 2, ':'))
		spec += 2;
	err = spec_check(spec, NULL, regex);
	if (err)
		return err;
	colon = strchr(spec, ':');
	if (colon && colon != spec) {
		*binary = strndup(spec, colon - spec);
		if (!*binary)
			return go_fail(ENOMEM, "out of memory");
		if (names_binary(*binary, pid)) {
			spec = colon + 1;
		} else {
			free(*binary);
			*binary = NULL;
		}
	}
	if (!*spec) {
		free(*binary);
		*binary = NULL;
		return go_fail(EINVAL, "empty function pattern");
	}
	*funcs = strdup(spec);
	if (!*funcs)
		return go_fail(ENOMEM, "out of memory");
	err = spec_check(spec, *funcs, regex);
	if (err) {
		free(*binary);
		free(*funcs);
		*binary = *funcs = NULL;
	}
	return err;
}

struct go_binary *go_binary__open_spec(const char *binary, pid_t pid)
{
	struct go_binary *b;
	int err;

	if (binary) {
		/* -p PID BINARY:... where PID does not run BINARY would count nothing, silently */
		b = go_binary__open(binary);
		if (b && pid > 0 && (err = go_binary__runs_in(b, pid))) {
			go_binary__close(b);
			errno = -err;
			return NULL;
		}
		return b;
	}
	if (pid > 0)
		return go_binary__open_pid(pid);
	go_fail(EINVAL, "no binary given: use BINARY:FUNCTIONS or -p PID");
	errno = EINVAL;
	return NULL;
}
