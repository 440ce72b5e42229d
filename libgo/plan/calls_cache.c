// SPDX-License-Identifier: Apache-2.0
/*
 * The call-site cache: the call sites calls.c found of every function of a binary, kept in the
 * tools' cache (cache.c) so that a pattern of any width gets them at once after the first run:
 * a file per binary, keyed by a SHA-256 digest of the whole file and of the tool's own build id.
 * It holds, for each function of the table in order, its entry, then the number of its sites
 * (CALLS_NONE: it stays at its entry site) and each site's address and SP adjustment. The
 * sites a run uses are checked against the binary's bytes all the same (calls_verify(),
 * calls.c): a site that is not a direct CALL or JMP of the function, in a Go function, makes
 * the file's word worthless, and the binary is scanned again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cache_priv.h"
#include "base/trust.h"
#include "binary/binary_priv.h"
#include "plan/sites.h"
#include "plan/plan.h"

#define CALLS_MAGIC "GOCALL2"	/* with its NUL, 8 bytes */
#define CALLS_EXT ".calls"
#define CALLS_NONE UINT32_MAX

static int calls_key(const struct go_binary *b, uint8_t key[GO_KEY_LEN])
{
	static uint8_t buf[1 << 16];
	const uint8_t *id;
	uint64_t off = 0;
	size_t len;
	go_hash h;

	if (go_cache__dirfd() < 0)
		return -ENOENT;
	go_hash__init(&h);
	go_hash__str(&h, CALLS_MAGIC);
	/* another build of the tools may find other sites */
	if (!go_cache__tool_id(&id, &len))
		go_hash__add(&h, id, len);
	go_hash__u64(&h, b->size);
	/* read, not mapped: the file's pages need not stay resident */
	while (off < b->size) {
		ssize_t n = pread(b->fd, buf, b->size - off < sizeof(buf) ? b->size - off : sizeof(buf),
				  (off_t)off);

		if (n <= 0)
			return -EIO;
		go_hash__add(&h, buf, (size_t)n);
		off += (uint64_t)n;
	}
	go_hash__end(&h, key);
	return 0;
}

int gobin_calls_parse(const struct go_binary *b, const uint8_t *p, size_t len,
		      struct go_call_sites *all)
{
	struct go_cache_reader r = { p, p + len };
	uint64_t nfuncs, entry;
	size_t i, k;
	bool ok;

	memset(all, 0, b->nfuncs * sizeof(*all));
	ok = go_cache__take(&r, &nfuncs, sizeof(nfuncs)) && nfuncs == b->nfuncs;
	for (i = 0; ok && i < b->nfuncs; i++) {
		struct go_call_sites *cs = &all[i];
		uint32_t cnt;

		ok = go_cache__take(&r, &entry, sizeof(entry)) && entry == b->funcs[i].entry &&
		     go_cache__take(&r, &cnt, sizeof(cnt)) &&
		     (cnt == CALLS_NONE || (cnt > 0 && cnt <= MAX_CALL_SITES));
		if (!ok || cnt == CALLS_NONE)
			continue;
		cs->addrs = malloc(cnt * sizeof(*cs->addrs));
		cs->sp_adj = malloc(cnt);
		ok = cs->addrs && cs->sp_adj && go_cache__take(&r, cs->addrs, cnt * sizeof(*cs->addrs)) &&
		     go_cache__take(&r, cs->sp_adj, cnt);
		cs->usable = true;
		cs->cnt = cnt;
		for (k = 0; ok && k < cnt; k++)	/* a site must be code, and Go's */
			ok = go_binary__func_at(b, cs->addrs[k]) &&
			     (cs->sp_adj[k] == 0 || cs->sp_adj[k] == b->arch->call_push);
	}
	if (!ok || r.p != r.end) {
		go_call_sites__free(all, b->nfuncs);
		return -EINVAL;
	}
	return 0;
}

int go_calls_cache__read(const struct go_binary *b, const uint8_t *key,
			 struct go_call_sites *all)
{
	const uint8_t *payload;
	uint8_t *file;
	size_t len;
	int err = go_cache__load(CALLS_EXT, CALLS_MAGIC, key, &file, &payload, &len);

	if (err)
		return err;
	err = gobin_calls_parse(b, payload, len, all);
	free(file);
	return err;
}

/* Is b's file root's (or the user's) and writable by no one else (go_trust__file())? */
static bool calls_file_trusted(const struct go_binary *b)
{
	struct stat st;

	return !fstat(b->fd, &st) && go_trust__file(&st);
}

void go_calls_cache__write(const struct go_binary *b, const uint8_t *key,
			   const struct go_call_sites *all)
{
	uint64_t nfuncs = b->nfuncs;
	char *buf = NULL;
	size_t i, len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok;

	if (!f)
		return;
	ok = fwrite(&nfuncs, sizeof(nfuncs), 1, f) == 1;
	for (i = 0; ok && i < b->nfuncs; i++) {
		const struct go_call_sites *cs = &all[i];
		uint32_t cnt = cs->usable ? (uint32_t)cs->cnt : CALLS_NONE;

		ok = fwrite(&b->funcs[i].entry, sizeof(b->funcs[i].entry), 1, f) == 1 &&
		     fwrite(&cnt, sizeof(cnt), 1, f) == 1 &&
		     (!cs->usable || (fwrite(cs->addrs, sizeof(*cs->addrs), cs->cnt, f) == cs->cnt &&
				      fwrite(cs->sp_adj, 1, cs->cnt, f) == cs->cnt));
	}
	ok = !fclose(f) && ok;
	if (ok)
		go_cache__store(CALLS_EXT, CALLS_MAGIC, key, buf, len);
	free(buf);
}

int go_calls_cache__key(const struct go_binary *b, uint8_t key[GO_KEY_LEN])
{
	/*
	 * The key is a digest of the file, the sites a scan of it read later: a file its owner
	 * can rewrite in between (to a copy of another binary while it is digested) would put
	 * sites of other bytes under that binary's key. Only files no one else can write are
	 * cached; the others are scanned every run.
	 */
	if (!calls_file_trusted(b))
		return -EPERM;
	return calls_key(b, key);
}
