// SPDX-License-Identifier: Apache-2.0
/*
 * Reading Go binaries: the build info (.go.buildinfo, which stripped binaries keep too): the Go
 * release that built the binary and its main module.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "binary/binary_priv.h"

static const char buildinfo_magic[] = "\xff Go buildinf:";

/* A Go string header {ptr, len} at addr (pre-1.18 build info). */
static int read_gostring(const struct go_binary *b, uint64_t addr, char *out, size_t outsz)
{
	const uint8_t *hdr = gobin_bytes(b, addr, 16), *s;
	uint64_t len;

	if (!hdr)
		return -1;
	len = gobin_le64(hdr + 8);
	s = gobin_bytes(b, gobin_le64(hdr), len);
	if (!s || len >= outsz)
		return -1;
	memcpy(out, s, len);
	out[len] = 0;
	return 0;
}

static void copy_varstr(const uint8_t **p, const uint8_t *end, char *out, size_t outsz)
{
	uint64_t len;
	size_t n = gobin_uvarint(*p, end, &len);

	out[0] = 0;
	/* len against what is left: a corrupt length would wrap the pointer */
	if (!n || len > (uint64_t)(end - *p - n))
		return;
	*p += n;
	if (len < outsz) {
		memcpy(out, *p, len);
		out[len] = 0;
	}
	*p += len;
}

/* "path\texample.com/x\nmod\t..." -> "example.com/x" */
static void module_from_modinfo(const char *modinfo, char *out, size_t outsz)
{
	const char *p = strstr(modinfo, "path\t");

	out[0] = 0;
	if (!p)
		return;
	p += 5;
	snprintf(out, outsz, "%.*s", (int)strcspn(p, "\n"), p);
}

void gobin_buildinfo_load(struct go_binary *b)
{
	const uint8_t *p, *end;
	size_t size;
	char modinfo[4096];

	p = gobin_section_at(b, ".go.buildinfo", &size, NULL);
	if (!p) {
		p = memmem(b->map, b->size, buildinfo_magic, 14);
		size = p ? (size_t)(b->map + b->size - p) : 0;
	}
	if (!p || size < 32 || memcmp(p, buildinfo_magic, 14))
		return;
	end = p + size;
	if (p[15] & 2) {	/* Go 1.18+: strings inline after the 32-byte header */
		const uint8_t *q = p + 32;

		copy_varstr(&q, end, b->version, sizeof(b->version));
		copy_varstr(&q, end, modinfo, sizeof(modinfo));
	} else if (p[14] == 8) {	/* pointers to Go strings */
		if (read_gostring(b, gobin_le64(p + 16), b->version, sizeof(b->version)))
			b->version[0] = 0;
		if (read_gostring(b, gobin_le64(p + 24), modinfo, sizeof(modinfo)))
			modinfo[0] = 0;
	} else {
		return;
	}
	/* modinfo is framed by 16 bytes of sentinel on each side */
	if (strlen(modinfo) > 32) {
		modinfo[strlen(modinfo) - 16] = 0;
		module_from_modinfo(modinfo + 16, b->module, sizeof(b->module));
	}
}

/* "go1.19.8" -> 119; 0 when unknown. */
int gobin_go_minor(const struct go_binary *b)
{
	int major, minor;

	if (sscanf(b->version, "go%d.%d", &major, &minor) != 2 || major != 1)
		return 0;
	return 100 + minor;
}
