// SPDX-License-Identifier: Apache-2.0
/*
 * Text that others wrote, escaped before it reaches a terminal: names read from a binary
 * (functions, files, types), what a traced program holds (strings, values, pprof labels, its
 * command name), and the messages that quote them. A terminal obeys control characters (ESC
 * starts sequences that clear the screen, set the window title or answer back; a newline
 * forges a line of output), and so do some of them the 8-bit C1 controls; Unicode's
 * bidirectional controls reorder what is shown. Each of those, and each byte that is not
 * UTF-8, is written as Go's %q writes it (\n, \x1b, \u202e); everything else, backslashes
 * included, as it is, so that the names and values of ordinary programs print unchanged.
 * JSON strings (-j) escape the same characters, as JSON writes them; Prometheus's label values
 * (--prometheus) hold the text as a terminal shows it, in the exposition format's escapes.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"

/*
 * The code point of the UTF-8 sequence at s, its length in *n; -1 and *n = 1 when s does not
 * begin a valid one (an overlong form, a surrogate, past U+10FFFF, or cut short).
 */
static long utf8_decode(const unsigned char *s, int *n)
{
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
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
		if ((s[i] & 0xc0) != 0x80)	/* a NUL ends the string here too */
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*n = len;
	return cp;
}

/* Does a terminal act on code point cp rather than show it? */
static bool unsafe_cp(long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||	/* C0, DEL, C1 */
	       cp == 0x061c || cp == 0x200e || cp == 0x200f ||	/* bidirectional marks */
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029;			/* line and paragraph separators */
}

/*
 * The escape of the character at s (*n: its bytes) into out (at least 8 bytes), or 0 when
 * it is written as it is. keep_lines: newlines and tabs too.
 */
static size_t esc_char(const unsigned char *s, int *n, bool keep_lines, char *out)
{
	static const char named[] = "\aa\bb\ff\nn\rr\tt\vv";
	long cp = utf8_decode(s, n);
	const char *c;

	if (cp < 0)	/* not UTF-8: the byte */
		return (size_t)snprintf(out, 8, "\\x%02x", s[0]);
	if (!unsafe_cp(cp) || (keep_lines && (cp == '\n' || cp == '\t')))
		return 0;
	c = cp ? memchr(named, (int)cp, sizeof(named) - 1) : NULL;
	if (c && !((c - named) & 1))
		return (size_t)snprintf(out, 8, "\\%c", c[1]);
	if (cp < 0x80)
		return (size_t)snprintf(out, 8, "\\x%02lx", cp);
	return (size_t)snprintf(out, 8, "\\u%04lx", cp);
}

bool go_esc_needed(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char e[8];
	int n;

	for (; *s; s += n) {
		if (*s >= 0x20 && *s < 0x7f) {	/* the common case */
			n = 1;
			continue;
		}
		if (esc_char(s, &n, false, e))
			return true;
	}
	return false;
}

const char *go_esc(const char *str, char *buf, size_t size)
{
	const unsigned char *s = (const unsigned char *)str;
	const char *from;
	size_t off = 0, len;
	char e[8];
	int n;

	if (!size || !go_esc_needed(str))
		return str;
	for (; *s; s += n) {
		len = esc_char(s, &n, false, e);
		from = len ? e : (const char *)s;
		len = len ? len : (size_t)n;
		/* room for "..." and the NUL: a character is cut whole, never in the middle */
		if (off + len + 4 > size) {
			snprintf(buf + off, size - off, "%s", size - off >= 4 ? "..." : "");
			return buf;
		}
		memcpy(buf + off, from, len);
		off += len;
	}
	buf[off] = 0;
	return buf;
}

void go_esc_fputs(FILE *out, const char *str, bool keep_lines)
{
	const unsigned char *s = (const unsigned char *)str;
	char e[8];
	size_t len;
	int n;

	for (; *s; s += n) {
		len = esc_char(s, &n, keep_lines, e);
		if (len)
			fwrite(e, 1, len, out);
		else
			fwrite(s, 1, n, out);
	}
}

/*
 * s escaped, and '"' and '\\' after a backslash; label: the escapes' own backslashes too (a
 * Prometheus label value holds the text a terminal shows).
 */
static void esc_quoted(FILE *out, const char *str, bool label)
{
	const unsigned char *s = (const unsigned char *)str;
	char e[8];
	size_t len;
	int n;

	for (; *s; s += n) {
		len = esc_char(s, &n, false, e);
		if (len && label)
			fputc('\\', out);	/* e begins with its backslash */
		if (len)
			fwrite(e, 1, len, out);
		else if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else
			fwrite(s, 1, n, out);
	}
}

void go_esc_quote(FILE *out, const char *str)
{
	fputc('"', out);
	esc_quoted(out, str, false);
	fputc('"', out);
}

/* Go strings are bytes: what is not UTF-8 becomes U+FFFD, so the line stays JSON. */
void go_json_str(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	long cp;
	int n;

	fputc('"', out);
	for (; *s; s += n) {
		cp = utf8_decode(s, &n);
		if (cp == '"' || cp == '\\')
			fprintf(out, "\\%c", (int)cp);
		else if (cp < 0)
			fputs("\\ufffd", out);
		else if (unsafe_cp(cp))
			fprintf(out, "\\u%04lx", cp);
		else
			fwrite(s, 1, n, out);
	}
	fputc('"', out);
}

/*
 * A label value of Prometheus's text format holds the text go_esc() shows (\x1b, \u202e, \xff
 * for a byte that is not UTF-8), escaped as the format asks: '\\' and '"' after a backslash
 * (the escapes' own backslashes too); a newline cannot remain.
 */
void go_esc_label(FILE *out, const char *str)
{
	esc_quoted(out, str, true);
}
