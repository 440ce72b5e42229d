/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libgo's base: failure messages, escaping, the environment, capabilities.
 *
 * Functions that can fail return a negative errno (or NULL with errno set) and leave a one-line,
 * lower-case description of what failed in libgo_errmsg(). The library never prints.
 */
#ifndef LIBGO_BASE_H
#define LIBGO_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The message of the last failure in this thread, e.g. "'/bin/x' is not a Go binary". */
const char *libgo_errmsg(void);
/* Record a failure message; returns -err so callers can write `return go_fail(EINVAL, ...)`. */
int go_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Text that came from a binary (function, file and type names) or from a traced program
 * (strings, values, pprof labels, its command name) goes to a terminal only through these
 * (escape.c): control characters (C0, DEL, C1), Unicode's bidirectional controls and line
 * separators, and bytes that are not UTF-8 are written as Go's %q writes them (\n, \x1b,
 * \u202e); all else, backslashes too, as it is. go_fail() messages and the tools' warnings are
 * escaped already.
 */
/* Whether s holds anything to escape. */
bool go_esc_needed(const char *s);
/* s itself when it needs no escaping, else its escape in buf (cut at a character, with "...",
 * to fit size), for printf("%-36s", go_esc(name, buf, sizeof(buf))). */
const char *go_esc(const char *s, char *buf, size_t size);
/* The size of a buffer for go_esc() that holds the escape of any name a tool prints. */
#define GO_ESC_LEN 1024
/* Write s escaped; keep_lines: newlines and tabs as they are (a program's text, for -D). */
void go_esc_fputs(FILE *out, const char *s, bool keep_lines);
/* strerror(), which also names the kernel's own codes (ENOTSUPP is not "Unknown error 524"). */
const char *go_strerror(int errnum);
/* Whether this process has capability cap (effective), e.g. GO_CAP_SYS_PTRACE. */
bool go_has_cap(int cap);
#define GO_CAP_SYS_PTRACE 19
#define GO_CAP_SYSLOG 34
/*
 * A point a tool passes (e.g. "attach": before its probes are attached), where the test build
 * of a tool (tests/helpers/testhook.c) can stop for a test to change the world under it. Does
 * nothing in the tools themselves.
 */
void go_test_hook(const char *point);
/* A JSON string literal, escaped. */
void go_json_str(FILE *out, const char *s);
/* Write s quoted as Go's %q quotes it: in '"', escaped as above, and '"' and '\' escaped too. */
void go_esc_quote(FILE *out, const char *s);
/*
 * Write s as a label value of Prometheus's text format (without its quotes): escaped as above,
 * then '\' and '"' after a backslash, as the format reads them.
 */
void go_esc_label(FILE *out, const char *s);
/*
 * A setting from the environment: every one is named GOTOOLS_* (README, ENVIRONMENT in the man
 * pages); the name it had before (GOTOOLS_NO_MULTI for GOTOOLS_NO_MULTI...) is read when the
 * new one is unset. NULL when neither is set.
 */
const char *go_env(const char *name);
/* A boolean setting from the environment, e.g. GOTOOLS_NO_MULTI: on unless unset, empty, "0",
 * "false", "no" or "off" (any case); every boolean setting of the tools is read by it. */
bool go_env_flag(const char *name);
/*
 * The tools' cache (libgo/base/cache.c): its directory, root's and writable by nobody else (NULL
 * when off or not to be trusted); the tool's own build id (its executable's GNU build-id
 * note): what the tool derived from a binary and cached is keyed by it too, so a rebuilt or
 * upgraded tool never reads another's.
 */
const char *go_cache__dir(void);
int go_cache__tool_id(const uint8_t **id, size_t *len);


/* warn(): one line to stderr, prefixed with the tool's name. */
#define warn(...) go_warn(__VA_ARGS__)
void go_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* LIBGO_BASE_H */
