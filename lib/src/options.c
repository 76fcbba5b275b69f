/*
 * options.c: backend parameters as data: one parser from "key=val;key=val"
 * over a profile into the backend's parameter struct, one formatter back,
 * and the counters a backend reports.
 *
 * Every backend used to parse its own options, each with its own number
 * syntax, separator and messages (or none). Here one table row (struct
 * dmab_option: offset, size, range, default, flags) drives the default,
 * the parse, the check and the printout, like fio's option table. A
 * profile is an options string over the defaults, parsed by the same code
 * with its name as context, so a profile and a user's options can never
 * disagree about syntax. Items are spans of the caller's string (no copy,
 * no strtoull on an unterminated item, no locale); numbers go through
 * dmab_parse_u64. Reasons are built in the caller's buffer by small
 * appenders (no snprintf: this builds for bare metal, and never prints).
 * Costs: O(items x rows) per parse, at open only; O(rows) per format.
 */
#include <string.h>

#include "internal.h"

/* ---- a bounded appender: keeps out NUL-terminated, counts the full length --- */

struct sbuf {
	char *p;
	size_t n, at;
};

static void put_mem(struct sbuf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++, b->at++)
		if (b->p && b->at + 1 < b->n)
			b->p[b->at] = s[i];
	if (b->p && b->n)
		b->p[b->at < b->n ? b->at : b->n - 1] = '\0';
}

static void put_str(struct sbuf *b, const char *s)
{
	put_mem(b, s, strlen(s));
}

static void put_u64(struct sbuf *b, uint64_t v)
{
	char tmp[24];
	size_t k = sizeof(tmp);
	do {
		tmp[--k] = (char)('0' + (int)(v % 10u));
		v /= 10u;
	} while (v);
	put_mem(b, tmp + k, sizeof(tmp) - k);
}

static void sbuf_init(struct sbuf *b, char *p, size_t n)
{
	b->p = p;
	b->n = p ? n : 0;
	b->at = 0;
	if (b->p && b->n)
		b->p[0] = '\0';
}

/* ---- rows ------------------------------------------------------------------- */

static uint64_t field_get(const void *params, const struct dmab_option *r)
{
	const char *at = (const char *)params + r->off;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	switch (r->size) {
	case 1: memcpy(&u8, at, 1); return u8;
	case 2: memcpy(&u16, at, 2); return u16;
	case 4: memcpy(&u32, at, 4); return u32;
	default: memcpy(&u64, at, 8); return u64;
	}
}

/* v fits: the row's max does (dmab_backend_validate) and v <= max. */
static void field_set(void *params, const struct dmab_option *r, uint64_t v)
{
	char *at = (char *)params + r->off;
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;
	switch (r->size) {
	case 1: memcpy(at, &u8, 1); break;
	case 2: memcpy(at, &u16, 2); break;
	case 4: memcpy(at, &u32, 4); break;
	default: memcpy(at, &v, 8); break;
	}
}

/* Why v does not suit row r, or NULL. Shared with dmab_backend_validate,
 * which checks every default with it. */
const char *dmab__option_check(const struct dmab_option *r, uint64_t v)
{
	if ((r->flags & DMAB_OPT_BOOL) && v > 1)
		return "not 0 or 1";
	if ((r->flags & DMAB_OPT_POW2) && !dmab__is_pow2(v))
		return "not a power of two";
	if ((r->flags & DMAB_OPT_POW2_OR_0) && v && !dmab__is_pow2(v))
		return "not 0 or a power of two";
	if (v < r->min || v > r->max)
		return "out of range";
	return NULL;
}

static const struct dmab_option *find_row(const struct dmab_option *rows, const char *key,
					  size_t klen)
{
	for (const struct dmab_option *r = rows; r && r->name; r++)
		if (strlen(r->name) == klen && memcmp(r->name, key, klen) == 0)
			return r;
	return NULL;
}

/* "; known: a, b, c" (or "; known: none"). */
static void put_known_options(struct sbuf *b, const struct dmab_option *rows)
{
	put_str(b, "; known: ");
	if (!rows || !rows->name) {
		put_str(b, "none (the backend takes no options)");
		return;
	}
	for (const struct dmab_option *r = rows; r->name; r++) {
		if (r != rows)
			put_str(b, ", ");
		put_str(b, r->name);
	}
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "<ctx>item: " before a value's reason. */
static void put_item(struct sbuf *b, const char *ctx, const char *item, size_t len)
{
	sbuf_init(b, b->p, b->n);
	put_str(b, ctx);
	put_mem(b, item, len);
	put_str(b, ": ");
}

/* Applies one item [item, item+len) (blanks already trimmed, len > 0). */
static int apply_item(const struct dmab_option *rows, const char *item, size_t len,
		      void *params, const char *ctx, struct sbuf *why)
{
	const char *eq = memchr(item, '=', len);
	if (memchr(item, ',', len)) {
		/* the old separator: name it rather than a key or value it spoils */
		put_item(why, ctx, item, len);
		put_str(why, "',' does not separate options (join items with ';')");
		return DMAB_EINVAL;
	}
	if (!eq) {
		put_item(why, ctx, item, len);
		put_str(why, "not key=value");
		return DMAB_EINVAL;
	}
	size_t klen = (size_t)(eq - item), vlen = len - klen - 1;
	const struct dmab_option *r = find_row(rows, item, klen);
	if (!r) {
		sbuf_init(why, why->p, why->n);
		put_str(why, ctx);
		put_str(why, "unknown option '");
		put_mem(why, item, klen);
		put_str(why, "'");
		put_known_options(why, rows);
		return DMAB_EINVAL;
	}
	uint64_t v;
	if (dmab_parse_u64(eq + 1, vlen, (r->flags & DMAB_OPT_SUFFIX) != 0, &v)) {
		put_item(why, ctx, item, len);
		if (r->flags & DMAB_OPT_SUFFIX)
			put_str(why, "not a number (decimal or 0x hex, K/M/G suffix)");
		else
			put_str(why, "not a number (decimal or 0x hex)");
		return DMAB_EINVAL;
	}
	const char *bad = dmab__option_check(r, v);
	if (bad) {
		put_item(why, ctx, item, len);
		put_str(why, bad);
		if (strcmp(bad, "out of range") == 0) {
			put_str(why, " ");
			put_u64(why, r->min);
			put_str(why, "..");
			put_u64(why, r->max);
		}
		return DMAB_EINVAL;
	}
	if (params)
		field_set(params, r, v);
	return 0;
}

/* Applies "k=v;k=v" (NULL or "" = nothing); ctx prefixes a reason. */
static int apply(const struct dmab_option *rows, const char *s, void *params, const char *ctx,
		 struct sbuf *why)
{
	while (s && *s) {
		const char *semi = strchr(s, ';');
		const char *e = semi ? semi : s + strlen(s);
		const char *p = s;
		while (p < e && is_blank(*p))
			p++;
		while (e > p && is_blank(e[-1]))
			e--;
		if (e > p) {
			int rc = apply_item(rows, p, (size_t)(e - p), params, ctx, why);
			if (rc)
				return rc;
		}
		s = semi ? semi + 1 : NULL;
	}
	return 0;
}

/* ---- public ------------------------------------------------------------------ */

const struct dmab_profile *dmab_profile_find(const struct dmab_backend_ops *ops,
					      const char *name)
{
	if (!ops || !ops->profile_table || !ops->profile_table[0].name)
		return NULL;
	if (!name || !*name)
		return &ops->profile_table[0];
	for (const struct dmab_profile *p = ops->profile_table; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

int dmab_options_parse(const struct dmab_backend_ops *ops, const char *profile,
		       const char *options, void *params, char *why, size_t n)
{
	struct sbuf w;
	sbuf_init(&w, why, n);
	if (!ops) {
		put_str(&w, "backend ops pointer is NULL");
		return DMAB_EINVAL;
	}
	const struct dmab_profile *prof = dmab_profile_find(ops, profile);
	if (!prof && profile && *profile) {
		put_str(&w, "unknown profile '");
		put_str(&w, profile);
		put_str(&w, "'; known: ");
		if (!ops->profile_table || !ops->profile_table[0].name)
			put_str(&w, "none");
		for (const struct dmab_profile *p = ops->profile_table; p && p->name; p++) {
			if (p != ops->profile_table)
				put_str(&w, ", ");
			put_str(&w, p->name);
		}
		return DMAB_EINVAL;
	}
	if (params && ops->options) {
		memset(params, 0, ops->option_struct_size);
		for (const struct dmab_option *r = ops->options; r->name; r++)
			field_set(params, r, r->def);
	}
	if (prof && prof->options) {
		/* "profile 'NAME': " as context; names are short */
		char ctx[64];
		struct sbuf c;
		sbuf_init(&c, ctx, sizeof(ctx));
		put_str(&c, "profile '");
		put_str(&c, prof->name);
		put_str(&c, "': ");
		int rc = apply(ops->options, prof->options, params, ctx, &w);
		if (rc)
			return rc;
	}
	return apply(ops->options, options, params, "", &w);
}

int dmab_options_format(const struct dmab_backend_ops *ops, const void *params, char *buf,
			size_t n)
{
	struct sbuf b;
	sbuf_init(&b, buf, n);
	if (!ops || (!params && ops->options && ops->options[0].name))
		return DMAB_EINVAL;
	for (const struct dmab_option *r = ops->options; r && r->name; r++) {
		if (r != ops->options)
			put_str(&b, ";");
		put_str(&b, r->name);
		put_str(&b, "=");
		put_u64(&b, field_get(params, r));
	}
	return b.at > (size_t)INT32_MAX ? DMAB_ERANGE : (int)b.at;
}

/* ---- counters ------------------------------------------------------------------ */

static const char *const fault_counter_names[] = {
#define FCNAME(id, name, help) "fault." name,
	DMAB_FAULT_TABLE(FCNAME)
#undef FCNAME
};

const char *dmab_fault_counter_name(enum dmab_fault_kind k)
{
	unsigned i = (unsigned)k;
	return i < DMAB_FAULT__COUNT ? fault_counter_names[i] : NULL;
}

int dmab_dev_counters(struct dmab_dev *dev, struct dmab_counter *out, size_t max)
{
	if (!dev || (!out && max))
		return DMAB_EINVAL;
	if (!dev->ops->counters)
		return DMAB_ENOSYS;
	return dev->ops->counters(dev->priv, out, max);
}

int dmab_dev_faults_fired(struct dmab_dev *dev, uint64_t fired[DMAB_FAULT__COUNT])
{
	if (!dev || !fired)
		return DMAB_EINVAL;
	int n = dmab_dev_counters(dev, NULL, 0);
	if (n < 0)
		return n;
	struct dmab_counter *rows = dmab__zalloc((size_t)n * sizeof(*rows) + 1);
	if (!rows)
		return DMAB_ENOMEM;
	int got = dmab_dev_counters(dev, rows, (size_t)n);
	int rc = got < 0 ? got : 0;
	for (unsigned k = 0; rc == 0 && k < DMAB_FAULT__COUNT; k++) {
		int i = 0;
		while (i < got && i < n && strcmp(rows[i].name, fault_counter_names[k]) != 0)
			i++;
		if (i < got && i < n)
			fired[k] = rows[i].value;
		else
			rc = DMAB_ENOSYS; /* the backend does not count this kind */
	}
	dmab__free(rows);
	return rc;
}
