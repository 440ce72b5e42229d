// SPDX-License-Identifier: Apache-2.0
/*
 * Function patterns. Go names are full of characters that globs and regular expressions take
 * for operators: main.(*Counter).Inc, main.Map[go.shape.int]. A glob here has only two
 * operators, '*' and '?'; everything else is literal.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gobin_priv.h"

struct go_pattern {
	char *glob;
	regex_t re;
	bool regex;
};

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
	if (!p || !(p->glob = strdup(pattern))) {
		free(p);
		go_fail(ENOMEM, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	p->regex = regex;
	if (regex && (rc = regcomp(&p->re, pattern, REG_EXTENDED | REG_NOSUB))) {
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

static bool glob_match(const char *g, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*g == '*') {
			star = ++g;
			resume = s;
		} else if (*g == '?' || *g == *s) {
			g++;
			s++;
		} else if (star) {
			g = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*g == '*')
		g++;
	return !*g;
}

bool go_pattern__match(const struct go_pattern *p, const char *name)
{
	if (p->regex)
		return regexec(&p->re, name, 0, NULL, 0) == 0;
	return glob_match(p->glob, name);
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
 * "[BINARY:]FUNCTIONS". Since Go 1.20 some function names hold a ':' (type:.eq.main.T), so with
 * -p the part before the first ':' is a binary only when it looks like a path (has a '/') or is
 * an existing file; without -p there must be a binary, so it always is.
 */
static bool names_binary(const char *prefix, pid_t pid)
{
	return pid <= 0 || strchr(prefix, '/') || access(prefix, F_OK) == 0;
}

int go_probe_spec__split(const char *spec, pid_t pid, char **binary, char **funcs)
{
	const char *colon = strchr(spec, ':');

	*binary = NULL;
	*funcs = NULL;
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
	return *funcs ? 0 : go_fail(ENOMEM, "out of memory");
}

struct go_binary *go_binary__open_spec(const char *binary, pid_t pid)
{
	if (binary)
		return go_binary__open(binary);
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
		if (go_pattern__match(pat, b->funcs[i].name))
			(*idx)[n++] = i;
	return (int)n;
}
