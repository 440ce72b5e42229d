// SPDX-License-Identifier: Apache-2.0
/*
 * The kernel's tracepoints as tracefs describes them: an event's id and where its fields are in
 * the record a tracepoint program gets (its "format" file), so that a program reads a field at
 * the offset this kernel says, never through a kernel header's struct.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe/probe.h"

static const char *const tracefs_roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

/* Open file (id, format) of event "category/name" under the first tracefs mounted. */
static FILE *tracefs_open(const char *event, const char *file)
{
	char path[256];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(tracefs_roots) / sizeof(tracefs_roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s", tracefs_roots[i], event, file);
		f = fopen(path, "re");
		if (f)
			return f;
	}
	return NULL;
}

int go_tracefs__id(const char *event, int *id)
{
	FILE *f = tracefs_open(event, "id");
	int ok;

	if (!f)
		return go_fail(ENOENT, "cannot find tracepoint %s in tracefs", event);
	ok = fscanf(f, "%d", id) == 1 && *id > 0;
	fclose(f);
	return ok ? 0 : go_fail(EINVAL, "cannot read the id of tracepoint %s", event);
}

/* Does a format line ("field:TYPE NAME[N];\toffset:O;\tsize:S;...") declare field name? */
static bool format_line_names(const char *line, const char *name)
{
	const char *decl = strstr(line, "field:"), *end, *p;
	size_t n = strlen(name);

	if (!decl || !(end = strchr(decl, ';')))
		return false;
	for (p = end; p > decl && p[-1] != ' '; p--)
		;
	return (size_t)(end - p) >= n && !strncmp(p, name, n) && (p[n] == ';' || p[n] == '[');
}

int go_tracefs__field(const char *event, const char *name, int *off, int *size)
{
	FILE *f = tracefs_open(event, "format");
	char line[512];
	const char *o, *s;
	int found = 0;

	if (!f)
		return go_fail(ENOENT, "cannot find tracepoint %s in tracefs", event);
	while (!found && fgets(line, sizeof(line), f)) {
		if (!format_line_names(line, name))
			continue;
		o = strstr(line, "offset:");
		s = strstr(line, "size:");
		found = o && s && sscanf(o, "offset:%d", off) == 1 &&
			sscanf(s, "size:%d", size) == 1 && *off >= 0 && *size > 0 &&
			*off < GO_TRACEFS_MAX_RECORD && *size <= 8;
	}
	fclose(f);
	return found ? 0 : go_fail(ENOENT, "tracepoint %s has no field %s this tool can read", event,
				   name);
}
