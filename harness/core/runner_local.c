/*
 * harness/core/runner_local.c: the in-process runner (runner.h): points
 * run through hx_run_point on the backends of this build. check and
 * describe open the device once each (O(1) opens per configuration, before
 * the sweep measures anything); run_point adds nothing to a point's cost.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/runner.h"

static int local_check(const struct hx_runner *r, const struct hx_backend_spec *b, const char *options,
		       char *why, size_t n)
{
	(void)r;
	const struct dmab_backend_ops *ops = dmab_registry_find(b->name);
	struct dmab_dev *dev = NULL;
	int rc = hx_dev_open(ops, b->profile, options, 1, &dev, why, n);
	if (rc == 0)
		dmab_dev_close(dev, NULL);
	return rc;
}

/* Appends " key{text}" when text is not empty. */
static size_t part(char *buf, size_t n, size_t used, const char *key, const char *text)
{
	if (!text[0] || used >= n)
		return used;
	int w = snprintf(buf + used, n - used, " %s{%s}", key, text);
	return used + (w > 0 ? (size_t)w : 0);
}

static void local_describe(const struct hx_runner *r, const struct hx_backend_spec *b, const char *opts,
			   char *buf, size_t n)
{
	(void)r;
	const struct dmab_backend_ops *ops = dmab_registry_find(b->name);
	const struct dmab_profile *named = dmab_profile_find(ops, b->profile);
	const char *prof = named ? named->name : b->profile; /* "" = the default */
	int w = snprintf(buf, n, "%s%s%s", b->name, *prof ? ":" : "", prof);
	size_t used = w > 0 ? (size_t)w : 0;
	used = part(buf, n, used, "options", opts);
	if (!ops || used >= n)
		return;
	char params[2048], desc[1536], clock[96];
	params[0] = desc[0] = clock[0] = '\0';
	void *p = calloc(1, ops->option_struct_size ? ops->option_struct_size : 1);
	if (p && dmab_options_parse(ops, b->profile, opts, p, NULL, 0) == 0 &&
	    dmab_options_format(ops, p, params, sizeof params) < 0)
		params[0] = '\0';
	free(p);
	struct dmab_dev *dev = NULL;
	if (!(ops->unavailable && ops->unavailable()) && hx_dev_open(ops, b->profile, opts, 1, &dev, NULL, 0) == 0) {
		if (!ops->describe || ops->describe(dmab_dev_priv(dev), desc, sizeof desc) < 0)
			desc[0] = '\0';
		const struct dmab_reqs *q = dmab_dev_reqs(dev);
		snprintf(clock, sizeof clock, "%s@%lluHz", q->clock_name ? q->clock_name : "?",
			 (unsigned long long)q->clock_hz);
		dmab_dev_close(dev, NULL);
	}
	used = part(buf, n, used, "params", params);
	used = part(buf, n, used, "describe", desc);
	used = part(buf, n, used, "clock", clock);
	/* the profile's summary says where its figures come from (invented,
	 * or calibrated against which document, to what accuracy) */
	const struct dmab_profile *def = named ? named : dmab_profile_find(ops, NULL);
	if (def && def->summary)
		part(buf, n, used, "profile", def->summary);
}

static int local_run_point(const struct hx_runner *r, const struct hx_point *pt, const struct hx_platform *plat,
			   struct hx_result *res)
{
	(void)r;
	return hx_run_point(pt, plat, res);
}

const struct hx_runner hx_runner_local = {
	.name = "local",
	.summary = "in this process, on the backends built into this program",
	.check = local_check,
	.describe = local_describe,
	.run_point = local_run_point,
};
