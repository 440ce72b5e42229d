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

#include "binary/binary_priv.h"

/* A glob compiled: literal bytes (0-255) and these. */
enum { GLOB_END = -1, GLOB_STAR = -2, GLOB_ONE = -3 };

struct go_pattern {
	short *glob;
	regex_t re;
	bool regex;
	struct go_pattern *or;	/* the next alternative (go_pattern__add), or NULL */
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

int go_pattern__add(struct go_pattern *p, const char *pattern)
{
	struct go_pattern *alt = go_pattern__new(pattern, p->regex);

	if (!alt)
		return -errno;
	while (p->or)
		p = p->or;
	p->or = alt;
	return 0;
}

bool go_pattern__may_begin(const struct go_pattern *p, const char *prefix)
{
	for (; p; p = p->or)
		if (p->regex || glob_scan(p->glob, prefix, true))
			return true;
	return false;
}

static bool pattern_match_one(const struct go_pattern *p, const char *name)
{
	regmatch_t m;

	/* the leftmost match starts at 0 whenever any match does */
	if (p->regex)
		return regexec(&p->re, name, 1, &m, 0) == 0 && m.rm_so == 0;
	return glob_scan(p->glob, name, false);
}

bool go_pattern__match(const struct go_pattern *p, const char *name)
{
	for (; p; p = p->or)
		if (pattern_match_one(p, name))
			return true;
	return false;
}

void go_pattern__free(struct go_pattern *p)
{
	struct go_pattern *next;

	for (; p; p = next) {
		next = p->or;
		if (p->regex)
			regfree(&p->re);
		free(p->glob);
		free(p);
	}
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
