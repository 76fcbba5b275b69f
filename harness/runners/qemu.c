/*
 * harness/runners/qemu.c: the QEMU runner (runners.h): `--backend
 * cortexm:BOARD[.BACKEND[.PROFILE]]` runs the job's points inside the
 * Cortex-M firmware (targets/cortexm/) on QEMU's model of an MPS2 board:
 * `cortexm:an505` (the board's default backend), `cortexm:an505.pl08x`,
 * `cortexm:an505.sim.soc`, `cortexm:an385` (a board without a DMA
 * controller: the CPU copy engine, backends/cpu/, by default; also an386
 * and an500). The separator is '.' because the core's
 * backend parser admits no '/' in a profile; '/' is taken too, for the day
 * it does.
 *
 * One boot per job, not per point: a boot costs about 0.1 s of wall time,
 * a small point a few ms. The job goes to the firmware as a job file
 * written here (every dimension's values and the fault spec, in the job
 * file syntax the core parses on both sides) that the firmware reads
 * through semihosting (--job FILE); --first N skips points already in the
 * CSV (--resume). The firmware prints the same CSV rows the host writes
 * (core/row.h); they are read back with the core's reader (rowread.h), a
 * record at a time as they arrive on QEMU's standard output, checked
 * against the host's own expansion of the job (every dimension column must
 * match, so a row is never attributed to the wrong point), and handed to
 * the sweep in order. The row keeps the host's point (backend "cortexm",
 * profile "an505.sim"), so the CSV schema, --resume and the gate see one
 * kind of row wherever it ran; the result columns are the firmware's.
 *
 * A guest that hangs never exits, so QEMU runs in its own process group
 * and is killed when no row arrives for DMABENCH_QEMU_TIMEOUT seconds
 * (default 60); a guest that faults exits with the firmware's status.
 * Either way the points it did not finish become failed rows naming what
 * happened (and the firmware's last message); the rows before stay.
 * Timing is -icount shift=5 (32 ns of virtual time per instruction, near
 * the board's clock): the CPU metrics count instructions and repeat bit
 * for bit; device time is not modelled by QEMU (its DMA completes inside
 * the register write), so they are the library's and driver's CPU-side
 * costs. Costs on the host: one fork/exec per job, a poll every 100 ms,
 * O(row bytes) per row.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backends/registry.h"
#include "core/rowread.h"
#include "runners/runners.h"

#define QEMU_PROG "qemu-system-arm"
#define QEMU_ICOUNT "shift=5,sleep=off"
#define QEMU_DEFAULT_TIMEOUT_S 60
#define QEMU_MAX_FIELDS 256
#define QEMU_OUT_MAX (4u << 20) /* a row is < 4 KiB; the buffer only holds what is not yet read */

/* A board: QEMU's machine, its core, the firmware image built for it (in
 * the firmware folder) and the backends built into that firmware, the
 * default first. The build's side of a board (CPU flags, memory map,
 * backends) is its row of the Makefile's CM_BOARD_* table; this is the
 * host's side. The boards without a DMA controller default to the CPU
 * copy engine (backends/cpu/, on the board's CMSDK timer). */
struct board {
	const char *name, *machine, *core, *firmware, *backends;
};
static const struct board boards[] = {
	{ "an505", "mps2-an505", "Cortex-M33", "dmab-fw.elf", "sim,host,pl08x" },
	{ "an385", "mps2-an385", "Cortex-M3", "an385/dmab-fw.elf", "cpu,sim,host" },
	{ "an386", "mps2-an386", "Cortex-M4", "an386/dmab-fw.elf", "cpu,sim,host" },
	{ "an500", "mps2-an500", "Cortex-M7", "an500/dmab-fw.elf", "cpu,sim,host" },
};
#define NBOARDS (sizeof boards / sizeof boards[0])

/* A parsed profile "BOARD[.BACKEND[.PROFILE]]". */
struct target {
	const struct board *board;
	char backend[HX_NAME_MAX];
	char profile[HX_NAME_MAX];
};

/* "an505 (mps2-an505, Cortex-M33: sim,host,pl08x), an385 (...)": what
 * `list` and a bad board name show. */
static void board_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NBOARDS && used < n; i++) {
		const struct board *b = &boards[i];
		int w = snprintf(buf + used, n - used, "%s%s (%s, %s: %s)", i ? ", " : "", b->name, b->machine,
				 b->core, b->backends);
		used += w > 0 ? (size_t)w : 0;
	}
}

/* Whether word is one of the comma-separated items of list. */
static int in_list(const char *list, const char *word)
{
	size_t wl = strlen(word);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == wl && strncmp(p, word, wl) == 0)
			return 1;
		p += l + (e != NULL);
	}
	return 0;
}

static int parse_target(const char *profile, struct target *t, char *why, size_t n)
{
	char names[512];
	memset(t, 0, sizeof *t);
	if (!profile[0]) {
		board_names(names, sizeof names);
		snprintf(why, n, "cortexm needs a board: cortexm:BOARD[.BACKEND[.PROFILE]] (boards: %s)", names);
		return -1;
	}
	const char *slash = strpbrk(profile, "./");
	size_t bl = slash ? (size_t)(slash - profile) : strlen(profile);
	for (size_t i = 0; i < NBOARDS; i++)
		if (strlen(boards[i].name) == bl && strncmp(boards[i].name, profile, bl) == 0)
			t->board = &boards[i];
	if (!t->board) {
		board_names(names, sizeof names);
		snprintf(why, n, "cortexm: unknown board '%.*s' (boards: %s)", (int)bl, profile, names);
		return -1;
	}
	const char *be = slash ? slash + 1 : "";
	const char *dot = strpbrk(be, "./");
	size_t nl = dot ? (size_t)(dot - be) : strlen(be);
	if (!nl) { /* the board's default backend */
		const char *c = strchr(t->board->backends, ',');
		nl = c ? (size_t)(c - t->board->backends) : strlen(t->board->backends);
		be = t->board->backends;
		dot = NULL;
	}
	snprintf(t->backend, sizeof t->backend, "%.*s", (int)nl, be);
	snprintf(t->profile, sizeof t->profile, "%s", dot ? dot + 1 : "");
	if (!in_list(t->board->backends, t->backend)) {
		snprintf(why, n, "cortexm:%s: no backend '%s' in its firmware (built: %s)", t->board->name,
			 t->backend, t->board->backends);
		return -1;
	}
	/* A backend the host also builds has the same profile table here. */
	const struct dmab_backend_ops *ops = dmab_registry_find(t->backend);
	if (ops && t->profile[0] && !dmab_profile_find(ops, t->profile)) {
		snprintf(why, n, "cortexm:%s: backend %s has no profile '%s'", t->board->name, t->backend,
			 t->profile);
		return -1;
	}
	return 0;
}

static int qemu_check_spec(const struct hx_runner *r, const char *name, const char *profile, char *why,
			   size_t n)
{
	(void)r;
	(void)name;
	struct target t;
	return parse_target(profile, &t, why, n);
}

/* The firmware of board b: $DMABENCH_FIRMWARE_DIR/NAME, else cortexm/NAME
 * beside this program (build/dmabench -> build/cortexm/dmab-fw.elf). */
static void firmware_path(const struct board *b, char *buf, size_t n)
{
	const char *dir = getenv("DMABENCH_FIRMWARE_DIR");
	if (dir && *dir) {
		snprintf(buf, n, "%s/%s", dir, b->firmware);
		return;
	}
	char exe[4096];
	ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[l > 0 ? l : 0] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(buf, n, "%s/cortexm/%s", slash ? exe : ".", b->firmware);
}

/* Whether prog is an executable file in one of $PATH's folders. */
static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];
	for (const char *p = path ? path : ""; *p;) {
		const char *e = strchr(p, ':');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		snprintf(buf, sizeof buf, "%.*s/%s", (int)l, l ? p : ".", prog);
		if (access(buf, X_OK) == 0)
			return 1;
		p += l + (e != NULL);
	}
	return 0;
}

/* An empty profile asks about the runner alone (QEMU), as `list` does. */
static int qemu_unavailable(const struct hx_runner *r, const struct hx_backend_spec *b, char *why, size_t n)
{
	(void)r;
	struct target t;
	char fw[4200];
	if (b->profile[0] && parse_target(b->profile, &t, why, n) < 0)
		return -1;
	if (!in_path(QEMU_PROG)) {
		snprintf(why, n, "%s not found in PATH (Debian package qemu-system-arm; scripts/deps arm installs it)",
			 QEMU_PROG);
		return -1;
	}
	if (!b->profile[0])
		return 0;
	firmware_path(t.board, fw, sizeof fw);
	if (access(fw, R_OK) != 0) {
		snprintf(why, n, "no firmware for %s at %s (make lib-cortexm builds it; DMABENCH_FIRMWARE_DIR "
				 "names another folder)", t.board->name, fw);
		return -1;
	}
	return 0;
}

/* What the firmware can tell before booting: the options a backend the
 * host also builds refuses (its table is the same); other backends are
 * checked by the firmware, per row. */
static int qemu_check(const struct hx_runner *r, const struct hx_backend_spec *b, const char *options,
		      char *why, size_t n)
{
	(void)r;
	struct target t;
	if (parse_target(b->profile, &t, why, n) < 0)
		return DMAB_EINVAL;
	const struct dmab_backend_ops *ops = dmab_registry_find(t.backend);
	if (!ops || !options[0])
		return 0;
	void *p = calloc(1, ops->option_struct_size ? ops->option_struct_size : 1);
	if (!p)
		return DMAB_ENOMEM;
	int rc = dmab_options_parse(ops, t.profile, options, p, why, n);
	free(p);
	return rc < 0 ? DMAB_EINVAL : 0;
}

/* text, data and bss of an ELF32 image as arm-none-eabi-size counts them:
 * allocated sections, read-only / written / not in the file. */
/* libdmab's core text (pools, SG, descriptors, channels, device) in the
 * firmware, as `make footprint` last measured it (FW's folder,
 * footprint.txt); 0 when it has not, or measured an older image. */
static unsigned long fw_core_text(const char *fw)
{
	char path[512];
	const char *slash = strrchr(fw, '/');
	int dir = slash ? (int)(slash - fw) : 0;
	snprintf(path, sizeof path, "%.*s%sfootprint.txt", dir, fw, slash ? "/" : "");
	struct stat sf, se;
	if (stat(path, &sf) != 0 || stat(fw, &se) != 0 || sf.st_mtime < se.st_mtime)
		return 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[128];
	unsigned long v = 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "firmware_libdmab_core_text=%lu", &v) == 1)
			break;
	fclose(f);
	return v;
}

struct footprint {
	unsigned long text, data, bss;
};
static int elf_footprint(const char *path, struct footprint *fp)
{
	unsigned char eh[52], sh[40];
	FILE *f = fopen(path, "rb");
	memset(fp, 0, sizeof *fp);
	if (!f)
		return -1;
	int ok = fread(eh, 1, sizeof eh, f) == sizeof eh && memcmp(eh, "\177ELF\1\1", 6) == 0;
#define U32(p) ((unsigned long)(p)[0] | (unsigned long)(p)[1] << 8 | (unsigned long)(p)[2] << 16 | (unsigned long)(p)[3] << 24)
#define U16(p) ((unsigned)(p)[0] | (unsigned)(p)[1] << 8)
	unsigned long shoff = ok ? U32(eh + 32) : 0;
	unsigned shnum = ok ? U16(eh + 48) : 0, shentsize = ok ? U16(eh + 46) : 0;
	for (unsigned i = 0; ok && i < shnum; i++) {
		ok = shentsize >= sizeof sh && fseek(f, (long)(shoff + (unsigned long)i * shentsize), SEEK_SET) == 0 &&
		     fread(sh, 1, sizeof sh, f) == sizeof sh;
		unsigned long type = U32(sh + 4), flags = U32(sh + 8), size = U32(sh + 20);
		if (!ok || !(flags & 2)) /* SHF_ALLOC */
			continue;
		if (type == 8) /* SHT_NOBITS */
			fp->bss += size;
		else if (flags & 1) /* SHF_WRITE */
			fp->data += size;
		else
			fp->text += size;
	}
#undef U32
#undef U16
	fclose(f);
	return ok ? 0 : -1;
}

static void qemu_describe(const struct hx_runner *r, const struct hx_backend_spec *b, const char *options,
			  char *buf, size_t n)
{
	(void)r;
	struct target t;
	char why[256], fw[4200], inner[3072], fps[96];
	if (parse_target(b->profile, &t, why, sizeof why) < 0) {
		snprintf(buf, n, "cortexm:%s (%s)", b->profile, why);
		return;
	}
	struct hx_backend_spec tb;
	memset(&tb, 0, sizeof tb);
	snprintf(tb.name, sizeof tb.name, "%s", t.backend);
	snprintf(tb.profile, sizeof tb.profile, "%s", t.profile);
	inner[0] = '\0';
	const struct dmab_backend_ops *ops = dmab_registry_find(t.backend);
	if (ops) { /* its parameters, as the host parses them */
		hx_runner_local.describe(&hx_runner_local, &tb, options, inner, sizeof inner);
		/* A real clock (cpu's) is the host's when opened here; the
		 * target's is another (the rows' clock column names it). */
		char *c = (ops->caps & DMAB_CAP_VIRTUAL_TIME) ? NULL : strstr(inner, " clock{");
		char *e = c ? strchr(c, '}') : NULL;
		if (e)
			memmove(c, e + 1, strlen(e + 1) + 1);
	} else
		snprintf(inner, sizeof inner, "%s%s%s", t.backend, t.profile[0] ? ":" : "", t.profile);
	firmware_path(t.board, fw, sizeof fw);
	struct footprint fp;
	if (elf_footprint(fw, &fp) == 0)
	{
		unsigned long core = fw_core_text(fw);
		int k = snprintf(fps, sizeof fps, " text=%lu data=%lu bss=%lu", fp.text, fp.data, fp.bss);
		if (core && k > 0 && (size_t)k < sizeof fps)
			snprintf(fps + k, sizeof fps - (size_t)k, " libdmab_core_text=%lu", core);
	} else
		snprintf(fps, sizeof fps, " (not readable)");
	snprintf(buf, n,
		 "cortexm:%s target{%s %s under QEMU -icount %s: CPU metrics are instruction-driven and "
		 "repeat exactly; device transfer time is not modelled} firmware{%s%s} on_target{%s}",
		 b->profile, t.board->machine, t.board->core, QEMU_ICOUNT, fw, fps, inner);
}

/* ---- the job file -------------------------------------------------------------- */

/* Value i of dimension d of job j in the job file's syntax; the backend
 * translated to the firmware's (sim:soc). */
static int value_text(const struct hx_job *j, enum hx_dim d, unsigned i, char *buf, size_t n)
{
	const struct hx_dim_desc *dd = hx_dim_desc(d);
	uint64_t v = j->dim[d].v[i];
	const char *name;
	switch (dd->type) {
	case HX_DT_BACKEND: {
		struct target t;
		char why[256];
		if (parse_target(j->backends[v].profile, &t, why, sizeof why) < 0)
			return -1;
		return snprintf(buf, n, "%s%s%s", t.backend, t.profile[0] ? ":" : "", t.profile);
	}
	case HX_DT_STR:
		name = hx_job_str(j, d, i);
		return snprintf(buf, n, "%s", name ? name : "");
	case HX_DT_U64:
	case HX_DT_SIZE:
		return snprintf(buf, n, "%llu", (unsigned long long)v);
	case HX_DT_TIME:
		return snprintf(buf, n, "%lluns", (unsigned long long)v);
	default:
		name = hx_enum_name(dd->type, (int)v);
		return name ? snprintf(buf, n, "%s", name) : -1;
	}
}

/* Writes backends [b0, b1) of job j (all others dimensions whole) as a job
 * file to fd. 0, or -1 (a value that cannot be written, or I/O). */
static int write_jobfile(int fd, const struct hx_job *j, unsigned b0, unsigned b1)
{
	FILE *f = fdopen(dup(fd), "w");
	if (!f)
		return -1;
	int bad = fprintf(f, "[%s]\n", j->name[0] ? j->name : "job") < 0;
	char val[HX_STR_MAX + 64];
	for (int d = 0; d < HX_DIM__COUNT && !bad; d++) {
		const struct hx_vals *vs = &j->dim[d];
		unsigned lo = d == HX_DIM_BACKEND ? b0 : 0, hi = d == HX_DIM_BACKEND ? b1 : vs->n;
		fprintf(f, "%s =", hx_dim_desc((enum hx_dim)d)->name);
		for (unsigned i = lo; i < hi && !bad; i++) {
			int w = value_text(j, (enum hx_dim)d, i, val, sizeof val);
			bad = w < 0 || (size_t)w >= sizeof val || strchr(val, '\n');
			fprintf(f, "%s%s", i > lo ? "," : " ", val);
		}
		fputc('\n', f);
	}
	if (j->inject[0])
		fprintf(f, "inject = %s\n", j->inject);
	bad |= ferror(f);
	return fclose(f) != 0 || bad ? -1 : 0;
}

/* ---- one boot ------------------------------------------------------------------ */

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned timeout_s(void)
{
	const char *e = getenv("DMABENCH_QEMU_TIMEOUT");
	char *end;
	unsigned long v = e ? strtoul(e, &end, 10) : 0;
	return e && *e && !*end && v > 0 && v < 86400 ? (unsigned)v : QEMU_DEFAULT_TIMEOUT_S;
}

/* A boot in progress: host points [next, end) of the host's job; the
 * firmware's sub-job holds only this boot's backends, so its point k is
 * host point b0 x points-per-backend + k. */
struct boot {
	const struct hx_job *job;     /* the host's job, for the points */
	uint64_t next, end;           /* next: the host index the next row is for */
	pid_t pid;
	int out_fd, err_fd;
	char *buf;                    /* what QEMU wrote and is not yet split */
	size_t len, cap;
	struct hx_col cols[QEMU_MAX_FIELDS];
	size_t ncols;
	int have_header;
	char fail[160];               /* set when the boot broke: why */
	int (*row)(void *ctx, uint64_t idx, const struct hx_point *pt, const struct hx_result *res);
	void *row_ctx;
	int stop;                     /* row asked to stop (1) or abort (-1) */
};

static int boot_start(struct boot *bt, const char *machine, const char *fw, const char *append)
{
	int out[2];
	char tmpl[] = "/tmp/dmabench-qemu-err.XXXXXX";
	bt->err_fd = mkstemp(tmpl);
	if (bt->err_fd < 0)
		return -1;
	unlink(tmpl);
	if (pipe(out) < 0)
		return -1;
	const char *argv[] = { QEMU_PROG, "-M", machine, "-nographic", "-semihosting-config",
			       "enable=on,target=native", "-icount", QEMU_ICOUNT, "-kernel", fw,
			       "-append", append, NULL };
	fflush(NULL);
	bt->pid = fork();
	if (bt->pid < 0) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (bt->pid == 0) {
		/* Its own process group: Ctrl-C reaches dmabench, which ends the
		 * job between points, not QEMU in the middle of one. */
		setpgid(0, 0);
		int nul = open("/dev/null", O_RDONLY);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(out[1], 1) < 0 || dup2(bt->err_fd, 2) < 0)
			_exit(127);
		close(out[0]);
		execvp(QEMU_PROG, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	bt->out_fd = out[0];
	return 0;
}

/* The header: every column mapped (a firmware of another schema fails). */
static int take_header(struct boot *bt, const struct hx_csv_rec *rec)
{
	if (rec->nfields > QEMU_MAX_FIELDS)
		return -1;
	for (size_t i = 0; i < rec->nfields; i++)
		bt->cols[i] = hx_col_map(rec->fields[i]);
	bt->ncols = rec->nfields;
	bt->have_header = 1;
	return 0;
}

/* One firmware row into res, checked against the host's point pt. */
static int take_row(struct boot *bt, const struct hx_csv_rec *rec, const struct hx_point *pt,
		    struct hx_result *res)
{
	char mine[HX_STR_MAX + 64];
	hx_result_init(res);
	/* -icount with a fixed shift: every clock in the guest, the
	 * firmware's SysTick included, repeats bit for bit */
	res->clock_kind = HX_CLOCK_VIRTUAL;
	if (rec->nfields != bt->ncols)
		return snprintf(res->reason, sizeof res->reason, "%zu fields under a header of %zu", rec->nfields,
				bt->ncols), -1;
	for (size_t i = 0; i < rec->nfields; i++) {
		const char *f = rec->fields[i];
		struct hx_col c = bt->cols[i];
		double v;
		if (c.kind == HX_COL_DIM && c.index != HX_DIM_BACKEND) {
			hx_dim_format(pt, (enum hx_dim)c.index, mine, sizeof mine);
			if (strcmp(mine, f) != 0)
				return snprintf(res->reason, sizeof res->reason, "%s is '%.40s', the point's is '%.40s'",
						hx_dim_desc((enum hx_dim)c.index)->column, f, mine), -1;
		} else if (c.kind == HX_COL_STATUS) {
			if (c.index == HX_SC_status) {
				int st = hx_status_parse(f);
				if (st < 0)
					return snprintf(res->reason, sizeof res->reason, "status '%s'", f), -1;
				res->status = (enum hx_status)st;
			} else if (c.index == HX_SC_reason) {
				snprintf(res->reason, sizeof res->reason, "%s", f);
			} else if (c.index == HX_SC_clock) {
				snprintf(res->clock, sizeof res->clock, "%s", f);
			} else if (c.index == HX_SC_cpu_clock) {
				snprintf(res->cpu_clock, sizeof res->cpu_clock, "%s", f);
			}
		} else if (c.kind == HX_COL_METRIC) {
			int rc = hx_cell_num(f, &v);
			if (rc == 0)
				hx_result_set(res, (enum hx_metric)c.index, v);
			else if (rc != DMAB_ENOENT)
				return snprintf(res->reason, sizeof res->reason, "%s is '%.40s'",
						hx_metrics[c.index].column, f), -1;
		}
	}
	return 0;
}

/* Hands row idx to the caller; a runner failure becomes a failed row. */
static void deliver(struct boot *bt, const struct hx_point *pt, struct hx_result *res)
{
	int r = bt->row(bt->row_ctx, bt->next, pt, res);
	bt->next++;
	if (r)
		bt->stop = r;
}

/* Splits every complete record in the buffer. */
static void take_records(struct boot *bt)
{
	static const char *fields[QEMU_MAX_FIELDS];
	static char space[QEMU_OUT_MAX + QEMU_MAX_FIELDS];
	size_t pos = 0;
	while (pos < bt->len && !bt->stop && !bt->fail[0] && bt->next < bt->end) {
		if (bt->buf[pos] == '#') { /* the firmware's metadata: the host writes its own */
			char *nl = memchr(bt->buf + pos, '\n', bt->len - pos);
			if (!nl)
				break;
			pos = (size_t)(nl - bt->buf) + 1;
			continue;
		}
		struct hx_csv_rec rec = { fields, QEMU_MAX_FIELDS, space, sizeof space, 0, 0, 0 };
		if (hx_csv_split(bt->buf, bt->len, &pos, &rec) == DMAB_EAGAIN)
			break;
		if (!bt->have_header) {
			if (take_header(bt, &rec) < 0)
				snprintf(bt->fail, sizeof bt->fail, "the firmware's CSV header has %zu columns", rec.nfields);
			continue;
		}
		struct hx_point pt;
		struct hx_result res;
		/* bt->next is the host's index: the firmware's point plus the
		 * points of the boots before (another board's backends). */
		hx_job_point(bt->job, bt->next, &pt);
		if (take_row(bt, &rec, &pt, &res) < 0) {
			char why[sizeof res.reason];
			snprintf(why, sizeof why, "%s", res.reason);
			snprintf(bt->fail, sizeof bt->fail, "firmware row for point %llu does not match: %.100s",
				 (unsigned long long)(bt->next + 1), why);
			break;
		}
		deliver(bt, &pt, &res);
	}
	memmove(bt->buf, bt->buf + pos, bt->len - pos);
	bt->len -= pos;
}

/* Reads QEMU's output until it ends, the job is done, the caller stops,
 * or nothing arrives for the timeout. */
static void boot_read(struct boot *bt, const struct hx_platform *plat)
{
	unsigned tmo = timeout_s();
	uint64_t last = mono_ns();
	while (bt->next < bt->end && !bt->stop && !bt->fail[0]) {
		struct pollfd p = { bt->out_fd, POLLIN, 0 };
		int pr = poll(&p, 1, 100);
		if (plat && plat->stop_requested && plat->stop_requested(plat->ctx)) {
			bt->stop = -1;
			break;
		}
		if (pr < 0 && errno != EINTR) {
			snprintf(bt->fail, sizeof bt->fail, "poll: %s", strerror(errno));
			break;
		}
		if (pr <= 0) {
			if (mono_ns() - last > (uint64_t)tmo * 1000000000ull) {
				snprintf(bt->fail, sizeof bt->fail,
					 "QEMU killed: no row for %u s (DMABENCH_QEMU_TIMEOUT)", tmo);
				break;
			}
			continue;
		}
		if (bt->len + 65536 > bt->cap) {
			size_t cap = bt->cap ? bt->cap * 2 : 131072;
			char *nb = cap <= QEMU_OUT_MAX ? realloc(bt->buf, cap) : NULL;
			if (!nb) {
				snprintf(bt->fail, sizeof bt->fail, "a firmware record longer than %u bytes", QEMU_OUT_MAX);
				break;
			}
			bt->buf = nb;
			bt->cap = cap;
		}
		ssize_t got = read(bt->out_fd, bt->buf + bt->len, bt->cap - bt->len);
		if (got <= 0)
			break; /* QEMU is gone: its exit status says why */
		bt->len += (size_t)got;
		uint64_t before = bt->next;
		take_records(bt);
		if (bt->next != before || !bt->have_header)
			last = mono_ns();
	}
}

/* The firmware's last stderr line, for a failed row's reason. */
static void last_message(int fd, char *buf, size_t n)
{
	char tail[512];
	buf[0] = '\0';
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)sizeof tail - 1 ? size - (off_t)sizeof tail + 1 : 0;
	ssize_t got = pread(fd, tail, sizeof tail - 1, from);
	if (got <= 0)
		return;
	tail[got] = '\0';
	while (got > 0 && (tail[got - 1] == '\n' || tail[got - 1] == '\r'))
		tail[--got] = '\0';
	char *line = strrchr(tail, '\n');
	snprintf(buf, n, "%.*s", (int)n - 1, line ? line + 1 : tail);
}

/* Ends QEMU (killed unless it exited) and says how it ended when the job
 * was not finished. */
static void boot_end(struct boot *bt)
{
	int status = 0;
	pid_t w = waitpid(bt->pid, &status, WNOHANG);
	int finished = bt->next >= bt->end;
	if (w == 0) {
		/* Still running: done (the firmware exits right after its last row),
		 * stopped, hung or out of step. Give a finished one a moment. */
		for (int i = 0; finished && !bt->stop && !bt->fail[0] && i < 50 && w == 0; i++) {
			usleep(20000);
			w = waitpid(bt->pid, &status, WNOHANG);
		}
		if (w == 0) {
			kill(-bt->pid, SIGKILL);
			kill(bt->pid, SIGKILL);
			w = waitpid(bt->pid, &status, 0);
		}
	}
	if (!finished && !bt->stop && !bt->fail[0]) {
		char msg[128];
		last_message(bt->err_fd, msg, sizeof msg);
		if (w > 0 && WIFEXITED(status))
			snprintf(bt->fail, sizeof bt->fail, "QEMU exited with status %d before this point%s%s",
				 WEXITSTATUS(status), msg[0] ? ": " : "", msg);
		else
			snprintf(bt->fail, sizeof bt->fail, "QEMU ended by signal %d before this point%s%s",
				 w > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : 0, msg[0] ? ": " : "", msg);
	}
	close(bt->out_fd);
	close(bt->err_fd);
	free(bt->buf);
}

/* One boot for backends [b0, b1) of job (their points are contiguous: the
 * backend is the outermost dimension), points from host index `from`. */
static int boot_group(const struct hx_job *job, unsigned b0, unsigned b1, uint64_t per_backend, uint64_t from,
		      const struct hx_platform *plat, struct boot *bt)
{
	struct target t;
	char why[256], fw[4200], jobpath[] = "/tmp/dmabench-job.XXXXXX", append[4400];
	if (parse_target(job->backends[job->dim[HX_DIM_BACKEND].v[b0]].profile, &t, why, sizeof why) < 0)
		return snprintf(bt->fail, sizeof bt->fail, "%.*s", (int)sizeof bt->fail - 1, why), -1;
	firmware_path(t.board, fw, sizeof fw);
	int jfd = mkstemp(jobpath);
	if (jfd < 0)
		return snprintf(bt->fail, sizeof bt->fail, "job file: %s", strerror(errno)), -1;
	int wr = write_jobfile(jfd, job, b0, b1);
	close(jfd);
	uint64_t base = (uint64_t)b0 * per_backend;
	snprintf(append, sizeof append, "--job %s --first %llu", jobpath, (unsigned long long)(from - base));
	const char *hang = getenv("DMABENCH_FW_HANG_AT"); /* tests: make the guest hang */
	if (hang && *hang)
		snprintf(append + strlen(append), sizeof append - strlen(append), " --hang-at %s", hang);
	bt->next = from;
	bt->end = (uint64_t)b1 * per_backend;
	int rc = wr < 0 ? -1 : boot_start(bt, t.board->machine, fw, append);
	if (rc < 0) {
		unlink(jobpath);
		return snprintf(bt->fail, sizeof bt->fail, "cannot start %s: %s", QEMU_PROG,
				wr < 0 ? "the job file" : strerror(errno)), -1;
	}
	boot_read(bt, plat);
	boot_end(bt);
	unlink(jobpath);
	return 0;
}

static int qemu_run_job(const struct hx_runner *r, const struct hx_job *job, uint64_t first,
			const struct hx_platform *plat,
			int (*row)(void *ctx, uint64_t idx, const struct hx_point *pt, const struct hx_result *res),
			void *row_ctx)
{
	(void)r;
	_Static_assert(HX_DIM_BACKEND == 0, "a backend's points must be contiguous in a job");
	uint64_t count = hx_job_count(job);
	unsigned nb = job->dim[HX_DIM_BACKEND].n;
	uint64_t per = nb ? count / nb : 0;
	int rc = 0;
	for (unsigned b0 = per ? (unsigned)(first / per) : nb; b0 < nb && !rc;) {
		/* Consecutive backends on one board share a boot. */
		struct target t0, t1;
		char why[256];
		unsigned b1 = b0 + 1;
		if (parse_target(job->backends[job->dim[HX_DIM_BACKEND].v[b0]].profile, &t0, why, sizeof why) == 0)
			while (b1 < nb &&
			       parse_target(job->backends[job->dim[HX_DIM_BACKEND].v[b1]].profile, &t1, why, sizeof why) == 0 &&
			       t1.board == t0.board)
				b1++;
		struct boot bt;
		memset(&bt, 0, sizeof bt);
		bt.job = job;
		bt.row = row;
		bt.row_ctx = row_ctx;
		uint64_t from = first > (uint64_t)b0 * per ? first : (uint64_t)b0 * per;
		boot_group(job, b0, b1, per, from, plat, &bt);
		if (bt.stop)
			return 1;
		/* What the boot did not finish: failed rows naming why. */
		bt.end = (uint64_t)b1 * per;
		while (bt.next < bt.end && !bt.stop) {
			struct hx_point pt;
			struct hx_result res;
			hx_job_point(job, bt.next, &pt);
			hx_result_init(&res);
			res.status = HX_FAILED;
			snprintf(res.reason, sizeof res.reason, "runner cortexm: %.*s", (int)sizeof res.reason - 17, bt.fail);
			deliver(&bt, &pt, &res);
		}
		if (bt.stop)
			rc = 1;
		b0 = b1;
	}
	return rc;
}

/* ---- one point --------------------------------------------------------------------- */

struct one {
	struct hx_result *res;
	int got;
};
static int one_row(void *ctx, uint64_t idx, const struct hx_point *pt, const struct hx_result *res)
{
	(void)idx;
	(void)pt;
	struct one *o = ctx;
	*o->res = *res;
	o->got = 1;
	return 0;
}

/* A job of one point (its values in the dimensions' own syntax), run as a
 * job: a boot per point, for callers without run_job. */
static int qemu_run_point(const struct hx_runner *r, const struct hx_point *pt, const struct hx_platform *plat,
			  struct hx_result *res)
{
	static struct hx_job job; /* about 40 KiB */
	struct hx_parse_ctx pc;
	char val[HX_STR_MAX + 64];
	memset(&pc, 0, sizeof pc);
	hx_job_init(&job, "point");
	for (int d = 0; d < HX_DIM__COUNT; d++) {
		const struct hx_dim_desc *dd = hx_dim_desc((enum hx_dim)d);
		if (d == HX_DIM_BACKEND)
			snprintf(val, sizeof val, "%s:%s", pt->backend, pt->profile);
		else
			hx_dim_format(pt, (enum hx_dim)d, val, sizeof val);
		if (dd->type == HX_DT_TIME)
			strcat(val, "ns");
		if (hx_job_set(&pc, &job, (enum hx_dim)d, val) < 0)
			return DMAB_EINVAL;
	}
	if (pt->inject && pt->inject[0] && hx_job_set_key(&pc, &job, "inject", pt->inject) < 0)
		return DMAB_EINVAL;
	struct one o = { res, 0 };
	qemu_run_job(r, &job, 0, plat, one_row, &o);
	return o.got ? 0 : DMAB_EIO;
}

const struct hx_runner hx_runner_qemu = {
	.name = "qemu",
	.summary = "cortexm:BOARD[.BACKEND[.PROFILE]]: the Cortex-M firmware under QEMU (qemu-system-arm), "
		   "one boot per job",
	.check = qemu_check,
	.describe = qemu_describe,
	.run_point = qemu_run_point,
	.backend = "cortexm",
	.unavailable = qemu_unavailable,
	.check_spec = qemu_check_spec,
	.run_job = qemu_run_job,
};
