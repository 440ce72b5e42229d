// SPDX-License-Identifier: Apache-2.0
/*
 * A tool's BPF programs and maps: loaded from the cache (image_cache.c) without libbcc, or
 * compiled (compile.c); found by name; detached and closed. Probes are attached by attach.c (on
 * top of this file), maps' contents are maps.c's, the settings a tool writes config.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe_priv.h"
#include "base/cache_priv.h"
#include "probe/probe.h"

/*
 * Does img hold every program spec names? An image is cached under its text's key: a tool
 * that names another program of the same text (an older or newer tool) compiles its own.
 */
static bool image_has_progs(const struct go_bpf_image *img, const struct go_bpf_spec *spec)
{
	int i, j;

	for (i = 0; i < spec->nprogs; i++) {
		for (j = 0; j < img->nprogs; j++)
			if (!img->progs[j].hdr.multi && !strcmp(img->progs[j].hdr.name, spec->progs[i]))
				break;
		if (j == img->nprogs)
			return false;
	}
	return true;
}

/* Load a cached image without libbcc; false (and nothing left open) when that fails. */
static bool bpf_load_image(struct go_bpf *bpf, struct go_bpf_image *img,
			   const struct go_bpf_spec *spec)
{
	int map_fds[GO_BPF_MAX_MAPS], i;

	if (!image_has_progs(img, spec))
		return false;
	for (i = 0; i < img->nmaps; i++) {
		struct go_bpf_obj *o = &bpf->objs[bpf->nobjs];
		go_bpf_spec__apply_shape(spec, &img->maps[i]);
		map_fds[i] = go_bpf_sys__map_create(&img->maps[i]);
		if (map_fds[i] < 0)
			goto fail;
		snprintf(o->name, sizeof(o->name), "%s", img->maps[i].name);
		o->fd = map_fds[i];
		bpf->nobjs++;
	}
	for (i = 0; i < img->nprogs; i++) {
		struct go_bpf_obj *o = &bpf->objs[bpf->nobjs];

		if (img->progs[i].hdr.multi && !bpf->multi)
			continue;
		o->fd = go_bpf_sys__prog_load(&img->progs[i], map_fds, img->nmaps);
		if (o->fd < 0 && !img->progs[i].hdr.multi)
			goto fail;
		if (o->fd < 0)
			continue;
		snprintf(o->name, sizeof(o->name), "%s", img->progs[i].hdr.name);
		o->prog = true;
		o->multi = img->progs[i].hdr.multi;
		bpf->nobjs++;
	}
	return true;
fail:
	while (bpf->nobjs > 0)
		close(bpf->objs[--bpf->nobjs].fd);
	return false;
}

static bool bpf_load_cached(struct go_bpf *bpf, const uint8_t *key, const struct go_bpf_spec *spec)
{
	static struct go_bpf_image img;
	bool ok;

	if (go_bpf_cache__read(key, &img))
		return false;
	ok = bpf_load_image(bpf, &img, spec);
	go_bpf_image__free(&img);
	return ok;
}

struct go_bpf *go_bpf__load(const struct go_bpf_spec *spec)
{
	struct go_bpf *bpf = calloc(1, sizeof(*bpf));
	uint8_t key[GO_KEY_LEN];
	bool cached;
	char *text;
	int err;

	if (!bpf) {
		errno = ENOMEM;
		return NULL;
	}
	if (spec->err) {
		err = spec->err;
		goto fail;
	}
	bpf->multi = spec->multi;
	text = go_bpf_spec__text(spec);
	if (!text) {
		err = go_fail(ENOMEM, "out of memory");
		goto fail;
	}
	cached = !go_bpf_cache__key(text, key);
	free(text);
	if (cached && bpf_load_cached(bpf, key, spec))
		return bpf;
	err = go_bpf__compile(bpf, spec, cached ? key : NULL);
	if (err)
		goto fail;
	return bpf;
fail:
	go_bpf__close(bpf);
	errno = -err;
	return NULL;
}

const struct go_bpf_obj *go_bpf__obj(const struct go_bpf *bpf, const char *name, bool prog,
				     bool multi)
{
	int i;

	for (i = 0; i < bpf->nobjs; i++)
		if (bpf->objs[i].prog == prog && bpf->objs[i].multi == multi &&
		    !strcmp(bpf->objs[i].name, name))
			return &bpf->objs[i];
	return NULL;
}

int go_bpf__map_fd(const struct go_bpf *bpf, const char *name)
{
	const struct go_bpf_obj *o = go_bpf__obj(bpf, name, false, false);

	return o ? o->fd : go_fail(ENOENT, "no BPF map '%s'", name);
}

static void link_close(struct go_link *l)
{
	close(l->fd);
	if (l->perf_fd >= 0)
		close(l->perf_fd);
}

/*
 * Newest first: a tool attaches its return probes before its entry probes, so that no call is
 * seen entering whose return goes unseen; taking the entries away first keeps that true.
 */
void go_bpf__detach(struct go_bpf *bpf)
{
	size_t i;

	/* each perf-event uprobe takes ~0.1 s to go: the kernel serializes them (threads do not
	 * help), which is why uprobe_multi is the default */
	for (i = bpf->nlinks; i-- > 0;)
		link_close(&bpf->links[i]);
	bpf->nlinks = 0;
}

void go_bpf__close(struct go_bpf *bpf)
{
	int i;

	if (!bpf)
		return;
	go_bpf__detach(bpf);
	for (i = 0; i < bpf->nobjs; i++)
		close(bpf->objs[i].fd);
	free(bpf->links);
	free(bpf);
}
