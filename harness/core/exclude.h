/*
 * harness/core/exclude.h: a job's product without the combinations that
 * can never run (HX_EXCLUDE_TABLE in core.h), for the sweep and runners.
 *
 * A rule drops points only from a job that left both of its dimensions at
 * their defaults (neither set by a flag or the job file): the default
 * product wastes no point, and a list the user wrote is measured as
 * written, an impossible pair in it a skipped row with its reason.
 *
 * hx_job_count / hx_job_point (parse.h) stay the whole cartesian product;
 * these functions number only its runnable points, in the same order (the
 * excluded ones simply missing), so row i of a sweep, --resume and the
 * aggregate agree whichever numbering a runner uses: hx_job_raw_index
 * turns a runnable index into the product's.
 *
 * How: the ruled dimensions span a block of consecutive rows of
 * HX_DIM_TABLE (pool..cache today); a product index is (prefix, block
 * combination, suffix), and only the block's combinations are filtered.
 * Costs: O(block combinations x rules) per call (pool x cache values, 16
 * for the default sweep), nothing per transfer, no allocation.
 */
#ifndef DMAB_HARNESS_EXCLUDE_H
#define DMAB_HARNESS_EXCLUDE_H

#include <stddef.h>
#include <stdint.h>

#include "core/parse.h"

/* Runnable points of j (<= hx_job_count); UINT64_MAX on overflow. When
 * every combination of the ruled dimensions is excluded nothing is: an
 * explicit request for an impossible pair gets its skipped rows. */
uint64_t hx_job_runnable_count(const struct hx_job *j);
/* Runnable point idx (0 <= idx < hx_job_runnable_count): 0, or -1 out of
 * range. */
int hx_job_runnable_point(const struct hx_job *j, uint64_t idx, struct hx_point *pt);
/* The product index (hx_job_point's) of runnable point idx; UINT64_MAX out
 * of range. */
uint64_t hx_job_raw_index(const struct hx_job *j, uint64_t idx);
/* Rule (enum hx_exclude) that drops product point raw from j, or -1 when
 * it is runnable (or out of range). */
int hx_job_excluded_by(const struct hx_job *j, uint64_t raw);
/* Points of j that rule drops (its first matching rule is `rule`). */
uint64_t hx_job_excluded(const struct hx_job *j, unsigned rule);
/* "N combinations that can never run: RULE, RULE" over jobs[0..n) (the
 * metadata's `excluded`), as snprintf into buf. */
int hx_jobs_excluded_text(const struct hx_job *jobs, unsigned n, char *buf, size_t len);

#endif
