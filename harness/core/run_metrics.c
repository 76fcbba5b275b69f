/*
 * harness/core/run_metrics.c: what a point of hx_run_point (run.c) reports,
 * from its counts into the result's columns.
 *
 * Three sources, each named next to its columns: the library's channel and
 * device statistics (latency from submit, deadlines, errors), the harness's
 * own counts (transfers, bytes, CPU and maintenance time, verdicts) and,
 * on a time-based point, its release-based latency histograms and deadline
 * counts. Percentiles come from log-linear histograms (within 0.78%),
 * clamped to the exact extremes where those are kept; means are exact
 * sums over the same transfers divided by their count. Runs once per point,
 * after the measurement: O(histogram buckets), nothing per transfer.
 */
#include "core/pctl.h"
#include "core/run_int.h"

static void pool_hwm(const struct run *r, struct hx_result *res)
{
	double hwm = (double)r->out_hwm;
	if (r->pool_fixed) {
		struct dmab_pool_stats st;
		dmab_pool_stats(r->pool_fixed, &st);
		hwm = (double)st.high_water;
	} else if (r->pool_multi) {
		struct dmab_mpool_stats st;
		dmab_mpool_stats(r->pool_multi, &st);
		hwm = 0;
		for (unsigned i = 0; i < st.nclasses; i++)
			hwm += (double)st.cls[i].high_water;
		hx_result_set(res, HX_M_POOL_FALLBACKS, (double)(st.fallbacks - r->fallbacks0));
		if (r->frag_out)
			hx_result_set(res, HX_M_POOL_FRAG,
				      100.0 * (1.0 - (double)r->frag_req / (double)r->frag_out));
	}
	hx_result_set(res, HX_M_POOL_HWM, hwm);
}

void run__fill_counts(const struct run *r, struct hx_result *res)
{
	struct dmab_chan_stats st;
	dmab_dev_stats(r->dev, &st);
	uint64_t all = 0;
	for (unsigned k = 0; k < DMAB_ERRK__COUNT; k++)
		all += st.errors[k];
	hx_result_set(res, HX_M_ERRORS, (double)all);
	hx_result_set(res, HX_M_ERR_TIMEOUT, (double)st.errors[DMAB_ERRK_TIMEOUT]);
	hx_result_set(res, HX_M_ERR_BUS, (double)st.errors[DMAB_ERRK_BUS]);
	hx_result_set(res, HX_M_ERR_DESC, (double)st.errors[DMAB_ERRK_DESC]);
	hx_result_set(res, HX_M_ERR_DATA, (double)st.errors[DMAB_ERRK_DATA]);
	hx_result_set(res, HX_M_ERR_LOST_IRQ, (double)st.errors[DMAB_ERRK_LOST_IRQ]);
	hx_result_set(res, HX_M_ERR_DUP_IRQ, (double)st.errors[DMAB_ERRK_DUP_IRQ]);
	if (r->pt->verify && (r->xfer == DMAB_MEM2MEM || r->periph_verify)) {
		hx_result_set(res, HX_M_VERIFY, (double)r->verify_failures);
		hx_result_set(res, HX_M_GUARD, (double)r->guard_violations);
		for (unsigned v = 0; v < HX_V__COUNT; v++)
			hx_result_set(res, (enum hx_metric)(HX_M_VF_OK + v), (double)r->vf[v]);
	}
	hx_result_set(res, HX_M_BOUNCED, (double)r->bounced);
}

void run__fill_perf(const struct run *r, struct hx_result *res)
{
	double n = r->m_transfers ? (double)r->m_transfers : 1.0;
	uint64_t t0_ns = dmab_dev_ticks_to_ns(r->dev, r->t0_ticks);
	hx_result_set(res, HX_M_TRANSFERS, (double)r->m_transfers);
	hx_result_set(res, HX_M_BYTES, (double)r->m_bytes);
	if (r->timed)
		hx_result_set(res, HX_M_THROUGHPUT, (double)r->m_bytes * 1e3 / (double)r->pt->runtime_ns);
	else if (r->m_transfers && r->t_end_ns > t0_ns)
		hx_result_set(res, HX_M_THROUGHPUT, (double)r->m_bytes * 1e3 / (double)(r->t_end_ns - t0_ns));

	struct dmab_chan_stats st;
	dmab_chan_stats(r->g.chans[0], &st);
	if (r->timed) {
		/* from the release, and deadlines decided by the harness */
	} else if (dmab_hist_count(&st.latency_ns)) {
		hx_result_set(res, HX_M_LAT_P50, (double)dmab_chan_latency_percentile(&st, 50.0));
		hx_result_set(res, HX_M_LAT_P90, (double)dmab_chan_latency_percentile(&st, 90.0));
		hx_result_set(res, HX_M_LAT_P99, (double)dmab_chan_latency_percentile(&st, 99.0));
		hx_result_set(res, HX_M_LAT_P999, (double)dmab_chan_latency_percentile(&st, 99.9));
		hx_result_set(res, HX_M_LAT_MAX, (double)st.latency_max_ns);
		hx_result_set(res, HX_M_LAT_MIN, (double)st.latency_min_ns);
		/* the sum is over the measured transfers of channel 0: the same
		 * set as the histogram's only when the counts agree */
		if (st.completed == r->meas_transfers)
			hx_result_set(res, HX_M_LAT_MEAN, (double)r->lat_sum_ns / (double)r->meas_transfers);
	}
	if (r->pt->deadline_ns && !r->timed) {
		hx_result_set(res, HX_M_DL_CHECKED, (double)st.deadline_checked);
		hx_result_set(res, HX_M_DL_MISSES, (double)st.deadline_misses);
		hx_result_set(res, HX_M_DL_RATE, st.deadline_checked
							  ? (double)st.deadline_misses / (double)st.deadline_checked
							  : 0.0);
		hx_result_set(res, HX_M_DL_WORST, (double)st.worst_lateness_ns);
	}
	hx_result_set(res, HX_M_ALLOC, (double)r->cpu_alloc_ns / n);
	hx_result_set(res, HX_M_PREP, (double)r->cpu_prep_ns / n);
	hx_result_set(res, HX_M_MAINT, (double)dmab_dev_ticks_to_ns(r->dev, r->maint_ticks) / n);
	if (r->m_transfers)
		hx_result_set(res, HX_M_XFER, (double)r->m_exec_ns / n);
	if ((r->caps & DMAB_CAP_DEV_CYCLES) && r->m_transfers)
		hx_result_set(res, HX_M_DEV_CYCLES, (double)r->m_cycles / n);
	pool_hwm(r, res);
}

static uint64_t clamp_pctl(const struct dmab_hist *h, double p, uint64_t lo, uint64_t hi)
{
	uint64_t v = dmab_hist_percentile(h, p);
	return v < lo ? lo : v > hi ? hi : v;
}

static uint64_t pctl(const struct run *r, const struct dmab_hist *h, double p)
{
	return clamp_pctl(h, p, r->lat_min_ns, r->lat_max_ns);
}

/* The platform's lat_dist hook: the histograms behind the lat_* columns
 * (the library's from submit on a count-based point, the harness's from
 * the release on a time-based one) and lat_e2e_*'s, with their exact
 * extremes. Only when the hook is set: the channel's statistics are a
 * 38 KiB copy. */
static void hand_dist(const struct run *r)
{
	struct dmab_chan_stats st;
	struct hx_lat_dist d = { 0 };
	if (r->timed) {
		if (r->meas_transfers)
			d = (struct hx_lat_dist){ r->lat_meas, r->lat_min_ns, r->lat_max_ns, NULL, 0, 0 };
	} else {
		dmab_chan_stats(r->g.chans[0], &st);
		if (dmab_hist_count(&st.latency_ns))
			d = (struct hx_lat_dist){ &st.latency_ns, st.latency_min_ns, st.latency_max_ns, NULL, 0, 0 };
	}
	if (dmab_hist_count(r->lat_e2e)) {
		d.e2e = r->lat_e2e;
		d.e2e_min_ns = r->e2e_min_ns;
		d.e2e_max_ns = r->e2e_max_ns;
	}
	r->plat->lat_dist(r->plat->lat_dist_ctx, &d);
}

/* lat_e2e_*: percentiles within 0.78%, clamped to the exact extremes; then
 * the distributions to the platform's hook, if any. */
void run__fill_e2e(const struct run *r, struct hx_result *res)
{
	if (r->plat->lat_dist)
		hand_dist(r);
	if (!dmab_hist_count(r->lat_e2e))
		return;
	static const double p[] = { 50.0, 90.0, 99.0, 99.9 };
	for (unsigned i = 0; i < 4; i++)
		hx_result_set(res, (enum hx_metric)(HX_M_LAT_E2E_P50 + i),
			      (double)clamp_pctl(r->lat_e2e, p[i], r->e2e_min_ns, r->e2e_max_ns));
	hx_result_set(res, HX_M_LAT_E2E_MAX, (double)r->e2e_max_ns);
	hx_result_set(res, HX_M_LAT_E2E_MIN, (double)r->e2e_min_ns);
	hx_result_set(res, HX_M_LAT_E2E_MEAN, (double)r->e2e_sum_ns / (double)dmab_hist_count(r->lat_e2e));
}

/* Bytes over the measured time, in MB/s: the window on a time-based point,
 * else first measured submit to the scope's last completion. */
static void set_rate(const struct run *r, struct hx_result *res, enum hx_metric m, uint64_t bytes,
		     uint64_t t_end_ns)
{
	uint64_t t0_ns = dmab_dev_ticks_to_ns(r->dev, r->t0_ticks);
	uint64_t span = r->timed ? r->pt->runtime_ns : t_end_ns > t0_ns ? t_end_ns - t0_ns : 0;
	if (span && (r->timed || bytes))
		hx_result_set(res, m, (double)bytes * 1e3 / (double)span);
}

/* The columns with one scope each: the measured channel's own, the load's
 * (channels 1..), and on a time-based point the latency and deadline
 * columns from the harness's release-based counts. */
void run__fill_scoped(const struct run *r, struct hx_result *res)
{
	hx_result_set(res, HX_M_MEAS_TRANSFERS, (double)r->meas_transfers);
	set_rate(r, res, HX_M_MEAS_THROUGHPUT, r->meas_bytes, r->meas_t_end_ns);
	if (r->nch > 1) {
		hx_result_set(res, HX_M_LOAD_TRANSFERS, (double)r->load_transfers);
		set_rate(r, res, HX_M_LOAD_THROUGHPUT, r->load_bytes, r->load_t_end_ns);
		if (r->load_transfers)
			hx_result_set(res, HX_M_LOAD_LAT_P99, (double)dmab_hist_percentile(r->lat_load, 99.0));
		if (r->peak_Bps)
			hx_result_set(res, HX_M_LOAD_PEAK, (double)r->peak_Bps / 1e6);
	}
	if (!r->timed)
		return;
	hx_result_set(res, HX_M_IN_FLIGHT, (double)r->in_flight_end);
	if (r->pt->period_ns)
		hx_result_set(res, HX_M_DL_DROPPED, (double)r->dropped);
	if (r->meas_transfers) {
		hx_result_set(res, HX_M_LAT_P50, (double)pctl(r, r->lat_meas, 50.0));
		hx_result_set(res, HX_M_LAT_P90, (double)pctl(r, r->lat_meas, 90.0));
		hx_result_set(res, HX_M_LAT_P99, (double)pctl(r, r->lat_meas, 99.0));
		hx_result_set(res, HX_M_LAT_P999, (double)pctl(r, r->lat_meas, 99.9));
		hx_result_set(res, HX_M_LAT_MAX, (double)r->lat_max_ns);
		hx_result_set(res, HX_M_LAT_MIN, (double)r->lat_min_ns);
		hx_result_set(res, HX_M_LAT_MEAN, (double)r->lat_sum_ns / (double)r->meas_transfers);
	}
	if (r->pt->deadline_ns) {
		hx_result_set(res, HX_M_DL_CHECKED, (double)r->dl_checked);
		hx_result_set(res, HX_M_DL_MISSES, (double)r->dl_misses);
		hx_result_set(res, HX_M_DL_RATE, r->dl_checked ? (double)r->dl_misses / (double)r->dl_checked : 0.0);
		/* lateness is a late completion's (or one in flight past its
		 * deadline at the end): misses that were all dropped releases
		 * have none, and 0 would read as "on time" */
		if (r->dl_worst_ns || !r->dl_misses)
			hx_result_set(res, HX_M_DL_WORST, (double)r->dl_worst_ns);
	}
}
