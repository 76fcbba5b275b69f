/*
 * sim_params.c: the sim backend's parameters, profiles and counters as
 * data.
 *
 * One table (SIM_PARAM_TABLE in sim_int.h: name, range, default, flags,
 * help) gives struct sim_params and the library's options rows, so the
 * library parses, range-checks and prints every parameter (dmabench list,
 * the CSV's backend_config) and the sim never parses a string. Profiles
 * are options strings over the defaults (the mcu values): each lists only
 * how it differs, and dmab_backend_validate parses every one at start-up.
 * What the library cannot check, a rule spanning two parameters, is
 * checked here at open. The counters op turns struct dmab_sim_stats into
 * name/value rows, so the harness reads faults fired without naming the
 * sim. Costs: O(rows) per open and per counters call.
 */
#include <string.h>

#include "sim_arith.h"
#include "sim_int.h"

const struct dmab_option sim__options[] = {
#define SIM__OROW(name, min, max, def, flags, help) \
	DMAB_OPTION(struct sim_params, name, min, max, def, flags, help),
	SIM_PARAM_TABLE(SIM__OROW)
#undef SIM__OROW
	{ NULL, 0, 0, 0, 0, 0, 0, NULL },
};

/*
 * mcu: a Cortex-M33/M7-class part: 32-bit AHB (4-byte beats, 4-beat bursts
 * that may not cross 1 KiB, the AHB rule), 16-bit transfer counters
 * (max_xfer 65535), byte addressing with a penalty for unaligned beats,
 * 32-byte lines of a small write-back D-cache, 100 MHz: the defaults.
 * soc: an application SoC: 128-bit AXI (16-byte beats, 16-beat bursts split
 * at 1 KiB), 64-byte lines, a 32-bit DMA master with DRAM above 4 GiB (so
 * streaming buffers bounce), 4-byte address alignment, 800 MHz.
 * soc-coherent: the same behind a snooping interconnect (ACE-lite/CCI):
 * no maintenance needed, each line of normal memory costs a snoop.
 * The CPU (sim.h, "The CPU"; invented, not calibrated): on mcu coherent
 * memory is tightly coupled SRAM (a Cortex-M7's DTCM: a cache hit's
 * speed, 0 extra), an uncached access crosses the bus (6 cycles), memcpy
 * moves a byte per cycle; on soc a CPU access is 8 bytes, a strongly
 * ordered one 32 cycles, memcpy 4 bytes per cycle. soc's coherent memory
 * is priced like the cache (cpu_coherent_cycles 0), an optimism: on a
 * real non-coherent SoC it is non-cacheable DRAM, and pricing it would
 * make every soc point of the default policy (coherent) the CPU's
 * figure rather than the DMA's; set cpu_coherent_cycles to see it. No
 * profile prices allocation: the sim's allocator is not the target's.
 */
#define SIM_SOC                                                                                  \
	"clock_hz=800000000;bus_width=16;burst_len=16;arb_latency=4;desc_fetch_cycles=24;"      \
	"unaligned_penalty=4;irq_latency=400;cache_line=64;clean_cycles_per_line=8;"            \
	"dirty_extra_cycles=16;inval_cycles_per_line=4;high_mem=1;max_xfer=16M;max_seg=64K;"    \
	"seg_boundary=4G;addr_align=4;fifo_depth=64;fifo_rate=16;fifo_period=200;"               \
	"cpu_word=8;cpu_uncached_cycles=32;cpu_copy_cycles_per_kib=256"

/*
 * stm32f4: the STM32F4 DMA2 controller at full speed, its figures taken from
 * the terms ST documents, not fitted: AN4031 (DocID022648) section 3.1.1,
 * Table 4 (peripheral port: address computation tPA 1, port arbitration
 * tPAA 1, effective transfer tEDT 1 AHB cycle per beat on the matrix, 2
 * APB cycles to an APB peripheral, bridge synchronisation tBS 1; matrix
 * arbitration tBMA 1 only when contended, none on the direct path) and
 * Table 5 (memory port: tMA 1, tMPA 1, tSRAM 1, tBMA as above): two
 * ports, each access 2 cycles plus its data phase. RM0090: AHB 168 MHz
 * with APB2 at 84 MHz (apb_ratio 2), DMA2's peripheral port reaches APB2
 * by its direct path, bursts of at most 4 words (a burst must fit the
 * stream's 4-word FIFO), never across 1 KiB, 16-bit item counters, 8
 * streams and 4 priority levels; the Cortex-M4 has no data cache and
 * enters an interrupt in 12 cycles. Not from the documents (invented):
 * descriptor fetches cost nothing (streams are programmed by register
 * writes), unaligned_penalty, and the peripheral stream (one word per
 * request, as the note's cases, every 70 cycles: a 2.4 Msps ADC).
 * tests/test_sim_calib.c holds the profile to the note's cases.
 */
#define SIM_STM32F4                                                                              \
	"clock_hz=168000000;arb_latency=0;desc_fetch_cycles=0;irq_latency=12;cache_line=0;"      \
	"fifo_depth=8;fifo_rate=4;fifo_period=70;fifo_threshold=4;ports=2;port_addr_cycles=1;"  \
	"port_arb_cycles=1;apb_ratio=2;apb_beat_cycles=2;bridge_sync=1;direct_path=1;matrix_arb=1"

const struct dmab_profile sim__profile_table[] = {
	{ "mcu", "Cortex-M class: 32-bit bus, 4-beat bursts, 32 B lines, write-back cache, 100 MHz "
		 "(invented, not calibrated)", "" },
	{ "soc", "application SoC: 128-bit bus, 16-beat bursts, 64 B lines, DRAM above 4 GiB, 800 MHz "
		 "(invented, not calibrated)",
	  SIM_SOC },
	{ "soc-coherent", "soc behind a snooping interconnect: no maintenance, snoops cost cycles "
			  "(invented, not calibrated)",
	  SIM_SOC ";coherent=1;snoop_cycles_per_line=2" },
	{ "stm32f4", "STM32F4 DMA2, AHB 168 MHz, APB2 84 MHz, two ports, direct path to APB2 "
		     "(calibrated: ST AN4031 s3.1 Tables 4-5, 0% error on its cases)",
	  SIM_STM32F4 },
	{ NULL, NULL, NULL },
};

/* ---- small string helpers (no snprintf: this runs on bare metal too) --------- */

void sim__put_str(char *buf, size_t len, size_t *at, const char *s)
{
	for (; *s; s++, (*at)++)
		if (buf && *at + 1 < len)
			buf[*at] = *s;
	if (buf && len)
		buf[*at < len ? *at : len - 1] = '\0';
}

void sim__put_u64(char *buf, size_t len, size_t *at, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + (int)(v % 10u));
		v /= 10u;
	} while (v);
	char out[24];
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	sim__put_str(buf, len, at, out);
}

/* ---- configuration ------------------------------------------------------------ */

static int refuse(char *why, size_t len, const char *msg)
{
	size_t at = 0;
	sim__put_str(why, len, &at, msg);
	return DMAB_EINVAL;
}

/*
 * The port model (sim.h, "Ports") as two figures per kind of burst, so
 * cost_at() stays one multiply-add. A side's data phase per beat is
 * cycles_per_beat, or for a peripheral behind a bridge (apb_ratio > 0)
 * apb_beat_cycles bridge cycles of apb_ratio bus cycles each, plus
 * bridge_sync once per access. One access per burst (ports=1) takes the
 * slower side's phase; two (ports=2) add both, and each pays its address
 * computation and port arbitration. With the defaults both kinds give
 * arb_latency + beats * cycles_per_beat, the model before ports existed.
 */
static void port_costs(struct sim *s)
{
	const struct sim_params *p = &s->p;
	for (unsigned fifo = 0; fifo < 2; fifo++) {
		uint64_t mem = p->cycles_per_beat, per = mem, sync = 0;
		if (fifo && p->apb_ratio) {
			per = p->apb_beat_cycles * p->apb_ratio;
			sync = p->bridge_sync;
		}
		s->port_fixed[fifo] = p->arb_latency + p->ports * (p->port_addr_cycles + p->port_arb_cycles) + sync;
		s->port_beat[fifo] = p->ports == 2 ? mem + per : umax(mem, per);
	}
}

int sim__configure(struct sim *s, const void *params, char *why, size_t why_len)
{
	memcpy(&s->p, params, sizeof(s->p));
	const struct sim_params *p = &s->p;
	if (p->fifo_rate > p->fifo_depth / 2)
		return refuse(why, why_len, "fifo_rate must be at most fifo_depth / 2");
	if (p->burst_boundary && p->burst_boundary < p->bus_width)
		return refuse(why, why_len, "burst_boundary must be 0 or at least bus_width");
	if (p->fifo_threshold > p->fifo_depth)
		return refuse(why, why_len, "fifo_threshold must be at most fifo_depth");
	/* a descriptor ends where the next one starts, and both ends must be
	 * aligned: a descriptor must hold at least one aligned step */
	if (p->max_xfer < p->addr_align || p->max_seg < p->addr_align)
		return refuse(why, why_len, "max_xfer and max_seg must be at least addr_align");
	const uint64_t src[3][2] = { { p->cpu_period, p->cpu_hold },
				     { p->cpu_ldm_period, p->cpu_ldm_hold },
				     { p->cpu_irq_period, p->cpu_irq_hold } };
	double busy = 0;
	for (unsigned k = 0; k < 3; k++)
		if (src[k][0])
			busy += (double)src[k][1] / (double)src[k][0];
	if (busy >= 1.0)
		return refuse(why, why_len,
			      "CPU traffic holds the slave all the time (cpu_hold/cpu_period + "
			      "cpu_ldm_hold/cpu_ldm_period + cpu_irq_hold/cpu_irq_period): the DMA never gets in");
	port_costs(s);
	return 0;
}

/* ---- counters ---------------------------------------------------------------------- */

int sim__counters(void *priv, struct dmab_counter *out, size_t max)
{
	struct sim *s = priv;
	sim__catch_up(s);
	const struct dmab_sim_stats *t = &s->st;
	const struct dmab_counter rows[] = {
		{ "cycles", s->now },
		{ "bus_cycles", t->bus_cycles },
		{ "bytes", t->bytes },
		{ "bursts", t->bursts },
		{ "desc_fetches", t->desc_fetches },
		{ "transfers", t->transfers },
		{ "completions", t->completions },
		{ "periods", t->periods },
		{ "irqs_lost", t->irqs_lost },
		{ "irqs_coalesced", t->irqs_coalesced },
		{ "bus_errors", t->bus_errors },
		{ "desc_errors", t->desc_errors },
		{ "align_errors", t->align_errors },
#define SIM__FROW(id, name, help) { "fault." name, t->faults[DMAB_FAULT_##id] },
		DMAB_FAULT_TABLE(SIM__FROW)
#undef SIM__FROW
		{ "fifo_underruns", t->fifo_underruns },
		{ "fifo_overruns", t->fifo_overruns },
		{ "fifo_lost_bytes", t->fifo_lost_bytes },
		{ "lines_clean_checked", t->lines_clean_checked },
		{ "lines_cleaned", t->lines_cleaned },
		{ "lines_invalidated", t->lines_invalidated },
		{ "lines_evicted", t->lines_evicted },
		{ "lines_evicted_dirty", t->lines_evicted_dirty },
		{ "maint_cycles", t->maint_cycles },
		{ "cpu_cycles", t->cpu_cycles },
		{ "cpu_copied", t->cpu_copied },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = rows[i];
	return (int)n;
}
