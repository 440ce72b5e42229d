/* SPDX-License-Identifier: Apache-2.0 */
/* Which directories and files root may take as its own (trust.c). */
#ifndef LIBGO_TRUST_H
#define LIBGO_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* A regular file root's (or the user's) and writable by no one else. */
bool go_trust__file(const struct stat *st);
/*
 * The directory at path (absolute), opened by a walk from / that follows no symbolic link and
 * finds every directory trusted; made (mode 0700) when it is missing and make is set. Its
 * descriptor, or a negative errno.
 */
int go_trust__open_dir(const char *path, bool make);
/*
 * 0 when every directory that looking path up passes through is trusted: from /, through each
 * symbolic link (which then sits in a trusted directory) and what it names, to path itself
 * (when a directory); -EPERM and why otherwise.
 */
int go_trust__path(const char *path, char *why, size_t size);
/* go_trust__path(root), and every directory below it and wherever its links lead. */
int go_trust__tree(const char *root, char *why, size_t size);

#endif
