/*
 * test_run.c: hx_run_point on the host and sim backends, plus the name
 * tables, the default point and the buffer layout.
 *
 * Points are small (a few KiB, a few dozen transfers) so the whole file
 * runs in well under a second; the properties checked are the ones the
 * CSV's readers rely on: ok rows have coherent metrics, the sim is
 * deterministic, missing maintenance is measured as verification failures
 * and correct maintenance gives none, impossible combinations are skipped
 * with a reason naming the culprit, deadlines are missed by a starved
 * low-priority channel, every piece starts aligned to exactly A, and the
 * options dimension reaches the backend (hx_dev_open), changing its
 * requirements and results, with refused options named.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "host_plat.h"
#include "t.h"

static int run(const struct hx_point *pt, struct hx_result *res)
{
	return hx_run_point(pt, &t_host_plat, res);
}

/* ---- tables ---------------------------------------------------------------- */

static void test_names_and_parse(void)
{
	T_EQ_STR(hx_pool_name(HX_POOL_MULTI), "multi");
	T_EQ_STR(hx_cache_name(HX_CACHE_NONE), "none");
	T_EQ_STR(hx_xfer_name(DMAB_DEV2MEM), "dev2mem");
	T_EQ_STR(hx_prio_name(DMAB_PRIO_URGENT), "urgent");
	T_EQ_STR(hx_pool_name(-1), "?");
	T_EQ_STR(hx_cache_name(HX_CACHE__COUNT), "?");
	T_EQ_INT(hx_pool_parse("coherent"), HX_POOL_COHERENT);
	T_EQ_INT(hx_cache_parse("bounce"), HX_CACHE_BOUNCE);
	T_EQ_INT(hx_xfer_parse("mem2dev"), DMAB_MEM2DEV);
	T_EQ_INT(hx_prio_parse("low"), DMAB_PRIO_LOW);
	T_EQ_INT(hx_prio_parse("LOW"), -1);
	T_EQ_INT(hx_pool_parse(""), -1);
	T_EQ_INT(hx_pool_parse(NULL), -1);
	T_EQ_INT(hx_cache_parse_n("sync,none", 4), HX_CACHE_SYNC);
	T_EQ_INT(hx_cache_parse_n("syn", 3), -1);
	T_EQ_STR(hx_status_name(HX_SKIPPED), "skipped");
	T_EQ_INT(hx_status_parse("failed"), HX_FAILED);
	T_EQ_INT(hx_status_parse("nope"), -1);
	T_EQ_INT(hx_metric_find("lat_p99_ns"), HX_M_LAT_P99);
	T_EQ_INT(hx_metric_find("verify_failures"), HX_M_VERIFY);
	T_EQ_INT(hx_metric_find("lat_p99"), -1);
	T_EQ_STR(hx_metrics[HX_M_THROUGHPUT].column, "throughput_MBps");
	T_EQ_INT(hx_metrics[HX_M_ALLOC].kind, HX_MK_CPU);
	T_EQ_STR(hx_mkind_name(HX_MK_COUNT), "count");
	T_EQ_STR(hx_better_name(HX_HIGHER), "higher");
	/* one vf_ column per verdict, named by the verdict table */
	for (int v = 0; v < HX_V__COUNT; v++)
		T_EQ_STR(hx_metrics[HX_M_VF_OK + v].column, hx_verdict_column((enum hx_verdict)v));
	T_EQ_INT(hx_cache_parse("partial-line"), HX_CACHE_PARTIAL_LINE);
	T_EQ_STR(hx_cache_name(HX_CACHE_WRONG_ORDER), "wrong-order");
	T_EQ_INT(hx_cache_deliberate(HX_CACHE_NONE), 1);
	T_EQ_INT(hx_cache_deliberate(HX_CACHE_NO_INVAL), 1);
	T_EQ_INT(hx_cache_deliberate(HX_CACHE_SYNC), 0);
	T_EQ_INT(hx_cache_deliberate(-1), 0);
	T_EQ_INT(hx_cache_policies[HX_CACHE_BOUNCE].flags_src, DMAB_MAP_FORCE_BOUNCE);
	/* every metric column carries a unit or is a count, and is unique */
	for (int i = 0; i < HX_M__COUNT; i++)
		for (int j = i + 1; j < HX_M__COUNT; j++)
			T_TRUE(strcmp(hx_metrics[i].column, hx_metrics[j].column) != 0);
}

static void test_point_defaults(void)
{
	struct hx_point pt;
	memset(&pt, 0xab, sizeof(pt));
	T_EQ_INT(hx_point_defaults(&pt), 0);
	T_EQ_STR(pt.backend, "sim");
	T_EQ_STR(pt.profile, "");
	T_EQ_INT(pt.transfer, DMAB_MEM2MEM);
	T_EQ_U(pt.size, 64);
	T_EQ_U(pt.align, 64);
	T_EQ_INT(pt.pool, HX_POOL_HEAP);
	T_EQ_INT(pt.cache, HX_CACHE_COHERENT);
	T_EQ_U(pt.sg, 1);
	T_EQ_U(pt.channels, 1);
	T_EQ_INT(pt.priority, DMAB_PRIO_HIGH);
	T_EQ_U(pt.qdepth, 4);
	T_EQ_U(pt.deadline_ns, 100000); /* the default sweep carries a deadline */
	T_EQ_U(pt.seed, 1);
	T_EQ_U(pt.reps, 64);
	T_EQ_U(pt.warmup, 4);
	T_EQ_U(pt.min_time_ns, 0);
	T_NULL(pt.inject);
	T_EQ_STR(pt.options, ""); /* the profile as it is */
	T_EQ_INT(hx_point_defaults(NULL), DMAB_EINVAL);
}

/* ---- backend options ---------------------------------------------------------- */

static void test_dev_open_options(void)
{
	const struct dmab_backend_ops *sim = dmab_registry_find("sim");
	const struct dmab_backend_ops *host = dmab_registry_find("host");
	struct dmab_dev *dev = NULL;
	char why[160];
	T_NOT_NULL(sim);
	T_NOT_NULL(host);
	/* the options reach the backend: its requirements change */
	T_EQ_INT(hx_dev_open(sim, "mcu", "", 1, &dev, why, sizeof(why)), 0);
	T_EQ_U(dmab_dev_reqs(dev)->cache_line, 32);
	T_EQ_U(dmab_dev_reqs(dev)->addr_align, 1);
	dmab_dev_close(dev, NULL);
	T_EQ_INT(hx_dev_open(sim, "mcu", "cache_line=128; addr_align=8", 1, &dev, why, sizeof(why)), 0);
	T_EQ_U(dmab_dev_reqs(dev)->cache_line, 128);
	T_EQ_U(dmab_dev_reqs(dev)->addr_align, 8);
	T_EQ_U(dmab_dev_reqs(dev)->clock_hz, 100000000); /* the rest is mcu's */
	dmab_dev_close(dev, NULL);
	/* refused options: the library's code, no device, why names the item
	 * as the library words it (no backend prefix) */
	dev = (struct dmab_dev *)why;
	T_EQ_INT(hx_dev_open(sim, "soc", "burst_len=4;burst_lenx=4", 1, &dev, why, sizeof(why)),
		 DMAB_EINVAL);
	T_NULL(dev);
	if (strncmp(why, "unknown option 'burst_lenx'; known: clock_hz, ", 46) != 0)
		T__FAIL_FMT("why \"%s\" does not name burst_lenx", why);
	T_EQ_INT(hx_dev_open(sim, "soc", "burst_len=999", 1, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "burst_len=999: out of range 1..256");
	T_EQ_INT(hx_dev_open(sim, "soc", "a=1,b=2", 1, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "a=1,b=2: ',' does not separate options (join items with ';')");
	T_EQ_INT(hx_dev_open(sim, "soc", "burst_len=4,burst_len=8", 1, &dev, why, sizeof(why)),
		 DMAB_EINVAL);
	T_EQ_STR(why, "burst_len=4,burst_len=8: ',' does not separate options (join items with ';')");
	/* the sim's own rule across two parameters */
	T_EQ_INT(hx_dev_open(sim, "soc", "fifo_rate=64", 1, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "fifo_rate must be at most fifo_depth / 2");
	/* the host: the same parser, the same precision, the first bad item */
	T_EQ_INT(hx_dev_open(host, NULL, "line=128;frobs=2;align=3", 1, &dev, why, sizeof(why)),
		 DMAB_EINVAL);
	T_EQ_STR(why, "unknown option 'frobs'; known: coherent, line, mask, high, channels, "
		      "max_xfer, max_seg, boundary, align, fail_nth, log_nth");
	T_EQ_INT(hx_dev_open(host, NULL, "line=128;align=3", 1, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_STR(why, "align=3: not a power of two");
	T_EQ_INT(hx_dev_open(host, NULL, "line=128", 1, &dev, NULL, 0), 0);
	T_EQ_U(dmab_dev_reqs(dev)->cache_line, 128);
	dmab_dev_close(dev, NULL);
	T_EQ_INT(hx_dev_open(NULL, NULL, NULL, 1, &dev, why, sizeof(why)), DMAB_EINVAL);
	T_EQ_INT(hx_dev_open(sim, NULL, NULL, 1, NULL, why, sizeof(why)), DMAB_EINVAL);
}

static void test_sim_options_change_the_result(void)
{
	struct hx_point pt;
	struct hx_result a, b;
	t_base_point(&pt, "sim", "soc");
	pt.size = 65536;
	pt.reps = 8;
	snprintf(pt.options, sizeof(pt.options), "burst_len=4");
	T_EQ_INT(run(&pt, &a), 0);
	T_EQ_INT(a.status, HX_OK);
	snprintf(pt.options, sizeof(pt.options), "burst_len=16");
	T_EQ_INT(run(&pt, &b), 0);
	T_EQ_INT(b.status, HX_OK);
	/* longer bursts: fewer bus grants for the same bytes */
	T_GT_U(b.v[HX_M_THROUGHPUT], a.v[HX_M_THROUGHPUT] * 1.2);
	T_EQ_U(b.v[HX_M_BYTES], a.v[HX_M_BYTES]);
	/* an option that changes a requirement changes what the point can do */
	t_base_point(&pt, "sim", "soc");
	snprintf(pt.options, sizeof(pt.options), "addr_align=128");
	T_EQ_INT(run(&pt, &a), 0);
	T_EQ_INT(a.status, HX_SKIPPED);
	T_TRUE(strstr(a.reason, "align 64") != NULL);
	pt.options[0] = '\0';
	T_EQ_INT(run(&pt, &a), 0);
	T_EQ_INT(a.status, HX_OK);
	/* options the backend refuses fail the row, naming the key */
	snprintf(pt.options, sizeof(pt.options), "burst_lenx=4");
	T_EQ_INT(run(&pt, &a), 0);
	T_EQ_INT(a.status, HX_FAILED);
	if (!strstr(a.reason, "options refused: unknown option 'burst_lenx'"))
		T__FAIL_FMT("reason \"%s\"", a.reason);
	T_FALSE(a.has[HX_M_THROUGHPUT]);
}

static void test_layout_exact_alignment(void)
{
	struct hx_piece p[8];
	size_t blk = 0;
	for (size_t a = 1; a <= 8192; a *= 2) {
		for (unsigned n = 1; n <= 8; n *= 2) {
			T_EQ_INT(hx_layout(10000, a, n, 1, p, &blk), 0);
			size_t total = 0, end = 0;
			for (unsigned i = 0; i < n; i++) {
				/* block aligned to 2a: offset = a (mod 2a) is exactly a */
				T_EQ_U(p[i].off % a, 0);
				T_EQ_U(p[i].off % (2 * a), a);
				/* room for the guards, before and between */
				T_GE_U(p[i].off, end + (i ? 2 : 1) * HX_GUARD_BYTES);
				T_EQ_U(p[i].pos0, total);
				total += p[i].len;
				end = p[i].off + p[i].len;
			}
			T_EQ_U(total, 10000);
			T_EQ_U(blk, end + HX_GUARD_BYTES);
		}
	}
	/* granules: pieces are whole granules, the last takes the rest */
	T_EQ_INT(hx_layout(100, 4, 3, 8, p, &blk), 0);
	T_EQ_U(p[0].len, 32);
	T_EQ_U(p[1].len, 32);
	T_EQ_U(p[2].len, 36);
	T_EQ_INT(hx_layout(7, 4, 8, 1, p, &blk), DMAB_ERANGE);
	T_EQ_INT(hx_layout(100, 3, 1, 1, p, &blk), DMAB_EINVAL);
	T_EQ_INT(hx_layout(100, 4, 0, 1, p, &blk), DMAB_EINVAL);
}

/* ---- host backend ------------------------------------------------------------ */

static void check_ok_row(const struct hx_point *pt, const struct hx_result *res)
{
	T_EQ_INT(res->status, HX_OK);
	T_EQ_U(res->has[HX_M_TRANSFERS], 1);
	T_EQ_U(res->v[HX_M_TRANSFERS], pt->reps * pt->channels);
	T_EQ_U(res->v[HX_M_BYTES], pt->reps * pt->channels * pt->size);
	T_TRUE(res->has[HX_M_THROUGHPUT]);
	T_GT_U(res->v[HX_M_THROUGHPUT] * 1000, 0);
	T_TRUE(res->has[HX_M_LAT_P50] && res->has[HX_M_LAT_MAX]);
	T_GT_U(res->v[HX_M_LAT_P50], 0);
	T_LE_U(res->v[HX_M_LAT_P50], res->v[HX_M_LAT_P90]);
	T_LE_U(res->v[HX_M_LAT_P90], res->v[HX_M_LAT_P99]);
	T_LE_U(res->v[HX_M_LAT_P99], res->v[HX_M_LAT_P999]);
	T_LE_U(res->v[HX_M_LAT_P999], res->v[HX_M_LAT_MAX]);
	T_TRUE(res->has[HX_M_XFER]);
	T_GT_U(res->v[HX_M_XFER], 0);
	T_LE_U(res->v[HX_M_XFER], res->v[HX_M_LAT_MAX]);
	T_TRUE(res->has[HX_M_ALLOC] && res->has[HX_M_PREP] && res->has[HX_M_MAINT]);
	T_EQ_U(res->v[HX_M_ERRORS], 0);
	T_EQ_U(res->v[HX_M_VERIFY], 0);
	T_EQ_U(res->v[HX_M_GUARD], 0);
	T_TRUE(res->has[HX_M_POOL_HWM]);
	T_GE_U(res->v[HX_M_POOL_HWM], 2);
	T_EQ_STR(res->cpu_clock, "CLOCK_MONOTONIC");
	T_EQ_STR(res->reason, "");
}

static void test_host_ok_rows(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "host", "");
	for (int pool = 0; pool < HX_POOL__COUNT; pool++) {
		for (int cache = 0; cache < HX_CACHE__COUNT; cache++) {
			if (cache == HX_CACHE_UNCACHED || (pool == HX_POOL_COHERENT && cache != HX_CACHE_COHERENT))
				continue;
			pt.pool = pool;
			pt.cache = cache;
			T_EQ_INT(run(&pt, &res), 0);
			if (res.status != HX_OK)
				printf("  pool %s cache %s: %s\n", hx_pool_name(pool), hx_cache_name(cache), res.reason);
			check_ok_row(&pt, &res);
		}
	}
	/* the host's device clock: 1 tick per ns */
	T_TRUE(strstr(res.clock, "@1GHz") != NULL);
	/* on the host (1 GB/s, 1 tick per byte) the throughput is known */
	pt.pool = HX_POOL_HEAP;
	pt.cache = HX_CACHE_COHERENT;
	pt.qdepth = 1;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_GT_U(res.v[HX_M_THROUGHPUT], 900);
	T_LE_U(res.v[HX_M_THROUGHPUT], 1000);
	T_EQ_U(res.has[HX_M_DEV_CYCLES], 0); /* the host does not report cycles */
	T_EQ_U(res.has[HX_M_DL_MISSES], 0);  /* no deadline, no deadline columns */
}

/* A large alignment rounds the multi pool's three size classes up to one:
 * that class must still hold every buffer in flight (it once kept the
 * count of the smallest class, 2, and the point failed "no space left"). */
static void test_multi_pool_large_align(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "host", "");
	pt.pool = HX_POOL_MULTI;
	pt.cache = HX_CACHE_SYNC;
	pt.align = 4096;
	pt.channels = 2;
	pt.qdepth = 4;
	static const uint64_t sizes[] = { 1, 63, 4095, 4096 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pt.size = sizes[i];
		T_EQ_INT(run(&pt, &res), 0);
		if (res.status != HX_OK)
			T__FAIL_FMT("size %llu align 4096: %s", (unsigned long long)sizes[i], res.reason);
	}
}

/* A transfer that fails when no fault injection was asked for fails the
 * row, naming the device's error record: kind, code, channel, cookie and
 * address. host's fail_nth makes the 5th transaction pass fail. */
static void test_host_unannounced_failure(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "host", "");
	snprintf(pt.options, sizeof(pt.options), "fail_nth=5");
	pt.qdepth = 1;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_FAILED);
	if (!strstr(res.reason, "transfer failed: bus error EBUSERR on channel 0, cookie 5, address 0x"))
		T__FAIL_FMT("reason: %s", res.reason);
	T_EQ_INT(hx_result_is_failure(&pt, &res), 1);
	/* control: a failure past the run's last transfer changes nothing */
	snprintf(pt.options, sizeof(pt.options), "fail_nth=100000");
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
}

/* A problem the backend reports only through its log (as udmabuf does
 * for a failed sync ioctl) fails the row, naming it; host's log_nth logs
 * one on the 3rd transaction pass and completes it normally. */
static void test_backend_log_fails_the_row(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "host", "");
	snprintf(pt.options, sizeof(pt.options), "log_nth=3");
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_FAILED);
	if (!strstr(res.reason, "backend host logged 1 error, the first: log_nth: an error only the log reports"))
		T__FAIL_FMT("reason: %s", res.reason);
	/* control: past the run's last transfer, nothing is logged */
	snprintf(pt.options, sizeof(pt.options), "log_nth=100000");
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
}

static void test_host_skips_name_the_culprit(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "host", "");
	/* uncached memory: the host has none */
	pt.cache = HX_CACHE_UNCACHED;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_SKIPPED);
	T_TRUE(strstr(res.reason, "uncached") != NULL);
	T_TRUE(strstr(res.reason, "host") != NULL);
	for (int m = 0; m < HX_M__COUNT; m++)
		T_EQ_U(res.has[m], 0);
	/* pool coherent with cache sync: names both values */
	t_base_point(&pt, "host", "");
	pt.pool = HX_POOL_COHERENT;
	pt.cache = HX_CACHE_SYNC;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_SKIPPED);
	T_TRUE(strstr(res.reason, "pool coherent") != NULL);
	T_TRUE(strstr(res.reason, "cache sync") != NULL);
	/* device transfers: the host has no peripherals */
	t_base_point(&pt, "host", "");
	pt.transfer = DMAB_MEM2DEV;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_SKIPPED);
	T_TRUE(strstr(res.reason, "mem2dev") != NULL);
	/* more channels than the device has */
	t_base_point(&pt, "host", "");
	pt.channels = 1000;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_SKIPPED);
	T_TRUE(strstr(res.reason, "channels 1000") != NULL);
	/* fault injection on a backend without it */
	t_base_point(&pt, "host", "");
	pt.inject = "bitflip";
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_SKIPPED);
	T_TRUE(strstr(res.reason, "inject") != NULL);
}

static void test_misuse_and_bad_points(void)
{
	struct hx_point pt;
	struct hx_result res;
	struct hx_platform noclock = { .cpu_now_ns = NULL };
	t_base_point(&pt, "host", "");
	T_EQ_INT(hx_run_point(NULL, &t_host_plat, &res), DMAB_EINVAL);
	T_EQ_INT(hx_run_point(&pt, NULL, &res), DMAB_EINVAL);
	T_EQ_INT(hx_run_point(&pt, &t_host_plat, NULL), DMAB_EINVAL);
	T_EQ_INT(hx_run_point(&pt, &noclock, &res), DMAB_EINVAL);
	snprintf(pt.backend, sizeof(pt.backend), "nosuch");
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_FAILED);
	T_TRUE(strstr(res.reason, "nosuch") != NULL);
	t_base_point(&pt, "host", "");
	pt.align = 3;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_FAILED);
	T_TRUE(strstr(res.reason, "align") != NULL);
	t_base_point(&pt, "host", "");
	pt.cache = 99;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_FAILED);
	t_base_point(&pt, "sim", "nosuchprofile");
	T_EQ_INT(run(&pt, &res), 0);
	T_NE_INT(res.status, HX_OK);
	T_TRUE(strstr(res.reason, "nosuchprofile") != NULL);
}

static void test_failure_rule(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "host", "");
	hx_result_init(&res);
	T_EQ_INT(hx_result_is_failure(&pt, &res), 0);
	hx_result_set(&res, HX_M_VERIFY, 3);
	T_EQ_INT(hx_result_is_failure(&pt, &res), 1);
	pt.cache = HX_CACHE_NONE; /* expected, measured */
	T_EQ_INT(hx_result_is_failure(&pt, &res), 0);
	for (int c = HX_CACHE_NO_CLEAN; c <= HX_CACHE_PARTIAL_LINE; c++) {
		pt.cache = c; /* the pitfalls too */
		T_EQ_INT(hx_result_is_failure(&pt, &res), 0);
	}
	pt.cache = HX_CACHE_SYNC;
	pt.inject = "bitflip:1%";
	T_EQ_INT(hx_result_is_failure(&pt, &res), 0);
	pt.inject = NULL;
	hx_result_init(&res);
	hx_result_set(&res, HX_M_GUARD, 1);
	T_EQ_INT(hx_result_is_failure(&pt, &res), 1);
	hx_result_init(&res);
	res.status = HX_FAILED;
	T_EQ_INT(hx_result_is_failure(&pt, &res), 1);
	res.status = HX_SKIPPED;
	T_EQ_INT(hx_result_is_failure(&pt, &res), 0);
}

/* ---- sim backend ---------------------------------------------------------------- */

static void test_sim_ok_rows_every_pool_and_policy(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "sim", "mcu");
	for (int pool = 0; pool < HX_POOL__COUNT; pool++) {
		for (int cache = 0; cache < HX_CACHE__COUNT; cache++) {
			if (hx_cache_deliberate(cache) || (pool == HX_POOL_COHERENT && cache != HX_CACHE_COHERENT))
				continue;
			pt.pool = pool;
			pt.cache = cache;
			T_EQ_INT(run(&pt, &res), 0);
			if (res.status != HX_OK)
				printf("  pool %s cache %s: %s\n", hx_pool_name(pool), hx_cache_name(cache), res.reason);
			check_ok_row(&pt, &res);
			T_EQ_U(res.v[HX_M_VF_OK], pt.reps);
			T_TRUE(res.has[HX_M_DEV_CYCLES]);
			T_GT_U(res.v[HX_M_DEV_CYCLES], 0);
		}
	}
	T_EQ_STR(res.clock, "sim-cycles@100MHz");
	/* maintenance costs device time on the non-coherent mcu */
	pt.pool = HX_POOL_HEAP;
	pt.cache = HX_CACHE_SYNC;
	T_EQ_INT(run(&pt, &res), 0);
	T_GT_U(res.v[HX_M_MAINT], 0);
	pt.cache = HX_CACHE_COHERENT;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_U(res.v[HX_M_MAINT], 0);
}

static void test_sim_deterministic(void)
{
	struct hx_point pt;
	struct hx_result a, b;
	t_base_point(&pt, "sim", "mcu");
	pt.cache = HX_CACHE_SYNC;
	pt.pool = HX_POOL_FIXED;
	pt.channels = 3;
	pt.sg = 3;
	pt.align = 4;
	pt.deadline_ns = 20000;
	T_EQ_INT(run(&pt, &a), 0);
	T_EQ_INT(run(&pt, &b), 0);
	T_EQ_INT(a.status, HX_OK);
	T_EQ_INT(b.status, HX_OK);
	T_EQ_STR(a.clock, b.clock);
	for (int m = 0; m < HX_M__COUNT; m++) {
		if (hx_metrics[m].kind == HX_MK_CPU)
			continue;
		T_EQ_U(a.has[m], b.has[m]);
		if (memcmp(&a.v[m], &b.v[m], sizeof(double)) != 0)
			T__FAIL_FMT("metric %s differs: %.17g vs %.17g", hx_metrics[m].column, a.v[m], b.v[m]);
	}
	/* another seed changes the data, not the timing model's validity */
	pt.seed = 2;
	T_EQ_INT(run(&pt, &b), 0);
	T_EQ_INT(b.status, HX_OK);
}

static void test_sim_none_fails_sync_does_not(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "sim", "mcu");
	pt.cache = HX_CACHE_NONE;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK); /* measured, not a failed row */
	T_TRUE(res.has[HX_M_VERIFY]);
	T_GT_U(res.v[HX_M_VERIFY], 0);
	T_TRUE(strstr(res.reason, "maintenance deliberately omitted") != NULL);
	T_EQ_INT(hx_result_is_failure(&pt, &res), 0);
	for (int cache = HX_CACHE_SYNC; cache <= HX_CACHE_BOUNCE; cache++) {
		if (cache == HX_CACHE_UNCACHED)
			continue;
		pt.cache = cache;
		pt.align = 4; /* partial cache lines at both ends */
		T_EQ_INT(run(&pt, &res), 0);
		T_EQ_INT(res.status, HX_OK);
		T_EQ_U(res.v[HX_M_VERIFY], 0);
		T_EQ_U(res.v[HX_M_GUARD], 0);
	}
	/* on a coherent profile no maintenance is needed: none passes */
	t_base_point(&pt, "sim", "soc-coherent");
	pt.cache = HX_CACHE_NONE;
	T_EQ_INT(run(&pt, &res), 0);
	if (res.status == HX_OK) {
		T_EQ_U(res.v[HX_M_VERIFY], 0);
	} else {
		/* normal memory above the DMA mask: only a mapping reaches it */
		T_EQ_INT(res.status, HX_SKIPPED);
		T_TRUE(strstr(res.reason, "none") != NULL);
	}
}

/* Each pitfall policy leaves out or misorders one maintenance step, and
 * the verifier names what that does to every measured transfer on a
 * non-coherent profile: no-clean, the device copies stale source memory
 * (mismatch); no-inval, the CPU reads the stale lines it fetched before
 * the device wrote (mismatch); wrong-order, the CPU's dirty "not yet
 * written" lines land on the device's data (not-copied); partial-line,
 * the neighbours' bytes sharing the window's edge lines are lost
 * (outside-window), which needs a window that shares lines: align below
 * the line, none at 64. none itself reads its own cache (not-copied). On
 * the coherent soc every policy is right. Fixed pools: soc's normal heap
 * memory lies above the DMA mask, which only a mapping reaches. */
static void test_sim_pitfalls_one_at_a_time(void)
{
	static const struct {
		int cache;
		uint64_t align;
		enum hx_metric verdict; /* every measured transfer; HX_M_VF_OK = none fails */
	} cases[] = {
		{ HX_CACHE_NONE, 64, HX_M_VF_NOT_COPIED },
		{ HX_CACHE_NO_CLEAN, 64, HX_M_VF_MISMATCH },
		{ HX_CACHE_NO_INVAL, 64, HX_M_VF_MISMATCH },
		{ HX_CACHE_WRONG_ORDER, 64, HX_M_VF_NOT_COPIED },
		{ HX_CACHE_PARTIAL_LINE, 4, HX_M_VF_OUTSIDE_WINDOW },
		{ HX_CACHE_PARTIAL_LINE, 64, HX_M_VF_OK },
		{ HX_CACHE_NO_CLEAN, 4, HX_M_VF_MISMATCH },     /* shared lines flushed, not lost */
		{ HX_CACHE_NO_INVAL, 4, HX_M_VF_MISMATCH },
		{ HX_CACHE_WRONG_ORDER, 4, HX_M_VF_NOT_COPIED },
	};
	static const char *const profiles[] = { "mcu", "soc", "soc-coherent" };
	struct hx_point pt;
	struct hx_result res;
	for (unsigned p = 0; p < 3; p++) {
		int coherent = p == 2;
		for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			t_base_point(&pt, "sim", profiles[p]);
			pt.pool = HX_POOL_FIXED;
			pt.cache = cases[i].cache;
			pt.align = cases[i].align;
			T_EQ_INT(run(&pt, &res), 0);
			T_EQ_INT(res.status, HX_OK);
			T_EQ_INT(hx_result_is_failure(&pt, &res), 0);
			enum hx_metric want = coherent ? HX_M_VF_OK : cases[i].verdict;
			for (int v = HX_M_VF_OK; v <= HX_M_VF_MISMATCH; v++) {
				T_TRUE(res.has[v]);
				if (res.v[v] != (v == (int)want ? (double)pt.reps : 0.0))
					T__FAIL_FMT("%s cache %s align %llu: %s = %g, want %s = %llu", profiles[p],
						    hx_cache_name(pt.cache), (unsigned long long)pt.align,
						    hx_metrics[v].column, res.v[v], hx_metrics[want].column,
						    (unsigned long long)pt.reps);
			}
			T_EQ_U(res.v[HX_M_VERIFY], want == HX_M_VF_OK ? 0 : pt.reps);
			T_EQ_U(res.v[HX_M_GUARD], want == HX_M_VF_OUTSIDE_WINDOW ? pt.reps : 0);
			if (want != HX_M_VF_OK && pt.cache != HX_CACHE_NONE)
				T_TRUE(strstr(res.reason, "deliberate pitfall") && strstr(res.reason, hx_cache_name(pt.cache)));
			/* the pitfalls' own maintenance costs device time where it is needed */
			if (pt.cache != HX_CACHE_NONE)
				T_EQ_INT(res.v[HX_M_MAINT] > 0, !coherent);
		}
	}
	/* normal heap memory above soc's DMA mask: skipped, naming the policy */
	t_base_point(&pt, "sim", "soc");
	pt.cache = HX_CACHE_WRONG_ORDER;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_SKIPPED);
	T_TRUE(strstr(res.reason, "cache wrong-order") != NULL);
	/* stress never draws a deliberate policy */
	struct hx_stress_cfg cfg;
	struct hx_stress_result sr;
	hx_stress_cfg_defaults(&cfg);
	cfg.count = 200;
	snprintf(cfg.profile, sizeof cfg.profile, "mcu");
	T_EQ_INT(hx_stress_run(&cfg, &t_host_plat, &sr), 0);
	T_EQ_U(sr.undetected, 0);
	for (int c = 0; c < HX_CACHE__COUNT; c++)
		if (hx_cache_deliberate(c))
			T_EQ_U(sr.by_cache[c], 0);
	T_GT_U(sr.by_cache[HX_CACHE_SYNC], 0);
}

/* lat_e2e_* runs from the CPU starting to prepare the buffers until it may
 * read the result, beside the device latency (submit to completion): with
 * maintenance around every transfer sync's end-to-end latency exceeds its
 * device latency and coherent memory's end-to-end latency, while its
 * device latency looks shorter (maintenance serialises the submissions).
 * bounced counts the mappings that went through a bounce buffer. */
static void test_sim_e2e_latency_and_bounced(void)
{
	struct hx_point pt;
	static struct hx_result coh, syn, res;
	t_base_point(&pt, "sim", "mcu");
	pt.pool = HX_POOL_HEAP;
	pt.cache = HX_CACHE_COHERENT;
	T_EQ_INT(run(&pt, &coh), 0);
	pt.cache = HX_CACHE_SYNC;
	T_EQ_INT(run(&pt, &syn), 0);
	T_EQ_INT(coh.status, HX_OK);
	T_EQ_INT(syn.status, HX_OK);
	for (int m = HX_M_LAT_E2E_P50; m <= HX_M_LAT_E2E_MAX; m++)
		T_TRUE(coh.has[m] && syn.has[m]);
	T_GT_U(syn.v[HX_M_LAT_E2E_P50], syn.v[HX_M_LAT_P50] + syn.v[HX_M_MAINT] / 2);
	T_GT_U(syn.v[HX_M_LAT_E2E_P50], coh.v[HX_M_LAT_E2E_P50]);
	T_LT_U(syn.v[HX_M_LAT_P50], coh.v[HX_M_LAT_P50]);
	/* coherent memory: ready when complete, the device latency */
	T_GE_U(coh.v[HX_M_LAT_E2E_P50] * 1.01, coh.v[HX_M_LAT_P50]);
	T_LE_U(coh.v[HX_M_LAT_E2E_P50], coh.v[HX_M_LAT_P50] * 1.01);
	T_LE_U(syn.v[HX_M_LAT_E2E_P50], syn.v[HX_M_LAT_E2E_P90]);
	T_LE_U(syn.v[HX_M_LAT_E2E_P90], syn.v[HX_M_LAT_E2E_P99]);
	T_LE_U(syn.v[HX_M_LAT_E2E_P99], syn.v[HX_M_LAT_E2E_P999]);
	T_LE_U(syn.v[HX_M_LAT_E2E_P999], syn.v[HX_M_LAT_E2E_MAX]);
	T_EQ_U(coh.v[HX_M_BOUNCED], 0);
	T_EQ_U(syn.v[HX_M_BOUNCED], 0); /* whole lines at align 64 */
	/* align 4 on 32-byte lines: sync bounces every destination (partial
	 * lines), bounce both sides, sg tables count once per table */
	pt.align = 4;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_U(res.v[HX_M_BOUNCED], pt.reps);
	T_GT_U(res.v[HX_M_LAT_E2E_P50], syn.v[HX_M_LAT_E2E_P50]);
	pt.sg = 3;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_EQ_U(res.v[HX_M_BOUNCED], pt.reps);
	pt.sg = 1;
	pt.cache = HX_CACHE_BOUNCE;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_U(res.v[HX_M_BOUNCED], 2 * pt.reps);
	pt.sg = 3;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_U(res.v[HX_M_BOUNCED], 2 * pt.reps);
	/* time-based points have them too */
	pt.sg = 1;
	pt.cache = HX_CACHE_SYNC;
	pt.runtime_ns = 2000000;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_TRUE(res.has[HX_M_LAT_E2E_P50]);
	T_GT_U(res.v[HX_M_LAT_E2E_P50], res.v[HX_M_LAT_P50]);
	T_GT_U(res.v[HX_M_BOUNCED], 0);
}

static void test_sim_deadline_misses_under_load(void)
{
	struct hx_point pt;
	struct hx_result lo, hi;
	t_base_point(&pt, "sim", "mcu");
	pt.channels = 3;
	pt.size = 4096;
	pt.qdepth = 2;
	pt.deadline_ns = 60000; /* ~1.5x one 4 KiB transfer on the idle mcu bus */
	pt.priority = DMAB_PRIO_LOW;
	T_EQ_INT(run(&pt, &lo), 0);
	T_EQ_INT(lo.status, HX_OK);
	T_TRUE(lo.has[HX_M_DL_MISSES] && lo.has[HX_M_DL_RATE] && lo.has[HX_M_DL_WORST]);
	T_GT_U(lo.v[HX_M_DL_MISSES], 0);
	T_GT_U(lo.v[HX_M_DL_WORST], 0);
	T_GT_U(lo.v[HX_M_DL_RATE] * 1000, 0);
	T_LE_U(lo.v[HX_M_DL_RATE], 1);
	pt.priority = DMAB_PRIO_URGENT;
	T_EQ_INT(run(&pt, &hi), 0);
	T_EQ_INT(hi.status, HX_OK);
	T_LT_U(hi.v[HX_M_DL_MISSES], lo.v[HX_M_DL_MISSES]);
	T_LT_U(hi.v[HX_M_LAT_P99], lo.v[HX_M_LAT_P99]);
}

static void test_sim_sg_and_device_transfers(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "sim", "mcu");
	pt.sg = 8;
	pt.cache = HX_CACHE_SYNC;
	pt.align = 4;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_EQ_U(res.v[HX_M_VERIFY], 0);
	pt.cache = HX_CACHE_COHERENT;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_EQ_U(res.v[HX_M_VERIFY], 0);
	/* too many pieces for the bytes */
	pt.size = 4;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_SKIPPED);
	T_TRUE(strstr(res.reason, "sg") != NULL);

	t_base_point(&pt, "sim", "mcu");
	pt.size = 256;
	pt.reps = 4;
	for (int x = DMAB_MEM2DEV; x <= DMAB_DEV2MEM; x++) {
		pt.transfer = x;
		T_EQ_INT(run(&pt, &res), 0);
		if (res.status != HX_OK)
			printf("  %s: %s\n", hx_xfer_name(x), res.reason);
		T_EQ_INT(res.status, HX_OK);
		T_EQ_U(res.v[HX_M_TRANSFERS], 4);
		/* device data is verified against the sim's peripheral record */
		T_EQ_U(res.has[HX_M_VERIFY], 1);
		T_EQ_U(res.v[HX_M_VERIFY], 0);
		T_EQ_U(res.v[HX_M_GUARD], 0);
		T_EQ_U(res.v[HX_M_VF_OK], 4);
		T_EQ_STR(res.reason, "");
	}
}

/* Device data is checked for real: each pitfall fails exactly the
 * direction it breaks on a non-coherent device (the peripheral gets the
 * stale source without a clean; the CPU reads its stale lines of the
 * destination without an inval), and leaves the other direction right;
 * sg pieces are hashed in chain order. */
static void test_sim_device_pitfalls(void)
{
	struct hx_point pt;
	struct hx_result res;
	static const struct {
		int xfer, cache;
		unsigned failures;
		enum hx_verdict v;
	} cases[] = {
		{ DMAB_MEM2DEV, HX_CACHE_NO_CLEAN, 8, HX_V_MISMATCH },
		{ DMAB_MEM2DEV, HX_CACHE_NO_INVAL, 0, HX_V_OK },
		{ DMAB_DEV2MEM, HX_CACHE_NO_INVAL, 8, HX_V_MISMATCH },
		{ DMAB_DEV2MEM, HX_CACHE_NO_CLEAN, 0, HX_V_OK },
		{ DMAB_DEV2MEM, HX_CACHE_NONE, 8, HX_V_NOT_COPIED },
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		t_base_point(&pt, "sim", "mcu");
		pt.size = 300;
		pt.align = 4;
		pt.sg = 3;
		pt.reps = 8;
		pt.transfer = cases[k].xfer;
		pt.cache = cases[k].cache;
		T_EQ_INT(run(&pt, &res), 0);
		T_EQ_INT(res.status, HX_OK);
		T_EQ_U(res.v[HX_M_VERIFY], cases[k].failures);
		T_EQ_U(res.v[HX_M_VF_OK + cases[k].v], 8);
		T_EQ_U(res.v[HX_M_GUARD], 0);
		T_EQ_INT(hx_result_is_failure(&pt, &res), 0); /* deliberate */
	}
}

/* What fuzz_simopts found: option sets the sim accepts whose transfers
 * outlast every guess of the rig's timeout (a FIFO moving 4 bytes per 10^9
 * cycles; a 1 Hz clock with 1-byte beats and 10^5-cycle arbitration,
 * years of device time) failed with ETIMEDOUT; the backend's xfer_bound
 * now sets the floor. */
static void test_sim_extreme_options_no_false_timeouts(void)
{
	static const struct {
		const char *options;
		int xfer;
		uint64_t size;
	} cases[] = {
		{ "fifo_period=1000000000", DMAB_DEV2MEM, 64 },
		{ "fifo_period=1000000000", DMAB_MEM2DEV, 64 },
		{ "clock_hz=1;arb_latency=100000;bus_width=1", DMAB_MEM2MEM, 2562 },
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct hx_point pt;
		struct hx_result res;
		t_base_point(&pt, "sim", "mcu");
		snprintf(pt.options, sizeof(pt.options), "%s", cases[k].options);
		pt.transfer = cases[k].xfer;
		pt.size = cases[k].size;
		pt.qdepth = 1;
		pt.reps = 2;
		pt.warmup = 0;
		T_EQ_INT(run(&pt, &res), 0);
		if (res.status != HX_OK)
			printf("  %s: %s\n", cases[k].options, res.reason);
		T_EQ_INT(res.status, HX_OK);
		T_EQ_U(res.v[HX_M_TRANSFERS], 2);
		T_EQ_U(res.v[HX_M_VERIFY], 0);
	}
}

/* A bitflip into a transmit FIFO or into memory behind a receive FIFO is a
 * mismatch on a device row, as on mem2mem: every one that fired is seen. */
static void test_sim_device_bitflip(void)
{
	struct hx_point pt;
	struct hx_result res;
	for (int x = DMAB_MEM2DEV; x <= DMAB_DEV2MEM; x++) {
		t_base_point(&pt, "sim", "mcu");
		pt.size = 512;
		pt.reps = 16;
		pt.warmup = 0;
		pt.qdepth = 2;
		pt.transfer = x;
		pt.inject = "bitflip@3";
		T_EQ_INT(run(&pt, &res), 0);
		T_EQ_INT(res.status, HX_OK);
		T_EQ_U(res.v[HX_M_VERIFY], 1);
		T_EQ_U(res.v[HX_M_VF_MISMATCH], 1);
		T_EQ_U(res.v[HX_M_VF_OK], 15);
	}
}

/* Device transfers run at the peripheral's pace: on sim:mcu a FIFO takes 4
 * bytes per us, so one 60 KB transfer takes 15 ms. The first wait (nothing
 * completed yet, so no execution time to go by) must not call that a hang;
 * at 100 ns per byte it once did, and the point failed with ETIMEDOUT. */
static void test_sim_slow_peripheral_first_wait(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "sim", "mcu");
	pt.size = 60000;
	pt.qdepth = 1;
	pt.reps = 4;
	pt.warmup = 0;
	pt.pool = HX_POOL_HEAP;
	pt.cache = HX_CACHE_COHERENT;
	static const int xt[] = { DMAB_DEV2MEM, DMAB_MEM2DEV };
	for (unsigned i = 0; i < 2; i++) {
		pt.transfer = xt[i];
		T_EQ_INT(run(&pt, &res), 0);
		if (res.status != HX_OK)
			T__FAIL_FMT("%s: %s", i ? "mem2dev" : "dev2mem", res.reason);
		T_GE_U(res.v[HX_M_LAT_P50], 15000000); /* really that slow */
		T_EQ_U(res.v[HX_M_ERRORS], 0);
	}
}

/* Devices the options check accepts that are slow in every way: a 1 Hz
 * clock, a 100000-cycle arbitration per grant, a peripheral moving one
 * byte per 100000 cycles. Each gave failed rows (ETIMEDOUT) while the
 * timeout assumed a speed in ns; the rig's timeouts are in the device's
 * own ticks and pace, so every point runs clean, at 4 channels too (each
 * waited on behind the others). */
static void test_sim_slow_devices_no_false_failures(void)
{
	static const char *const opts[] = { "clock_hz=1", "arb_latency=100000",
					    "fifo_rate=1;fifo_period=100000" };
	struct hx_point pt;
	struct hx_result res;
	for (unsigned i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		for (int x = DMAB_MEM2MEM; x <= DMAB_DEV2MEM; x += DMAB_DEV2MEM - DMAB_MEM2MEM) {
			t_base_point(&pt, "sim", "mcu");
			snprintf(pt.options, sizeof(pt.options), "%s", opts[i]);
			pt.transfer = x;
			pt.size = x == DMAB_MEM2MEM ? 16384 : 1024;
			pt.channels = 4;
			pt.reps = 4;
			pt.pool = HX_POOL_HEAP;
			pt.cache = HX_CACHE_SYNC;
			T_EQ_INT(run(&pt, &res), 0);
			if (res.status != HX_OK)
				T__FAIL_FMT("%s, %s: %s", opts[i], hx_xfer_name(x), res.reason);
			T_EQ_U(res.v[HX_M_TRANSFERS], 16); /* 4 per channel */
			T_EQ_U(res.v[HX_M_ERRORS], 0);
		}
	}
}

static void test_sim_alignment_and_granule_skips(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "sim", "soc"); /* addr_align 4 */
	pt.align = 2;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_SKIPPED);
	T_TRUE(strstr(res.reason, "align 2") != NULL);
	/* a pool block above mcu's max_xfer (65535) is made, and the chain
	 * splits the transfer (as Linux's dma_pool allows) */
	t_base_point(&pt, "sim", "mcu");
	pt.size = 65536;
	pt.reps = 2;
	for (int pool = HX_POOL_FIXED; pool <= HX_POOL_MULTI; pool++) {
		pt.pool = pool;
		T_EQ_INT(run(&pt, &res), 0);
		T_EQ_INT(res.status, HX_OK);
		T_EQ_U(res.v[HX_M_VERIFY], 0);
	}
	/* the same size from the heap is fine (split into two descriptors) */
	pt.pool = HX_POOL_HEAP;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_EQ_U(res.v[HX_M_VERIFY], 0);
}

static void test_sim_min_time_and_injection(void)
{
	struct hx_point pt;
	struct hx_result res;
	t_base_point(&pt, "sim", "mcu");
	pt.reps = 4;
	pt.min_time_ns = 500000; /* 0.5 ms of device time: many rounds of 4 KiB */
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_GT_U(res.v[HX_M_TRANSFERS], 8);
	T_EQ_U((uint64_t)res.v[HX_M_TRANSFERS] % 4, 0);
	/* injected bus errors: counted, not fatal */
	t_base_point(&pt, "sim", "mcu");
	pt.inject = "bus-error:10%";
	pt.reps = 40;
	T_EQ_INT(run(&pt, &res), 0);
	if (res.status != HX_OK)
		printf("  reason: %s\n", res.reason);
	T_EQ_INT(res.status, HX_OK);
	T_GT_U(res.v[HX_M_ERR_BUS], 0);
	T_EQ_U(res.v[HX_M_ERRORS], res.v[HX_M_ERR_BUS]);
	T_LT_U(res.v[HX_M_TRANSFERS], 40);
	/* injected bit flips: detected by verification */
	pt.inject = "bitflip:20%";
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_GT_U(res.v[HX_M_VERIFY], 0);
	T_EQ_U(res.v[HX_M_GUARD], 0);
	T_EQ_INT(hx_result_is_failure(&pt, &res), 0);
	/* a duplicate on every interrupt: every one counted, the last
	 * transfer's too (due at its completion's tick, it was once still
	 * queued when the point closed) */
	pt.inject = "dup-irq";
	pt.channels = 3;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_EQ_U(res.v[HX_M_ERR_DUP_IRQ], (uint64_t)(pt.reps + pt.warmup) * pt.channels);
	pt.channels = 1;
	/* a malformed spec fails the row, naming the token */
	pt.inject = "meltdown";
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_FAILED);
	T_TRUE(strstr(res.reason, "meltdown") != NULL);
}

struct trace_count {
	uint64_t events, submits, dones, last_tick;
	int backwards;
};

static void count_trace(void *ctx, uint64_t tick, unsigned chan, enum dmab_trace_ev ev,
			uint64_t a, uint64_t b)
{
	struct trace_count *t = ctx;
	(void)chan;
	(void)a;
	(void)b;
	if (tick < t->last_tick)
		t->backwards = 1;
	t->last_tick = tick;
	t->events++;
	t->submits += ev == DMAB_TR_SUBMIT;
	t->dones += ev == DMAB_TR_DONE;
}

/* The platform's trace hook receives the sim's event log of a point (one
 * submit and one completion per transfer, time never going backwards) and
 * tracing changes no simulated figure; the host has no trace and logs
 * nothing. */
/* ---- time-based points, open loop, load of its own (issue 11) ------------- */

/* The deadline study's point: 4 KiB every 50 us (about 30% of the mcu bus)
 * with a 100 us deadline, against three load channels. */
static void timed_point(struct hx_point *pt, int prio)
{
	t_base_point(pt, "sim", "mcu");
	pt->channels = 4;
	pt->qdepth = 2;
	pt->priority = prio;
	pt->deadline_ns = 100000;
	pt->period_ns = 50000;
	pt->runtime_ns = 5000000;
	pt->ramp_ns = 500000;
}

/* Saturating load at medium: low starves (every release missed, nothing
 * moved: a row with zeros, not a gap, except the worst lateness, which
 * only a completion has: empty, never a 0 that reads as on time), high
 * and urgent miss nothing and the load's throughput shows what they took. */
static void test_sim_timed_sustained_load(void)
{
	struct hx_point pt;
	struct hx_result lo, med, hi, ur;
	timed_point(&pt, DMAB_PRIO_LOW);
	T_EQ_INT(run(&pt, &lo), 0);
	T_EQ_INT(lo.status, HX_OK);
	T_EQ_U(lo.v[HX_M_DL_CHECKED], 100); /* 5 ms / 50 us releases */
	T_GE_U(lo.v[HX_M_DL_RATE] * 100, 95);
	T_TRUE(lo.has[HX_M_MEAS_TRANSFERS] && lo.has[HX_M_MEAS_THROUGHPUT]);
	T_LT_U(lo.v[HX_M_MEAS_THROUGHPUT], 1);
	T_GT_U(lo.v[HX_M_DL_DROPPED], 90);
	if (lo.v[HX_M_DL_DROPPED] == lo.v[HX_M_DL_MISSES])
		T_FALSE(lo.has[HX_M_DL_WORST]);
	else
		T_GT_U(lo.v[HX_M_DL_WORST], 0);
	pt.priority = DMAB_PRIO_MEDIUM;
	T_EQ_INT(run(&pt, &med), 0);
	T_GT_U(med.v[HX_M_MEAS_TRANSFERS], lo.v[HX_M_MEAS_TRANSFERS]);
	T_LT_U(med.v[HX_M_DL_RATE], lo.v[HX_M_DL_RATE]);
	pt.priority = DMAB_PRIO_HIGH;
	T_EQ_INT(run(&pt, &hi), 0);
	pt.priority = DMAB_PRIO_URGENT;
	T_EQ_INT(run(&pt, &ur), 0);
	T_EQ_INT(hi.status, HX_OK);
	T_EQ_U(hi.v[HX_M_DL_MISSES], 0);
	T_TRUE(hi.has[HX_M_DL_WORST]); /* nothing missed: 0, a figure */
	T_EQ_U(hi.v[HX_M_DL_WORST], 0);
	T_EQ_U(ur.v[HX_M_DL_MISSES], 0);
	T_EQ_U(hi.v[HX_M_MEAS_TRANSFERS], 100);
	/* the stream takes about 30% of the bus from the load */
	T_LT_U(hi.v[HX_M_LOAD_THROUGHPUT] * 100, lo.v[HX_M_LOAD_THROUGHPUT] * 80);
	T_GT_U(hi.v[HX_M_LOAD_TRANSFERS], 0);
	T_TRUE(hi.has[HX_M_LOAD_LAT_P99] && hi.has[HX_M_IN_FLIGHT]);
	/* device totals are the two scopes added up */
	T_EQ_U(hi.v[HX_M_TRANSFERS], hi.v[HX_M_MEAS_TRANSFERS] + hi.v[HX_M_LOAD_TRANSFERS]);
}

/* 2x runtime gives 2x transfers within 2%, and a rerun the same row. */
static void test_sim_timed_proportional_deterministic(void)
{
	struct hx_point pt;
	struct hx_result a, b, c;
	t_base_point(&pt, "sim", "mcu");
	pt.runtime_ns = 2000000;
	T_EQ_INT(run(&pt, &a), 0);
	pt.runtime_ns = 4000000;
	T_EQ_INT(run(&pt, &b), 0);
	T_EQ_INT(run(&pt, &c), 0);
	T_EQ_INT(a.status, HX_OK);
	T_GT_U(a.v[HX_M_TRANSFERS], 50);
	double ratio = b.v[HX_M_TRANSFERS] / a.v[HX_M_TRANSFERS];
	T_TRUE(ratio > 1.98 && ratio < 2.02);
	for (int m = 0; m < HX_M__COUNT; m++) {
		T_EQ_INT(b.has[m], c.has[m]);
		if (hx_metrics[m].kind != HX_MK_CPU)
			T_TRUE(b.v[m] == c.v[m]);
	}
	/* closed loop: every transfer meets a deadline far above its latency,
	 * and what was in flight at the end is counted, not lost */
	T_EQ_U(b.v[HX_M_IN_FLIGHT], pt.qdepth);
}

/* Open loop: the deadline runs from the release, so shrinking it where the
 * latency distribution straddles it raises the misses; each miss is a
 * release (late, dropped or past due at the end). */
static void test_sim_open_loop_deadline_sweep(void)
{
	struct hx_point pt;
	struct hx_result res;
	double rate[4];
	unsigned k;
	timed_point(&pt, DMAB_PRIO_MEDIUM);
	for (k = 0; k < 4; k++) {
		pt.deadline_ns = 200000 - 60000 * (uint64_t)k;
		T_EQ_INT(run(&pt, &res), 0);
		T_EQ_INT(res.status, HX_OK);
		T_LE_U(res.v[HX_M_DL_MISSES], res.v[HX_M_DL_CHECKED]);
		T_GE_U(res.v[HX_M_DL_MISSES], res.v[HX_M_DL_DROPPED]);
		rate[k] = res.v[HX_M_DL_RATE];
	}
	T_EQ_U(k, 4);
	/* 200 and 140 us lie above the latency tail (the drops remain), 80 us
	 * cuts through it, 20 us below the shortest latency */
	T_TRUE(rate[1] >= rate[0]);
	T_TRUE(rate[2] > rate[1] + 0.2);
	T_TRUE(rate[3] >= 0.95);
	/* a closed-loop point cannot mean an open-loop one */
	pt.runtime_ns = 0;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_SKIPPED);
	T_TRUE(strstr(res.reason, "runtime") != NULL);
}

/* load-rate: an open-loop share of the load's peak measured alone; 0 is
 * idle load. */
static void test_sim_load_rate(void)
{
	struct hx_point pt;
	struct hx_result res;
	timed_point(&pt, DMAB_PRIO_HIGH);
	pt.load_rate = 50;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_TRUE(res.has[HX_M_LOAD_PEAK]);
	T_NEAR(res.v[HX_M_LOAD_THROUGHPUT] / res.v[HX_M_LOAD_PEAK], 0.5, 0.03);
	T_EQ_U(res.v[HX_M_DL_MISSES], 0);
	pt.load_rate = 0;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_U(res.v[HX_M_LOAD_TRANSFERS], 0);
	T_EQ_U(res.v[HX_M_LOAD_THROUGHPUT], 0);
	pt.load_rate = 101;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_FAILED);
}

/* An ADC stream against a memcpy load of another size: the load moves its
 * own bytes, verified; a low-priority stream at a period the FIFO cannot
 * sustain alone misses. */
static void test_sim_load_own_geometry(void)
{
	struct hx_point pt;
	struct hx_result res;
	timed_point(&pt, DMAB_PRIO_URGENT);
	pt.period_ns = 200000;
	pt.deadline_ns = 0;
	pt.load_size = 16384;
	pt.load_rate = 50;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_EQ_U(res.v[HX_M_VERIFY], 0);
	T_GT_U(res.v[HX_M_LOAD_TRANSFERS], 0);
	T_EQ_U(res.v[HX_M_BYTES], res.v[HX_M_MEAS_TRANSFERS] * 4096 + res.v[HX_M_LOAD_TRANSFERS] * 16384);
	pt.transfer = DMAB_DEV2MEM;
	pt.size = 256;
	pt.period_ns = 400000;
	pt.deadline_ns = 400000;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_EQ_U(res.v[HX_M_DL_MISSES], 0);
	T_GT_U(res.v[HX_M_MEAS_TRANSFERS], 10);
	T_GT_U(res.v[HX_M_LOAD_TRANSFERS], 0);
	pt.period_ns = 10000; /* 25.6 MB/s from the mcu's FIFO: beyond it */
	pt.deadline_ns = 10000;
	T_EQ_INT(run(&pt, &res), 0);
	T_EQ_INT(res.status, HX_OK);
	T_GE_U(res.v[HX_M_DL_RATE] * 100, 95);
}

static void test_trace_hook(void)
{
	struct hx_point pt;
	static struct hx_result plain, traced;
	t_base_point(&pt, "sim", "mcu");
	pt.reps = 4;
	pt.warmup = 0;
	pt.qdepth = 1;
	T_EQ_INT(run(&pt, &plain), 0);
	struct trace_count tc = { 0, 0, 0, 0, 0 };
	struct hx_platform p = t_host_plat;
	p.trace = count_trace;
	p.trace_ctx = &tc;
	T_EQ_INT(hx_run_point(&pt, &p, &traced), 0);
	T_EQ_INT(traced.status, HX_OK);
	T_EQ_U(tc.submits, 4);
	T_EQ_U(tc.dones, 4);
	T_GT_U(tc.events, tc.submits + tc.dones);
	T_FALSE(tc.backwards);
	for (int m = 0; m < HX_M__COUNT; m++)
		if (hx_metrics[m].kind != HX_MK_CPU && plain.has[m])
			T_NEAR(traced.v[m], plain.v[m], 0);
	struct trace_count th = { 0, 0, 0, 0, 0 };
	p.trace_ctx = &th;
	t_base_point(&pt, "host", "");
	T_EQ_INT(hx_run_point(&pt, &p, &traced), 0);
	T_EQ_INT(traced.status, HX_OK);
	T_EQ_U(th.events, 0);
}

T_MAIN(T_CASE(test_trace_hook), T_CASE(test_names_and_parse), T_CASE(test_point_defaults),
       T_CASE(test_dev_open_options), T_CASE(test_sim_options_change_the_result),
       T_CASE(test_layout_exact_alignment), T_CASE(test_host_ok_rows), T_CASE(test_host_unannounced_failure), T_CASE(test_backend_log_fails_the_row), T_CASE(test_multi_pool_large_align), T_CASE(test_sim_slow_peripheral_first_wait),
       T_CASE(test_host_skips_name_the_culprit), T_CASE(test_misuse_and_bad_points),
       T_CASE(test_failure_rule), T_CASE(test_sim_ok_rows_every_pool_and_policy),
       T_CASE(test_sim_deterministic), T_CASE(test_sim_none_fails_sync_does_not),
       T_CASE(test_sim_pitfalls_one_at_a_time), T_CASE(test_sim_e2e_latency_and_bounced),
       T_CASE(test_sim_deadline_misses_under_load), T_CASE(test_sim_sg_and_device_transfers), T_CASE(test_sim_device_pitfalls),
       T_CASE(test_sim_device_bitflip), T_CASE(test_sim_extreme_options_no_false_timeouts),
       T_CASE(test_sim_alignment_and_granule_skips), T_CASE(test_sim_slow_devices_no_false_failures), T_CASE(test_sim_min_time_and_injection),
       T_CASE(test_sim_timed_sustained_load), T_CASE(test_sim_timed_proportional_deterministic),
       T_CASE(test_sim_open_loop_deadline_sweep), T_CASE(test_sim_load_rate), T_CASE(test_sim_load_own_geometry))
