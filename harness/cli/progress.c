/*
 * harness/cli/progress.c: a one-line progress bar with ETA on stderr.
 *
 * Only when stderr is a terminal and --quiet is absent: logs and pipes get
 * nothing (Google Benchmark's rule: context on stderr, data in the file).
 * Redrawn at most ten times a second, so a sweep of many tiny points does
 * not spend its time printing.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

void cli_progress_init(struct cli_progress *p, uint64_t total, int quiet)
{
	memset(p, 0, sizeof *p);
	p->on = !quiet && isatty(STDERR_FILENO);
	p->total = total;
	p->t0 = cli_now_ns();
	p->width = 30;
}

static void fmt_secs(char *buf, size_t n, double s)
{
	if (s < 60)
		snprintf(buf, n, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

void cli_progress_step(struct cli_progress *p, uint64_t done, const char *what)
{
	p->done = done;
	if (!p->on)
		return;
	uint64_t now = cli_now_ns();
	if (done < p->total && now - p->last_draw < 100000000u)
		return;
	p->last_draw = now;
	double frac = p->total ? (double)done / (double)p->total : 1.0;
	unsigned fill = (unsigned)(frac * p->width);
	char bar[64];
	for (unsigned i = 0; i < p->width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[p->width] = '\0';
	double el = (double)(now - p->t0) / 1e9;
	char eta[32] = "?";
	if (done > 0)
		fmt_secs(eta, sizeof eta, el / (double)done * (double)(p->total - done));
	fprintf(stderr, "\r[%s] %llu/%llu %3.0f%% ETA %-6s %-28.28s", bar, (unsigned long long)done,
		(unsigned long long)p->total, frac * 100.0, eta, what ? what : "");
	fflush(stderr);
}

void cli_progress_end(struct cli_progress *p)
{
	if (!p->on)
		return;
	/* Clear the bar so the summary line starts clean. */
	fprintf(stderr, "\r%*s\r", (int)p->width + 70, "");
	fflush(stderr);
}
