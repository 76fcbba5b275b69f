/*
 * harness/cli/progress.c: one progress line on stderr for long runs.
 *
 * Only when stderr is a terminal and --quiet is absent: logs and pipes get
 * nothing (Google Benchmark's rule: context on stderr, data in the file).
 * The line shows points done of all, elapsed time, ok/skipped/failed counts,
 * an ETA and the current point; it is cut to the terminal's width
 * (TIOCGWINSZ, read at each redraw, so a resized window never wraps it into
 * a new line per redraw). Redrawn at most ten times a second; during a long
 * point cli_progress_tick keeps the point's own clock moving, so a slow point
 * never looks like a hang.
 *
 * The ETA is a model fitted as the run goes: a point of n transfers of
 * size bytes takes about n * c * (size + 4 KiB)^e, with c and e fitted by
 * least squares on the logarithms of the points measured so far (skipped
 * ones excluded: they finish instantly); until two sizes are measured, e is
 * 1 (and it is never taken above 1: small points' fixed costs would
 * extrapolate into minutes). The share of points skipped so far discounts
 * the rest. The remaining work is kept per power-of-two size bucket (transfers and
 * bytes), so an estimate costs O(64) whatever the number of points. A
 * geometric size sweep, whose last points are its costliest and whose cost
 * is not linear in bytes, therefore gets an ETA that tracks the truth
 * instead of "ETA 2s" with minutes to go.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"

#define FIXED_BYTES 4096.0 /* per-transfer cost, in bytes' worth */

void cli_progress_init(struct cli_progress *p, uint64_t total, int quiet)
{
	memset(p, 0, sizeof *p);
	p->on = !quiet && isatty(STDERR_FILENO);
	p->total = total;
	p->t0 = cli_now_ns();
}

static unsigned bucket(uint64_t size)
{
	unsigned b = 0;
	while (size > 1 && b < CLI_PROGRESS_BUCKETS - 1) {
		size >>= 1;
		b++;
	}
	return b;
}

void cli_progress_add(struct cli_progress *p, double transfers, uint64_t size)
{
	unsigned b = bucket(size);
	p->rem_xfers[b] += transfers;
	p->rem_bytes[b] += transfers * (double)size;
}

/* Seconds for n transfers of `size` bytes under the fitted model. */
static double model(const struct cli_progress *p, double n, double size)
{
	double e = 1.0, x = log(size + FIXED_BYTES);
	double k = p->fit_n > 0 ? p->sy / p->fit_n - x : 0; /* e = 1: c from the mean */
	if (p->fit_n >= 2) {
		double var = p->sxx - p->sx * p->sx / p->fit_n;
		if (var > 1e-6) {
			e = (p->sxy - p->sx * p->sy / p->fit_n) / var;
			e = e < 0.2 ? 0.2 : e > 1.0 ? 1.0 : e;
		}
		k = (p->sy - e * p->sx) / p->fit_n;
	} else if (p->fit_n == 1) {
		k = p->sy - p->sx;
	}
	return n * exp(k + e * x);
}

static double eta(const struct cli_progress *p, uint64_t now)
{
	double left = 0;
	for (unsigned b = 0; b < CLI_PROGRESS_BUCKETS; b++)
		if (p->rem_xfers[b] > 0)
			left += model(p, p->rem_xfers[b], p->rem_bytes[b] / p->rem_xfers[b]);
	/* Points skipped so far predict the share of the rest that will be. */
	if (p->done)
		left *= 1.0 - (double)p->skipped / (double)p->done;
	if (p->in_point) {
		double mine = model(p, p->point_xfers, (double)p->point_size) - (double)(now - p->point_t0) / 1e9;
		left += mine > 0 ? mine : 0;
	}
	return left;
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

static unsigned term_cols(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

static void draw(struct cli_progress *p, uint64_t now)
{
	p->last_draw = now;
	double el = (double)(now - p->t0) / 1e9;
	char elapsed[32], eta_s[32] = "?", point[32] = "";
	fmt_secs(elapsed, sizeof elapsed, el);
	if (p->fit_n > 0)
		fmt_secs(eta_s, sizeof eta_s, eta(p, now));
	if (p->in_point && now - p->point_t0 >= 1000000000u) {
		fmt_secs(point, sizeof point, (double)(now - p->point_t0) / 1e9);
		memmove(point + 1, point, strlen(point) + 1);
		point[0] = '+';
	}
	char line[512];
	int n = snprintf(line, sizeof line, "%llu/%llu %3.0f%% %s, ETA %s | %llu ok %llu skipped %llu failed | %s %s",
			 (unsigned long long)p->done, (unsigned long long)p->total,
			 p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, elapsed, eta_s,
			 (unsigned long long)p->ok, (unsigned long long)p->skipped, (unsigned long long)p->failed,
			 p->label, point);
	unsigned cols = term_cols() - 1; /* the last column would wrap on some terminals */
	if (n > 0 && (unsigned)n > cols)
		line[cols] = '\0';
	/* \033[K clears what a longer previous line left. */
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
}

void cli_progress_begin(struct cli_progress *p, double transfers, uint64_t size, const char *label)
{
	unsigned b = bucket(size);
	p->rem_xfers[b] -= transfers;
	p->rem_bytes[b] -= transfers * (double)size;
	if (p->rem_xfers[b] < 0.5)
		p->rem_xfers[b] = p->rem_bytes[b] = 0;
	p->in_point = 1;
	p->point_xfers = transfers;
	p->point_size = size;
	p->point_t0 = cli_now_ns();
	snprintf(p->label, sizeof p->label, "%s", label ? label : "");
	if (p->on && p->point_t0 - p->last_draw >= 100000000u)
		draw(p, p->point_t0);
}

void cli_progress_tick(struct cli_progress *p)
{
	if (!p->on || !p->in_point)
		return;
	uint64_t now = cli_now_ns();
	if (now - p->last_draw >= 100000000u)
		draw(p, now);
}

void cli_progress_done(struct cli_progress *p, int outcome)
{
	uint64_t now = cli_now_ns();
	p->in_point = 0;
	p->done++;
	if (outcome == CLI_PROGRESS_SKIPPED) {
		p->skipped++;
	} else {
		double secs = (double)(now - p->point_t0) / 1e9;
		if (secs > 0 && p->point_xfers > 0) {
			double x = log((double)p->point_size + FIXED_BYTES), y = log(secs / p->point_xfers);
			p->fit_n++;
			p->sx += x;
			p->sy += y;
			p->sxx += x * x;
			p->sxy += x * y;
		}
		if (outcome == CLI_PROGRESS_OK)
			p->ok++;
		else
			p->failed++;
	}
	if (p->on && (p->done == p->total || now - p->last_draw >= 100000000u))
		draw(p, now);
}

void cli_progress_end(struct cli_progress *p)
{
	if (!p->on)
		return;
	fprintf(stderr, "\r\033[K"); /* the summary line starts clean */
	fflush(stderr);
}
