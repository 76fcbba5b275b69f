/*
 * backend.c: validation of backend ops structs, and the names of
 * capabilities, faults and trace events.
 *
 * dmab_backend_validate is the gate every backend passes before the library
 * calls any of its ops (fio's check_engine_ops, dmaengine's registration
 * checks): wrong version, a missing required op, or a claimed capability
 * without the op it needs is refused here, with a message naming the
 * culprit, instead of crashing later on a NULL hook. The checks are rows of
 * small tables, so adding an op or a capability is one line. Messages are
 * string literals (no global buffer); callers prefix the backend name.
 * O(number of ops).
 *
 * The options and profile tables are checked the same way: one rule per
 * line, each applied to every row (O(rows^2) for unique names), and every
 * profile is parsed once (O(items x rows)).
 *
 * dmab_dev_periph_xfer, dmab_dev_xfer_bound, dmab_dev_cpu_touch and
 * dmab_fnv1a64 live here beside the ops they wrap: the hash is part of
 * the periph_xfer contract, so backends and verifiers compute it with
 * this one function.
 *
 * Name lookups are O(1) array indexing (faults, trace events) or O(bits)
 * (capabilities); dmab_fault_parse is O(kinds) with strcmp.
 */
#include <string.h>

#include "internal.h"

/* One row per op to check: where the pointer is, what kind of pointer, and
 * the message naming it. Messages are string literals built by the
 * preprocessor, so *why points at constant storage and validation writes
 * no global state; the caller (dmab_dev_open, the CLI) prefixes the
 * backend's name. */
struct op_row {
	size_t off;      /* offsetof the pointer in struct dmab_backend_ops */
	int is_func;     /* 1 for function pointers, 0 for data pointers */
	const char *msg;
};

#define OFF(field) offsetof(struct dmab_backend_ops, field)
#define REQ_FN(field) { OFF(field), 1, "required op " #field " is NULL" }
#define REQ_STR(field) { OFF(field), 0, "required field " #field " is NULL" }
#define CLAIM(cap, field) { OFF(field), 1, "claims " cap " but " #field " is NULL" }

static const struct op_row required_ops[] = {
	REQ_STR(name), REQ_STR(summary), REQ_FN(open), REQ_FN(close), REQ_FN(get_reqs),
	REQ_FN(mem_alloc), REQ_FN(mem_free), REQ_FN(now),
};

#define ENGINE_ROWS(cap) CLAIM(cap, start), CLAIM(cap, poll), CLAIM(cap, terminate), CLAIM(cap, reset)

/* A capability bit and the ops it needs. */
struct cap_rule {
	uint32_t cap;
	const struct op_row *rows;
	size_t nrows;
};

static const struct op_row mem2mem_ops[] = { ENGINE_ROWS("mem2mem") };
/* A device transfer needs the peripheral's bus address for its fixed side. */
static const struct op_row mem2dev_ops[] = { ENGINE_ROWS("mem2dev"), CLAIM("mem2dev", periph_addr) };
static const struct op_row dev2mem_ops[] = { ENGINE_ROWS("dev2mem"), CLAIM("dev2mem", periph_addr) };
static const struct op_row cyclic_ops[] = { ENGINE_ROWS("cyclic") };
static const struct op_row cache_ops[] = {
	CLAIM("noncoherent", cache_clean), CLAIM("noncoherent", cache_inval),
	CLAIM("noncoherent", cache_flush),
};
static const struct op_row fault_ops[] = { CLAIM("faults", inject) };
static const struct op_row trace_ops[] = { CLAIM("trace", set_trace) };

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#define RULE(cap, rows) { cap, rows, NROWS(rows) }

static const struct cap_rule cap_rules[] = {
	RULE(DMAB_CAP_MEM2MEM, mem2mem_ops), RULE(DMAB_CAP_MEM2DEV, mem2dev_ops),
	RULE(DMAB_CAP_DEV2MEM, dev2mem_ops), RULE(DMAB_CAP_CYCLIC, cyclic_ops),
	RULE(DMAB_CAP_NONCOHERENT, cache_ops), RULE(DMAB_CAP_FAULTS, fault_ops),
	RULE(DMAB_CAP_TRACE, trace_ops),
};

/* A function pointer and a data pointer cannot be read through one type in
 * strict C, so read each with its own type. */
static int op_present(const struct dmab_backend_ops *ops, const struct op_row *r)
{
	const char *base = (const char *)ops;
	if (r->is_func) {
		void (*fn)(void);
		memcpy(&fn, base + r->off, sizeof(fn));
		return fn != NULL;
	}
	const void *p;
	memcpy(&p, base + r->off, sizeof(p));
	return p != NULL;
}

static int check_rows(const struct dmab_backend_ops *ops, const struct op_row *rows,
		      size_t n, const char **why)
{
	for (size_t i = 0; i < n; i++) {
		if (!op_present(ops, &rows[i])) {
			if (why)
				*why = rows[i].msg;
			return DMAB_EMISSINGOP;
		}
	}
	return 0;
}

/* ---- the options and profile tables ------------------------------------------- */

/* One rule a table must keep: the fault as a literal, the test as a
 * function of the row. Rows of the options table are checked one by one
 * against every rule, so a new rule is one line here. */
struct opt_rule {
	const char *msg;
	int (*broken)(const struct dmab_backend_ops *ops, const struct dmab_option *r);
};

static int name_bad(const char *s)
{
	if (!s || !*s)
		return 1;
	for (; *s; s++)
		if (*s == '=' || *s == ';' || *s == ',' || *s == ' ' || *s == '\t')
			return 1;
	return 0;
}

static uint64_t size_max(size_t size)
{
	return size >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * size)) - 1;
}

static int r_name(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	(void)o;
	return name_bad(r->name);
}
static int r_size(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	(void)o;
	return r->size != 1 && r->size != 2 && r->size != 4 && r->size != 8;
}
static int r_bounds(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	return r->off > o->option_struct_size || r->size > o->option_struct_size - r->off;
}
static int r_minmax(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	(void)o;
	return r->min > r->max;
}
static int r_fits(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	(void)o;
	return r->max > size_max(r->size);
}
static int r_bool(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	(void)o;
	return (r->flags & DMAB_OPT_BOOL) && r->max > 1;
}
static int r_def_range(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	(void)o;
	return r->def < r->min || r->def > r->max;
}
static int r_def_flags(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	(void)o;
	return dmab__option_check(r, r->def) != NULL;
}
static int r_help(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	(void)o;
	return !r->help;
}
static int r_unique(const struct dmab_backend_ops *o, const struct dmab_option *r)
{
	for (const struct dmab_option *q = o->options; q != r; q++)
		if (strcmp(q->name, r->name) == 0)
			return 1;
	return 0;
}

static const struct opt_rule opt_rules[] = {
	{ "an option's name is empty or holds '=', ';', ',' or a blank", r_name },
	{ "an option's size is not 1, 2, 4 or 8", r_size },
	{ "an option's offset + size exceeds option_struct_size", r_bounds },
	{ "an option's min is above its max", r_minmax },
	{ "an option's max does not fit its size", r_fits },
	{ "a boolean option's max is above 1", r_bool },
	{ "an option's default is outside min..max", r_def_range },
	{ "an option's default breaks its flags (power of two, boolean)", r_def_flags },
	{ "an option has no help", r_help },
	{ "two options have the same name", r_unique },
};

static const char *check_options(const struct dmab_backend_ops *ops)
{
	if (ops->options && !ops->option_struct_size)
		return "options table without option_struct_size";
	if (!ops->options && ops->option_struct_size)
		return "option_struct_size without an options table";
	for (const struct dmab_option *r = ops->options; r && r->name; r++)
		for (size_t k = 0; k < NROWS(opt_rules); k++)
			if (opt_rules[k].broken(ops, r))
				return opt_rules[k].msg;
	return NULL;
}

static const char *check_profiles(const struct dmab_backend_ops *ops)
{
	const struct dmab_profile *t = ops->profile_table;
	if (t && !t[0].name)
		return "profile_table is empty (its first profile is the default)";
	for (const struct dmab_profile *p = t; p && p->name; p++) {
		if (name_bad(p->name))
			return "a profile's name is empty or holds '=', ';', ',' or a blank";
		if (!p->summary)
			return "a profile has no summary";
		for (const struct dmab_profile *q = t; q != p; q++)
			if (strcmp(q->name, p->name) == 0)
				return "two profiles have the same name";
		if (dmab_options_parse(ops, p->name, NULL, NULL, NULL, 0))
			return "a profile's options do not parse (open it for the item)";
	}
	return NULL;
}

#define STR_(x) #x
#define STR(x) STR_(x)

int dmab_backend_validate(const struct dmab_backend_ops *ops, const char **why)
{
	if (why)
		*why = NULL;
	if (!ops) {
		if (why)
			*why = "backend ops pointer is NULL";
		return DMAB_EINVAL;
	}
	if (ops->version != DMAB_BACKEND_OPS_VERSION) {
		if (why)
			*why = "ops version differs from the library's "
			       "(DMAB_BACKEND_OPS_VERSION " STR(DMAB_BACKEND_OPS_VERSION) ")";
		return DMAB_EVERSION;
	}
	int rc = check_rows(ops, required_ops, NROWS(required_ops), why);
	if (rc)
		return rc;
	for (size_t i = 0; i < NROWS(cap_rules); i++) {
		if (!(ops->caps & cap_rules[i].cap))
			continue;
		rc = check_rows(ops, cap_rules[i].rows, cap_rules[i].nrows, why);
		if (rc)
			return rc;
	}
	/* SG describes how the engine walks chains: meaningless without one. */
	if ((ops->caps & DMAB_CAP_SG) && !(ops->caps & DMAB_CAP_ENGINE)) {
		if (why)
			*why = "claims sg without any engine capability";
		return DMAB_EMISSINGOP;
	}
	/* Peripheral data exists only where transfers have a peripheral side. */
	if (ops->periph_xfer && !(ops->caps & (DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM))) {
		if (why)
			*why = "has periph_xfer but claims neither mem2dev nor dev2mem";
		return DMAB_EMISSINGOP;
	}
	const char *bad = check_options(ops);
	if (!bad)
		bad = check_profiles(ops);
	if (bad) {
		if (why)
			*why = bad;
		return DMAB_EINVAL;
	}
	return 0;
}

/* ---- peripheral data ------------------------------------------------------- */

uint64_t dmab_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

int dmab_dev_periph_xfer(struct dmab_dev *dev, unsigned chan, dmab_cookie_t cookie,
			 struct dmab_periph_xfer *out)
{
	if (!dev || !out)
		return DMAB_EINVAL;
	out->bytes = 0;
	out->hash = DMAB_FNV1A64_INIT;
	if (!dev->ops->periph_xfer)
		return DMAB_ENOSYS;
	return dev->ops->periph_xfer(dev->priv, chan, cookie, out);
}

int dmab_dev_xfer_bound(struct dmab_dev *dev, enum dmab_xfer_type type, uint64_t len,
			uint64_t *ticks)
{
	if (!dev || !ticks)
		return DMAB_EINVAL;
	*ticks = 0;
	if (!dev->ops->xfer_bound)
		return DMAB_ENOSYS;
	return dev->ops->xfer_bound(dev->priv, type, len, ticks);
}

int dmab_dev_cpu_touch(struct dmab_dev *dev, const void *cpu, size_t len, enum dmab_touch how)
{
	if (!dev || !cpu || (unsigned)how > (unsigned)DMAB_TOUCH_COPY)
		return DMAB_EINVAL;
	if (!dev->ops->cpu_touch)
		return DMAB_ENOSYS; /* first: a real clock's bounce copies pay no lookup */
	size_t off;
	struct dmab__region *r = dmab__region_find(dev, cpu, &off);
	if (!r || len > r->size - off)
		return DMAB_EFAULT;
	if (len)
		dev->ops->cpu_touch(dev->priv, &r->mem, off, len, how);
	return 0;
}

/* ---- names ---------------------------------------------------------------- */

static const char *const cap_names[] = {
	"mem2mem", "mem2dev", "dev2mem", "sg", "cyclic", "uncached",
	"noncoherent", "faults", "trace", "virtual-time", "dev-cycles",
};

const char *dmab_cap_name(uint32_t cap_bit)
{
	if (!dmab__is_pow2(cap_bit))
		return NULL;
	unsigned i = (unsigned)__builtin_ctz(cap_bit);
	return i < NROWS(cap_names) ? cap_names[i] : NULL;
}

static const char *const fault_names[] = {
#define FNAME(id, name, help) name,
	DMAB_FAULT_TABLE(FNAME)
#undef FNAME
};

const char *dmab_fault_name(enum dmab_fault_kind k)
{
	unsigned i = (unsigned)k;
	return i < NROWS(fault_names) ? fault_names[i] : NULL;
}

int dmab_fault_parse(const char *name)
{
	if (!name)
		return DMAB_EINVAL;
	for (unsigned i = 0; i < NROWS(fault_names); i++)
		if (strcmp(name, fault_names[i]) == 0)
			return (int)i;
	return DMAB_EINVAL;
}

static const char *const trace_names[] = {
	[DMAB_TR_SUBMIT] = "submit",   [DMAB_TR_START] = "start",
	[DMAB_TR_DESC_FETCH] = "desc-fetch", [DMAB_TR_BURST] = "burst",
	[DMAB_TR_DONE] = "done",       [DMAB_TR_IRQ] = "irq",
	[DMAB_TR_ERROR] = "error",     [DMAB_TR_FAULT] = "fault",
	[DMAB_TR_RESET] = "reset",     [DMAB_TR_CACHE] = "cache",
	[DMAB_TR_FIFO] = "fifo",
};

const char *dmab_trace_ev_name(enum dmab_trace_ev ev)
{
	unsigned i = (unsigned)ev;
	return i < NROWS(trace_names) && trace_names[i] ? trace_names[i] : NULL;
}

int dmab_parse_u64(const char *s, size_t n, int suffix, uint64_t *out)
{
	unsigned shift = 0;
	if (!s || !out)
		return DMAB_EINVAL;
	if (suffix && n > 0) {
		char c = s[n - 1];
		if (c == 'K' || c == 'k')
			shift = 10;
		else if (c == 'M' || c == 'm')
			shift = 20;
		else if (c == 'G' || c == 'g')
			shift = 30;
		if (shift)
			n--;
	}
	uint64_t base = 10, v = 0;
	size_t i = 0;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return DMAB_EINVAL;
	for (; i < n; i++) {
		char c = s[i];
		uint64_t d;
		if (c >= '0' && c <= '9')
			d = (uint64_t)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (uint64_t)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (uint64_t)(c - 'A' + 10);
		else
			return DMAB_EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return DMAB_EINVAL;
		v = v * base + d;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return DMAB_EINVAL;
	*out = v << shift;
	return 0;
}
