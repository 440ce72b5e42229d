// SPDX-License-Identifier: Apache-2.0
/*
 * Goroutines' pprof labels as the BPF programs keep them (labelsets.bpf.h: each distinct set
 * once, by two hashes of its text, which a record holds), read from the kernel once per set,
 * sorted by key (a Go < 1.24 map's come in its slots' order), one set for the same labels;
 * and printed the one way every tool prints them (gotrace's and gofuncslower's LABELS column
 * and -j members, gostack's frames).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "probe/bpf/labels.h"
#include "probe/probe.h"
#include "session/tool.h"

struct entry {
	struct go_labels_key key;
	struct go_labelset set;
	int nkv;		/* strings allocated in set.kv */
	const struct go_labelset *same;	/* an earlier set of the same labels, in another order */
};

struct go_labelsets {
	int fd;
	struct entry **e;	/* each its own allocation: records point at their sets */
	size_t n;
};

struct go_labelsets *go_labelsets__new(int fd)
{
	struct go_labelsets *ls = calloc(1, sizeof(*ls));

	if (ls)
		ls->fd = fd;
	return ls;
}

void go_labelsets__free(struct go_labelsets *ls)
{
	size_t i;
	int j;

	if (!ls)
		return;
	for (i = 0; i < ls->n; i++) {
		for (j = 0; j < ls->e[i]->nkv; j++)
			free(ls->e[i]->set.kv[j]);
		free(ls->e[i]->set.kv);
		free(ls->e[i]);
	}
	free(ls->e);
	free(ls);
}

/* A string of a label's text, NUL-terminated (a NUL byte in it written as \x00). */
static char *label_dup(const char *p, size_t len)
{
	size_t i, n = 0, nul = 0;
	char *s;

	for (i = 0; i < len; i++)
		nul += !p[i];
	s = malloc(len + 3 * nul + 1);
	if (!s)
		return NULL;
	for (i = 0; i < len; i++) {
		if (p[i]) {
			s[n++] = p[i];
		} else {
			memcpy(s + n, "\\x00", 4);
			n += 4;
		}
	}
	s[n] = 0;
	return s;
}

/* The set of e->key, from the kernel's labelsets; lost when it cannot be read. */
static void entry_read(struct go_labelsets *ls, struct entry *e)
{
	struct go_labels *g = malloc(sizeof(*g));
	struct go_labelset *s = &e->set;
	size_t at = 0;
	int i;

	s->lost = true;
	if (!g || ls->fd < 0 || go_map__lookup(ls->fd, &e->key, g) || g->kept > GO_LABELS_MAX ||
	    g->size > GO_LABELS_BYTES) {
		free(g);
		return;
	}
	s->kv = calloc(2 * (g->kept ? g->kept : 1), sizeof(*s->kv));
	if (!s->kv) {
		free(g);
		return;
	}
	e->nkv = 2 * (int)g->kept;
	for (i = 0; i < (int)g->kept; i++) {
		size_t k = g->len[i][0], v = g->len[i][1];

		if (at + k + v > g->size)
			break;
		s->kv[2 * i] = label_dup(g->data + at, k);
		s->kv[2 * i + 1] = label_dup(g->data + at + k, v);
		at += k + v;
		if (!s->kv[2 * i] || !s->kv[2 * i + 1])
			break;
		s->n = i + 1;
	}
	s->cut = g->n - s->n > INT_MAX ? INT_MAX : (int)(g->n - s->n);
	s->lost = false;
	free(g);
}

static int pair_cmp(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(x[0], y[0]);
}

/* Whether two sets hold the same labels, sorted. */
static bool set_same(const struct go_labelset *a, const struct go_labelset *b)
{
	int i;

	if (a->n != b->n || a->cut != b->cut || a->lost || b->lost)
		return false;
	for (i = 0; i < 2 * a->n; i++)
		if (strcmp(a->kv[i], b->kv[i]))
			return false;
	return true;
}

/* Sorted by key, as Go 1.24+ keeps them; the same as an earlier set, the earlier one. */
static void entry_sort(struct go_labelsets *ls, struct entry *e)
{
	size_t i;

	if (e->set.n > 1)
		qsort(e->set.kv, (size_t)e->set.n, 2 * sizeof(*e->set.kv), pair_cmp);
	for (i = 0; i < ls->n && !e->same; i++)
		if (ls->e[i] != e && set_same(&ls->e[i]->set, &e->set))
			e->same = ls->e[i]->same ? ls->e[i]->same : &ls->e[i]->set;
}

static const struct go_labelset *entry_set(const struct entry *e)
{
	return e->same ? e->same : &e->set;
}

const struct go_labelset *go_labelsets__get(struct go_labelsets *ls,
					    const struct go_labels_key *key)
{
	struct entry **all, *e;
	size_t i;

	if (!ls || (!key->h1 && !key->h2))
		return NULL;
	for (i = 0; i < ls->n; i++)
		if (!memcmp(&ls->e[i]->key, key, sizeof(*key)))
			return entry_set(ls->e[i]);
	all = realloc(ls->e, (ls->n + 1) * sizeof(*all));
	e = calloc(1, sizeof(*e));
	if (all)
		ls->e = all;
	if (!all || !e) {
		free(e);
		return NULL;
	}
	ls->e[ls->n++] = e;
	e->key = *key;
	if (key->h1) {	/* 0, 1: the labels found no room in labelsets */
		entry_read(ls, e);
		entry_sort(ls, e);
	} else {
		e->set.lost = true;
	}
	return entry_set(e);
}

/*
 * Whether a label's text prints as it is in "key=value<sep>..." (escaped, as every name is), or
 * is quoted, as %q quotes: when it is empty or holds what would mislead a reader of the pairs.
 */
static bool label_plain(const char *s, const char *sep)
{
	return *s && !strpbrk(s, " =\"") && !strstr(s, sep);
}

void go_labelset__print(FILE *out, const struct go_labelset *ls, const char *sep)
{
	int i, j;

	for (i = 0; i < ls->n; i++) {
		fputs(i ? sep : "", out);
		for (j = 0; j < 2; j++) {	/* quoted where a space or '=' would mislead */
			if (label_plain(ls->kv[2 * i + j], sep))
				go_esc_fputs(out, ls->kv[2 * i + j], false);
			else
				go_esc_quote(out, ls->kv[2 * i + j]);
			if (!j)
				fputc('=', out);
		}
	}
}

void go_labelset__json(FILE *out, const struct go_labelset *ls)
{
	int i;

	for (i = 0; ls && i < ls->n; i++) {
		fputs(i ? ", " : "", out);
		go_json_str(out, ls->kv[2 * i]);
		fputs(": ", out);
		go_json_str(out, ls->kv[2 * i + 1]);
	}
}

void go_labelset__json_event(FILE *out, const struct go_labelset *ls)
{
	if (!ls)
		return;
	fprintf(out, ", \"labels\": {");
	go_labelset__json(out, ls);
	fprintf(out, "}");
	if (ls->cut)
		fprintf(out, ", \"labels_cut\": %d", ls->cut);
	if (ls->lost)
		fprintf(out, ", \"labels_lost\": true");
}

void go_labelset__column(FILE *out, const struct go_labelset *ls, int width)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);

	if (m && ls) {
		go_labelset__print(m, ls, ",");
		if (ls->lost)
			fprintf(m, "[labels lost]");
		else if (ls->cut)
			fprintf(m, ",[%d more not kept]", ls->cut);
	}
	if (m && fclose(m))
		text = NULL;
	fprintf(out, "%-*s ", width, text && *text ? text : "-");
	free(text);
}
