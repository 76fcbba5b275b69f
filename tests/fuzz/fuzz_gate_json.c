/*
 * tests/fuzz/fuzz_gate_json.c: libFuzzer target for the gate's JSON parser
 * and its Google Benchmark reader (harness/gate/json.c, gbench.c).
 *
 * Input: the file's text, cut at its first NUL (the gate refuses a file
 * holding one). A parsed tree must be well formed (every object member
 * named, nothing nested deeper than the parser's cap of 64); then the text
 * is read as Google Benchmark output with each --gb-time choice, and an
 * accepted file must keep fuzz_gate.h's dataset invariants (every figure
 * finite: NaN and Infinity are JSON extensions GB writes) and pass against
 * itself. A refusal must say why, on a line that exists. Costs per input:
 * O(bytes) per parse, four parses, O(series) per comparison.
 */
#include "fuzz_gate.h"

static void check_tree(const struct jval *v, int depth)
{
	CHECK(depth <= 65, depth, 65);
	CHECK(v->t <= J_OBJ, v->t, J_OBJ);
	if (v->t == J_STR)
		CHECK(v->str != NULL, 0, 0);
	if (v->t != J_ARR && v->t != J_OBJ) {
		CHECK(v->n == 0 && v->item == NULL, v->n, 0);
		return;
	}
	CHECK(v->n == 0 || v->item != NULL, v->n, 0);
	for (size_t i = 0; i < v->n; i++) {
		if (v->t == J_OBJ)
			CHECK(v->key && v->key[i], i, 0);
		check_tree(&v->item[i], depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *t = malloc(n + 1);
	CHECK(t != NULL, n, 0);
	memcpy(t, data, n);
	t[n] = '\0';

	struct jval root;
	struct gerr e = { { 0 } };
	if (jparse(t, n, &root, &e) == 0)
		check_tree(&root, 0);
	else
		fzg_check_refusal(&e, t, n);
	jfree(&root);

	/* auto, real, cpu, both */
	for (int mode = 0; mode < 4; mode++) {
		struct gate_opts o;
		struct dataset d;
		fzg_opts(&o);
		o.gb_real = mode & 1;
		o.gb_cpu = (mode >> 1) & 1;
		memset(&d, 0, sizeof d);
		d.path = "fuzz.json";
		d.fmt = FMT_GBJSON;
		memset(&e, 0, sizeof e);
		if (load_gbjson(&d, t, n, &o, &e) == 0) {
			fzg_check_dataset(&d);
			fzg_self_compare(&d);
		} else {
			fzg_check_refusal(&e, t, n);
		}
		ds_free(&d);
	}
	free(t);
	return 0;
}
