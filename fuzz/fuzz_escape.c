// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz the escaping of what others wrote (escape.c): whatever the bytes, the text that
 * reaches the terminal is UTF-8 with no control character, bidirectional control or line
 * separator, JSON's strings hold none unescaped either, a buffer too small is never overrun,
 * and bytes that need no escaping come back as they were.
 */
#include "fuzz.h"

#include "session/tool.h"

/* The code point at s (strict UTF-8), its length in *n; -1 when there is none. */
static long decode(const unsigned char *s, int *n)
{
	long cp;
	int len, i;

	*n = 1;
	if (s[0] < 0x80)
		return s[0];
	len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (!len)
		return -1;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*n = len;
	return cp;
}

/* Text a terminal only shows: fails on anything it would act on. */
static void check_shown(const char *text, size_t len, bool keep_lines)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	int n;

	while (i < len) {
		long cp = decode(s + i, &n);

		if (cp < 0 || (cp < 0x20 && !(keep_lines && (cp == '\n' || cp == '\t'))) ||
		    (cp >= 0x7f && cp < 0xa0) || cp == 0x202e || cp == 0x2066 || cp == 0x2028)
			abort();
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *out = NULL, buf[64];
	const char *e;
	size_t len = 0, blen;
	FILE *m;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	blen = 1 + (size ? data[0] % (sizeof(buf) - 1) : 0);	/* 1 to 63 bytes */
	e = go_esc(s, buf, blen);
	if (e == s) {
		if (go_esc_needed(s))
			abort();
	} else {
		if (e != buf || strlen(buf) >= blen)
			abort();
		check_shown(buf, strlen(buf), false);
	}
	m = open_memstream(&out, &len);
	go_esc_fputs(m, s, size && (data[0] & 0x80));
	fclose(m);
	check_shown(out, len, size && (data[0] & 0x80));
	free(out);
	m = open_memstream(&out, &len);
	go_json_str(m, s);
	fclose(m);
	check_shown(out, len, false);
	free(out);
	free(s);
	return 0;
}
