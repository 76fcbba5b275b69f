/*
 * harness/cli/pmu.c: --events, counters read around each point.
 *
 * libpfm4 turns the names people know ("cycles", "LLC-load-misses",
 * "task-clock", or a PMU's own "icl::L1D:REPLACEMENT") into perf_event_attr
 * encodings; perf_event_open counts them for the submitting thread and the
 * threads it starts (inherit), user and kernel when permitted, user only
 * when perf_event_paranoid forbids more. Reading is one read() per event
 * per point, so the cost is per point, never per transfer.
 *
 * Virtual machines often expose no hardware PMU (perf_event_open returns
 * ENOENT for PERF_TYPE_HARDWARE even though libpfm4 knows the CPU's event
 * table from CPUID). Then the hardware columns stay empty, the reason is
 * said once on stderr and in the CSV's "counters" line, and software events
 * (task-clock, page-faults, context-switches) are still recorded.
 *
 * Columns are pmu_<event as given> in the inline CSV (what scripts of today
 * read); --meta sidecar, the form for generic readers, names them
 * [a-z0-9_] with the unit (pmu_task_clock_ns_per_transfer), since '-' and
 * ':' break df.query and R's read.csv. cli_pmu_availability is `dmabench
 * info`'s answer to "can I count here?": one test open per kind, no event
 * table walk.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/cli.h"

static long perf_open(struct perf_event_attr *a)
{
	return syscall(SYS_perf_event_open, a, 0 /* this thread */, -1 /* any cpu */, -1, 0);
}

static void column_name(char *out, size_t n, const char *ev)
{
	size_t k = 0;
	k += (size_t)snprintf(out, n, "pmu_");
	for (const char *p = ev; *p && k + 1 < n; p++) {
		char ch = *p;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			 ch == '_' || ch == '-' || ch == '.';
		out[k++] = ok ? ch : '_'; /* ':' and '=' of PMU::EVENT:umask would upset tools */
	}
	out[k] = '\0';
}

static int perf_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = 99;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 99;
		fclose(f);
	}
	return v;
}

int cli_pmu_open(struct cli_pmu *p, const char *list, int quiet)
{
	memset(p, 0, sizeof *p);
	for (unsigned i = 0; i < CLI_PMU_MAX; i++)
		p->ev[i].fd = -1;
	if (!list || !*list) {
		snprintf(p->note, sizeof p->note, "none requested (--events)");
		return 0;
	}
	int r = pfm_initialize();
	if (r != PFM_SUCCESS) {
		cli_err("--events: libpfm4 cannot start: %s", pfm_strerror(r));
		return CLI_EXIT_RESOURCE;
	}
	/* Parse and encode every name first: a typo is exit 2 before anything runs. */
	const char *s = list;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == 0)
			return cli_usage_err("--events: empty item in list '%s'", list);
		if (p->n >= CLI_PMU_MAX)
			return cli_usage_err("--events: more than %d events in '%s'", CLI_PMU_MAX, list);
		struct cli_pmu_ev *ev = &p->ev[p->n];
		if (len >= sizeof ev->name)
			return cli_usage_err("--events: event name too long in '%s'", list);
		memcpy(ev->name, s, len);
		ev->name[len] = '\0';
		for (unsigned k = 0; k < p->n; k++)
			if (strcmp(p->ev[k].name, ev->name) == 0)
				return cli_usage_err("--events: event '%s' given twice", ev->name);
		p->n++;
		s = e ? e + 1 : s + len;
		if (e && !*s)
			return cli_usage_err("--events: empty item in list '%s'", list);
	}
	int paranoid = perf_paranoid();
	char hw_why[96] = "";
	for (unsigned i = 0; i < p->n; i++) {
		struct cli_pmu_ev *ev = &p->ev[i];
		struct perf_event_attr attr;
		pfm_perf_encode_arg_t arg;
		char *fstr = NULL;
		memset(&attr, 0, sizeof attr);
		memset(&arg, 0, sizeof arg);
		arg.attr = &attr;
		arg.size = sizeof arg;
		arg.fstr = &fstr;
		r = pfm_get_os_event_encoding(ev->name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
		if (r != PFM_SUCCESS)
			return cli_usage_err("--events: unknown event '%s' (%s; libpfm4's showevtinfo lists them)",
					     ev->name, pfm_strerror(r));
		snprintf(ev->fstr, sizeof ev->fstr, "%s", fstr ? fstr : ev->name);
		free(fstr);
		column_name(ev->column, sizeof ev->column, ev->name);
		ev->hw = attr.type != PERF_TYPE_SOFTWARE;
		attr.size = sizeof attr;
		attr.disabled = 1;
		attr.inherit = 1;     /* threads the submitting thread starts count too */
		attr.exclude_hv = 1;
		attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
		long fd = perf_open(&attr);
		if (fd < 0 && (errno == EACCES || errno == EPERM)) {
			attr.exclude_kernel = 1; /* paranoid >= 2: user space only */
			fd = perf_open(&attr);
		}
		if (fd < 0) {
			int err = errno;
			if (ev->hw && (err == ENOENT || err == EOPNOTSUPP || err == ENODEV)) {
				p->no_hw_pmu = 1;
				snprintf(ev->why, sizeof ev->why, "no hardware PMU");
				snprintf(hw_why, sizeof hw_why, "perf_event_open: %s", strerror(err));
			} else {
				snprintf(ev->why, sizeof ev->why, "perf_event_open: %s (perf_event_paranoid=%d)",
					 strerror(err), paranoid);
			}
			continue;
		}
		ev->fd = (int)fd;
		if (attr.exclude_kernel)
			snprintf(ev->why, sizeof ev->why, "user space only (perf_event_paranoid=%d)", paranoid);
	}
	if (p->no_hw_pmu && !quiet)
		cli_err("--events: this machine exposes no hardware PMU (%s, typical in a VM): "
			"hardware counters stay empty; software events are still recorded", hw_why);
	/* The metadata line: what is recorded (per transfer, mean), what is
	 * not and why. */
	size_t used = 0;
	int w;
	for (unsigned i = 0; i < p->n && used < sizeof p->note; i++) {
		const struct cli_pmu_ev *ev = &p->ev[i];
		const char *sep = i ? "; " : "";
		if (ev->fd >= 0)
			w = snprintf(p->note + used, sizeof p->note - used, "%s%s=recorded%s%s%s", sep,
				     ev->name, ev->why[0] ? " (" : "", ev->why, ev->why[0] ? ")" : "");
		else
			w = snprintf(p->note + used, sizeof p->note - used, "%s%s=unavailable (%s)", sep,
				     ev->name, ev->why);
		used += w > 0 ? (size_t)w : 0;
	}
	if (p->no_hw_pmu && used < sizeof p->note)
		snprintf(p->note + used, sizeof p->note - used, "; no hardware PMU here (%s)", hw_why);
	return 0;
}

void cli_pmu_start(struct cli_pmu *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct cli_pmu_ev *ev = &p->ev[i];
		ev->have = 0;
		if (ev->fd < 0)
			continue;
		ioctl(ev->fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(ev->fd, PERF_EVENT_IOC_ENABLE, 0);
	}
}

void cli_pmu_stop(struct cli_pmu *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct cli_pmu_ev *ev = &p->ev[i];
		if (ev->fd < 0)
			continue;
		ioctl(ev->fd, PERF_EVENT_IOC_DISABLE, 0);
		uint64_t v[3];
		if (read(ev->fd, v, sizeof v) != (ssize_t)sizeof v)
			continue;
		/* Scale when the kernel multiplexed the counter. */
		double val = (double)v[0];
		if (v[2] && v[2] < v[1])
			val = val * (double)v[1] / (double)v[2];
		else if (v[1] && !v[2])
			continue; /* never scheduled: no value rather than a false 0 */
		ev->last = (uint64_t)(val + 0.5);
		ev->have = 1;
	}
}

void cli_pmu_close(struct cli_pmu *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		if (p->ev[i].fd >= 0)
			close(p->ev[i].fd);
		p->ev[i].fd = -1;
	}
}

/* ---- portable column names (--meta sidecar) ------------------------------------ */

/* Events whose count is a time in ns (perf's software clocks). */
static int counts_ns(const char *ev)
{
	return strcmp(ev, "task-clock") == 0 || strcmp(ev, "cpu-clock") == 0;
}

int cli_pmu_portable_names(struct cli_pmu *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct cli_pmu_ev *ev = &p->ev[i];
		char *out = ev->column;
		size_t k = (size_t)snprintf(out, sizeof ev->column, "pmu_");
		const char *unit = counts_ns(ev->name) ? "_ns_per_transfer" : "_per_transfer";
		size_t room = sizeof ev->column - strlen(unit) - 1;
		/* Lower case; every run of other bytes becomes one '_', none at the ends. */
		for (const char *c = ev->name; *c && k < room; c++) {
			char ch = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
			int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
			if (ok)
				out[k++] = ch;
			else if (out[k - 1] != '_')
				out[k++] = '_';
		}
		while (out[k - 1] == '_')
			k--;
		snprintf(out + k, sizeof ev->column - k, "%s", unit);
		for (unsigned j = 0; j < i; j++)
			if (strcmp(p->ev[j].column, out) == 0)
				return cli_usage_err("--events: '%s' and '%s' both become column %s; give one of them",
						     p->ev[j].name, ev->name, out);
	}
	return 0;
}

/* ---- info: can counters work here? ------------------------------------------------ */

/* Opens one counter of this thread to see whether the kernel gives it;
 * returns 0 or the errno. */
static int try_counter(uint32_t type, uint64_t config)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = type;
	attr.config = config;
	attr.disabled = 1;
	attr.exclude_hv = 1;
	long fd = perf_open(&attr);
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		attr.exclude_kernel = 1;
		fd = perf_open(&attr);
	}
	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

void cli_pmu_availability(FILE *f)
{
	int par = perf_paranoid();
	const char *means = par == 99 ? "unknown (no /proc/sys/kernel/perf_event_paranoid)"
			  : par <= -1 ? "no restriction"
			  : par == 0 ? "user and kernel, CPU-wide needs CAP_PERFMON"
			  : par == 1 ? "user and kernel of own threads"
			  : par == 2 ? "user space of own threads only"
			  : "no counters for unprivileged users (Debian's default)";
	fprintf(f, "counters (--events)\n");
	fprintf(f, "  perf_event_paranoid %d: %s%s\n", par == 99 ? -1 : par, means,
		geteuid() == 0 ? "; running as root: not restricted" : "");
	/* The kernel's PMUs: a CPU PMU (cpu, cpu_core, armv8_*) counts hardware events. */
	char pmus[512] = "";
	int cpu_pmu = 0;
	DIR *dir = opendir("/sys/bus/event_source/devices");
	struct dirent *de;
	while (dir && (de = readdir(dir)) != NULL) {
		const char *name = de->d_name;
		if (name[0] == '.')
			continue;
		if (strncmp(name, "cpu", 3) == 0 || strncmp(name, "armv", 4) == 0)
			cpu_pmu = 1;
		if (strlen(pmus) + strlen(name) + 3 < sizeof pmus)
			snprintf(pmus + strlen(pmus), sizeof pmus - strlen(pmus), "%s%s", pmus[0] ? ", " : "", name);
	}
	if (dir)
		closedir(dir);
	fprintf(f, "  kernel PMUs         %s%s\n", pmus[0] ? pmus : "none listed in /sys/bus/event_source/devices",
		cpu_pmu ? "" : " (no CPU PMU: typical in a virtual machine)");
	int hw = try_counter(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES);
	int sw = try_counter(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
	if (hw == 0)
		fprintf(f, "  hardware counters   available (cycles opened)\n");
	else
		fprintf(f, "  hardware counters   unavailable: perf_event_open(cycles): %s; hardware pmu_* "
			   "columns stay empty\n", strerror(hw));
	if (sw == 0)
		fprintf(f, "  software counters   available (task-clock opened; page-faults, context-switches)\n");
	else
		fprintf(f, "  software counters   unavailable: perf_event_open(task-clock): %s\n", strerror(sw));
	int r = pfm_initialize();
	fprintf(f, "  libpfm4             %s\n", r == PFM_SUCCESS ? "ready: --events takes its event names"
								 : pfm_strerror(r));
}
