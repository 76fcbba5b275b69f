/*
 * harness/core/point.c: hx_point_defaults, the default point from
 * HX_DIM_TABLE, and hx_dev_open, which opens the device a point (or a
 * stress run) names.
 *
 * Each row's default string is a list; the default point takes its first
 * value. The row's type selects a small parser here (one per type, named
 * after it, so the X-macro expands to a direct call), and offsetof places
 * the value, so a new dimension needs no change in this file. The full
 * flag and job-file syntax (lists, ranges, "auto", error messages) is the
 * CLI's (harness/core/parse.c); this only has to read the table's own
 * defaults, which test_run checks. O(length of the defaults).
 *
 * hx_dev_open is the one place that turns a point's backend, profile,
 * OPTIONS and seed into a dmab_dev_cfg, so the sweep, stress, the CLI's
 * up-front check and `info` cannot disagree on it. The OPTIONS syntax is
 * the library's ("key=val;key=val"), so the value passes unchanged, and
 * the library says why it refused (dmab_dev_open_why): one open, no log
 * callback, no probing item by item.
 */
#include <stddef.h>
#include <string.h>

#include "core/core.h"

/* Length of the first list element (up to ',' or a range's ':'). */
static size_t first_len(const char *s, int stop_at_colon)
{
	size_t n = 0;
	while (s[n] && s[n] != ',' && !(stop_at_colon && s[n] == ':'))
		n++;
	return n;
}

/* Decimal number followed by a suffix from `units` (with its multiplier). */
struct unit {
	const char *name;
	uint64_t mult;
};

static int num_unit(const char *s, size_t n, const struct unit *units, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	if (n == 0)
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i == n) {
		*out = v;
		return 0;
	}
	for (const struct unit *u = units; u && u->name; u++) {
		if (strlen(u->name) == n - i && memcmp(u->name, s + i, n - i) == 0) {
			if (v && u->mult > UINT64_MAX / v)
				return -1;
			*out = v * u->mult;
			return 0;
		}
	}
	return -1;
}

static const struct unit size_units[] = {
	{ "K", 1ull << 10 }, { "M", 1ull << 20 }, { "G", 1ull << 30 }, { NULL, 0 }
};
static const struct unit time_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 }, { NULL, 0 }
};

#define FIELD(pt, off, type) ((type *)(void *)((char *)(pt) + (off)))

static int def_U64(struct hx_point *pt, size_t off, const char *d)
{
	return num_unit(d, first_len(d, 1), NULL, FIELD(pt, off, uint64_t));
}
static int def_SIZE(struct hx_point *pt, size_t off, const char *d)
{
	return num_unit(d, first_len(d, 1), size_units, FIELD(pt, off, uint64_t));
}
static int def_TIME(struct hx_point *pt, size_t off, const char *d)
{
	return num_unit(d, first_len(d, 1), time_units, FIELD(pt, off, uint64_t));
}

static int set_enum(struct hx_point *pt, size_t off, int v)
{
	if (v < 0)
		return -1;
	*FIELD(pt, off, int) = v;
	return 0;
}
static int def_XFER(struct hx_point *pt, size_t off, const char *d)
{
	return set_enum(pt, off, hx_xfer_parse_n(d, first_len(d, 0)));
}
static int def_POOL(struct hx_point *pt, size_t off, const char *d)
{
	return set_enum(pt, off, hx_pool_parse_n(d, first_len(d, 0)));
}
static int def_CACHE(struct hx_point *pt, size_t off, const char *d)
{
	return set_enum(pt, off, hx_cache_parse_n(d, first_len(d, 0)));
}
static int def_PRIO(struct hx_point *pt, size_t off, const char *d)
{
	return set_enum(pt, off, hx_prio_parse_n(d, first_len(d, 0)));
}

/* Text: the first list element, as is (the defaults are the table's own). */
static int def_STR(struct hx_point *pt, size_t off, const char *d)
{
	size_t n = first_len(d, 0);
	if (n >= HX_STR_MAX)
		return -1;
	memcpy(FIELD(pt, off, char), d, n);
	FIELD(pt, off, char)[n] = '\0';
	return 0;
}

/* "name[:profile]" into backend and profile. */
static int def_BACKEND(struct hx_point *pt, size_t off, const char *d)
{
	(void)off;
	size_t n = first_len(d, 0), b = first_len(d, 1);
	if (b == 0 || b >= HX_NAME_MAX || (n > b && n - b - 1 >= HX_NAME_MAX))
		return -1;
	memcpy(pt->backend, d, b);
	pt->backend[b] = '\0';
	if (n > b) {
		memcpy(pt->profile, d + b + 1, n - b - 1);
		pt->profile[n - b - 1] = '\0';
	} else {
		pt->profile[0] = '\0';
	}
	return 0;
}

int hx_point_defaults(struct hx_point *pt)
{
	if (!pt)
		return DMAB_EINVAL;
	memset(pt, 0, sizeof(*pt));
	pt->inject = NULL;
#define HX__DEF(id, name, col, type, field, def, help)                          \
	if (def_##type(pt, offsetof(struct hx_point, field), def) < 0)       \
		return DMAB_EINVAL;
	HX_DIM_TABLE(HX__DEF)
#undef HX__DEF
	return 0;
}

/* ---- opening the device ----------------------------------------------------- */

int hx_dev_open(const struct dmab_backend_ops *ops, const char *profile, const char *options,
		uint64_t seed, struct dmab_dev **dev, char *why, size_t n)
{
	return hx_dev_open_log(ops, profile, options, seed, NULL, NULL, dev, why, n);
}

int hx_dev_open_log(const struct dmab_backend_ops *ops, const char *profile, const char *options,
		    uint64_t seed, dmab_log_fn log, void *log_ctx, struct dmab_dev **dev, char *why, size_t n)
{
	if (why && n)
		why[0] = '\0';
	if (!dev)
		return DMAB_EINVAL;
	*dev = NULL;
	if (!ops)
		return DMAB_EINVAL;
	struct dmab_dev_cfg cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.ops = ops;
	cfg.profile = profile && *profile ? profile : NULL;
	cfg.options = options && *options ? options : NULL;
	cfg.seed = seed;
	cfg.log = log;
	cfg.log_ctx = log_ctx;
	return dmab_dev_open_why(&cfg, dev, why, n);
}

int hx_dev_drain(struct dmab_dev *dev, unsigned max)
{
	for (unsigned k = 0; k < max; k++) {
		int rc = dmab_dev_poll(dev, 0);
		if (rc <= 0)
			return rc < 0 ? rc : 0;
	}
	return 0;
}
