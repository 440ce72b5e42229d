// SPDX-License-Identifier: Apache-2.0
/*
 * Values as Go's fmt prints them with %v, from what a probe copied of an interface's value
 * (libgo/probe/bpf/iface.bpf.h): integers, booleans, floats (strconv's shortest digits), strings,
 * pointers; for a type with an Error or String method, which %v calls, the message of the
 * standard library's common ones, made from the fields that method reads as the probe copied
 * them at the call (never read later from the heap, which may hold something else by then);
 * for other such types, a struct's fields as %+v prints them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"

/* ---- floats --------------------------------------------------------------------------------- */

/* Do the nd digits d, times 10^(exp10 - nd + 1), read back as v (as a float32 for 32 bits)? */
static bool reads_back(const char *d, int nd, int exp10, double v, int bits)
{
	char s[48];

	snprintf(s, sizeof(s), "%.*se%d", nd, d, exp10 - nd + 1);
	return bits == 32 ? strtof(s, NULL) == (float)v : strtod(s, NULL) == v;
}

/* The nd digits of d plus or minus one in the last place; how the exponent moves (999+1). */
static int digits_step(char *d, int nd, int delta)
{
	int i;

	for (i = nd - 1; i >= 0; i--) {
		if (delta > 0 ? d[i] < '9' : d[i] > '0') {
			d[i] = (char)(d[i] + delta);
			break;
		}
		d[i] = delta > 0 ? '0' : '9';
	}
	if (i < 0) {		/* 999 + 1: 100, one place up */
		d[0] = '1';
		return 1;
	}
	if (d[0] == '0') {	/* 100 - 1: 099, which is 99 and a 9 one place down */
		memmove(d, d + 1, (size_t)nd - 1);
		d[nd - 1] = '9';
		return -1;
	}
	return 0;
}

/*
 * The shortest digits of v > 0, with prec + 1 digits, that read back as v; false when none.
 * The nearest such decimal first; when it does not read back, the nearest on v's other side may
 * (the interval that reads back is wider above a power of two than below it). Of two that both
 * read back, the nearer, as strconv chooses.
 */
static bool shortest_at(double v, int bits, int prec, char *d, int *exp10)
{
	char e[48];
	int i, n = 0;
	double r;

	snprintf(e, sizeof(e), "%.*e", prec, v);
	for (i = 0; e[i] && e[i] != 'e'; i++)
		if (e[i] != '.')
			d[n++] = e[i];
	if (e[i] != 'e')
		return false;
	*exp10 = atoi(e + i + 1);
	if (reads_back(d, n, *exp10, v, bits))
		return true;
	r = bits == 32 ? strtof(e, NULL) : strtod(e, NULL);
	*exp10 += digits_step(d, n, r < v ? 1 : -1);
	return reads_back(d, n, *exp10, v, bits);
}

/*
 * Go 1.26's strconv (Dragonbox) breaks the one tie of float32's shorter intervals by rounding up:
 * its test for the exception is float64's (exp == -77), so 2^-12 prints as 0.00024414063 where
 * Go 1.25 and earlier print 0.00024414062. Measured; strconv/ftoadbox.go dboxFtoa32.
 */
static bool dragonbox_tie(double v, int bits, int go_minor)
{
	return bits == 32 && go_minor >= 126 && v == 0x1p-12;
}

/*
 * strconv.FormatFloat(v, 'g', -1, bits), as %v prints it: the shortest digits that read back
 * (found by precision, binary search: if p digits read back, p + 1 do), %e form when the
 * exponent is below -4 or at least 6 (eprec is 6 for the shortest form: ftoa.go formatDigits),
 * at least two exponent digits; NaN, +Inf, -Inf, -0.
 */
void go_format_float(double v, int bits, int go_minor, char *buf, size_t size)
{
	char d[24] = "", best[24] = "";
	int lo = 0, hi = bits == 32 ? 8 : 16, nd = 0, exp10 = 0, x, i;
	bool neg = signbit(v);
	size_t o = 0;

	if (isnan(v) || isinf(v) || v == 0) {
		snprintf(buf, size, "%s", isnan(v) ? "NaN" : isinf(v) ? (neg ? "-Inf" : "+Inf") :
			 neg ? "-0" : "0");
		return;
	}
	v = fabs(v);
	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (shortest_at(v, bits, mid, d, &x)) {
			memcpy(best, d, sizeof(best));
			nd = mid + 1;
			exp10 = x;
			hi = mid - 1;
		} else {
			lo = mid + 1;
		}
	}
	if (!nd) {	/* cannot be: 17 digits (9 for a float32) always read back */
		snprintf(buf, size, "%s%.17g", neg ? "-" : "", v);
		return;
	}
	if (dragonbox_tie(v, bits, go_minor))
		best[nd - 1]++;
	while (nd > 1 && best[nd - 1] == '0')
		nd--;
#define PUT(...) (o += (size_t)snprintf(buf + o, o < size ? size - o : 0, __VA_ARGS__))
	if (neg)
		PUT("-");
	if (exp10 < -4 || exp10 >= 6) {
		PUT("%c%s%.*se%c%02d", best[0], nd > 1 ? "." : "", nd - 1, best + 1,
		    exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (exp10 >= 0) {
		for (i = 0; i <= exp10; i++)
			PUT("%c", i < nd ? best[i] : '0');
		if (nd > exp10 + 1)
			PUT(".%.*s", nd - exp10 - 1, best + exp10 + 1);
	} else {
		PUT("0.");
		for (i = 0; i < -exp10 - 1; i++)
			PUT("0");
		PUT("%.*s", nd, best);
	}
#undef PUT
}

/* ---- strings -------------------------------------------------------------------------------- */

/* The UTF-8 sequence at s (n bytes left): its rune and length, or -1 and 1 when invalid. */
static int utf8_rune(const unsigned char *s, size_t n, size_t *len)
{
	int r, need, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1, r = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2, r = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3, r = s[0] & 0x07;
	else
		return -1;
	if ((size_t)need >= n)
		return -1;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		r = r << 6 | (s[i] & 0x3f);
	}
	if ((need == 2 && r < 0x800) || (need == 3 && (r < 0x10000 || r > 0x10ffff)) ||
	    (r >= 0xd800 && r <= 0xdfff))
		return -1;
	*len = (size_t)need + 1;
	return r;
}

/*
 * unicode.IsPrint, for the runes strings hold in practice: not the C1 controls, the format and
 * separator characters (U+00AD, U+200B-U+200F, U+2028-U+202E, U+2060-U+206F, U+FEFF), private
 * use and noncharacters. Go's tables also refuse unassigned code points, which these do not know.
 */
static bool rune_printable(int r)
{
	return !(r < 0xa0 || r == 0xad || (r >= 0x200b && r <= 0x200f) ||
		 (r >= 0x2028 && r <= 0x202e) || (r >= 0x2060 && r <= 0x206f) || r == 0xfeff ||
		 (r >= 0xe000 && r <= 0xf8ff) || (r >= 0xfff9 && r <= 0xfffb) ||
		 (r & 0xfffe) == 0xfffe || (r >= 0xf0000));
}

/* strconv.Quote's escapes of s, without the quotes. */
static void put_escaped(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	static const char named[] = "\a\b\f\n\r\t\v", letter[] = "abfnrtv";
	size_t i, len;

	for (i = 0; i < n; i += len) {
		int r = utf8_rune(s + i, n - i, &len);
		const char *c;

		if (r == '"' || r == '\\')
			fprintf(f, "\\%c", r);
		else if (r >= 0x20 && r < 0x7f)
			fputc(r, f);
		else if (r > 0 && (c = strchr(named, r)))
			fprintf(f, "\\%c", letter[c - named]);
		else if (r < 0x80)	/* a control, DEL, or a byte that is not UTF-8 */
			fprintf(f, "\\x%02x", r < 0 ? s[i] : r);
		else if (rune_printable(r))
			fwrite(s + i, 1, len, f);
		else
			fprintf(f, r < 0x10000 ? "\\u%04x" : "\\U%08x", r);
	}
}

/*
 * A message being made: the text so far, and whether a part of it was longer than the probe
 * copied, after which the rest is unknown and nothing more is added.
 */
struct msg {
	FILE *f;
	bool cut;
};

/* n bytes of a string len bytes long; quoted as strconv.Quote quotes (the quote closed only
 * when the string is whole). */
static void msg_str(struct msg *m, const char *s, size_t n, uint64_t len, bool quote)
{
	if (m->cut)
		return;
	if (quote)
		fputc('"', m->f);
	if (quote)
		put_escaped(m->f, s, n);
	else
		fwrite(s, 1, n, m->f);
	if (len > n)
		m->cut = true;
	else if (quote)
		fputc('"', m->f);
}

static void msg_lit(struct msg *m, const char *s)
{
	if (!m->cut)
		fputs(s, m->f);
}

/* ---- what %v calls: the messages of the standard library's common types -------------------- */

/* One string of the value the probe copied: its first n bytes, of len. */
struct vstr {
	const char *s;
	size_t n;
	uint64_t len;
	bool ok;
};

/* What the probe copied of one value: its type, first word, and the strings its target starts
 * with (at 0 and 16); for the outer value also the interface it wraps. */
struct view {
	uint64_t type;		/* link-time */
	bool direct;
	uint64_t word;		/* the value's first word (not direct), or the data word */
	struct vstr s[2];
	const struct go_ivalue *v;	/* the outer value, whose x holds the wrapped one */
};

struct fspec {
	const char *name;
	int kind;
	unsigned off;
};

/* A type whose Error or String method %v calls, and how that method makes its text. */
struct recipe {
	const char *pkg, *name;	/* the package's import path, the type as %T prints it */
	struct fspec fields[3];	/* its first fields (of the struct a pointer points to) */
	const char *fmt;	/* %0 %1: strings at 0 and 16, %q: the one at 16 quoted, %e: the
				 * error at the last field, %n: an Errno, %d: a Duration */
	const char *fmt_empty1;	/* instead when the string at 16 is "" */
};

#define S GO_RKIND_STRING
#define I GO_RKIND_INTERFACE
static const struct recipe recipes[] = {
	{ "errors", "*errors.errorString", { { "s", S, 0 } }, "%0", NULL },
	{ "fmt", "*fmt.wrapError", { { "msg", S, 0 } }, "%0", NULL },
	{ "fmt", "*fmt.wrapErrors", { { "msg", S, 0 } }, "%0", NULL },
	{ "encoding/json", "*json.SyntaxError", { { "msg", S, 0 } }, "%0", NULL },
	{ "io/fs", "*fs.PathError", { { "Op", S, 0 }, { "Path", S, 16 }, { "Err", I, 32 } },
	  "%0 %1: %e", NULL },
	{ "os", "*os.SyscallError", { { "Syscall", S, 0 }, { "Err", I, 16 } }, "%0: %e", NULL },
	{ "net/url", "*url.Error", { { "Op", S, 0 }, { "URL", S, 16 }, { "Err", I, 32 } },
	  "%0 %q: %e", NULL },
	{ "strconv", "*strconv.NumError", { { "Func", S, 0 }, { "Num", S, 16 }, { "Err", I, 32 } },
	  "strconv.%0: parsing %q: %e", NULL },
	{ "net", "*net.AddrError", { { "Err", S, 0 }, { "Addr", S, 16 } }, "address %1: %0", "%0" },
	{ "net", "*net.ParseError", { { "Type", S, 0 }, { "Text", S, 16 } }, "invalid %0: %1", NULL },
	{ "internal/poll", "*poll.DeadlineExceededError", { { NULL, 0, 0 } }, "i/o timeout", NULL },
	{ "internal/poll", "poll.errNetClosing", { { NULL, 0, 0 } },
	  "use of closed network connection", NULL },
	{ "context", "context.deadlineExceededError", { { NULL, 0, 0 } },
	  "context deadline exceeded", NULL },
	{ "syscall", "syscall.Errno", { { NULL, 0, 0 } }, "%n", NULL },
	{ "time", "time.Duration", { { NULL, 0, 0 } }, "%d", NULL },
};
#undef S
#undef I

/* Is type the named type of package pkg that %T prints as name (a pointer: to a named type)? */
static bool type_is(const struct go_types *t, uint64_t type, const char *pkg, const char *name)
{
	char n[128], p[128];
	uint64_t named = type;

	if (go_types__name(t, type, n, sizeof(n)) || strcmp(n, name))
		return false;
	if (name[0] == '*' && go_types__elem(t, type, &named))
		return false;
	return !go_types__pkgpath(t, named, p, sizeof(p)) && !strcmp(p, pkg);
}

/* Are the struct's (or the pointer's target's) first fields these? */
static bool fields_are(const struct go_types *t, uint64_t type, const struct fspec *fs)
{
	struct go_tfield f;
	size_t i;

	if (go_types__kind(t, type) == GO_RKIND_POINTER && go_types__elem(t, type, &type))
		return false;
	for (i = 0; i < 3 && fs[i].name; i++)
		if (go_types__field(t, type, i, &f) || strcmp(f.name, fs[i].name) ||
		    go_types__kind(t, f.type) != fs[i].kind || f.offset != fs[i].off)
			return false;
	return true;
}

static const struct recipe *recipe_of(const struct go_types *t, uint64_t type)
{
	size_t i;

	for (i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		if (type_is(t, type, recipes[i].pkg, recipes[i].name) &&
		    fields_are(t, type, recipes[i].fields))
			return &recipes[i];
	return NULL;
}

/* time.Duration.String: "1h2m3.5s", "1.5ms", "0s" (time/time.go, Duration.format). */
static void duration_text(int64_t d, char *buf, size_t size)
{
	uint64_t u = d < 0 ? -(uint64_t)d : (uint64_t)d, frac, scale = 1;
	static const struct { uint64_t below; int prec; const char *unit; } small[] = {
		{ 1000, 0, "ns" }, { 1000000, 3, "\xc2\xb5s" }, { 1000000000, 6, "ms" },
	};
	char f[24] = "";
	int prec = 9, i;
	const char *unit = "s";

	if (!u) {
		snprintf(buf, size, "0s");
		return;
	}
	for (i = 0; u < 1000000000 && i < 3; i++)
		if (u < small[i].below) {
			prec = small[i].prec;
			unit = small[i].unit;
			break;
		}
	for (i = 0; i < prec; i++)
		scale *= 10;
	frac = u % scale;
	u /= scale;
	if (frac) {	/* the fraction's digits without trailing zeros */
		snprintf(f, sizeof(f), ".%0*llu", prec & 15, (unsigned long long)frac);
		for (i = (int)strlen(f) - 1; f[i] == '0'; i--)
			f[i] = 0;
	}
	if (strcmp(unit, "s") || u < 60)
		snprintf(buf, size, "%s%llu%s%s", d < 0 ? "-" : "", (unsigned long long)u, f, unit);
	else if (u < 3600)
		snprintf(buf, size, "%s%llum%llu%ss", d < 0 ? "-" : "", (unsigned long long)(u / 60),
			 (unsigned long long)(u % 60), f);
	else
		snprintf(buf, size, "%s%lluh%llum%llu%ss", d < 0 ? "-" : "",
			 (unsigned long long)(u / 3600), (unsigned long long)(u / 60 % 60),
			 (unsigned long long)(u % 60), f);
}

static int inner_message(struct go_types *t, const struct view *w, unsigned off, struct msg *m);

/* The recipe's text for the value w: 0, or -ENOENT when a part of it is not there to read. */
static int recipe_text(struct go_types *t, const struct recipe *r, const struct view *w,
		       struct msg *m)
{
	const char *p = r->fmt;
	char buf[256];
	unsigned last = 0;
	int i;

	for (i = 0; i < 3 && r->fields[i].name; i++)
		last = r->fields[i].off;
	if (r->fmt_empty1 && w->s[1].ok && !w->s[1].len)
		p = r->fmt_empty1;
	for (; *p && !m->cut; p++) {
		if (*p != '%') {
			fputc(*p, m->f);
			continue;
		}
		switch (*++p) {
		case '0': case '1': case 'q':
			i = *p == '0' ? 0 : 1;
			if (!w->s[i].ok)
				return -ENOENT;
			msg_str(m, w->s[i].s, w->s[i].n, w->s[i].len, *p == 'q');
			break;
		case 'e':
			if (inner_message(t, w, last, m))
				return -ENOENT;
			break;
		case 'n':
			if (w->direct || go_types__errno_text(t, w->word, buf, sizeof(buf)))
				return -ENOENT;
			msg_lit(m, buf);
			break;
		case 'd':
			if (w->direct)
				return -ENOENT;
			duration_text((int64_t)w->word, buf, sizeof(buf));
			msg_lit(m, buf);
			break;
		}
	}
	return 0;
}

/* The message of the error the outer value wraps at offset off, as its Error method makes it. */
static int inner_message(struct go_types *t, const struct view *w, unsigned off, struct msg *m)
{
	const struct go_ivalue *v = w->v;
	const struct recipe *r;
	struct view in = { 0 };

	if (!v || !(v->flags & GO_IV_INNER) || v->x.ioff != off ||
	    go_types__link(t, v->pid, v->x.itype, &in.type) || !(r = recipe_of(t, in.type)))
		return -ENOENT;
	in.direct = (v->x.ikind | v->x.itflag) & GO_TYPE_DIRECT_IFACE;
	in.word = v->x.iword[0];
	if (in.direct && !in.word)	/* its Error panics on a nil pointer, and %v says so */
		return -ENOENT;
	in.s[0] = (struct vstr){ v->x.str[1], v->x.iword[1] < GO_IV_XSTR_LEN - 1 ? v->x.iword[1] :
				 GO_IV_XSTR_LEN - 1, v->x.iword[1], v->flags & GO_IV_ISTR };
	return recipe_text(t, r, &in, m);
}

/* What the probe copied of the value v, as a view. */
static void view_of(const struct go_ivalue *v, struct view *w)
{
	uint64_t n1 = v->x.field[3] < GO_IV_XSTR_LEN - 1 ? v->x.field[3] : GO_IV_XSTR_LEN - 1;

	memset(w, 0, sizeof(*w));
	w->type = v->type;
	w->direct = v->direct;
	w->word = v->word[0];
	w->v = v;
	w->s[0] = (struct vstr){ v->str, v->str_len, v->len, v->has_str };
	w->s[1] = (struct vstr){ v->x.str[0], n1, v->x.field[3], v->flags & GO_IV_STR1 };
}

/* The text of the message raw, len bytes (it may hold NULs): quoted or not, "..." after it when
 * cut. Takes raw. */
static int msg_finish(bool cut, char *raw, size_t len, bool quote, char **text)
{
	size_t size;
	FILE *f = open_memstream(text, &size);

	if (!f) {
		free(raw);
		return -ENOMEM;
	}
	if (quote) {
		fputc('"', f);
		put_escaped(f, raw, len);
		fputc('"', f);
	} else {
		fwrite(raw, 1, len, f);
	}
	if (cut)
		fputs("...", f);
	free(raw);
	return fclose(f) ? -ENOMEM : 0;
}

/* The text of a value whose type has a recipe; -ENOENT when a part could not be read. */
static int known_text(struct go_types *t, const struct recipe *r, const struct go_ivalue *v,
		      char **text)
{
	struct msg m = { NULL, false };
	struct view w;
	char *raw = NULL;
	size_t size;
	int err;

	view_of(v, &w);
	m.f = open_memstream(&raw, &size);
	if (!m.f)
		return -ENOMEM;
	err = recipe_text(t, r, &w, &m);
	if (fclose(m.f) && !err)
		err = -ENOMEM;
	if (err) {
		free(raw);
		return err;
	}
	/* what an Error or String method returns is a string: quoted as strings are */
	return msg_finish(m.cut, raw, size, v->quote, text);
}

/* ---- other values --------------------------------------------------------------------------- */

static int64_t sign_extend(uint64_t w, int bytes)
{
	int shift = 64 - 8 * bytes;

	return (int64_t)(w << shift) >> shift;
}

int go_rkind__bytes(int kind)
{
	switch (kind) {
	case GO_RKIND_BOOL: case GO_RKIND_INT8: case GO_RKIND_UINT8:
		return 1;
	case GO_RKIND_INT16: case GO_RKIND_UINT16:
		return 2;
	case GO_RKIND_INT32: case GO_RKIND_UINT32: case GO_RKIND_FLOAT32:
		return 4;
	case GO_RKIND_COMPLEX128: case GO_RKIND_STRING: case GO_RKIND_INTERFACE:
		return 16;
	case GO_RKIND_SLICE:
		return 24;
	}
	return 8;
}

/* A scalar of the kind, from its bytes in w, as %v prints it; -ENOENT for other kinds. */
static int scalar_text(int kind, uint64_t w, int go_minor, FILE *f)
{
	char buf[64];
	float f32;
	double f64;
	uint32_t w32 = (uint32_t)w;

	switch (kind) {
	case GO_RKIND_BOOL:
		fputs(w & 0xff ? "true" : "false", f);
		return 0;
	case GO_RKIND_INT8: case GO_RKIND_INT16: case GO_RKIND_INT32: case GO_RKIND_INT:
	case GO_RKIND_INT64:
		fprintf(f, "%lld", (long long)sign_extend(w, go_rkind__bytes(kind)));
		return 0;
	case GO_RKIND_UINT8: case GO_RKIND_UINT16: case GO_RKIND_UINT32: case GO_RKIND_UINT:
	case GO_RKIND_UINT64: case GO_RKIND_UINTPTR:
		fprintf(f, "%llu", (unsigned long long)(go_rkind__bytes(kind) == 8 ? w :
			w & ((1ULL << 8 * go_rkind__bytes(kind)) - 1)));
		return 0;
	case GO_RKIND_FLOAT32:
		memcpy(&f32, &w32, sizeof(f32));
		go_format_float(f32, 32, go_minor, buf, sizeof(buf));
		fputs(buf, f);
		return 0;
	case GO_RKIND_FLOAT64:
		memcpy(&f64, &w, sizeof(f64));
		go_format_float(f64, 64, go_minor, buf, sizeof(buf));
		fputs(buf, f);
		return 0;
	}
	return -ENOENT;
}

/* A complex number as %v prints it: (re+imi), the imaginary part always signed (fmtComplex). */
static void complex_text(const struct go_ivalue *v, int go_minor, FILE *f)
{
	char re[64], im[64];
	uint32_t w32[2];
	float f32[2];
	double f64[2];

	if (v->kind == GO_RKIND_COMPLEX64) {
		w32[0] = (uint32_t)v->word[0];
		w32[1] = (uint32_t)(v->word[0] >> 32);
		memcpy(f32, w32, sizeof(f32));
		go_format_float(f32[0], 32, go_minor, re, sizeof(re));
		go_format_float(f32[1], 32, go_minor, im, sizeof(im));
	} else {
		memcpy(f64, v->word, sizeof(f64));
		go_format_float(f64[0], 64, go_minor, re, sizeof(re));
		go_format_float(f64[1], 64, go_minor, im, sizeof(im));
	}
	fprintf(f, "(%s%s%si)", re, im[0] == '-' || im[0] == '+' ? "" : "+", im);
}

/* A pointer-shaped value's word as %v prints it: <nil> (a nil map: map[]), or its address. */
static void pointer_text(int kind, uint64_t w, FILE *f)
{
	if (w)
		fprintf(f, "%#llx", (unsigned long long)w);
	else
		fputs(kind == GO_RKIND_MAP ? "map[]" : "<nil>", f);
}

const char *go_types__fmt_method(const struct go_types *t, uint64_t type)
{
	static const char *const names[] = { "Format", "Error", "String" };	/* fmt's order */
	size_t i;

	for (i = 0; i < 3; i++)
		if (go_types__has_method(t, type, names[i]))	/* or unreadable */
			return names[i];
	return NULL;
}

bool go_value__method_part(struct go_types *t, uint64_t type, int kind, uint64_t w,
			     bool exported, FILE *f)
{
	struct go_ivalue pv = { .type = type, .kind = kind, .word = { w, 0 } };
	const struct recipe *r;
	const char *method;
	char *text = NULL;

	if (!exported || !type || ((kind == GO_RKIND_POINTER || kind == GO_RKIND_MAP) && !w) ||
	    !(method = go_types__fmt_method(t, type)))
		return false;
	if (kind != GO_RKIND_STRUCT && kind != GO_RKIND_POINTER && (r = recipe_of(t, type)) &&
	    !r->fields[0].name && !known_text(t, r, &pv, &text)) {
		fputs(text, f);
		free(text);
		return true;
	}
	fprintf(f, "<%s method>", method);
	return true;
}

/*
 * The part of type type and kind at offset off of the words the probe copied (a struct's
 * field, an array's element) as %v prints it there: a scalar, the string at offset 0 or 16
 * (the ones copied), a pointer by its address, what its method says when %v calls one
 * (exported: go_value__method_part); "..." for any other.
 */
static void part_text(struct go_types *t, const struct go_ivalue *v, uint64_t type, int kind,
		      uint64_t off, bool exported, FILE *f)
{
	const uint8_t *bytes = (const uint8_t *)v->x.field;
	size_t size = (size_t)go_rkind__bytes(kind);
	uint64_t w = 0;

	if (off >= sizeof(v->x.field)) {
		fputs("...", f);
		return;
	}
	if (size > 8)
		size = 8;
	if (size > sizeof(v->x.field) - off)	/* an element smaller than its kind's word */
		size = sizeof(v->x.field) - off;
	memcpy(&w, bytes + off, size);
	if (go_value__method_part(t, type, kind, w, exported, f) ||
	    !scalar_text(kind, w, go_types__go_minor(t), f))
		return;
	if (kind == GO_RKIND_STRING && off == 0 && v->has_str)
		fprintf(f, "%.*s%s", (int)v->str_len, v->str, v->len > v->str_len ? "..." : "");
	else if (kind == GO_RKIND_STRING && off == 0 && v->kind == GO_RKIND_SLICE &&
		 (v->flags & GO_IV_ISTR))	/* a slice's first string */
		fprintf(f, "%.*s%s", (int)(v->x.field[1] < GO_IV_XSTR_LEN - 1 ?
			v->x.field[1] : GO_IV_XSTR_LEN - 1), v->x.str[1],
			v->x.field[1] >= GO_IV_XSTR_LEN ? "..." : "");
	else if (kind == GO_RKIND_STRING && off == 16 && (v->flags & GO_IV_STR1))
		fprintf(f, "%.*s%s", (int)(v->x.field[3] < GO_IV_XSTR_LEN - 1 ?
			v->x.field[3] : GO_IV_XSTR_LEN - 1), v->x.str[0],
			v->x.field[3] >= GO_IV_XSTR_LEN ? "..." : "");
	else if (kind == GO_RKIND_POINTER || kind == GO_RKIND_MAP || kind == GO_RKIND_CHAN ||
		 kind == GO_RKIND_FUNC || kind == GO_RKIND_UNSAFE_POINTER)
		pointer_text(kind, w, f);
	else if (kind == GO_RKIND_INTERFACE && !w && !v->x.field[off / 8 + 1])
		fputs("<nil>", f);
	else
		fputs("...", f);
}

/*
 * A struct's fields as %v prints them, {value ...}, or with names as %+v does, {Name:value
 * ...}, from the words the probe copied (part_text); " ..." after the last one copied.
 */
static void fields_text(struct go_types *t, const struct go_ivalue *v, uint64_t st,
			bool names, FILE *f)
{
	int n = go_types__nfields(t, st), i;
	struct go_tfield fd;

	fputc('{', f);
	for (i = 0; i < n; i++) {
		int kind;

		if (go_types__field(t, st, (size_t)i, &fd) || (kind = go_types__kind(t, fd.type)) < 0)
			break;
		if (fd.offset + (uint64_t)go_rkind__bytes(kind) > sizeof(v->x.field))
			break;
		fprintf(f, "%s%s%s", i ? " " : "", names ? fd.name : "", names ? ":" : "");
		/* a field's method is called when it is exported, but not in place of a method
		 * of the struct's own that is not run (names: its fields as %+v shows them) */
		part_text(t, v, fd.type, kind, fd.offset,
			  !names && fd.name[0] >= 'A' && fd.name[0] <= 'Z', f);
	}
	fputs(i < n || n < 0 ? (i ? " ...}" : "...}") : "}", f);
}

/* n elements of type elem as %v prints them, [1 2 3], from the bytes the probe copied; " ...]"
 * after the last one copied. -ENOENT for elements of no size (their count is not in the size). */
static int elems_text(struct go_types *t, const struct go_ivalue *v, uint64_t elem,
		      uint64_t n, FILE *f)
{
	uint64_t esize, i, copied;
	int kind = go_types__kind(t, elem);

	if (kind < 0 || go_types__size(t, elem, &esize) || !esize)
		return -ENOENT;
	/* strings: those copied, at offsets 0 and 16 */
	copied = kind == GO_RKIND_STRING ? 32 : sizeof(v->x.field);
	fputc('[', f);
	for (i = 0; i < n && (i + 1) * esize <= copied; i++) {
		if (i)
			fputc(' ', f);
		part_text(t, v, elem, kind, i * esize, true, f);
	}
	fputs(i < n ? (i ? " ...]" : "...]") : "]", f);
	return 0;
}

/*
 * An array or a slice as %v prints it, [1 2 3] (a nil slice as []): an array's length is its
 * size's share of its element's, a slice's the probe read (word[1]). Of strings, the first two
 * are copied (part_text).
 */
static int list_text(struct go_types *t, const struct go_ivalue *v, FILE *f)
{
	uint64_t elem, esize, size;

	if (v->direct || !(v->flags & GO_IV_FIELDS) || go_types__elem(t, v->type, &elem))
		return -ENOENT;
	if (v->kind == GO_RKIND_SLICE)
		return elems_text(t, v, elem, v->word[1], f);
	if (go_types__size(t, elem, &esize) || go_types__size(t, v->type, &size) || !esize ||
	    size % esize)
		return -ENOENT;
	return elems_text(t, v, elem, size / esize, f);
}

/* ---- maps ----------------------------------------------------------------------------------- */

/* A small map's copied key or element j: its type, its bytes (a string's length) and a
 * string's first. */
struct mpart {
	uint64_t type;
	int kind;
	uint64_t w;
	const char *str;
};

static struct mpart mpart_of(const struct go_ivmap *m, uint64_t type, int kind, int j, bool key)
{
	return (struct mpart){ type, kind, key ? m->key[j] : m->elem[j],
			       key ? m->kstr[j] : m->estr[j] };
}

/* Could the probe copy a part of this kind whole: a string, or up to 8 bytes of a scalar or a
 * pointer's word (go_iface_mword)? */
static bool mpart_copied(const struct go_types *t, uint64_t type, int kind)
{
	uint64_t size;

	if (kind == GO_RKIND_STRING)
		return true;
	return (kind == GO_RKIND_BOOL || (kind >= GO_RKIND_INT && kind <= GO_RKIND_FLOAT64) ||
		kind == GO_RKIND_POINTER || kind == GO_RKIND_MAP || kind == GO_RKIND_CHAN ||
		kind == GO_RKIND_FUNC || kind == GO_RKIND_UNSAFE_POINTER) &&
	       !go_types__size(t, type, &size) && size <= 8;
}

/* A key or an element as %v prints it inside a map: what its method says when %v calls one
 * (go_value__method_part), a string's first bytes ("..." after when longer), a scalar, a nested map
 * as map[...] (not copied), other pointers by address. */
static void mpart_text(struct go_types *t, const struct mpart *p, FILE *f)
{
	if (go_value__method_part(t, p->type, p->kind, p->w, true, f))
		return;
	if (p->kind == GO_RKIND_STRING)
		fprintf(f, "%.*s%s", (int)(p->w < GO_IV_MSTR_LEN ? p->w : GO_IV_MSTR_LEN), p->str,
			p->w > GO_IV_MSTR_LEN ? "..." : "");
	else if (p->kind == GO_RKIND_MAP && p->w)
		fputs("map[...]", f);
	else if (scalar_text(p->kind, p->w, go_types__go_minor(t), f))
		pointer_text(p->kind, p->w, f);
}

/* Keys in fmt's order (internal/fmtsort): numbers by value (NaN first), false before true,
 * strings by their bytes (those copied, then their lengths), pointers by address. */
static int mkey_cmp(const struct mpart *a, const struct mpart *b)
{
	size_t n;
	int c;

	switch (a->kind) {
	case GO_RKIND_STRING:
		n = a->w < b->w ? a->w : b->w;
		c = memcmp(a->str, b->str, n < GO_IV_MSTR_LEN ? n : GO_IV_MSTR_LEN);
		return c ? c : (a->w > b->w) - (a->w < b->w);
	case GO_RKIND_INT8: case GO_RKIND_INT16: case GO_RKIND_INT32: case GO_RKIND_INT:
	case GO_RKIND_INT64: {
		int64_t x = sign_extend(a->w, go_rkind__bytes(a->kind));
		int64_t y = sign_extend(b->w, go_rkind__bytes(a->kind));

		return (x > y) - (x < y);
	}
	case GO_RKIND_FLOAT32: case GO_RKIND_FLOAT64: {
		double x, y;
		float fx, fy;
		uint32_t wx = (uint32_t)a->w, wy = (uint32_t)b->w;

		if (a->kind == GO_RKIND_FLOAT32) {
			memcpy(&fx, &wx, sizeof(fx));
			memcpy(&fy, &wy, sizeof(fy));
			x = fx, y = fy;
		} else {
			memcpy(&x, &a->w, sizeof(x));
			memcpy(&y, &b->w, sizeof(y));
		}
		if (isnan(x) || isnan(y))
			return !isnan(y) ? -1 : !isnan(x);
		return (x > y) - (x < y);
	}
	}
	return (a->w > b->w) - (a->w < b->w);
}

/*
 * A map as %v prints it, map[k:v ...] sorted by key, from what the probe copied of it
 * (go_iface_map): every entry of a map that is one group, when each key and element is of a
 * kind it copies; map[] when it is empty; map[...] for any other.
 */
static int map_text(struct go_types *t, const struct go_ivalue *v, FILE *f)
{
	const struct go_ivmap *m = &v->x.map;
	uint64_t kv[2];
	int order[GO_IV_MAP_N], kk, ek, i, j, tmp;

	if (!v->direct || !(v->flags & GO_IV_FIELDS) || go_types__parts(t, v->type, kv, 2) != 2 ||
	    (kk = go_types__kind(t, kv[0])) < 0 || (ek = go_types__kind(t, kv[1])) < 0)
		return -ENOENT;
	if (!v->word[1]) {
		fputs("map[]", f);
		return 0;
	}
	if (!m->whole || m->bad || m->n != v->word[1] || m->n > GO_IV_MAP_N ||
	    go_types__map_form(t, v->type) != go_types__maps(t) ||
	    !mpart_copied(t, kv[0], kk) || !mpart_copied(t, kv[1], ek)) {
		fputs("map[...]", f);
		return 0;
	}
	for (i = 0; i < m->n; i++)	/* insertion sort: at most 8 */
		for (order[i] = i, j = i; j > 0; j--) {
			struct mpart a = mpart_of(m, kv[0], kk, order[j - 1], true);
			struct mpart b = mpart_of(m, kv[0], kk, order[j], true);

			if (mkey_cmp(&a, &b) <= 0)
				break;
			tmp = order[j], order[j] = order[j - 1], order[j - 1] = tmp;
		}
	fputs("map[", f);
	for (i = 0; i < m->n; i++) {
		struct mpart k = mpart_of(m, kv[0], kk, order[i], true);
		struct mpart e = mpart_of(m, kv[1], ek, order[i], false);

		fputs(i ? " " : "", f);
		mpart_text(t, &k, f);
		fputc(':', f);
		mpart_text(t, &e, f);
	}
	fputc(']', f);
	return 0;
}

/* Does %v of a value of this type call a method (Error, String, Format) instead? */
static bool has_methods(const struct go_types *t, uint64_t type)
{
	return go_types__fmt_method(t, type) != NULL;
}

/*
 * A struct, or a pointer to one, by the fields the probe copied: as %v prints it, {1 2} or
 * &{1 2} (a pointer's target at the top, as fmt prints it there); with names, as %+v does,
 * what a type whose method %v would call shows instead. -ENOENT for other values.
 */
static int struct_text(struct go_types *t, const struct go_ivalue *v, bool names, FILE *f)
{
	uint64_t st = v->type;

	if (v->kind == GO_RKIND_POINTER && (!v->direct || go_types__elem(t, v->type, &st)))
		return -ENOENT;
	if (go_types__kind(t, st) != GO_RKIND_STRUCT || !(v->flags & GO_IV_FIELDS))
		return -ENOENT;
	if (v->kind == GO_RKIND_POINTER)
		fputc('&', f);
	fields_text(t, v, st, names, f);
	return 0;
}

/* strconv.Quote of the string held, or it as it is; "..." after when it was longer. */
static void string_text(const struct go_ivalue *v, FILE *f)
{
	if (v->quote)
		fputc('"', f);
	if (v->quote)
		put_escaped(f, v->str, v->str_len);
	else
		fwrite(v->str, 1, v->str_len, f);
	if (v->quote)
		fputc('"', f);
	if (v->len > v->str_len)
		fputs("...", f);
}

static int value_text(struct go_types *t, const struct go_ivalue *v, FILE *f)
{
	if (v->unreadable) {
		fputs("<unreadable>", f);
		return 0;
	}
	/* a nil pointer's methods are not called either; a map copied has no address (0) */
	if (v->direct && !v->word[0] && !(v->kind == GO_RKIND_MAP && (v->flags & GO_IV_FIELDS))) {
		pointer_text(v->kind, 0, f);
		return 0;
	}
	if (t && v->type && has_methods(t, v->type))
		return struct_text(t, v, true, f);
	if (t && v->type && !struct_text(t, v, false, f))
		return 0;
	if (t && v->type && (v->kind == GO_RKIND_ARRAY || v->kind == GO_RKIND_SLICE))
		return list_text(t, v, f);
	if (t && v->type && v->kind == GO_RKIND_MAP && (v->flags & GO_IV_FIELDS))
		return map_text(t, v, f);
	if (v->direct) {
		switch (v->kind) {
		case GO_RKIND_POINTER: case GO_RKIND_MAP: case GO_RKIND_CHAN: case GO_RKIND_FUNC:
		case GO_RKIND_UNSAFE_POINTER:
			pointer_text(v->kind, v->word[0], f);
			return 0;
		}
		return -ENOENT;
	}
	if (v->kind == GO_RKIND_STRING) {
		if (!v->has_str)
			return -ENOENT;
		string_text(v, f);
		return 0;
	}
	if (v->kind == GO_RKIND_COMPLEX64 || v->kind == GO_RKIND_COMPLEX128) {
		complex_text(v, t ? go_types__go_minor(t) : 0, f);
		return 0;
	}
	return scalar_text(v->kind, v->word[0], t ? go_types__go_minor(t) : 0, f);
}

int go_value__format(struct go_types *t, const struct go_ivalue *v, char **text)
{
	const struct recipe *r;
	size_t size;
	FILE *f;
	int err;

	*text = NULL;
	if (!v->unreadable && t && v->type && (!v->direct || v->word[0]) &&
	    (r = recipe_of(t, v->type))) {
		err = known_text(t, r, v, text);
		if (err != -ENOENT)
			return err;
	}
	f = open_memstream(text, &size);
	if (!f)
		return -ENOMEM;
	err = value_text(t, v, f);
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}

/* ---- what a probe could not read ------------------------------------------------------------ */

/* A struct in static data (a pointer to a package's variable) on a page not yet touched. */
static void fetch_fields(const struct go_types *t, pid_t pid, struct go_ivalue *v)
{
	uint64_t n;

	if (go_types__read_image(t, pid, v->word[0], v->x.field, sizeof(v->x.field)))
		return;
	v->flags |= GO_IV_FIELDS;
	n = v->x.field[1] < v->str_size - 1 ? v->x.field[1] : v->str_size - 1;
	if (!v->has_str && v->str_size && v->x.field[0] &&
	    !go_types__read_image(t, pid, v->x.field[0], v->str, n)) {
		v->has_str = true;
		v->len = v->x.field[1];
		v->str_len = n;
	}
	n = v->x.field[3] < GO_IV_XSTR_LEN - 1 ? v->x.field[3] : GO_IV_XSTR_LEN - 1;
	if (v->x.field[2] && !go_types__read_image(t, pid, v->x.field[2], v->x.str[0], n))
		v->flags |= GO_IV_STR1;
}

void go_ivalue__fetch(const struct go_types *t, pid_t pid, struct go_ivalue *v)
{
	uint64_t w[2] = { 0, 0 };
	size_t n;

	if (!v->unreadable && !(v->flags & GO_IV_FIELDS) && v->word[0] &&
	    ((v->direct && v->kind == GO_RKIND_POINTER) ||
	     (!v->direct && (v->kind == GO_RKIND_STRUCT || v->kind == GO_RKIND_ARRAY))))
		fetch_fields(t, pid, v);

	if (v->unreadable && v->at && v->kind == GO_RKIND_STRING && v->str && v->str_size) {
		n = v->len < v->str_size - 1 ? v->len : v->str_size - 1;
		if (!go_types__read_image(t, pid, v->at, v->str, n)) {
			v->str_len = n;
			v->has_str = true;
			v->unreadable = false;
		}
	} else if (v->unreadable && v->at && !v->direct) {
		if (!go_types__read_image(t, pid, v->at, w, v->kind == GO_RKIND_COMPLEX128 ? 16 : 8)) {
			memcpy(v->word, w, sizeof(w));
			v->unreadable = false;
		}
	}
}
