/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trace probes as bcc's trace takes them, for Go:
 *   [p:|r:][BINARY:]FUNCTION [(FILTER)] ["FORMAT"[, ARG ...]]
 * ARG and FILTER name goargN, goretN, argN, retval, or the function's parameters and results
 * (DWARF). Everything is checked here, before anything is attached: a format never reaches
 * printf unchecked.
 */
#ifndef LIBGO_TRACEPROBE_H
#define LIBGO_TRACEPROBE_H

#include <stdio.h>

#include "probe/bpf/trace.h"	/* the event record, GO_TRACE_MAX_ARGS and the other sizes */
#include "session/tool.h"

#define GO_TRACE_MAX_VARS 16

struct go_tvar {
	char name[128];
	enum go_kind kind;
	int size;		/* bytes: values are cut to it and extended by sign */
	int nwords;		/* 1, or 2 for a string */
	struct go_loc loc[2];
	int word;		/* first C variable w<word> holding it */
	bool iface;		/* an interface, for %T and %v: its two words */
	int mode;		/* its first word: a type, a method table, or either (GO_IFACE_*) */
	bool xsel;		/* a selector (x): its words are where x's plan starts */
	bool value;		/* for %v: its whole value, a composite one (x.value) too */
	struct go_xexpr x;
};

struct go_tconv {
	char spec[32];		/* the conversion as printed, e.g. "%-8lld" */
	char conv;		/* d i u x X o c s p, T v (interfaces) */
	int len;		/* bytes of its length modifier (hh 1, h 2, l 8), 0 when none */
	int var;
	int slot;		/* index into the event's args, or strs for %s */
	int sslot;		/* %T, %v: the string slot (args from slot: 4 words) */
	bool plus;		/* %+v: struct fields named */
};

struct go_tprobe {
	char *text;
	bool ret;
	struct go_target target;
	enum go_abi abi;
	struct go_tvar vars[GO_TRACE_MAX_VARS];
	int nvars, nwords;
	char *filter;		/* the filter as C, or NULL */
	uint32_t filter_xbad;	/* the bits of go_tevent.xbad of the filter's selectors */
	struct go_xlit xlits[GO_TRACE_LITS_PER_PROBE];	/* the filter's string literals */
	int nxlits;
	char *lits[GO_TRACE_MAX_ARGS + 1];	/* the format's text around the conversions */
	struct go_tconv conv[GO_TRACE_MAX_ARGS];
	int nconv;
	bool has_format;
	int nargs, nstrs;
	bool ivx;		/* prints an interface's value (%v): its events carry ivx */
	int val;		/* the variable of the composite value (%v) its events carry, or -1 */
	struct go_types *types;	/* for %T and %v */
};

/*
 * Parse and check one probe; its target is opened with pid (0: none), its FUNCTION taken as an
 * extended regular expression when regex is true.
 */
int go_tprobe__parse(struct go_tprobe *p, const char *text, pid_t pid, bool regex);
void go_tprobe__free(struct go_tprobe *p);
/* Append the probe's BPF function (go_probe_<idx>) to out. */
void go_tprobe__emit(const struct go_tprobe *p, int idx, FILE *out);
/* Its selectors' plans and its filter's literals, into the loaded program's maps. */
int go_tprobe__set_maps(const struct go_tprobe *p, int idx, struct go_bpf *bpf);
/* --dry-run: how each selector of the probe is read. */
void go_tprobe__print_exprs(const struct go_tprobe *p, FILE *out);

/* The size of the probe's events (without a stack): what its BPF function sends. */
size_t go_tprobe__event_size(const struct go_tprobe *p);
/*
 * The event's message, formatted by the probe's checked format, cut to size; returns its whole
 * length, as snprintf does (a type's name may be long: call again with room for it).
 */
size_t go_tprobe__format(const struct go_tprobe *p, const struct go_tevent *e, char *buf,
			 size_t size);
/* The event's arguments as a JSON object: {"x": 42, "name": "bob"}. */
void go_tprobe__json_args(const struct go_tprobe *p, const struct go_tevent *e, FILE *out);

#endif
