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
 */
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
