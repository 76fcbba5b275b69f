/*
 * tests/fuzz/fuzz_parse.c: libFuzzer target for the value, list and range
 * parser (hx_job_set, harness/core/parse.h).
 *
 * Input: the first byte picks the dimension (one past the last picks
 * "inject", the fault-spec grammar through hx_job_set_key), the rest is the
 * text, cut at its first NUL as a C string would be. An accepted value must
 * keep every invariant of fuzz_job.h (limits, powers of two, at most
 * HX_VALS_MAX values, idempotent re-parse) and yield points that format; a
 * refused one must leave the job byte-identical (parse.c parses into
 * scratch for that reason) and say why. Costs per input: one parse, one
 * re-parse, a memcmp of a ~40 KiB job.
 */
#include <string.h>

#include "fuzz.h"
#include "fuzz_job.h"

static struct hx_job job, before, scratch;
static char text[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned pick = data[0] % (HX_DIM__COUNT + 1);
	size_t n = size - 1 < sizeof text - 1 ? size - 1 : sizeof text - 1;
	memcpy(text, data + 1, n);
	text[n] = '\0';

	struct hx_parse_ctx c;
	memset(&c, 0, sizeof c);
	c.where = (data[0] & 0x80) ? "jobs.ini" : "--flag";
	c.line = (data[0] & 0x80) ? 7 : 0;
	hx_job_init(&job, "fuzz");
	/* A job that already holds values, so "unchanged on failure" means
	 * something. */
	CHECK(hx_job_defaults(&c, &job) == 0, 0, 0);
	memcpy(&before, &job, sizeof job);

	if (pick == HX_DIM__COUNT) {
		int rc = hx_job_set_key(&c, &job, "inject", text);
		if (rc == 0) {
			CHECK(job.inject_set == 1, job.inject_set, 0);
			CHECK(strcmp(job.inject, text) == 0, strlen(job.inject), strlen(text));
		} else {
			fz_check_error(&c);
			CHECK(memcmp(&job, &before, sizeof job) == 0, rc, 0);
		}
		return 0;
	}

	enum hx_dim d = (enum hx_dim)pick;
	int rc = hx_job_set(&c, &job, d, text);
	if (rc != 0) {
		CHECK(rc == -1, rc, 0);
		fz_check_error(&c);
		CHECK(memcmp(&job, &before, sizeof job) == 0, d, 0);
		return 0;
	}
	CHECK(job.dim[d].set == 1, job.dim[d].set, d);
	fz_check_dim(&job, d);
	fz_check_roundtrip(&job, d, &scratch);
	/* The other dimensions are untouched. */
	for (int o = 0; o < HX_DIM__COUNT; o++)
		if (o != (int)d)
			CHECK(memcmp(&job.dim[o], &before.dim[o], sizeof job.dim[o]) == 0, o, d);
	if (job.dim[d].is_auto) {
		static const uint64_t caches[] = { 48u << 10, 1280u << 10, 105u << 20, 3u << 30 };
		hx_job_resolve_auto(&job, caches, 4);
		fz_check_dim(&job, d);
	}
	fz_walk_points(&job, 16);
	return 0;
}
