/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the planning of call sites: the scan (calls.c), its cache (calls_cache.c) and the
 * record they fill (sites.c). */
#ifndef LIBGO_PLAN_SITES_H
#define LIBGO_PLAN_SITES_H

#include <stddef.h>
#include <stdint.h>

#include "base/cache_priv.h"
#include "plan/plan.h"

#define MAX_CALL_SITES 256	/* more callers than that: the entry site is simpler */


/* Let go of one function's sites (cs is then empty). */
void go_call_sites__drop(struct go_call_sites *cs);
/*
 * The key of b's call sites in the cache: -ENOENT when the cache is off, -EPERM when b's file
 * could change under the digest (another user's, or writable by others), or -EIO.
 */
int go_calls_cache__key(const struct go_binary *b, uint8_t key[GO_KEY_LEN]);
/* all[i] for each function of b's table, as the cache holds them under key. */
int go_calls_cache__read(const struct go_binary *b, const uint8_t *key, struct go_call_sites *all);
/* Keep all (every function's sites) under key; a failure goes unsaid. */
void go_calls_cache__write(const struct go_binary *b, const uint8_t *key,
			   const struct go_call_sites *all);
/*
 * The call-site cache's contents for b: all[i] for each function of b's table, every count,
 * entry and site checked to belong to b (not yet that each site is a CALL of its function).
 * -EINVAL when they do not fit b.
 */
int gobin_calls_parse(const struct go_binary *b, const uint8_t *p, size_t len,
		      struct go_call_sites *all);

#endif
