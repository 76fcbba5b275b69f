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
