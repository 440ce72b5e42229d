// SPDX-License-Identifier: Apache-2.0
/*
 * Function patterns. Go names are full of characters that globs and regular expressions take
 * for operators: main.(*Counter).Inc, main.Map[go.shape.int]. A glob here has only two
 * operators, '*' and '?'; everything else is literal. A '*' right after '(' is a pointer
 * receiver's, literal too, so that main.(*DB).Query names one method, not main.(*FooDB).Query
 * as well; '\' makes the character after it literal. '?' is one UTF-8 character, as Go names
 * are UTF-8.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binary/gobin_priv.h"

/* A glob compiled: literal bytes (0-255) and these. */
enum { GLOB_END = -1, GLOB_STAR = -2, GLOB_ONE = -3 };

struct go_pattern {
	short *glob;
	regex_t re;
	bool regex;
};

int go_utf8_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n, i;

	if (s[0] < 0x80)
		return 1;
	n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* One character of a name: a UTF-8 sequence, or a byte that is not part of one. */
static int char_len(const char *s)
{
	int n = go_utf8_len(s);

	return n ? n : 1;
}

static void glob_compile(const char *pattern, short *g)
{
	const unsigned char *s = (const unsigned char *)pattern;
	short prev = GLOB_END;

	for (; *s; s++) {
		if (*s == '\\' && s[1])
			*g = *++s;
		else if (*s == '*' && prev != '(')
			*g = GLOB_STAR;
		else if (*s == '?')
			*g = GLOB_ONE;
		else
			*g = *s;
		prev = *g++;
	}
	*g = GLOB_END;
}

struct go_pattern *go_pattern__new(const char *pattern, bool regex)
{
	struct go_pattern *p;
	int rc;

	if (!pattern || !*pattern) {
		go_fail(EINVAL, "empty function pattern");
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->glob = malloc((strlen(pattern) + 1) * sizeof(*p->glob)))) {
		free(p);
		go_fail(ENOMEM, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	glob_compile(pattern, p->glob);
	p->regex = regex;
	if (regex && (rc = regcomp(&p->re, pattern, REG_EXTENDED))) {
		char msg[128];

		regerror(rc, &p->re, msg, sizeof(msg));
		go_fail(EINVAL, "bad regular expression '%s': %s", pattern, msg);
		free(p->glob);
		free(p);
		errno = EINVAL;
		return NULL;
	}
	return p;
}

/*
 * Does g match s? With prefix, can g match some name that begins with s (s may end before g
 * does: what is left of g matches some continuation)?
 */
static bool glob_scan(const short *g, const char *s, bool prefix)
{
	const short *star = NULL;
	const char *resume = NULL;

	while (*s) {
		if (*g == GLOB_STAR) {
			star = ++g;
			resume = s;
		} else if (*g == GLOB_ONE) {
			g++;
			s += char_len(s);
		} else if (*g == (unsigned char)*s) {	/* never GLOB_END: it is negative */
			g++;
			s++;
		} else if (star) {
			g = star;
			resume += char_len(resume);
			s = resume;
		} else {
			return false;
		}
	}
	if (prefix)
		return true;
	while (*g == GLOB_STAR)
		g++;
	return *g == GLOB_END;
}

bool go_pattern__may_begin(const struct go_pattern *p, const char *prefix)
{
	return p->regex || glob_scan(p->glob, prefix, true);
}

bool go_pattern__match(const struct go_pattern *p, const char *name)
{
	regmatch_t m;

	/* the leftmost match starts at 0 whenever any match does */
	if (p->regex)
		return regexec(&p->re, name, 1, &m, 0) == 0 && m.rm_so == 0;
	return glob_scan(p->glob, name, false);
}

void go_pattern__free(struct go_pattern *p)
{
	if (!p)
		return;
	if (p->regex)
		regfree(&p->re);
	free(p->glob);
	free(p);
}

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

int go_binary__match(const struct go_binary *b, const struct go_pattern *pat, size_t **idx)
{
	size_t i, n = 0;

	*idx = malloc((b->nfuncs ? b->nfuncs : 1) * sizeof(**idx));
	if (!*idx)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < b->nfuncs; i++)
		if (go_pattern__match(pat, b->funcs[i].name) ||
		    (b->funcs[i].pcln_name && go_pattern__match(pat, b->funcs[i].pcln_name)))
			(*idx)[n++] = i;
	return (int)n;
}
