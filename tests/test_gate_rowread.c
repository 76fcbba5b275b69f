/*
 * tests/test_gate_rowread.c: the core's CSV row reader (harness/core/
 * rowread.c), which the gate reads sweep CSVs with: RFC 4180 splitting
 * (quotes, doubled quotes, quoted newlines, CRLF), incomplete records and
 * too-small buffers reported as such, header columns mapped to the tables,
 * strict number cells; and that what hx_row_header writes maps back to
 * every table row.
 */
#include <string.h>

#include "core/rowread.h"
#include "t.h"

struct split {
	const char *fields[8];
	char buf[128];
	struct hx_csv_rec rec;
};

static void split_init(struct split *s, size_t maxfields, size_t bufsize)
{
	memset(s, 0, sizeof *s);
	s->rec.fields = s->fields;
	s->rec.maxfields = maxfields;
	s->rec.buf = s->buf;
	s->rec.bufsize = bufsize;
}

static void test_split_plain_and_quoted(void)
{
	const char *t = "a,,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x\n";
	struct split s;
	size_t pos = 0;
	split_init(&s, 8, sizeof s.buf);
	T_EQ_INT(hx_csv_split(t, strlen(t), &pos, &s.rec), 0);
	T_EQ_U(s.rec.nfields, 4);
	T_EQ_STR(s.fields[0], "a");
	T_EQ_STR(s.fields[1], "");
	T_EQ_STR(s.fields[2], "b,c");
	T_EQ_STR(s.fields[3], "say \"hi\"");
	T_EQ_U(s.rec.lines, 1);
	T_EQ_INT(hx_csv_split(t, strlen(t), &pos, &s.rec), 0);
	T_EQ_U(s.rec.nfields, 2);
	T_EQ_STR(s.fields[0], "two\nlines");
	T_EQ_STR(s.fields[1], "x");
	T_EQ_U(s.rec.lines, 2);
	T_EQ_U(pos, strlen(t));
}

static void test_split_incomplete(void)
{
	struct split s;
	size_t pos = 0;
	const char *open = "a,\"never closed\n";
	split_init(&s, 8, sizeof s.buf);
	T_EQ_INT(hx_csv_split(open, strlen(open), &pos, &s.rec), DMAB_EAGAIN);
	T_EQ_INT(s.rec.open_quote, 1);
	T_EQ_U(pos, 0);
	const char *noeol = "a,b";
	T_EQ_INT(hx_csv_split(noeol, strlen(noeol), &pos, &s.rec), DMAB_EAGAIN);
	T_EQ_INT(s.rec.open_quote, 0);
	T_EQ_U(pos, 0);
	/* a stream reader feeds more text and splits again from the same place */
	const char *more = "a,b\n";
	T_EQ_INT(hx_csv_split(more, strlen(more), &pos, &s.rec), 0);
	T_EQ_U(s.rec.nfields, 2);
}

static void test_split_no_space(void)
{
	struct split s;
	size_t pos = 0;
	const char *t = "a,b,c\n";
	split_init(&s, 2, sizeof s.buf);
	T_EQ_INT(hx_csv_split(t, strlen(t), &pos, &s.rec), DMAB_ENOSPC);
	T_EQ_U(pos, 0);
	split_init(&s, 8, 5); /* "a\0b\0c\0" needs 6 */
	T_EQ_INT(hx_csv_split(t, strlen(t), &pos, &s.rec), DMAB_ENOSPC);
	split_init(&s, 3, 6);
	T_EQ_INT(hx_csv_split(t, strlen(t), &pos, &s.rec), 0);
	T_EQ_STR(s.fields[2], "c");
}

static void test_col_map(void)
{
	struct hx_col c = hx_col_map("profile");
	T_EQ_INT(c.kind, HX_COL_PROFILE);
	c = hx_col_map("deadline_ns");
	T_EQ_INT(c.kind, HX_COL_DIM);
	T_EQ_INT(c.index, HX_DIM_DEADLINE);
	c = hx_col_map("clock_kind");
	T_EQ_INT(c.kind, HX_COL_STATUS);
	T_EQ_INT(c.index, HX_SC_clock_kind);
	c = hx_col_map("throughput_MBps");
	T_EQ_INT(c.kind, HX_COL_METRIC);
	T_EQ_INT(c.index, HX_M_THROUGHPUT);
	T_EQ_INT(hx_col_map("pmu_cycles").kind, HX_COL_UNKNOWN);
	T_EQ_INT(hx_col_map("Size").kind, HX_COL_UNKNOWN);
	T_EQ_INT(hx_col_map(NULL).kind, HX_COL_UNKNOWN);
}

/* Every column the writer puts in a header maps back, each table row once. */
struct seen {
	int dims[HX_DIM__COUNT], status[HX_SC__COUNT], metrics[HX_M__COUNT], profile, unknown;
};

static void note(void *ctx, int sep, const char *text)
{
	struct seen *s = ctx;
	struct hx_col c = hx_col_map(text);
	(void)sep;
	if (c.kind == HX_COL_DIM)
		s->dims[c.index]++;
	else if (c.kind == HX_COL_STATUS)
		s->status[c.index]++;
	else if (c.kind == HX_COL_METRIC)
		s->metrics[c.index]++;
	else if (c.kind == HX_COL_PROFILE)
		s->profile++;
	else
		s->unknown++;
}

static void test_header_round_trip(void)
{
	struct seen s;
	memset(&s, 0, sizeof s);
	hx_row_header(note, &s);
	T_EQ_INT(s.unknown, 0);
	T_EQ_INT(s.profile, 1);
	for (int d = 0; d < HX_DIM__COUNT; d++)
		T_EQ_INT(s.dims[d], 1);
	for (int c = 0; c < HX_SC__COUNT; c++)
		T_EQ_INT(s.status[c], 1);
	for (int m = 0; m < HX_M__COUNT; m++)
		T_EQ_INT(s.metrics[m], 1);
}

static void test_cell_num(void)
{
	double v = 0;
	T_EQ_INT(hx_cell_num("12", &v), 0);
	T_NEAR(v, 12, 0);
	T_EQ_INT(hx_cell_num("-3.5", &v), 0);
	T_NEAR(v, -3.5, 0);
	T_EQ_INT(hx_cell_num("1e9", &v), 0);
	T_NEAR(v, 1e9, 0);
	T_EQ_INT(hx_cell_num(".5", &v), 0);
	T_NEAR(v, 0.5, 0);
	T_EQ_INT(hx_cell_num("", &v), DMAB_ENOENT);
	static const char *const junk[] = { "nan", "NaN", "inf", "-inf", "Infinity", " 1", "1 ",
					    "1x", "0x10", "1e999", "-", ".", "e5", "+", "12,3" };
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		v = 42;
		if (hx_cell_num(junk[i], &v) != DMAB_EINVAL) {
			T_EQ_STR(junk[i], "(refused)");
		}
		T_NEAR(v, 42, 0); /* untouched */
	}
}

T_MAIN(T_CASE(test_split_plain_and_quoted), T_CASE(test_split_incomplete),
       T_CASE(test_split_no_space), T_CASE(test_col_map), T_CASE(test_header_round_trip),
       T_CASE(test_cell_num))
