/*
 * tests/fuzz/fuzz_jobfile.c: libFuzzer target for the job-file parser
 * (hx_jobfile_parse, harness/core/parse.h).
 *
 * Input: the whole file text (cut at its first NUL, as the CLI's reader
 * would see a C string). An accepted file yields 1..MAX_JOBS jobs, each
 * holding only values that keep fuzz_job.h's invariants; after the table
 * defaults are filled in (which must always succeed) and "auto" is
 * resolved, its first and last points must be producible and formattable.
 * A refused file must say why, on a line that exists. Costs per input: one
 * parse plus O(set dimensions) re-parses; the jobs are static (~40 KiB
 * each) so nothing is allocated per input.
 */
#include <string.h>

#include "fuzz.h"
#include "fuzz_job.h"

#define MAX_JOBS 8

static struct hx_job jobs[MAX_JOBS], scratch;
static char text[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	unsigned lines = 1;
	for (size_t i = 0; text[i]; i++)
		lines += text[i] == '\n';

	struct hx_parse_ctx c;
	memset(&c, 0, sizeof c);
	unsigned njobs = 12345;
	int rc = hx_jobfile_parse(&c, "fuzz.ini", text, jobs, MAX_JOBS, &njobs);
	if (rc != 0) {
		CHECK(rc == -1, rc, 0);
		fz_check_error(&c);
		CHECK(c.err.line <= lines, c.err.line, lines);
		CHECK(strncmp(c.err.msg, "fuzz.ini", 8) == 0, 0, 0);
		return 0;
	}
	CHECK(njobs >= 1 && njobs <= MAX_JOBS, njobs, MAX_JOBS);
	for (unsigned k = 0; k < njobs; k++) {
		struct hx_job *j = &jobs[k];
		CHECK(memchr(j->name, '\0', sizeof j->name) != NULL, k, 0);
		for (int d = 0; d < HX_DIM__COUNT; d++) {
			if (!j->dim[d].set)
				continue;
			fz_check_dim(j, (enum hx_dim)d);
			fz_check_roundtrip(j, (enum hx_dim)d, &scratch);
		}
		CHECK(memchr(j->inject, '\0', sizeof j->inject) != NULL, k, 0);
		struct hx_parse_ctx dc;
		memset(&dc, 0, sizeof dc);
		CHECK(hx_job_defaults(&dc, j) == 0, k, 0);
		static const uint64_t caches[] = { 48u << 10, 1280u << 10, 105u << 20 };
		hx_job_resolve_auto(j, caches, 3);
		CHECK(!hx_job_has_auto(j), k, 0);
		for (int d = 0; d < HX_DIM__COUNT; d++)
			fz_check_dim(j, (enum hx_dim)d);
		fz_walk_points(j, 8);
	}
	return 0;
}
