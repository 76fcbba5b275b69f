/*
 * harness/core/parse.c: table-driven parsing of dimension values and job
 * files (see parse.h for the grammar and the error convention); the job
 * files' own syntax (sections, keys, skip) is jobfile.c's.
 *
 * Why hand-written scanners instead of strtoull: strtoull accepts leading
 * blanks, a sign ("-1" becomes 2^64-1) and stops silently at junk, and the
 * CLI's promise is that every malformed token is named. Numbers here are
 * digits only, overflow is checked with __builtin_mul_overflow/add_overflow,
 * and the caller always learns the exact token that failed.
 *
 * Costs: O(length of the text) per value; ranges O(values produced), capped
 * at HX_VALS_MAX; text values are copied into the job's fixed pool (two
 * passes, the first only checks); the job file is scanned once, line by
 * line, into fixed line buffers (no allocation).
 */
#include "core/parse.h"
#include "core/parse_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define fail hx__parse_fail /* parse_int.h */

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the dimension table, seen through offsetof -------------------------- */

/* Per-dimension limits the table does not carry: a row here is optional
 * (the default is "any number"). Keyed by enum so a renamed dimension
 * fails to compile instead of silently losing its check. */
struct dim_limit {
	enum hx_dim dim;
	uint64_t min;
	int pow2;
	uint64_t max; /* 0: none */
};
/* A buffer of more than 1 GiB is beyond every backend's max_xfer and most
 * machines' patience: refused as input (exit 2), not run into a failed row. */
#define HX_BYTES_MAX ((uint64_t)1 << 30)
static const struct dim_limit dim_limits[] = {
	{ HX_DIM_SIZE, 1, 0, HX_BYTES_MAX },     { HX_DIM_ALIGN, 1, 1, HX_BYTES_MAX },
	{ HX_DIM_SG, 1, 0, 0 },                  { HX_DIM_CHANNELS, 1, 0, 0 },
	{ HX_DIM_QDEPTH, 1, 0, 0 },              { HX_DIM_REPS, 1, 0, 0 },
	{ HX_DIM_LOAD_SIZE, 0, 0, HX_BYTES_MAX }, { HX_DIM_LOAD_RATE, 0, 0, 100 },
	{ HX_DIM_STREAM, 0, 0, 128 },            { HX_DIM_LOAD_CV, 0, 0, 100 },
	{ HX_DIM_VERIFY, 0, 0, 1 },
	{ HX_DIM_MIX, 0, 0, 8 },
};

static uint64_t dim_max(enum hx_dim d)
{
	for (size_t i = 0; i < sizeof dim_limits / sizeof dim_limits[0]; i++)
		if (dim_limits[i].dim == d)
			return dim_limits[i].max;
	return 0;
}

static const struct hx_dim_desc dims[HX_DIM__COUNT] = {
#define HX__ROW(id, nm, col, type, field, def, help) \
	[HX_DIM_##id] = { nm, col, HX_DT_##type, offsetof(struct hx_point, field), def, help },
	HX_DIM_TABLE(HX__ROW)
#undef HX__ROW
};

static const char *const dtype_names[HX_DT__COUNT] = {
	[HX_DT_BACKEND] = "backend", [HX_DT_XFER] = "transfer", [HX_DT_POOL] = "pool",
	[HX_DT_CACHE] = "cache",     [HX_DT_PRIO] = "priority",  [HX_DT_U64] = "number",
	[HX_DT_SIZE] = "size",       [HX_DT_TIME] = "time",      [HX_DT_STR] = "text",
};

const struct hx_dim_desc *hx_dim_desc(enum hx_dim d)
{
	if ((unsigned)d >= HX_DIM__COUNT)
		return NULL;
	return &dims[d];
}

uint64_t hx_dim_min(enum hx_dim d)
{
	for (size_t i = 0; i < NROWS(dim_limits); i++)
		if (dim_limits[i].dim == d)
			return dim_limits[i].min;
	return 0;
}

int hx_dim_pow2(enum hx_dim d)
{
	for (size_t i = 0; i < NROWS(dim_limits); i++)
		if (dim_limits[i].dim == d)
			return dim_limits[i].pow2;
	return 0;
}

int hx_dim_lookup(const char *name)
{
	if (!name)
		return -1;
	for (int d = 0; d < HX_DIM__COUNT; d++)
		if (strcmp(dims[d].name, name) == 0)
			return d;
	return -1;
}

const char *hx_dtype_name(enum hx_dtype t)
{
	return (unsigned)t < HX_DT__COUNT ? dtype_names[t] : NULL;
}

const struct hx_enum_info *hx_enum_values(enum hx_dtype t, size_t *n)
{
	const struct hx_enum_info *tab = NULL;
	size_t cnt = 0;
	switch (t) {
	case HX_DT_XFER: tab = hx_xfer_info; cnt = HX_XFER__COUNT; break;
	case HX_DT_POOL: tab = hx_pool_info; cnt = HX_POOL__COUNT; break;
	case HX_DT_CACHE: tab = hx_cache_info; cnt = HX_CACHE__COUNT; break;
	case HX_DT_PRIO: tab = hx_prio_info; cnt = HX_PRIO__COUNT; break;
	default: break;
	}
	if (n)
		*n = cnt;
	return tab;
}

const char *hx_enum_name(enum hx_dtype t, int v)
{
	size_t n;
	const struct hx_enum_info *tab = hx_enum_values(t, &n);
	if (!tab || v < 0 || (size_t)v >= n)
		return NULL;
	return tab[v].name;
}

/* ---- errors ---------------------------------------------------------------- */

/* Copies src at buf[used], truncating to the buffer; returns the new
 * length. (memcpy rather than snprintf: truncation is intended here.) */
static size_t append(char *buf, size_t n, size_t used, const char *src)
{
	size_t len = strlen(src);
	if (used >= n)
		return used;
	if (len > n - 1 - used)
		len = n - 1 - used;
	memcpy(buf + used, src, len);
	buf[used + len] = '\0';
	return used + len;
}

/* Fills c->err: "<where>[:<line>][: <key>]: <detail>", remembering token.
 * Always returns -1 so callers can `return fail(...)`. */
int hx__parse_fail(struct hx_parse_ctx *c, const char *key, const char *token, const char *fmt, ...)
{
	struct hx_perr *e = &c->err;
	char detail[HX_PERR_MSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	const char *where = c->where ? c->where : "";
	int len;
	if (c->line)
		len = snprintf(e->msg, sizeof e->msg, "%s:%u: ", where, c->line);
	else if (*where)
		len = snprintf(e->msg, sizeof e->msg, "%s: ", where);
	else
		len = 0, e->msg[0] = '\0';
	size_t used = len > 0 ? (size_t)len : 0;
	if (used >= sizeof e->msg)
		used = sizeof e->msg - 1;
	/* A flag's name is already the key (where == "--size"). */
	if (key && *key && !(c->line == 0 && *where)) {
		used = append(e->msg, sizeof e->msg, used, key);
		used = append(e->msg, sizeof e->msg, used, ": ");
	}
	append(e->msg, sizeof e->msg, used, detail);
	append(e->token, sizeof e->token, 0, token ? token : "");
	e->line = c->line;
	return -1;
}

/* ---- scalars --------------------------------------------------------------- */

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static int lower(int ch) { return (ch >= 'A' && ch <= 'Z') ? ch + ('a' - 'A') : ch; }

int hx__ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* Reads decimal digits with an optional fraction at *p: mantissa m (all
 * digits, the point ignored) and fdig fraction digits. Returns 0, -1 when no
 * digit, -2 on overflow. */
static int scan_decimal(const char **p, uint64_t *m, unsigned *fdig, int allow_frac)
{
	const char *s = *p;
	uint64_t v = 0;
	unsigned nd = 0, fd = 0;
	int in_frac = 0;
	for (;; s++) {
		if (is_digit(*s)) {
			if (__builtin_mul_overflow(v, 10u, &v) ||
			    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
				return -2;
			nd++;
			if (in_frac)
				fd++;
		} else if (*s == '.' && allow_frac && !in_frac) {
			in_frac = 1;
		} else {
			break;
		}
	}
	if (nd == 0)
		return -1;
	*p = s;
	*m = v;
	*fdig = fd;
	return 0;
}

/* m / 10^fdig * mult, exactly; -1 when not an integer, -2 on overflow. */
static int scale(uint64_t m, unsigned fdig, uint64_t mult, uint64_t *out)
{
	uint64_t v;
	if (__builtin_mul_overflow(m, mult, &v))
		return -2;
	for (unsigned i = 0; i < fdig; i++) {
		if (v % 10u)
			return -1;
		v /= 10u;
	}
	*out = v;
	return 0;
}

int hx_parse_uint(struct hx_parse_ctx *c, const char *key, const char *s, uint64_t *out)
{
	if (!s || !*s)
		return fail(c, key, "", "empty value");
	if (*s == '-')
		return fail(c, key, s, "negative value '%s'", s);
	uint64_t v = 0;
	const char *p = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		if (!*p)
			return fail(c, key, s, "bad number '%s': no hex digits", s);
		for (; *p; p++) {
			int ch = lower((unsigned char)*p), dv;
			if (is_digit((char)ch))
				dv = ch - '0';
			else if (ch >= 'a' && ch <= 'f')
				dv = ch - 'a' + 10;
			else
				return fail(c, key, s, "bad number '%s': '%c' is not a hex digit", s, *p);
			if (v >> 60)
				return fail(c, key, s, "number '%s' out of range (max 2^64-1)", s);
			v = (v << 4) | (uint64_t)dv;
		}
		*out = v;
		return 0;
	}
	unsigned fd;
	int r = scan_decimal(&p, &v, &fd, 0);
	if (r == -2)
		return fail(c, key, s, "number '%s' out of range (max 2^64-1)", s);
	if (r < 0 || *p)
		return fail(c, key, s, "bad number '%s': digits only (or 0x hex)", s);
	*out = v;
	return 0;
}

int hx_parse_size(struct hx_parse_ctx *c, const char *key, const char *s, uint64_t *out)
{
	if (!s || !*s)
		return fail(c, key, "", "empty size");
	if (*s == '-')
		return fail(c, key, s, "negative size '%s'", s);
	const char *p = s;
	uint64_t m;
	unsigned fd;
	int r = scan_decimal(&p, &m, &fd, 1);
	if (r == -2)
		return fail(c, key, s, "size '%s' out of range", s);
	if (r < 0)
		return fail(c, key, s, "bad size '%s': expected a number with an optional K, M, G or T", s);
	unsigned shift = 0;
	switch (lower((unsigned char)*p)) {
	case '\0': break;
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	case 'b': break;
	default:
		return fail(c, key, s, "bad size '%s': unknown suffix '%s' (use K, M, G or T, binary)", s, p);
	}
	if (*p) {
		const char *suf = p + (lower((unsigned char)*p) == 'b' ? 0 : 1);
		/* Accept 4K, 4KB, 4KiB, 4B. */
		if (*suf && !hx__ieq(suf, "b") && !(shift && hx__ieq(suf, "ib")))
			return fail(c, key, s, "bad size '%s': unknown suffix '%s' (use K, M, G or T, binary)", s, p);
	}
	r = scale(m, fd, (uint64_t)1 << shift, out);
	if (r == -2)
		return fail(c, key, s, "size '%s' out of range", s);
	if (r < 0)
		return fail(c, key, s, "size '%s' is not a whole number of bytes", s);
	return 0;
}

int hx_parse_time(struct hx_parse_ctx *c, const char *key, const char *s, uint64_t *out)
{
	static const struct { const char *u; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	};
	if (!s || !*s)
		return fail(c, key, "", "empty time");
	if (*s == '-')
		return fail(c, key, s, "negative time '%s'", s);
	const char *p = s;
	uint64_t m;
	unsigned fd;
	int r = scan_decimal(&p, &m, &fd, 1);
	if (r == -2)
		return fail(c, key, s, "time '%s' out of range", s);
	if (r < 0)
		return fail(c, key, s, "bad time '%s': expected a number and a unit (ns, us, ms, s)", s);
	if (!*p) {
		if (m == 0) { /* zero is zero in any unit */
			*out = 0;
			return 0;
		}
		return fail(c, key, s, "time '%s' needs a unit: ns, us, ms or s (e.g. %sus)", s, s);
	}
	for (size_t i = 0; i < NROWS(units); i++) {
		if (strcmp(p, units[i].u) != 0)
			continue;
		r = scale(m, fd, units[i].ns, out);
		if (r == -2)
			return fail(c, key, s, "time '%s' out of range", s);
		if (r < 0)
			return fail(c, key, s, "time '%s' is not a whole number of nanoseconds", s);
		return 0;
	}
	return fail(c, key, s, "bad time '%s': unknown unit '%s' (use ns, us, ms or s)", s, p);
}

int hx__name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || is_digit(ch) || ch == '-' ||
	       ch == '_' || ch == '.';
}

int hx_parse_backend(struct hx_parse_ctx *c, const char *key, const char *s,
		     char name[HX_NAME_MAX], char profile[HX_NAME_MAX])
{
	if (!s || !*s)
		return fail(c, key, "", "empty backend name");
	const char *colon = strchr(s, ':');
	size_t nlen = colon ? (size_t)(colon - s) : strlen(s);
	const char *prof = colon ? colon + 1 : "";
	size_t plen = strlen(prof);
	if (nlen == 0)
		return fail(c, key, s, "bad backend '%s': empty name before ':'", s);
	if (colon && plen == 0)
		return fail(c, key, s, "bad backend '%s': empty profile after ':'", s);
	if (nlen >= HX_NAME_MAX || plen >= HX_NAME_MAX)
		return fail(c, key, s, "bad backend '%s': name or profile longer than %d", s, HX_NAME_MAX - 1);
	/* '/' only in the profile: "cortexm:an505/pl08x" names a board and
	 * the backend on it. */
	for (size_t i = 0; i < nlen + (colon ? 1 + plen : 0); i++)
		if (s[i] != ':' && !hx__name_char_ok(s[i]) && !(i > nlen && s[i] == '/'))
			return fail(c, key, s, "bad backend '%s': character '%c' not allowed", s, s[i]);
	if (strchr(prof, ':'))
		return fail(c, key, s, "bad backend '%s': more than one ':'", s);
	memcpy(name, s, nlen);
	name[nlen] = '\0';
	memcpy(profile, prof, plen);
	profile[plen] = '\0';
	if (c->check_backend) {
		char why[HX_PERR_MSG - 64];
		why[0] = '\0';
		if (c->check_backend(c->hook_ctx, name, profile, why, sizeof why) < 0)
			return fail(c, key, s, "%s", why[0] ? why : "unknown backend");
	}
	return 0;
}

/* ---- fault injection -------------------------------------------------------- */

/* "1000" or "1000ppm" (parts per million, as the sim's own option says)
 * or "1%" / "0.5%" -> parts per million. s is NUL-terminated. */
static int parse_rate(struct hx_parse_ctx *c, const char *key, const char *item, const char *s,
		      uint32_t *ppm)
{
	const char *p = s;
	uint64_t m, v;
	unsigned fd;
	if (*s == '-')
		return fail(c, key, item, "negative rate in '%s'", item);
	if (scan_decimal(&p, &m, &fd, 1) != 0)
		return fail(c, key, item, "bad rate in '%s': use parts per million (1000 or 1000ppm) or a percentage (0.1%%)", item);
	uint64_t mult;
	if (!*p || strcmp(p, "ppm") == 0)
		mult = 1;
	else if (strcmp(p, "%") == 0)
		mult = 10000;
	else
		return fail(c, key, item, "bad rate in '%s': unknown unit '%s' (use ppm, %%, or a bare number of ppm)", item, p);
	int r = scale(m, fd, mult, &v);
	if (r == -1)
		return fail(c, key, item, "rate in '%s' is finer than 1 ppm", item);
	if (r < 0 || v > 1000000)
		return fail(c, key, item, "rate in '%s' above 100%% (1000000 ppm)", item);
	if (v == 0)
		return fail(c, key, item, "rate in '%s' is zero (leave the fault out instead)", item);
	*ppm = (uint32_t)v;
	return 0;
}

/* One item "kind[:rate][@nth][/lo-hi]" (NUL-terminated, modified). */
static int fault_item(struct hx_parse_ctx *c, const char *key, char *item, struct dmab_fault *f)
{
	char whole[64];
	append(whole, sizeof whole, 0, item);
	char *slash = strchr(item, '/');
	if (slash)
		*slash++ = '\0';
	char *at = strchr(item, '@');
	if (at)
		*at++ = '\0';
	char *colon = strchr(item, ':');
	if (colon)
		*colon++ = '\0';
	int k = dmab_fault_parse(item);
	if (k < 0) {
		char known[160];
		size_t used = 0;
		known[0] = '\0';
		for (int i = 0; i < DMAB_FAULT__COUNT; i++) {
			if (i)
				used = append(known, sizeof known, used, ", ");
			used = append(known, sizeof known, used, dmab_fault_name((enum dmab_fault_kind)i));
		}
		return fail(c, key, item, "unknown fault kind '%s' (known: %s)", item, known);
	}
	memset(f, 0, sizeof *f);
	f->kind = (enum dmab_fault_kind)k;
	if (colon && parse_rate(c, key, whole, colon, &f->rate_ppm) < 0)
		return -1;
	if (at) {
		struct hx_parse_ctx sub = *c;
		if (hx_parse_uint(&sub, key, at, &f->nth) < 0 || f->nth == 0)
			return fail(c, key, whole, "bad transfer number '@%s' in '%s' (1 = the first transfer)", at, whole);
	}
	if (slash) {
		char *dash = strchr(slash, '-');
		struct hx_parse_ctx sub = *c;
		if (dash)
			*dash++ = '\0';
		if (!dash || hx_parse_uint(&sub, key, slash, &f->range_lo) < 0 ||
		    hx_parse_uint(&sub, key, dash, &f->range_hi) < 0)
			return fail(c, key, whole, "bad address range in '%s': use /LO-HI (bus addresses, 0x hex allowed)", whole);
		if (f->range_hi <= f->range_lo)
			return fail(c, key, whole, "empty address range in '%s' (HI must be above LO)", whole);
	}
	/* A kind alone fires on every transfer, as in the sim's own option. */
	if (!colon && !at)
		f->rate_ppm = 1000000;
	return 0;
}

int hx_inject_parse(struct hx_parse_ctx *c, const char *key, const char *spec,
		    struct dmab_fault *out, unsigned max, unsigned *n)
{
	unsigned cnt = 0;
	if (!spec || !*spec)
		return fail(c, key, "", "empty fault list");
	const char *p = spec;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char item[64];
		if (len == 0)
			return fail(c, key, spec, "empty item in fault list '%s'", spec);
		if (len >= sizeof item)
			return fail(c, key, spec, "fault item too long in '%s'", spec);
		memcpy(item, p, len);
		item[len] = '\0';
		struct dmab_fault f;
		if (fault_item(c, key, item, &f) < 0)
			return -1;
		if (cnt >= max)
			return fail(c, key, spec, "too many faults in '%s' (max %u)", spec, max);
		out[cnt++] = f;
		if (!end)
			break;
		p = end + 1;
	}
	if (c->check_inject) {
		char why[HX_PERR_MSG - 64];
		why[0] = '\0';
		if (c->check_inject(c->hook_ctx, spec, why, sizeof why) < 0)
			return fail(c, key, spec, "%s", why[0] ? why : "fault injection refused");
	}
	*n = cnt;
	return 0;
}

/* ---- lists and ranges -------------------------------------------------------- */

void hx_job_init(struct hx_job *j, const char *name)
{
	memset(j, 0, sizeof *j);
	snprintf(j->name, sizeof j->name, "%s", name ? name : "");
}

static int scalar(struct hx_parse_ctx *c, enum hx_dim d, const char *tok, uint64_t *v)
{
	const struct hx_dim_desc *dd = &dims[d];
	switch (dd->type) {
	case HX_DT_U64: return hx_parse_uint(c, dd->name, tok, v);
	case HX_DT_SIZE: return hx_parse_size(c, dd->name, tok, v);
	case HX_DT_TIME: return hx_parse_time(c, dd->name, tok, v);
	default: break;
	}
	size_t n;
	const struct hx_enum_info *names = hx_enum_values(dd->type, &n);
	for (size_t i = 0; names && i < n; i++) {
		if (strcmp(tok, names[i].name) == 0) {
			*v = i;
			return 0;
		}
	}
	char known[128];
	size_t used = 0;
	known[0] = '\0';
	for (size_t i = 0; names && i < n && used < sizeof known; i++) {
		int w = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", names[i].name);
		used += w > 0 ? (size_t)w : 0;
	}
	return fail(c, dd->name, tok, "unknown %s '%s' (known: %s)", dtype_names[dd->type], tok, known);
}

static int check_limits(struct hx_parse_ctx *c, enum hx_dim d, const char *tok, uint64_t v)
{
	uint64_t min = hx_dim_min(d);
	if (v < min) {
		if (min == 1 && v == 0)
			return fail(c, dims[d].name, tok, "%s must not be zero ('%s')", dims[d].name, tok);
		return fail(c, dims[d].name, tok, "%s must be at least %llu ('%s')", dims[d].name,
			    (unsigned long long)min, tok);
	}
	if (hx_dim_pow2(d) && (v & (v - 1)) != 0)
		return fail(c, dims[d].name, tok, "%s must be a power of two ('%s')", dims[d].name, tok);
	uint64_t max = dim_max(d);
	if (max && v > max && dims[d].type != HX_DT_SIZE) /* load-rate: a percentage */
		return fail(c, dims[d].name, tok, "%s must be at most %llu ('%s')", dims[d].name,
			    (unsigned long long)max, tok);
	if (max && v > max)
		return fail(c, dims[d].name, tok, "%s must be at most %llu MiB ('%s')", dims[d].name,
			    (unsigned long long)(max >> 20), tok);
	return 0;
}

static int push(struct hx_parse_ctx *c, enum hx_dim d, struct hx_vals *vals, const char *tok,
		const char *what, uint64_t v)
{
	if (check_limits(c, d, tok, v) < 0)
		return -1;
	if (vals->n >= HX_VALS_MAX)
		return fail(c, dims[d].name, what, "'%s' yields more than %d values", what, HX_VALS_MAX);
	vals->v[vals->n++] = v;
	return 0;
}

/* "A:B:xF" or "A:B:+S", both ends inclusive. */
static int range(struct hx_parse_ctx *c, enum hx_dim d, struct hx_vals *vals, char *item)
{
	const char *key = dims[d].name;
	char whole[HX_PERR_TOK];
	append(whole, sizeof whole, 0, item);
	char *c1 = strchr(item, ':');
	char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2)
		return fail(c, key, whole, "range '%s' needs a step: A:B:xF (geometric) or A:B:+S (arithmetic)", whole);
	if (strchr(c2 + 1, ':'))
		return fail(c, key, whole, "bad range '%s': too many ':'", whole);
	*c1 = '\0';
	*c2 = '\0';
	const char *sa = item, *sb = c1 + 1, *ss = c2 + 1;
	uint64_t a, b, step;
	if (scalar(c, d, sa, &a) < 0 || scalar(c, d, sb, &b) < 0)
		return -1;
	if (a > b)
		return fail(c, key, whole, "bad range '%s': start above end", whole);
	if (*ss == 'x' || *ss == '*') {
		if (hx_parse_uint(c, key, ss + 1, &step) < 0)
			return fail(c, key, whole, "bad range '%s': factor '%s' must be a whole number >= 2", whole, ss + 1);
		if (step < 2)
			return fail(c, key, whole, "bad range '%s': factor must be >= 2", whole);
		if (a == 0)
			return fail(c, key, whole, "bad range '%s': a geometric range must start above 0", whole);
		for (uint64_t v = a;;) {
			if (push(c, d, vals, sa, whole, v) < 0)
				return -1;
			if (__builtin_mul_overflow(v, step, &v) || v > b)
				break;
		}
		return 0;
	}
	if (*ss == '+') {
		if (scalar(c, d, ss + 1, &step) < 0)
			return -1;
		if (step == 0)
			return fail(c, key, whole, "bad range '%s': step must be above 0", whole);
		for (uint64_t v = a;;) {
			if (push(c, d, vals, sa, whole, v) < 0)
				return -1;
			if (__builtin_add_overflow(v, step, &v) || v > b)
				break;
		}
		return 0;
	}
	return fail(c, key, whole, "bad range '%s': step '%s' must start with x (geometric) or + (arithmetic)",
		    whole, ss);
}

/* Copies [s, e) trimmed of blanks into buf. */
static void trim_copy(char *buf, size_t n, const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	size_t len = (size_t)(e - s);
	if (len >= n)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
}

/* Index of STR dimension d's pool in hx_job.strs: how many STR rows come
 * before it. O(dimensions). */
static unsigned str_slot(enum hx_dim d)
{
	unsigned k = 0;
	for (int i = 0; i < (int)d; i++)
		k += dims[i].type == HX_DT_STR;
	return k;
}

/* [*s, *e) without blanks at either end. */
static void trim_span(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* One STR value [s, e) into item (HX_STR_MAX bytes): blanks around the
 * whole value and around each ';' dropped, so "a=1; b=2" and "a=1;b=2" are
 * one value (and one CSV cell). An empty item between ';' is an error; an
 * empty value is not (it means "nothing", e.g. no backend options). */
static int str_item(struct hx_parse_ctx *c, const char *key, const char *text, const char *s,
		    const char *e, char *item)
{
	size_t used = 0;
	item[0] = '\0';
	trim_span(&s, &e);
	if (s == e)
		return 0;
	for (const char *p = s;;) {
		const char *semi = memchr(p, ';', (size_t)(e - p));
		const char *ps = p, *pe = semi ? semi : e;
		trim_span(&ps, &pe);
		size_t len = (size_t)(pe - ps);
		if (!len)
			return fail(c, key, text, "empty item between ';' in '%s'", text);
		if (used + (used ? 1 : 0) + len >= HX_STR_MAX)
			return fail(c, key, text, "value longer than %d characters in '%s'", HX_STR_MAX - 1,
				    text);
		if (used)
			item[used++] = ';';
		memcpy(item + used, ps, len);
		used += len;
		item[used] = '\0';
		if (!semi)
			return 0;
		p = semi + 1;
	}
}

/* A STR dimension: every comma-separated value, normalised, into the job's
 * pool for d. Two passes, the first only checking, so a failed parse leaves
 * the job as it was without a scratch copy of the pool. */
static int set_str(struct hx_parse_ctx *c, struct hx_job *j, enum hx_dim d, const char *text)
{
	const char *key = dims[d].name;
	char *pool = j->strs[str_slot(d)];
	char item[HX_STR_MAX];
	for (int store = 0; store < 2; store++) {
		size_t used = 0;
		unsigned n = 0;
		for (const char *p = text;;) {
			const char *end = strchr(p, ',');
			if (!end)
				end = p + strlen(p);
			if (str_item(c, key, text, p, end, item) < 0)
				return -1;
			size_t len = strlen(item) + 1;
			if (n >= HX_VALS_MAX)
				return fail(c, key, text, "more than %d values in '%s'", HX_VALS_MAX, text);
			if (len > HX_STR_POOL - used)
				return fail(c, key, text, "values longer than %d characters in all in '%s'",
					    HX_STR_POOL, text);
			if (store) {
				memcpy(pool + used, item, len);
				j->dim[d].v[n] = used;
			}
			used += len;
			n++;
			if (!*end)
				break;
			p = end + 1;
		}
		if (store) {
			struct hx_vals *t = &j->dim[d];
			t->n = n;
			t->is_auto = 0;
			t->set = 1;
			t->line = c->line;
		}
	}
	return 0;
}

const char *hx_job_str(const struct hx_job *j, enum hx_dim d, unsigned i)
{
	if (!j || (unsigned)d >= HX_DIM__COUNT || dims[d].type != HX_DT_STR || i >= j->dim[d].n ||
	    j->dim[d].v[i] >= HX_STR_POOL)
		return NULL;
	return j->strs[str_slot(d)] + j->dim[d].v[i];
}

int hx_job_set(struct hx_parse_ctx *c, struct hx_job *j, enum hx_dim d, const char *text)
{
	if ((unsigned)d >= HX_DIM__COUNT)
		return fail(c, NULL, "", "no such dimension");
	const struct hx_dim_desc *dd = &dims[d];
	if (!text)
		text = "";
	if (dd->type == HX_DT_STR)
		return set_str(c, j, d, text);
	/* Parse into scratch so a failed parse leaves the job as it was. */
	struct hx_vals vals;
	struct hx_backend_spec newb[HX_BACKENDS_MAX];
	unsigned nback = 0;
	memset(&vals, 0, offsetof(struct hx_vals, v));
	const char *p = text;
	for (;;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		char item[128];
		if ((size_t)(end - p) >= sizeof item)
			return fail(c, dd->name, text, "value too long in '%s'", text);
		trim_copy(item, sizeof item, p, end);
		if (!item[0])
			return *text ? fail(c, dd->name, text, "empty item in list '%s'", text)
				     : fail(c, dd->name, "", "empty value");
		if (dd->type == HX_DT_BACKEND) {
			if (nback >= HX_BACKENDS_MAX)
				return fail(c, dd->name, text, "more than %d backends in '%s'", HX_BACKENDS_MAX, text);
			if (hx_parse_backend(c, dd->name, item, newb[nback].name, newb[nback].profile) < 0)
				return -1;
			vals.v[vals.n++] = nback++;
		} else if (dd->type == HX_DT_SIZE && strcmp(item, "auto") == 0) {
			if (*end || p != text)
				return fail(c, dd->name, text, "'auto' cannot be combined with other values in '%s'", text);
			vals.is_auto = 1;
		} else if (strchr(item, ':') && (dd->type == HX_DT_U64 || dd->type == HX_DT_SIZE ||
						 dd->type == HX_DT_TIME)) {
			if (range(c, d, &vals, item) < 0)
				return -1;
		} else {
			uint64_t v;
			if (scalar(c, d, item, &v) < 0 || push(c, d, &vals, item, text, v) < 0)
				return -1;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	struct hx_vals *t = &j->dim[d];
	t->n = vals.n;
	t->is_auto = vals.is_auto;
	memcpy(t->v, vals.v, sizeof vals.v[0] * vals.n);
	if (dd->type == HX_DT_BACKEND)
		memcpy(j->backends, newb, sizeof newb[0] * nback);
	t->set = 1;
	t->line = c->line;
	return 0;
}

int hx_job_set_key(struct hx_parse_ctx *c, struct hx_job *j, const char *key, const char *text)
{
	if (key && strcmp(key, "inject") == 0) {
		struct dmab_fault f[DMAB_FAULT__COUNT * 2];
		unsigned n;
		if (hx_inject_parse(c, key, text, f, (unsigned)NROWS(f), &n) < 0)
			return -1;
		if (strlen(text) >= sizeof j->inject)
			return fail(c, key, text, "fault list too long (max %lu characters)", (unsigned long)(sizeof j->inject - 1));
		snprintf(j->inject, sizeof j->inject, "%s", text);
		j->inject_set = 1;
		return 0;
	}
	int d = hx_dim_lookup(key);
	if (d < 0) {
		char known[320];
		size_t used = 0;
		known[0] = '\0';
		for (int i = 0; i < HX_DIM__COUNT && used < sizeof known; i++) {
			int w = snprintf(known + used, sizeof known - used, "%s, ", dims[i].name);
			used += w > 0 ? (size_t)w : 0;
		}
		if (used < sizeof known)
			snprintf(known + used, sizeof known - used, "inject");
		return fail(c, NULL, key ? key : "", "unknown key '%s' (known: %s)", key ? key : "", known);
	}
	return hx_job_set(c, j, (enum hx_dim)d, text);
}

static void copy_dim(struct hx_job *dst, const struct hx_job *src, int d)
{
	const struct hx_vals *s = &src->dim[d];
	struct hx_vals *t = &dst->dim[d];
	t->n = s->n;
	t->set = s->set;
	t->is_auto = s->is_auto;
	t->line = s->line;
	memcpy(t->v, s->v, sizeof s->v[0] * s->n);
	if (dims[d].type == HX_DT_BACKEND)
		memcpy(dst->backends, src->backends, sizeof src->backends);
	if (dims[d].type == HX_DT_STR)
		memcpy(dst->strs[str_slot((enum hx_dim)d)], src->strs[str_slot((enum hx_dim)d)], HX_STR_POOL);
}

void hx_job_apply(struct hx_job *dst, const struct hx_job *over)
{
	for (int d = 0; d < HX_DIM__COUNT; d++)
		if (over->dim[d].set)
			copy_dim(dst, over, d);
	if (over->inject_set) {
		memcpy(dst->inject, over->inject, sizeof dst->inject);
		dst->inject_set = 1;
	}
}

/* Like hx_job_apply but only where dst has nothing of its own. */
void hx__job_inherit(struct hx_job *dst, const struct hx_job *from)
{
	for (int d = 0; d < HX_DIM__COUNT; d++)
		if (from->dim[d].set && !dst->dim[d].set)
			copy_dim(dst, from, d);
	if (from->inject_set && !dst->inject_set) {
		memcpy(dst->inject, from->inject, sizeof dst->inject);
		dst->inject_set = 1;
	}
}

int hx_job_defaults(struct hx_parse_ctx *c, struct hx_job *j)
{
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		if (j->dim[d].set)
			continue;
		struct hx_parse_ctx dc = *c;
		dc.where = "default";
		dc.line = 0;
		if (hx_job_set(&dc, j, (enum hx_dim)d, dims[d].def) < 0) {
			c->err = dc.err;
			return -1;
		}
		j->dim[d].set = 0; /* still "not given by the user" */
		j->dim[d].line = 0;
	}
	return 0;
}

void hx_job_resolve_auto(struct hx_job *j, const uint64_t *sizes, unsigned n)
{
	if (n > HX_VALS_MAX)
		n = HX_VALS_MAX;
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		struct hx_vals *v = &j->dim[d];
		if (!v->is_auto)
			continue;
		/* A power-of-two dimension (align) takes each size rounded down
		 * to a power of two (a 105 MiB L3 gives 64 MiB), once. */
		int pow2 = hx_dim_pow2((enum hx_dim)d);
		uint64_t max = dim_max((enum hx_dim)d);
		v->n = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t x = sizes[i];
			while (pow2 && (x & (x - 1)))
				x &= x - 1;
			if (max && x > max)
				x = max;
			if (v->n == 0 || v->v[v->n - 1] != x)
				v->v[v->n++] = x;
		}
		v->is_auto = 0;
	}
}

int hx_job_has_auto(const struct hx_job *j)
{
	for (int d = 0; d < HX_DIM__COUNT; d++)
		if (j->dim[d].is_auto)
			return 1;
	return 0;
}

uint64_t hx_job_count(const struct hx_job *j)
{
	uint64_t n = 1;
	for (int d = 0; d < HX_DIM__COUNT; d++)
		if (__builtin_mul_overflow(n, (uint64_t)j->dim[d].n, &n))
			return UINT64_MAX;
	return n;
}

int hx_job_point(const struct hx_job *j, uint64_t idx, struct hx_point *pt)
{
	if (idx >= hx_job_count(j))
		return -1;
	memset(pt, 0, sizeof *pt);
	for (int d = HX_DIM__COUNT - 1; d >= 0; d--) {
		const struct hx_vals *vals = &j->dim[d];
		uint64_t v = vals->v[idx % vals->n];
		idx /= vals->n;
		char *field = (char *)pt + dims[d].off;
		switch (dims[d].type) {
		case HX_DT_BACKEND: {
			const struct hx_backend_spec *b = &j->backends[v];
			memcpy(pt->backend, b->name, sizeof pt->backend);
			memcpy(pt->profile, b->profile, sizeof pt->profile);
			break;
		}
		case HX_DT_XFER:
		case HX_DT_POOL:
		case HX_DT_CACHE:
		case HX_DT_PRIO: {
			int iv = (int)v;
			memcpy(field, &iv, sizeof iv);
			break;
		}
		case HX_DT_STR: {
			/* v is the value's offset in the pool; set_str keeps
			 * every value below HX_STR_MAX */
			const char *sv = v < HX_STR_POOL ? j->strs[str_slot((enum hx_dim)d)] + v : "";
			snprintf(field, HX_STR_MAX, "%s", sv);
			break;
		}
		default:
			memcpy(field, &v, sizeof v);
			break;
		}
	}
	pt->inject = j->inject[0] ? j->inject : NULL;
	return 0;
}

int hx_dim_format(const struct hx_point *pt, enum hx_dim d, char *buf, size_t n)
{
	if ((unsigned)d >= HX_DIM__COUNT)
		return snprintf(buf, n, "%s", "");
	const char *field = (const char *)pt + dims[d].off;
	switch (dims[d].type) {
	case HX_DT_BACKEND:
		return snprintf(buf, n, "%s", pt->backend);
	case HX_DT_STR:
		return snprintf(buf, n, "%.*s", HX_STR_MAX - 1, field);
	case HX_DT_XFER:
	case HX_DT_POOL:
	case HX_DT_CACHE:
	case HX_DT_PRIO: {
		int iv;
		memcpy(&iv, field, sizeof iv);
		const char *name = hx_enum_name(dims[d].type, iv);
		return name ? snprintf(buf, n, "%s", name) : snprintf(buf, n, "%d", iv);
	}
	default: {
		uint64_t v;
		memcpy(&v, field, sizeof v);
		return snprintf(buf, n, "%llu", (unsigned long long)v);
	}
	}
}
