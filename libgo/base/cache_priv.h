/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the tools' cache (cache.c), for the files that keep what they derived there
 * (bpfcache.c, calls.c): SHA-256 digests (nettle's), and files named and checked by them.
 */
#ifndef LIBGO_CACHE_PRIV_H
#define LIBGO_CACHE_PRIV_H

#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define GO_KEY_LEN SHA256_DIGEST_SIZE
#define GO_CACHE_MAGIC_LEN 8

typedef struct sha256_ctx go_hash;

static inline void go_hash__init(go_hash *h)
{
	sha256_init(h);
}

static inline void go_hash__add(go_hash *h, const void *p, size_t len)
{
	sha256_update(h, len, p);
}

static inline void go_hash__end(go_hash *h, uint8_t out[GO_KEY_LEN])
{
	sha256_digest(h, GO_KEY_LEN, out);
}

/* A cache file's contents, read front to back within their length. */
struct go_cache_reader {
	const uint8_t *p, *end;
};

/* The next n bytes into out; false (nothing taken) when fewer are left. */
static inline bool go_cache__take(struct go_cache_reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	memcpy(out, r->p, n);
	r->p += n;
	return true;
}

/* A string, with its NUL (so that "ab","c" and "a","bc" differ); NULL as "". */
void go_hash__str(go_hash *h, const char *s);
void go_hash__u64(go_hash *h, uint64_t v);

/* The cache's directory: its descriptor, or -1 when the cache is off or not to be trusted. */
int go_cache__dirfd(void);
/*
 * The file of key (named by its hex digits, then ext), when it is root's, whole, of the kind
 * magic names and made for that key: *file (malloc'd, to free) and its contents, *payload
 * and *len. 0, or a negative errno (-ENOENT: none).
 */
int go_cache__load(const char *ext, const char magic[GO_CACHE_MAGIC_LEN],
		   const uint8_t key[GO_KEY_LEN], uint8_t **file, const uint8_t **payload,
		   size_t *len);
/* The same in the directory dfd (a trusted one: go_trust__open_dir), -ENOENT when dfd < 0. */
int go_cache__load_at(int dfd, const char *ext, const char magic[GO_CACHE_MAGIC_LEN],
		      const uint8_t key[GO_KEY_LEN], uint8_t **file, const uint8_t **payload,
		      size_t *len);
/* The checks of go_cache__load() on a file's bytes (key NULL: any key), for the fuzzers too. */
int go_cache__check(const uint8_t *file, size_t size, const char magic[GO_CACHE_MAGIC_LEN],
		    const uint8_t key[GO_KEY_LEN], const uint8_t **payload, size_t *len);
/* Keep payload as the file of key, replacing an older one at once (a rename). */
int go_cache__store(const char *ext, const char magic[GO_CACHE_MAGIC_LEN],
		    const uint8_t key[GO_KEY_LEN], const void *payload, size_t len);
/* Remove the least recently used files of one kind (ext) beyond a bound. */
void go_cache__trim(const char *ext);

#endif
