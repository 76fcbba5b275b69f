/*
 * test_sim_calib.c: the sim's stm32f4 profile against the DMA timing ST
 * publishes for the STM32F2/F4/F7 DMA controller, application note AN4031
 * ("Using the STM32F2, STM32F4 and STM32F7 Series DMA controller",
 * DocID022648), section 3.1.
 *
 * Where each figure comes from. Section 3.1.1 gives a stream's service
 * time as TS = TSP + TSM: the peripheral port's access (TSP = tPA address
 * computation + tPAA port arbitration + tBMA matrix arbitration + tEDT
 * effective transfer + tBS bridge synchronisation, Table 4, by path) and
 * the memory port's (TSM = tMA + tMPA + tBMA + tSRAM, Table 5). Table 4:
 * tPA = tPAA = 1 AHB cycle on every path; tEDT = 1 AHB cycle through the
 * matrix, 2 APB cycles to an APB peripheral, the burst's length for a
 * burst (footnote: 4 AHB cycles for INC4); tBS = 1 AHB cycle to an APB
 * peripheral, none through the matrix; tBMA = 1 AHB cycle through the
 * matrix, none on the direct path, and 0 unless another master contends
 * (footnote). Table 5: tMA = tMPA = tSRAM = 1 AHB cycle, tBMA as above.
 * The note's own worked-example pages could not be retrieved here (only
 * its tables, through a translation of section 3.1); the expected figures
 * below are the note's formula evaluated with the tables' terms for each
 * case the issue names, written out beside each case. The CPU's access
 * lengths (1 cycle for a single load or store, 8 for interrupt-entry
 * stacking, 14 for a 14-register LDM/STM) are the section 3.1.2 figures
 * as issue 17 quotes them.
 *
 * Tolerance: the issue asks for 10%; the model is built from the same
 * additive terms, so any difference is a bug and the cases are held
 * exactly (0 cycles). The cycles measured are the transaction's
 * dev_cycles (the profile's descriptor fetch costs nothing, as a stream
 * programmed by register writes), so they are the bursts' cost alone.
 */
#include <stdlib.h>

#include "dmab/dmab.h"
#include "dmab/sim.h"
#include "t.h"

#define SEC 1000000000ull

enum kind { P2M, M2P, M2M, DUPLEX };

/* One transfer of len bytes of the given kind, alone on the device;
 * DUPLEX is a P2M word on line 1 and an M2P word on line 2 (an SPI's
 * receive and transmit requests) submitted together. Returns the cycles
 * the device spent in bursts (the bus_cycles counter), or UINT64_MAX on
 * any failure; *dev gets the transactions' dev_cycles, fetches included. */
static uint64_t run_dev(const char *profile, const char *opts, enum kind k, size_t len,
			uint64_t *dev_cycles)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_sim_backend, .profile = profile, .options = opts,
				    .seed = 1 };
	struct dmab_dev *dev = NULL;
	*dev_cycles = 0;
	struct dmab_pool *dp = NULL;
	struct dmab_mem a, b;
	struct dmab_chan *ch[2] = { NULL, NULL };
	struct dmab_chain *c[2] = { NULL, NULL };
	uint64_t out = UINT64_MAX;
	if (dmab_dev_open(&cfg, &dev))
		return out;
	int ok = dmab_desc_pool_create(dev, 16, &dp) == 0 &&
		 dmab_mem_alloc(dev, 4096, 4096, DMAB_MEM_COHERENT, &a) == 0;
	if (ok && dmab_mem_alloc(dev, 4096, 4096, DMAB_MEM_COHERENT, &b) != 0) {
		dmab_mem_free(dev, &a);
		ok = 0;
	}
	unsigned n = k == DUPLEX ? 2 : 1;
	for (unsigned i = 0; ok && i < n; i++) {
		enum kind ki = k == DUPLEX ? (i ? M2P : P2M) : k;
		unsigned line = k == DUPLEX ? 1 + i : 0;
		struct dmab_chan_cfg cc = { .prio = DMAB_PRIO_HIGH, .periph = line };
		dmab_addr_t p = 0, src, dst;
		uint32_t ctrl = DMAB_DESC_IRQ;
		ok = dmab_chan_request(dev, &cc, &ch[i]) == 0 &&
		     dmab_dev_periph_addr(dev, line, &p) == 0 &&
		     dmab_chain_create(dev, dp, 1, &c[i]) == 0;
		if (ki == M2M) {
			src = a.bus;
			dst = b.bus;
			ctrl |= DMAB_DESC_INC_SRC | DMAB_DESC_INC_DST;
		} else if (ki == P2M) {
			src = p;
			dst = b.bus + 64 * i;
			ctrl |= DMAB_DESC_TYPE(DMAB_DEV2MEM) | DMAB_DESC_INC_DST;
		} else {
			src = a.bus + 64 * i;
			dst = p;
			ctrl |= DMAB_DESC_TYPE(DMAB_MEM2DEV) | DMAB_DESC_INC_SRC;
		}
		ok = ok && dmab_chain_add(c[i], src, dst, len, ctrl) == 0;
	}
	dmab_cookie_t ck[2];
	for (unsigned i = 0; ok && i < n; i++) {
		ck[i] = dmab_chan_submit(ch[i], c[i], NULL);
		ok = ck[i] >= 0;
	}
	uint64_t sum = 0;
	for (unsigned i = 0; ok && i < n; i++) {
		struct dmab_result r;
		ok = dmab_chan_wait(ch[i], ck[i], SEC, &r) == 0 && r.error == 0;
		sum += r.dev_cycles;
	}
	struct dmab_sim_stats st;
	if (ok && dmab_sim_stats(dev, &st) == 0) {
		out = st.bus_cycles;
		*dev_cycles = sum;
	}
	for (unsigned i = 0; i < n; i++) {
		if (c[i])
			dmab_chain_destroy(c[i]);
		if (ch[i])
			dmab_chan_release(ch[i]);
	}
	if (dp) {
		dmab_mem_free(dev, &b);
		dmab_mem_free(dev, &a);
		dmab_pool_destroy(dp);
	}
	dmab_dev_close(dev, NULL);
	return out;
}

/* On stm32f4 descriptor fetches cost nothing: a transaction's device
 * time is its bursts' and nothing else, which run_case() checks. */
static uint64_t run_case(const char *profile, const char *opts, enum kind k, size_t len)
{
	uint64_t dev, bus = run_dev(profile, opts, k, len, &dev);
	return bus == dev ? bus : UINT64_MAX;
}

/* The note's cases: the options select the clock ratio the case states. */
static const struct {
	const char *name;
	const char *opts;
	enum kind kind;
	size_t len;
	uint64_t note; /* AHB cycles, the formula with Tables 4-5 */
	const char *source;
} cases[] = {
	{ "ADC -> SRAM word, AHB = APB2", "apb_ratio=1", P2M, 4, 8,
	  "s3.1.1: TSP = tPA 1 + tPAA 1 + tEDT 2 APB (= 2) + tBS 1 (Table 4, APB direct path) = 5; "
	  "TSM = tMA 1 + tMPA 1 + tSRAM 1 (Table 5) = 3" },
	{ "ADC -> SRAM word, AHB = 2 x APB2", NULL, P2M, 4, 10,
	  "s3.1.1: as above with tEDT = 2 APB cycles = 4 AHB: TSP 7 + TSM 3" },
	{ "SRAM -> SPI word, AHB = 2 x APB2", NULL, M2P, 4, 10,
	  "s3.1.1: the memory port's read (TSM 3) then the peripheral port's write (TSP 7)" },
	{ "SPI full duplex (RX + TX word), AHB = 2 x APB2", NULL, DUPLEX, 4, 20,
	  "s3.1.1: the controller's time for one RX (P2M) and one TX (M2P) word: 10 + 10" },
	{ "SRAM -> SRAM word (DMA2)", NULL, M2M, 4, 6,
	  "s3.1.1: TSP through the matrix = tPA 1 + tPAA 1 + tEDT 1 (Table 4) + TSM 3 (Table 5)" },
	{ "SRAM -> SRAM INC4 burst", NULL, M2M, 16, 12,
	  "s3.1.1: Table 4 footnote, INC4: tEDT = 4 AHB cycles; tSRAM likewise: (2 + 4) x 2" },
};

static void test_an4031_cases(void)
{
	printf("  %-46s %6s %6s %6s  %s\n", "case", "note", "sim", "mcu", "source");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t sim = run_case("stm32f4", cases[i].opts, cases[i].kind, cases[i].len);
		/* the invented mcu profile on the same case, for the record */
		uint64_t dev, mcu = run_dev("mcu", NULL, cases[i].kind, cases[i].len, &dev);
		printf("  %-46s %6llu %6llu %6llu  %s\n", cases[i].name,
		       (unsigned long long)cases[i].note, (unsigned long long)sim,
		       (unsigned long long)mcu, cases[i].source);
		T_NE_U(mcu, UINT64_MAX);
		T_EQ_U(sim, cases[i].note);
	}
}

/* The FIFO threshold bounds a peripheral burst: 16 bytes from the ADC move
 * as one word per request (threshold 4: 4 x 10 cycles), or as 2-beat
 * bursts when the threshold is 8 (2 x (5 fixed + 2 x 5 per beat)). */
static void test_fifo_threshold_bounds_bursts(void)
{
	T_EQ_U(run_case("stm32f4", NULL, P2M, 16), 4 * 10);
	T_EQ_U(run_case("stm32f4", "fifo_depth=16;fifo_threshold=8", P2M, 16), 2 * (5 + 2 * 5));
	/* a memory burst stays at 4 words (the stream FIFO): 64 B = 4 x 12 */
	T_EQ_U(run_case("stm32f4", NULL, M2M, 64), 4 * 12);
}

/*
 * CPU traffic on the bus matrix: the CPU takes the contended slave for
 * cpu_hold cycles every cpu_period (64) cycles. The ADC word is sampled at
 * every fifo_period; over 64 consecutive periods the DMA's access meets
 * the CPU's at every phase, so the most it is delayed is the documented
 * worst case, the CPU access's length plus the matrix's re-arbitration
 * (tBMA, 1 AHB cycle: Table 5); at phases past the hold, nothing.
 * Against the peripheral bridge (cpu_slave=1) DMA2's direct path pays no
 * tBMA (Table 4: N/A on the direct path); through the matrix it does.
 */
static void worst_growth(const char *extra, uint64_t hold, uint64_t *lo, uint64_t *hi)
{
	char opts[160];
	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned f = 100; f < 164; f++) {
		snprintf(opts, sizeof(opts), "cpu_period=64;cpu_hold=%llu;fifo_period=%u%s",
			 (unsigned long long)hold, f, extra);
		uint64_t c = run_case("stm32f4", opts, P2M, 4);
		if (c == UINT64_MAX || c < 10) {
			*hi = UINT64_MAX;
			return;
		}
		*lo = c - 10 < *lo ? c - 10 : *lo;
		*hi = c - 10 > *hi ? c - 10 : *hi;
	}
}

static void test_cpu_traffic_worst_case(void)
{
	/* single load/store, interrupt-entry stacking (8 registers), 14-register LDM/STM */
	const uint64_t hold[] = { 1, 8, 14 };
	uint64_t lo, hi;
	for (unsigned i = 0; i < 3; i++) {
		worst_growth("", hold[i], &lo, &hi);
		T_EQ_U(hi, hold[i] + 1); /* + tBMA: memory is reached through the matrix */
		T_EQ_U(lo, 0);
		worst_growth(";cpu_slave=1", hold[i], &lo, &hi);
		T_EQ_U(hi, hold[i]); /* the direct path to APB2: no matrix arbitration */
		T_EQ_U(lo, 0);
		worst_growth(";cpu_slave=1;direct_path=0", hold[i], &lo, &hi);
		T_EQ_U(hi, hold[i] + 1);
	}
	/* no traffic: the figure of the note's case */
	T_EQ_U(run_case("stm32f4", "cpu_period=0;cpu_hold=14", P2M, 4), 10);
}

/*
 * The three kinds as independent sources at once (issue 17: "a rate of
 * single accesses, multi-register bursts and interrupt entries"): each
 * kind alone through its own parameters gives its documented worst case
 * (14-register LDM/STM: 14 + tBMA; interrupt entry: 8 + tBMA); mixed with
 * single loads every 16 cycles, the worst delay is at least the largest
 * kind's and at most the sum of every kind's (each + tBMA), and with no
 * traffic at all the note's figure returns.
 */
static void test_cpu_traffic_mix(void)
{
	uint64_t lo, hi;
	worst_growth(";cpu_period=0;cpu_ldm_period=64;cpu_ldm_hold=14", 1, &lo, &hi);
	T_EQ_U(hi, 14 + 1);
	worst_growth(";cpu_period=0;cpu_irq_period=64;cpu_irq_hold=8", 1, &lo, &hi);
	T_EQ_U(hi, 8 + 1);
	worst_growth(";cpu_period=16;cpu_ldm_period=64;cpu_ldm_hold=14;cpu_irq_period=64;cpu_irq_hold=8", 1,
		     &lo, &hi);
	T_GE_U(hi, 14 + 1);
	T_LE_U(hi, (1 + 1) + (14 + 1) + (8 + 1));
	T_EQ_U(lo, 0);
	/* holds that fill the bus are refused at open */
	T_EQ_U(run_case("stm32f4", "cpu_period=2;cpu_hold=1;cpu_irq_period=2;cpu_irq_hold=1", P2M, 4), UINT64_MAX);
}

T_MAIN(T_CASE(test_an4031_cases), T_CASE(test_fifo_threshold_bounds_bursts),
       T_CASE(test_cpu_traffic_worst_case), T_CASE(test_cpu_traffic_mix))
