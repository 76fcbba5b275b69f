/*
 * tests/fuzz/fuzz_gate_csv.c: libFuzzer target for the gate's sweep CSV
 * reader (harness/gate/csv.c over harness/core/rowread.c).
 *
 * Input: one CSV, or two separated by the first form feed ('\f'), cut at
 * the first NUL (the gate refuses a file holding one), read as
 * `dmabench gate A B` reads them: each with the other's header columns, so
 * a dimension only one file has leaves the row identity (cli.c's
 * load_both). An accepted file must keep fuzz_gate.h's dataset invariants
 * and pass against itself; two accepted files must compare without a
 * broken tally (every compared series has exactly one verdict). A refused
 * file must say why, on a line that exists. Costs per input: O(bytes) to
 * read, O(series) to compare; the text is copied so ASan sees any read past
 * its NUL.
 */
#include "fuzz_gate.h"

/* Reads text[0..n) into d; 0 or -1, the refusal checked. */
static int load(struct dataset *d, const char *path, const char *data, size_t n,
		const struct strmap *other, char **copy)
{
	struct gate_opts o;
	struct gerr e = { { 0 } };
	char *t = malloc(n + 1);
	CHECK(t != NULL, n, 0);
	memcpy(t, data, n);
	t[n] = '\0';
	*copy = t;
	fzg_opts(&o);
	memset(d, 0, sizeof *d);
	d->path = path;
	d->fmt = FMT_CSV;
	if (load_csv(d, t, n, &o, other, &e) == 0)
		return 0;
	fzg_check_refusal(&e, t, n);
	return -1;
}

static void one_file(const uint8_t *data, size_t size)
{
	struct dataset d;
	char *t;
	if (load(&d, "fuzz.csv", (const char *)data, size, NULL, &t) == 0) {
		fzg_check_dataset(&d);
		fzg_self_compare(&d);
	}
	ds_free(&d);
	free(t);
}

static void two_files(const uint8_t *data, size_t na, size_t size)
{
	const char *a = (const char *)data, *b = a + na + 1;
	size_t nb = size - na - 1;
	struct strmap cols[2];
	struct dataset d[2];
	char *t[2];
	memset(cols, 0, sizeof cols);
	csv_header_cols(a, na, &cols[0]);
	csv_header_cols(b, nb, &cols[1]);
	int both = cols[0].n && cols[1].n;
	int ok0 = load(&d[0], "a.csv", a, na, both ? &cols[1] : NULL, &t[0]) == 0;
	int ok1 = load(&d[1], "b.csv", b, nb, both ? &cols[0] : NULL, &t[1]) == 0;
	if (ok0 && ok1) {
		fzg_check_dataset(&d[0]);
		fzg_check_dataset(&d[1]);
		if (!both || (one_sided_dims_ok(&d[0], &cols[1]) == 0 &&
			      one_sided_dims_ok(&d[1], &cols[0]) == 0)) {
			struct gate_opts o;
			struct tally tl;
			fzg_opts(&o);
			o.json = cJSON_CreateArray();
			CHECK(o.json != NULL, 0, 0);
			if (gate_compare(&d[0], &d[1], &o, &tl) == 0) {
				/* every comparison gets one verdict; missing and
				 * failed rows are tallied without being compared */
				size_t judged = tl.v[V_OK] + tl.v[V_IMPROVED] + tl.v[V_REGRESSION] +
						tl.v[V_CHANGED] + tl.v[V_INSUFFICIENT] +
						tl.v[V_INCONCLUSIVE];
				CHECK(tl.compared == judged, tl.compared, judged);
				CHECK(tl.new_rows <= d[1].rowmap.n, tl.new_rows, d[1].rowmap.n);
				CHECK(tl.new_metrics <= d[1].nser, tl.new_metrics, d[1].nser);
			}
			cJSON_Delete(o.json);
		}
	}
	for (int i = 0; i < 2; i++) {
		ds_free(&d[i]);
		free(t[i]);
		map_free(&cols[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The gate refuses a file with a NUL byte before any reader sees it
	 * (data.c), so only the text before one is read. */
	const uint8_t *nul = memchr(data, '\0', size);
	if (nul)
		size = (size_t)(nul - data);
	const uint8_t *ff = memchr(data, '\f', size);
	if (ff)
		two_files(data, (size_t)(ff - data), size);
	else
		one_file(data, size);
	return 0;
}
