/*
 * test_verify.c: patterns, guards and every verdict of hx_verify_xfer,
 * including the failures that a naive "compare with memcpy" check misses
 * (a copy shifted by one byte or one word, a single flipped bit, a
 * truncated copy, a write one byte past the window).
 */
#include <stdlib.h>
#include <string.h>

#include "core/verify.h"
#include "t.h"

#define G 64u

struct bufs {
	uint8_t src[G + 300 + G];
	uint8_t dst[G + 300 + G];
	struct hx_xfer_buf b;
};

static void setup(struct bufs *x, size_t len, uint64_t seed, uint64_t pos0)
{
	memset(x, 0, sizeof(*x));
	x->b.src = x->src;
	x->b.dst = x->dst;
	x->b.len = len;
	x->b.guard = G;
	x->b.seed = seed;
	x->b.pos0 = pos0;
	hx_xfer_prepare(&x->b);
}

/* What a correct device does. */
static void copy_ok(struct bufs *x)
{
	memcpy(x->dst + G, x->src + G, x->b.len);
}

static void test_pattern_matches_byte_function(void)
{
	uint8_t buf[77];
	/* unaligned start position and odd length exercise head and tail */
	for (uint64_t pos0 = 0; pos0 < 11; pos0++) {
		hx_pattern_fill(buf, sizeof(buf), 42, pos0);
		for (size_t i = 0; i < sizeof(buf); i++)
			T_EQ_U(buf[i], hx_pattern_byte(42, pos0 + i));
		T_EQ_U(hx_pattern_check(buf, sizeof(buf), 42, pos0, NULL), 0);
	}
}

static void test_pattern_is_position_and_seed_dependent(void)
{
	uint8_t a[256], b[256];
	size_t first = 0;
	hx_pattern_fill(a, sizeof(a), 7, 0);
	hx_pattern_fill(b, sizeof(b), 7, 1);
	/* the same bytes one position later: nearly all differ */
	T_GT_U(hx_pattern_check(b, sizeof(b), 7, 0, &first), 200);
	T_LT_U(first, 4);
	hx_pattern_fill(b, sizeof(b), 8, 0);
	T_GT_U(hx_pattern_check(b, sizeof(b), 7, 0, NULL), 200);
	/* guard pattern differs from the data pattern of the same seed */
	hx_guard_fill(b, sizeof(b), 7);
	T_GT_U(hx_pattern_check(b, sizeof(b), 7, 0, NULL), 200);
	T_EQ_U(hx_guard_check(b, sizeof(b), 7, NULL), 0);
	T_GT_U(hx_guard_check(a, sizeof(a), 7, NULL), 200);
}

static void test_check_counts_and_first_bad(void)
{
	uint8_t buf[100];
	size_t first = 0;
	hx_pattern_fill(buf, sizeof(buf), 3, 5);
	T_EQ_U(hx_pattern_check(buf, sizeof(buf), 3, 5, &first), 0);
	T_EQ_U(first, sizeof(buf)); /* "none" is reported as len */
	buf[17] ^= 0x10;
	buf[90] ^= 0x01;
	T_EQ_U(hx_pattern_check(buf, sizeof(buf), 3, 5, &first), 2);
	T_EQ_U(first, 17);
	hx_guard_fill(buf, sizeof(buf), 9);
	buf[0] ^= 0x80;
	T_EQ_U(hx_guard_check(buf, sizeof(buf), 9, &first), 1);
	T_EQ_U(first, 0);
}

static void test_verdict_ok(void)
{
	struct bufs x;
	size_t off = 123;
	setup(&x, 300, 11, 1000);
	copy_ok(&x);
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_OK);
	T_EQ_U(off, 0);
	/* len 0: nothing to copy, guards intact: ok */
	setup(&x, 0, 11, 0);
	T_EQ_INT(hx_verify_xfer(&x.b, NULL), HX_V_OK);
}

static void test_verdict_not_copied(void)
{
	struct bufs x;
	size_t off = 99;
	setup(&x, 300, 12, 0);
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_NOT_COPIED);
	T_EQ_U(off, 0);
}

static void test_verdict_src_overwritten(void)
{
	struct bufs x;
	size_t off = 0;
	/* source window changed (e.g. a dev2mem in the wrong direction) */
	setup(&x, 300, 13, 0);
	copy_ok(&x);
	x.src[G + 5] ^= 0x04;
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_SRC_OVERWRITTEN);
	T_EQ_U(off, G + 5);
	/* source trailing guard changed: wins over a dst problem too */
	setup(&x, 300, 13, 0);
	x.src[G + 300 + 3] ^= 0xff;
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_SRC_OVERWRITTEN);
	T_EQ_U(off, G + 300 + 3);
	/* source leading guard */
	setup(&x, 300, 13, 0);
	copy_ok(&x);
	x.src[G - 1] ^= 0x01;
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_SRC_OVERWRITTEN);
	T_EQ_U(off, G - 1);
}

static void test_verdict_outside_window(void)
{
	struct bufs x;
	size_t off = 0;
	/* one byte past the end: a copy of len + 1 */
	setup(&x, 300, 14, 0);
	memcpy(x.dst + G, x.src + G, 301);
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_OUTSIDE_WINDOW);
	T_EQ_U(off, G + 300);
	/* one byte before the start */
	setup(&x, 300, 14, 0);
	copy_ok(&x);
	x.dst[G - 1] = (uint8_t)~x.dst[G - 1];
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_OUTSIDE_WINDOW);
	T_EQ_U(off, G - 1);
	/* guards swapped between src and dst regions are still wrong */
	setup(&x, 300, 14, 0);
	memcpy(x.dst, x.src, sizeof(x.dst));
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_OUTSIDE_WINDOW);
	T_EQ_U(off, 0);
}

static void test_verdict_mismatch_bitflip(void)
{
	struct bufs x;
	size_t off = 0;
	for (size_t at = 0; at < 300; at += 37) {
		setup(&x, 300, 15, 3);
		copy_ok(&x);
		x.dst[G + at] ^= (uint8_t)(1u << (at % 8));
		T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_MISMATCH);
		T_EQ_U(off, at);
	}
}

static void test_verdict_mismatch_shifted(void)
{
	struct bufs x;
	size_t off = 0;
	/* copy from one byte later in the source: looks like data, but wrong */
	setup(&x, 200, 16, 0);
	memcpy(x.dst + G, x.src + G + 1, 200);
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_MISMATCH);
	T_LT_U(off, 4);
	/* shifted by one whole word, into the destination one word late */
	setup(&x, 200, 16, 0);
	memcpy(x.dst + G + 8, x.src + G, 192);
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_MISMATCH);
	T_EQ_U(off, 0);
	/* the right data of another stream position (pos0 mismatch) */
	setup(&x, 200, 16, 0);
	hx_pattern_fill(x.dst + G, 200, 16, 64);
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_MISMATCH);
}

static void test_verdict_mismatch_truncated(void)
{
	struct bufs x;
	size_t off = 0;
	/* only the first 100 bytes arrived: partly written is a mismatch */
	setup(&x, 300, 17, 0);
	memcpy(x.dst + G, x.src + G, 100);
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_MISMATCH);
	T_EQ_U(off, 100);
	/* only the last byte missing */
	setup(&x, 300, 17, 0);
	memcpy(x.dst + G, x.src + G, 299);
	T_EQ_INT(hx_verify_xfer(&x.b, &off), HX_V_MISMATCH);
	T_EQ_U(off, 299);
}

static void test_prepare_halves_and_reuse(void)
{
	struct bufs x;
	setup(&x, 300, 18, 0);
	copy_ok(&x);
	T_EQ_INT(hx_verify_xfer(&x.b, NULL), HX_V_OK);
	/* without a fresh destination a missing second transfer would pass */
	T_EQ_INT(hx_verify_xfer(&x.b, NULL), HX_V_OK);
	hx_xfer_prepare_dst(&x.b);
	T_EQ_INT(hx_verify_xfer(&x.b, NULL), HX_V_NOT_COPIED);
	copy_ok(&x);
	T_EQ_INT(hx_verify_xfer(&x.b, NULL), HX_V_OK);
	/* the source half alone restores a damaged source */
	x.src[G] ^= 1;
	T_EQ_INT(hx_verify_xfer(&x.b, NULL), HX_V_SRC_OVERWRITTEN);
	hx_xfer_prepare_src(&x.b);
	T_EQ_INT(hx_verify_xfer(&x.b, NULL), HX_V_OK);
}

static void test_verdict_names(void)
{
	T_EQ_STR(hx_verdict_name(HX_V_OK), "ok");
	T_EQ_STR(hx_verdict_name(HX_V_NOT_COPIED), "not-copied");
	T_EQ_STR(hx_verdict_name(HX_V_SRC_OVERWRITTEN), "src-overwritten");
	T_EQ_STR(hx_verdict_name(HX_V_OUTSIDE_WINDOW), "outside-window");
	T_EQ_STR(hx_verdict_name(HX_V_MISMATCH), "mismatch");
	T_EQ_STR(hx_verdict_name(HX_V__COUNT), "unknown");
	T_EQ_INT(hx_verdict_parse("mismatch"), HX_V_MISMATCH);
	T_EQ_INT(hx_verdict_parse("ok"), HX_V_OK);
	T_EQ_INT(hx_verdict_parse("bogus"), -1);
	T_EQ_INT(hx_verdict_parse(NULL), -1);
	/* the CSV column of each verdict: vf_ and its name, '-' -> '_' */
	for (int v = 0; v < HX_V__COUNT; v++) {
		char want[40] = "vf_";
		const char *n = hx_verdict_name((enum hx_verdict)v);
		size_t k = 3;
		for (; *n && k + 1 < sizeof want; n++)
			want[k++] = *n == '-' ? '_' : *n;
		want[k] = 0;
		T_EQ_STR(hx_verdict_column((enum hx_verdict)v), want);
	}
	T_EQ_STR(hx_verdict_column(HX_V_NOT_COPIED), "vf_not_copied");
	T_EQ_STR(hx_verdict_column(HX_V__COUNT), "unknown");
}

static void test_large_buffer(void)
{
	size_t len = 1u << 20;
	uint8_t *src = malloc(len + 2 * G), *dst = malloc(len + 2 * G);
	T_NOT_NULL(src);
	T_NOT_NULL(dst);
	struct hx_xfer_buf b = { src, dst, len, G, 99, 12345 };
	hx_xfer_prepare(&b);
	memcpy(dst + G, src + G, len);
	enum hx_verdict ok = hx_verify_xfer(&b, NULL);
	dst[G + len - 1] ^= 0x40;
	size_t off = 0;
	enum hx_verdict bad = hx_verify_xfer(&b, &off);
	free(src);
	free(dst);
	T_EQ_INT(ok, HX_V_OK);
	T_EQ_INT(bad, HX_V_MISMATCH);
	T_EQ_U(off, len - 1);
}

T_MAIN(T_CASE(test_pattern_matches_byte_function),
       T_CASE(test_pattern_is_position_and_seed_dependent),
       T_CASE(test_check_counts_and_first_bad), T_CASE(test_verdict_ok),
       T_CASE(test_verdict_not_copied), T_CASE(test_verdict_src_overwritten),
       T_CASE(test_verdict_outside_window), T_CASE(test_verdict_mismatch_bitflip),
       T_CASE(test_verdict_mismatch_shifted), T_CASE(test_verdict_mismatch_truncated),
       T_CASE(test_prepare_halves_and_reuse), T_CASE(test_verdict_names),
       T_CASE(test_large_buffer))
