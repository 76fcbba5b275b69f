/*
 * tests/fuzz/fuzz_gate_icount.c: libFuzzer target for the gate's reader of
 * dmab-icount files (harness/gate/icount.c, as scripts/callgrind-counts
 * writes them).
 *
 * Input: the file's text, cut at its first NUL (the gate refuses a file
 * holding one); the reader splits it in place, so it gets a copy of exactly
 * that size (ASan sees any access past it). An accepted file must keep
 * fuzz_gate.h's dataset invariants, hold one "instructions" series per
 * kernel with whole, non-negative counts, and pass against itself. A
 * refusal must say why, on a line that exists. Costs per input: O(bytes)
 * plus O(kernels) to compare.
 */
#include "fuzz_gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *t = malloc(n + 1), *orig = malloc(n + 1);
	CHECK(t != NULL && orig != NULL, n, 0);
	memcpy(t, data, n);
	t[n] = '\0';
	memcpy(orig, t, n + 1);

	struct dataset d;
	struct gerr e = { { 0 } };
	memset(&d, 0, sizeof d);
	d.path = "fuzz.txt";
	d.fmt = FMT_ICOUNT;
	if (load_icount(&d, t, n, &e) == 0) {
		fzg_check_dataset(&d);
		for (size_t i = 0; i < d.nser; i++) {
			const struct series *s = &d.ser[i];
			CHECK(strcmp(s->metric, "instructions") == 0, i, 0);
			for (size_t k = 0; k < s->n; k++)
				CHECK(s->v[k] >= 0 && s->v[k] == floor(s->v[k]), i, k);
		}
		fzg_self_compare(&d);
	} else {
		fzg_check_refusal(&e, orig, n);
	}
	ds_free(&d);
	free(t);
	free(orig);
	return 0;
}
