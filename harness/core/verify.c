/*
 * harness/core/verify.c: data patterns, guard regions and verdicts (see
 * verify.h for the layout of a checked transfer).
 *
 * A pattern byte at stream position `pos` is byte (pos % 8) of a 64-bit word
 * derived from (key, pos / 8) by a multiply-xorshift mixer, where the key is
 * itself mixed from the seed and a domain tag (data or guard). So:
 *  - every byte depends on its position: a copy shifted by any amount, a
 *    truncated copy, or one block duplicated over its neighbour differs from
 *    the expected bytes with overwhelming probability (one chance in 2^8 per
 *    byte, independently), and one flipped bit always differs;
 *  - the "not yet written" destination pattern (seed ~seed) and the guard
 *    pattern (another domain) differ from the data pattern, so untouched
 *    memory never passes as a copy.
 * Cost: one word mix (two multiplies) per 8 bytes on fill and on check; the
 * 8-byte stores and loads are written byte by byte with shifts, which
 * compilers merge into single little-endian accesses where that is legal,
 * and which stays correct (and identical) on big-endian targets. Nothing
 * here allocates or keeps state: safe from any thread, and bare-metal.
 */
#include "core/verify.h"

#include <string.h>

#include "dmab/backend.h"
#include "dmab/rand.h"

#define DOMAIN_DATA 0x6a09e667f3bcc909ull
#define DOMAIN_GUARD 0xbb67ae8584caa73bull
/* dmab_mix64 (the splitmix64 finaliser) is a bijection with full
 * avalanche, so neighbouring word indices give unrelated words. */
#define WORD_STEP DMAB_SPLITMIX_STEP


static inline uint64_t key_of(uint64_t seed, uint64_t domain)
{
	return dmab_mix64(seed ^ domain) ^ domain;
}

static inline uint64_t word_at(uint64_t key, uint64_t widx)
{
	return dmab_mix64(key + widx * WORD_STEP);
}

static inline void store_le64(uint8_t *p, uint64_t w)
{
	p[0] = (uint8_t)w;
	p[1] = (uint8_t)(w >> 8);
	p[2] = (uint8_t)(w >> 16);
	p[3] = (uint8_t)(w >> 24);
	p[4] = (uint8_t)(w >> 32);
	p[5] = (uint8_t)(w >> 40);
	p[6] = (uint8_t)(w >> 48);
	p[7] = (uint8_t)(w >> 56);
}

static inline uint64_t load_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	       (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint8_t byte_at(uint64_t key, uint64_t pos)
{
	return (uint8_t)(word_at(key, pos >> 3) >> (8u * (unsigned)(pos & 7u)));
}

static void fill_key(uint8_t *p, size_t len, uint64_t key, uint64_t pos)
{
	size_t i = 0;
	for (; i < len && (pos & 7u); i++, pos++)
		p[i] = byte_at(key, pos);
	for (; len - i >= 8; i += 8, pos += 8)
		store_le64(p + i, word_at(key, pos >> 3));
	for (; i < len; i++, pos++)
		p[i] = byte_at(key, pos);
}

/* Counts differing bytes; the first one goes to *first (len when none). */
static size_t check_key(const uint8_t *p, size_t len, uint64_t key, uint64_t pos,
			size_t *first)
{
	size_t i = 0, bad = 0, fb = len;
	for (; i < len && (pos & 7u); i++, pos++) {
		if (p[i] != byte_at(key, pos)) {
			if (!bad++)
				fb = i;
		}
	}
	for (; len - i >= 8; i += 8, pos += 8) {
		uint64_t diff = load_le64(p + i) ^ word_at(key, pos >> 3);
		if (diff) {
			for (unsigned j = 0; j < 8; j++) {
				if ((diff >> (8u * j)) & 0xffu) {
					if (!bad++)
						fb = i + j;
				}
			}
		}
	}
	for (; i < len; i++, pos++) {
		if (p[i] != byte_at(key, pos)) {
			if (!bad++)
				fb = i;
		}
	}
	if (first)
		*first = fb;
	return bad;
}

uint8_t hx_pattern_byte(uint64_t seed, uint64_t pos)
{
	return byte_at(key_of(seed, DOMAIN_DATA), pos);
}

void hx_pattern_fill(void *buf, size_t len, uint64_t seed, uint64_t pos0)
{
	fill_key((uint8_t *)buf, len, key_of(seed, DOMAIN_DATA), pos0);
}

size_t hx_pattern_check(const void *buf, size_t len, uint64_t seed, uint64_t pos0,
			size_t *first_bad)
{
	return check_key((const uint8_t *)buf, len, key_of(seed, DOMAIN_DATA), pos0,
			 first_bad);
}

void hx_guard_fill(void *buf, size_t len, uint64_t seed)
{
	fill_key((uint8_t *)buf, len, key_of(seed, DOMAIN_GUARD), 0);
}

size_t hx_guard_check(const void *buf, size_t len, uint64_t seed, size_t *first_bad)
{
	return check_key((const uint8_t *)buf, len, key_of(seed, DOMAIN_GUARD), 0,
			 first_bad);
}

const char *hx_verdict_name(enum hx_verdict v)
{
	static const char *const names[] = {
#define HX__VN(id, name) name,
		HX_VERDICT_TABLE(HX__VN)
#undef HX__VN
	};
	if ((unsigned)v >= (unsigned)HX_V__COUNT)
		return "unknown";
	return names[v];
}

const char *hx_verdict_column(enum hx_verdict v)
{
	static const char *const cols[] = {
#define HX__VC(A, id, name, col, help) col,
		HX_VERDICT_ROWS(HX__VC, 0)
#undef HX__VC
	};
	if ((unsigned)v >= (unsigned)HX_V__COUNT)
		return "unknown";
	return cols[v];
}

int hx_verdict_parse(const char *name)
{
	for (int v = 0; v < (int)HX_V__COUNT; v++)
		if (name && strcmp(name, hx_verdict_name((enum hx_verdict)v)) == 0)
			return v;
	return -1;
}

/* The four guards get distinct seeds, so a device that copies the source's
 * leading guard into the destination's still leaves a wrong guard there. */
enum { G_SRC_PRE, G_SRC_POST, G_DST_PRE, G_DST_POST };
static uint64_t guard_seed(uint64_t seed, unsigned which)
{
	return seed ^ ((uint64_t)(which + 1u) * WORD_STEP);
}

void hx_xfer_prepare(const struct hx_xfer_buf *b)
{
	hx_xfer_prepare_src(b);
	hx_xfer_prepare_dst(b);
}

void hx_xfer_prepare_src(const struct hx_xfer_buf *b)
{
	hx_guard_fill(b->src, b->guard, guard_seed(b->seed, G_SRC_PRE));
	hx_pattern_fill(b->src + b->guard, b->len, b->seed, b->pos0);
	hx_guard_fill(b->src + b->guard + b->len, b->guard, guard_seed(b->seed, G_SRC_POST));
}

void hx_xfer_prepare_dst(const struct hx_xfer_buf *b)
{
	hx_guard_fill(b->dst, b->guard, guard_seed(b->seed, G_DST_PRE));
	hx_pattern_fill(b->dst + b->guard, b->len, ~b->seed, b->pos0);
	hx_guard_fill(b->dst + b->guard + b->len, b->guard, guard_seed(b->seed, G_DST_POST));
}

/* Checks both guards of one region; on damage *off gets the offset from
 * the region start and 1 is returned. */
static int guards_damaged(const uint8_t *region, const struct hx_xfer_buf *b,
			  unsigned pre, unsigned post, size_t *off)
{
	size_t fb;
	if (hx_guard_check(region, b->guard, guard_seed(b->seed, pre), &fb)) {
		*off = fb;
		return 1;
	}
	if (hx_guard_check(region + b->guard + b->len, b->guard, guard_seed(b->seed, post),
			   &fb)) {
		*off = b->guard + b->len + fb;
		return 1;
	}
	return 0;
}

enum hx_verdict hx_verify_src(const struct hx_xfer_buf *b, size_t *bad_off)
{
	size_t off = 0, fb;
	enum hx_verdict v = HX_V_OK;
	if (guards_damaged(b->src, b, G_SRC_PRE, G_SRC_POST, &off)) {
		v = HX_V_SRC_OVERWRITTEN;
	} else if (hx_pattern_check(b->src + b->guard, b->len, b->seed, b->pos0, &fb)) {
		v = HX_V_SRC_OVERWRITTEN;
		off = b->guard + fb;
	}
	if (bad_off)
		*bad_off = off;
	return v;
}

enum hx_verdict hx_verify_dst_guards(const struct hx_xfer_buf *b, size_t *bad_off)
{
	size_t off = 0;
	enum hx_verdict v = HX_V_OK;
	if (guards_damaged(b->dst, b, G_DST_PRE, G_DST_POST, &off))
		v = HX_V_OUTSIDE_WINDOW;
	if (bad_off)
		*bad_off = off;
	return v;
}

enum hx_verdict hx_verify_xfer(const struct hx_xfer_buf *b, size_t *bad_off)
{
	size_t off = 0, fb;
	enum hx_verdict v = hx_verify_src(b, &off);

	if (v != HX_V_OK) {
		/* off set by hx_verify_src */
	} else if ((v = hx_verify_dst_guards(b, &off)) != HX_V_OK) {
		/* off set by hx_verify_dst_guards */
	} else if (hx_pattern_check(b->dst + b->guard, b->len, b->seed, b->pos0, &fb)) {
		/* Wrong: either never written at all, or written wrongly. */
		if (hx_pattern_check(b->dst + b->guard, b->len, ~b->seed, b->pos0, NULL) == 0) {
			v = HX_V_NOT_COPIED;
			off = 0;
		} else {
			v = HX_V_MISMATCH;
			off = fb;
		}
	}
	if (bad_off)
		*bad_off = off;
	return v;
}

void hx_periph_begin(struct hx_periph_acc *a)
{
	memset(a, 0, sizeof(*a));
	a->hash = DMAB_FNV1A64_INIT;
	a->v = HX_V_OK;
}

void hx_periph_window(struct hx_periph_acc *a, const struct hx_xfer_buf *b, int to_dev)
{
	size_t off = 0;
	enum hx_verdict v = to_dev ? hx_verify_src(b, &off) : hx_verify_dst_guards(b, &off);
	if (v != HX_V_OK && a->v == HX_V_OK) {
		a->v = v;
		a->bad_off = off;
	}
	const uint8_t *w = (to_dev ? b->src : b->dst) + b->guard;
	a->hash = dmab_fnv1a64(a->hash, w, b->len);
	a->bytes += b->len;
	a->to_dev = to_dev;
	if (!to_dev && !a->written && hx_pattern_check(w, b->len, ~b->seed, b->pos0, NULL))
		a->written = 1;
}

enum hx_verdict hx_periph_end(const struct hx_periph_acc *a, const struct dmab_periph_xfer *seen,
			      size_t *bad_off)
{
	enum hx_verdict v = a->v;
	size_t off = a->bad_off;
	if (v == HX_V_OK && (seen->bytes != a->bytes || seen->hash != a->hash)) {
		/* nothing arrived: dev2mem, the windows say so; mem2dev, the
		 * register's count */
		int nothing = a->to_dev ? seen->bytes == 0 : !a->written;
		v = nothing ? HX_V_NOT_COPIED : HX_V_MISMATCH;
		off = 0;
	}
	if (bad_off)
		*bad_off = off;
	return v;
}

enum hx_verdict hx_verify_replay(const uint8_t *w, size_t len, uint64_t owed,
				 const struct dmab_periph_xfer *seen)
{
	if (seen->bytes == 0)
		return owed ? HX_V_NOT_COPIED : HX_V_OK;
	if (seen->bytes < owed || len == 0)
		return HX_V_MISMATCH;
	uint64_t h = DMAB_FNV1A64_INIT, left = seen->bytes;
	for (; left >= len; left -= len)
		h = dmab_fnv1a64(h, w, len);
	h = dmab_fnv1a64(h, w, (size_t)left);
	return h == seen->hash ? HX_V_OK : HX_V_MISMATCH;
}

enum hx_verdict hx_verify_periph(const struct hx_xfer_buf *b, int to_dev,
				 const struct dmab_periph_xfer *seen, size_t *bad_off)
{
	struct hx_periph_acc a;
	hx_periph_begin(&a);
	hx_periph_window(&a, b, to_dev);
	return hx_periph_end(&a, seen, bad_off);
}
