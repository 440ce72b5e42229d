// SPDX-License-Identifier: Apache-2.0
/*
 * Which files root may take as its own: those that nobody else can write or replace. A directory
 * qualifies when it is root's (or the tool's user's) and writable by no one else; a directory
 * others may write to still qualifies on the way to another when it is sticky (/tmp), as then
 * they cannot take away or rename what is not theirs. A path qualifies when every directory from
 * / to it does, looked up one component at a time, never through a symbolic link.
 *
 * The tools' cache (cache.c) lives in such a directory, and libbcc compiles only against kernel
 * headers in such directories (bpfcompile.c): nothing another user can write reaches what root
 * compiles or loads.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/trust.h"

static bool owner_ok(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

bool go_trust__file(const struct stat *st)
{
	return S_ISREG(st->st_mode) && owner_ok(st) && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Why the directory at path (stat st) is not to be trusted, or NULL; last: nothing follows it. */
static const char *dir_distrust(const struct stat *st, bool last)
{
	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	if (!owner_ok(st))
		return "is owned by another user";
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && (last || !(st->st_mode & S_ISVTX)))
		return "is writable by other users";
	return NULL;
}

/* Why the header (or other file) of a tree, stat st, is not to be trusted, or NULL. */
static const char *file_distrust(const struct stat *st)
{
	if (!owner_ok(st))
		return "is owned by another user";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "is writable by other users";
	return NULL;
}

static int say(char *why, size_t size, const char *path, const char *what)
{
	if (why)
		snprintf(why, size, "'%s' %s", path, what);
	return -EPERM;
}

/*
 * Walk an absolute path from /, a component at a time (no "..", no symbolic link), each
 * directory trusted; make the last one (0700) when it is missing and make is set. The last
 * directory's descriptor, or a negative errno with why said.
 */
static int walk(const char *path, bool make, char *why, size_t size)
{
	char buf[PATH_MAX], sofar[PATH_MAX] = "";
	char *name, *next, *save = NULL;
	const char *bad;
	struct stat st;
	int fd, sub;

	if (path[0] != '/' || strlen(path) >= sizeof(buf))
		return say(why, size, path, "is not an absolute path");
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || (bad = dir_distrust(&st, !path[strspn(path, "/")]))) {
		close(fd);
		return say(why, size, "/", "is not to be trusted");
	}
	strcpy(buf, path);
	for (name = strtok_r(buf, "/", &save); name; name = next) {
		next = strtok_r(NULL, "/", &save);
		snprintf(sofar + strlen(sofar), sizeof(sofar) - strlen(sofar), "/%s", name);
		if (!strcmp(name, "..")) {
			close(fd);
			return say(why, size, path, "holds '..'");
		}
		sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 && errno == ENOENT && make && !next && !mkdirat(fd, name, 0700))
			sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (sub < 0)
			return errno == ELOOP || errno == ENOTDIR ?
			       say(why, size, sofar, "is a symbolic link or not a directory") : -errno;
		if (fstat(sub, &st) || (bad = dir_distrust(&st, !next))) {
			close(sub);
			return say(why, size, sofar, bad ? bad : "cannot be read");
		}
		fd = sub;
	}
	return fd;
}

int go_trust__open_dir(const char *path, bool make)
{
	return walk(path, make, NULL, 0);
}

int go_trust__path(const char *path, char *why, size_t size)
{
	char todo[PATH_MAX], cur[PATH_MAX] = "", next[PATH_MAX], link[PATH_MAX], comp[NAME_MAX + 1];
	const char *rest, *bad;
	struct stat st;
	int links = 0;
	size_t len;

	if (path[0] != '/' || strlen(path) >= sizeof(todo))
		return say(why, size, path, "is not an absolute path");
	if (stat("/", &st) || dir_distrust(&st, false))
		return say(why, size, "/", "is not to be trusted");
	snprintf(todo, sizeof(todo), "%s", path);
	for (rest = todo; *rest;) {
		rest += strspn(rest, "/");
		len = strcspn(rest, "/");
		if (!len)
			break;
		if (len > NAME_MAX)
			return say(why, size, path, "holds a name too long");
		memcpy(comp, rest, len);
		comp[len] = 0;
		rest += len;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {	/* cur holds no link: its parent is its text's */
			*(strrchr(cur, '/') ? strrchr(cur, '/') : cur) = 0;
			continue;
		}
		if ((size_t)snprintf(next, sizeof(next), "%s/%s", cur, comp) >= sizeof(next))
			return say(why, size, path, "is too long");
		if (lstat(next, &st))
			return say(why, size, next, "cannot be resolved");
		if (S_ISLNK(st.st_mode)) {
			/* a link in a trusted directory: what it names is looked up in turn */
			ssize_t n = readlink(next, link, sizeof(link) - 1);

			if (n <= 0 || ++links > 40)
				return say(why, size, next, "is a link that cannot be followed");
			link[n] = 0;
			if ((size_t)snprintf(next, sizeof(next), "%s%s%s%s", link[0] == '/' ? "" : cur,
					     link[0] == '/' ? "" : "/", link, rest) >= sizeof(next))
				return say(why, size, path, "is too long");
			cur[0] = 0;	/* next is the whole path again, from / */
			snprintf(todo, sizeof(todo), "%s", next);
			rest = todo;
			continue;
		}
		bad = S_ISDIR(st.st_mode) ? dir_distrust(&st, !rest[strspn(rest, "/")]) :
		      rest[strspn(rest, "/")] ? "is not a directory" : NULL;
		if (bad)
			return say(why, size, next, bad);
		snprintf(cur, sizeof(cur), "%s", next);
	}
	return 0;
}

/* Directories a tree's walk visits at most (its links may lead into others). */
#define TREE_MAX_DIRS 100000

struct tree_walk {
	char path[PATH_MAX];
	size_t dirs;
	char *why;
	size_t wsize;
};

static int tree(struct tree_walk *w, int fd);

/* A symbolic link in a tree, at w->path: what it names must be as safe as the tree. */
static int tree_link(struct tree_walk *w)
{
	struct stat st;
	int err, fd;

	if (stat(w->path, &st))
		return 0;	/* dangling: clang finds nothing there either */
	err = go_trust__path(w->path, w->why, w->wsize);
	if (!err && !S_ISDIR(st.st_mode) && file_distrust(&st))
		err = say(w->why, w->wsize, w->path, file_distrust(&st));
	if (err || !S_ISDIR(st.st_mode))
		return err;
	fd = open(w->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	return tree(w, fd);
}

/* Every directory and file under fd (at w->path) trusted, and what each symbolic link names. */
static int tree(struct tree_walk *w, int fd)
{
	DIR *d = fdopendir(fd);
	size_t len = strlen(w->path);
	char here[PATH_MAX];
	const char *bad;
	struct dirent *e;
	struct stat st;
	int err = 0;

	if (!d) {
		close(fd);
		return say(w->why, w->wsize, w->path, "cannot be read");
	}
	if (++w->dirs > TREE_MAX_DIRS) {
		closedir(d);
		return say(w->why, w->wsize, w->path, "leads to too many directories");
	}
	snprintf(here, sizeof(here), "%s", w->path);
	while (!err && (e = readdir(d))) {
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(w->path, sizeof(w->path), "%s/%s", here, e->d_name) >=
		    sizeof(w->path)) {
			err = say(w->why, w->wsize, here, "holds a name too long");
			break;
		}
		if (e->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			e->d_type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		}
		if (e->d_type == DT_LNK) {
			err = tree_link(w);
			continue;
		}
		if (e->d_type != DT_DIR) {
			/* a header another user can write is theirs to fill */
			if (!fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
			    (bad = file_distrust(&st)))
				err = say(w->why, w->wsize, w->path, bad);
			continue;
		}
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		bad = fstat(sub, &st) ? "cannot be read" : dir_distrust(&st, false);
		if (bad) {
			close(sub);
			err = say(w->why, w->wsize, w->path, bad);
			break;
		}
		err = tree(w, sub);
	}
	snprintf(w->path, sizeof(w->path), "%.*s", (int)len, here);
	closedir(d);
	return err;
}

int go_trust__tree(const char *root, char *why, size_t size)
{
	struct tree_walk w = { .why = why, .wsize = size };
	int err, fd;

	err = go_trust__path(root, why, size);
	if (err)
		return err;
	snprintf(w.path, sizeof(w.path), "%s", root);
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? say(why, size, root, "cannot be read") : tree(&w, fd);
}
