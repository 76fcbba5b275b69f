/*
 * sim_params.c: the sim backend's parameters and profiles as data, option
 * parsing, and fault specs.
 *
 * One table (SIM_PARAM_TABLE in sim_int.h: name, range, flags, help) drives
 * the struct, option parsing, range checks, `dmabench list` and describe();
 * one table of profiles gives every parameter of each profile by name, so a
 * profile is data a user can print, copy and edit (as options). Adding a
 * parameter is one row there plus a value in each profile below (a
 * designated initializer: a profile that forgets it gets 0, which the range
 * check at open refuses when 0 is invalid). Parsing is O(options x
 * parameters) at open, never on a hot path. Numbers are parsed by hand over
 * a length-bounded substring: no strtoull on an unterminated item, no locale.
 */
#include <string.h>

#include "sim_int.h"

struct param_row {
	struct dmab_sim_param_info info;
	size_t off;
	unsigned flags;
};

static const struct param_row params[] = {
#define SIM__PROW(name, min, max, flags, help) \
	{ { #name, help, (uint64_t)(min), (uint64_t)(max) }, offsetof(struct sim_params, name), flags },
	SIM_PARAM_TABLE(SIM__PROW)
#undef SIM__PROW
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))

struct sim_profile {
	const char *name;
	const char *summary;
	struct sim_params p;
};

/*
 * mcu: a Cortex-M33/M7-class part: 32-bit AHB (4-byte beats, 4-beat bursts
 * that may not cross 1 KiB, the AHB rule), 16-bit transfer counters
 * (max_xfer 65535), byte addressing with a penalty for unaligned beats,
 * 32-byte lines of a small write-back D-cache, 100 MHz.
 * soc: an application SoC: 128-bit AXI (16-byte beats, 16-beat bursts split
 * at 1 KiB), 64-byte lines, a 32-bit DMA master with DRAM above 4 GiB (so
 * streaming buffers bounce), 4-byte address alignment, 800 MHz.
 * soc-coherent: the same behind a snooping interconnect (ACE-lite/CCI):
 * no maintenance needed, each line of normal memory costs a snoop.
 */
static const struct sim_profile profiles[] = {
	{ "mcu", "Cortex-M class: 32-bit bus, 4-beat bursts, 32 B lines, write-back cache, 100 MHz",
	  { .clock_hz = 100000000, .bus_width = 4, .burst_len = 4, .cycles_per_beat = 1,
	    .arb_latency = 2, .desc_fetch_cycles = 8, .burst_boundary = 1024,
	    .unaligned_penalty = 2, .channels = 8, .prio_levels = 4, .irq_latency = 12,
	    .cache_line = 32, .coherent = 0, .snoop_cycles_per_line = 0,
	    .clean_cycles_per_line = 4, .dirty_extra_cycles = 8, .inval_cycles_per_line = 2,
	    .dma_mask_bits = 32, .high_mem = 0, .evict_ppm = 0, .max_xfer = 65535,
	    .max_seg = 65535, .seg_boundary = 0, .addr_align = 1, .fifo_depth = 16,
	    .fifo_rate = 4, .fifo_period = 100 } },
	{ "soc", "application SoC: 128-bit bus, 16-beat bursts, 64 B lines, DRAM above 4 GiB, 800 MHz",
	  { .clock_hz = 800000000, .bus_width = 16, .burst_len = 16, .cycles_per_beat = 1,
	    .arb_latency = 4, .desc_fetch_cycles = 24, .burst_boundary = 1024,
	    .unaligned_penalty = 4, .channels = 8, .prio_levels = 4, .irq_latency = 400,
	    .cache_line = 64, .coherent = 0, .snoop_cycles_per_line = 0,
	    .clean_cycles_per_line = 8, .dirty_extra_cycles = 16, .inval_cycles_per_line = 4,
	    .dma_mask_bits = 32, .high_mem = 1, .evict_ppm = 0, .max_xfer = 1u << 24,
	    .max_seg = 65536, .seg_boundary = 1ull << 32, .addr_align = 4, .fifo_depth = 64,
	    .fifo_rate = 16, .fifo_period = 200 } },
	{ "soc-coherent", "soc behind a snooping interconnect: no maintenance, snoops cost cycles",
	  { .clock_hz = 800000000, .bus_width = 16, .burst_len = 16, .cycles_per_beat = 1,
	    .arb_latency = 4, .desc_fetch_cycles = 24, .burst_boundary = 1024,
	    .unaligned_penalty = 4, .channels = 8, .prio_levels = 4, .irq_latency = 400,
	    .cache_line = 64, .coherent = 1, .snoop_cycles_per_line = 2,
	    .clean_cycles_per_line = 8, .dirty_extra_cycles = 16, .inval_cycles_per_line = 4,
	    .dma_mask_bits = 32, .high_mem = 1, .evict_ppm = 0, .max_xfer = 1u << 24,
	    .max_seg = 65536, .seg_boundary = 1ull << 32, .addr_align = 4, .fifo_depth = 64,
	    .fifo_rate = 16, .fifo_period = 200 } },
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

static uint64_t *pfield(struct sim_params *p, size_t i)
{
	return (uint64_t *)(void *)((char *)p + params[i].off);
}
static uint64_t pget(const struct sim_params *p, size_t i)
{
	uint64_t v;
	memcpy(&v, (const char *)p + params[i].off, sizeof(v));
	return v;
}

/* ---- public listing API ----------------------------------------------------- */

size_t dmab_sim_param_count(void)
{
	return NPARAMS;
}

const struct dmab_sim_param_info *dmab_sim_param_at(size_t i)
{
	return i < NPARAMS ? &params[i].info : NULL;
}

size_t dmab_sim_profile_count(void)
{
	return NPROFILES;
}

const char *dmab_sim_profile_name(size_t i)
{
	return i < NPROFILES ? profiles[i].name : NULL;
}

const char *dmab_sim_profile_summary(size_t i)
{
	return i < NPROFILES ? profiles[i].summary : NULL;
}

/* ---- small string helpers (no snprintf: this runs on bare metal too) --------- */

void sim__put_str(char *buf, size_t len, size_t *at, const char *s)
{
	for (; *s; s++, (*at)++)
		if (buf && *at + 1 < len)
			buf[*at] = *s;
	if (buf && len)
		buf[*at < len ? *at : len - 1] = '\0';
}

void sim__put_u64(char *buf, size_t len, size_t *at, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + (int)(v % 10u));
		v /= 10u;
	} while (v);
	char out[24];
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	sim__put_str(buf, len, at, out);
}

int sim__describe_params(const struct sim_params *p, char *buf, size_t len, size_t *at,
			 char sep)
{
	char s[2] = { sep, '\0' };
	for (size_t i = 0; i < NPARAMS; i++) {
		if (i)
			sim__put_str(buf, len, at, s);
		sim__put_str(buf, len, at, params[i].info.name);
		sim__put_str(buf, len, at, "=");
		sim__put_u64(buf, len, at, pget(p, i));
	}
	return 0;
}

int dmab_sim_profile_format(size_t i, char *buf, size_t len)
{
	if (i >= NPROFILES)
		return DMAB_EINVAL;
	size_t at = 0;
	if (buf && len)
		buf[0] = '\0';
	sim__describe_params(&profiles[i].p, buf, len, &at, ',');
	return at > INT32_MAX ? DMAB_ERANGE : (int)at;
}

int dmab_sim_profile_param(size_t i, const char *name, uint64_t *out)
{
	if (i >= NPROFILES || !name || !out)
		return DMAB_EINVAL;
	for (size_t k = 0; k < NPARAMS; k++)
		if (strcmp(params[k].info.name, name) == 0) {
			*out = pget(&profiles[i].p, k);
			return 0;
		}
	return DMAB_EINVAL;
}

/* ---- fault specs ---------------------------------------------------------------- */

static size_t span_until(const char *s, size_t n, const char *stops)
{
	size_t i = 0;
	while (i < n && !strchr(stops, s[i]))
		i++;
	return i;
}

int dmab_sim_fault_parse(const char *spec, size_t len, struct dmab_fault *out)
{
	if (!spec || !out)
		return DMAB_EINVAL;
	memset(out, 0, sizeof(*out));
	size_t k = span_until(spec, len, ":@/");
	char name[24];
	if (k == 0 || k >= sizeof(name))
		return DMAB_EINVAL;
	memcpy(name, spec, k);
	name[k] = '\0';
	int kind = dmab_fault_parse(name);
	if (kind < 0)
		return DMAB_EINVAL;
	out->kind = (enum dmab_fault_kind)kind;
	int have_rate = 0;
	size_t i = k;
	while (i < len) {
		char c = spec[i++];
		size_t m = span_until(spec + i, len - i, ":@/");
		uint64_t v;
		if (c == ':') {
			if (have_rate || dmab_parse_u64(spec + i, m, 0, &v) || v > 1000000u)
				return DMAB_EINVAL;
			out->rate_ppm = (uint32_t)v;
			have_rate = 1;
		} else if (c == '@') {
			if (out->nth || dmab_parse_u64(spec + i, m, 0, &v) || v == 0)
				return DMAB_EINVAL;
			out->nth = v;
		} else if (c == '/') {
			size_t dash = span_until(spec + i, m, "-");
			uint64_t lo, hi;
			if (dash >= m || dmab_parse_u64(spec + i, dash, 1, &lo) ||
			    dmab_parse_u64(spec + i + dash + 1, m - dash - 1, 1, &hi) || hi <= lo ||
			    out->range_hi)
				return DMAB_EINVAL;
			out->range_lo = lo;
			out->range_hi = hi;
		} else {
			return DMAB_EINVAL;
		}
		i += m;
	}
	if (!have_rate && !out->nth)
		out->rate_ppm = 1000000u;
	return 0;
}

int dmab_sim_faults_parse(const char *list, struct dmab_fault *out, size_t max)
{
	if (!list || (!out && max))
		return DMAB_EINVAL;
	size_t n = 0, len = strlen(list), i = 0;
	while (i < len) {
		size_t m = span_until(list + i, len - i, ",");
		if (m) {
			if (n >= max)
				return DMAB_ENOSPC;
			if (dmab_sim_fault_parse(list + i, m, &out[n]))
				return DMAB_EINVAL;
			n++;
		}
		i += m + 1;
	}
	return (int)n;
}

/* ---- configuration --------------------------------------------------------------- */

static void set_msg(struct sim *s, const char *a, const char *b, size_t blen, const char *c)
{
	size_t at = 0, n = sizeof(s->msg);
	sim__put_str(s->msg, n, &at, "sim: ");
	sim__put_str(s->msg, n, &at, a);
	for (size_t i = 0; b && i < blen; i++, at++)
		if (at + 1 < n)
			s->msg[at] = b[i];
	if (at < n)
		s->msg[at] = '\0';
	sim__put_str(s->msg, n, &at, c);
}

static int arm(struct sim *s, const char *spec, size_t len)
{
	struct dmab_fault f;
	if (dmab_sim_fault_parse(spec, len, &f)) {
		set_msg(s, "bad fault spec '", spec, len,
			"' (want kind[:rate_ppm][@nth][/lo-hi])");
		return DMAB_EINVAL;
	}
	s->fault[f.kind] = f;
	s->armed[f.kind] = 1;
	return 0;
}

static int check_params(struct sim *s)
{
	const struct sim_params *p = &s->p;
	for (size_t i = 0; i < NPARAMS; i++) {
		uint64_t v = pget(p, i);
		const struct param_row *r = &params[i];
		int bad = v < r->info.min || v > r->info.max;
		if ((r->flags & SIM_POW2) && (v & (v - 1)))
			bad = 1;
		if ((r->flags & SIM_POW2_OR_0) && v && (v & (v - 1)))
			bad = 1;
		if (bad) {
			set_msg(s, "parameter ", r->info.name, strlen(r->info.name),
				r->flags ? " out of range or not a power of two" : " out of range");
			return DMAB_EINVAL;
		}
	}
	if (p->fifo_rate > p->fifo_depth / 2) {
		set_msg(s, "fifo_rate must be at most fifo_depth / 2", NULL, 0, "");
		return DMAB_EINVAL;
	}
	if (p->burst_boundary && p->burst_boundary < p->bus_width) {
		set_msg(s, "burst_boundary must be 0 or at least bus_width", NULL, 0, "");
		return DMAB_EINVAL;
	}
	return 0;
}

int sim__configure(struct sim *s, const char *profile, const char *options)
{
	size_t pi = 0;
	if (profile && *profile) {
		for (pi = 0; pi < NPROFILES; pi++)
			if (strcmp(profiles[pi].name, profile) == 0)
				break;
		if (pi == NPROFILES) {
			set_msg(s, "unknown profile '", profile, strlen(profile),
				"' (mcu, soc, soc-coherent; see dmabench list)");
			return DMAB_EINVAL;
		}
	}
	s->p = profiles[pi].p;
	s->profile = profiles[pi].name;
	if (!options)
		return check_params(s);

	size_t len = strlen(options), i = 0;
	int in_inject = 0;
	while (i < len) {
		const char *item = options + i;
		size_t m = span_until(item, len - i, ",");
		i += m + 1;
		if (m == 0)
			continue;
		size_t eq = span_until(item, m, "=");
		if (eq == m) {
			/* "inject=a,b": items without '=' continue the list. */
			if (in_inject) {
				if (arm(s, item, m))
					return DMAB_EINVAL;
				continue;
			}
			set_msg(s, "option '", item, m, "' is not key=value");
			return DMAB_EINVAL;
		}
		in_inject = 0;
		if (eq == 6 && memcmp(item, "inject", 6) == 0) {
			in_inject = 1;
			if (m > 7 && arm(s, item + 7, m - 7))
				return DMAB_EINVAL;
			continue;
		}
		size_t k;
		for (k = 0; k < NPARAMS; k++)
			if (strlen(params[k].info.name) == eq &&
			    memcmp(params[k].info.name, item, eq) == 0)
				break;
		if (k == NPARAMS) {
			set_msg(s, "unknown option '", item, eq, "' (see dmabench list)");
			return DMAB_EINVAL;
		}
		uint64_t v;
		if (dmab_parse_u64(item + eq + 1, m - eq - 1, 1, &v)) {
			set_msg(s, "bad number in '", item, m, "'");
			return DMAB_EINVAL;
		}
		*pfield(&s->p, k) = v;
	}
	return check_params(s);
}
