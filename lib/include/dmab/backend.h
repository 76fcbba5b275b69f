/*
 * dmab/backend.h: the contract between libdmab and a backend.
 *
 * A backend is one const struct dmab_backend_ops, versioned like fio's
 * ioengine_ops and SQLite's sqlite3_vfs: the library checks `version`, the
 * required ops and the claimed capabilities before it uses a backend
 * (dmab_backend_validate), so a stale or incomplete backend is refused at
 * start-up instead of crashing on a NULL hook. Backend-private state is
 * `priv_size` bytes the library allocates (zeroed) and passes to every op;
 * the library never looks inside it.
 *
 * Threads and interrupts. The library calls every op from the thread
 * that uses the device, never two at once (a struct dmab_dev is not shared
 * between threads). The fields a backend writes into a struct dmab_txd
 * (t_start, t_done, dev_cycles, bq) are written only from ops running on
 * that thread: start(), poll(), terminate() and reset(). A backend whose
 * hardware completes on another thread or in an interrupt handler records
 * the outcome in its own state there and copies it into the txd from
 * poll(). Once terminate() or reset() has returned, the backend never
 * touches the txds it held again (no late write from a handler, no queue
 * link followed): the library may already have recycled them.
 *
 * Engine model (dmaengine's prepare / submit / issue_pending / complete):
 * the library builds descriptor chains, assigns cookies and keeps per-channel
 * queues; it hands one transaction (struct dmab_txd) at a time per start()
 * call to the backend, which executes it and reports the outcome through
 * dmab_txd_complete() (and dmab_txd_period() for each period of a cyclic
 * chain). Completions are delivered only from inside poll(), on the caller's
 * thread, so the library needs no locks around its queues; a backend with
 * real concurrent hardware (threads, interrupts) queues completions and
 * delivers them in poll(). Time is the backend's clock (ticks at
 * reqs.clock_hz): virtual cycles on the simulator, CLOCK_MONOTONIC on hosts.
 */
#ifndef DMAB_BACKEND_H
#define DMAB_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "dmab/desc.h"
#include "dmab/dev.h"
#include "dmab/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 2: periph_addr appended (and required with mem2dev or dev2mem).
 * 3: options, option_struct_size and profile_table (parameters and
 * profiles as data, parsed by the library); open() receives the parsed
 * parameters and a reason buffer; counters appended; later the optional
 * periph_xfer, xfer_bound and cpu_touch appended (a v3 struct built before
 * them reads them as NULL, so the version stays). A struct of another version has another layout: it
 * is refused. */
#define DMAB_BACKEND_OPS_VERSION 3u

/* Capabilities. Claiming one without the ops it needs fails validation. */
enum dmab_cap {
	DMAB_CAP_MEM2MEM = 1u << 0,   /* needs start, poll, terminate, reset */
	DMAB_CAP_MEM2DEV = 1u << 1,   /* needs the engine ops and periph_addr */
	DMAB_CAP_DEV2MEM = 1u << 2,   /* needs the engine ops and periph_addr */
	DMAB_CAP_SG = 1u << 3,        /* chains of more than one descriptor */
	DMAB_CAP_CYCLIC = 1u << 4,    /* cyclic chains (needs the engine ops) */
	DMAB_CAP_UNCACHED = 1u << 5,  /* DMAB_MEM_UNCACHED allocations work */
	DMAB_CAP_NONCOHERENT = 1u << 6, /* needs cache_clean, cache_inval, cache_flush */
	DMAB_CAP_FAULTS = 1u << 7,    /* needs inject */
	DMAB_CAP_TRACE = 1u << 8,     /* needs set_trace */
	DMAB_CAP_VIRTUAL_TIME = 1u << 9, /* clock is simulated: results are deterministic */
	DMAB_CAP_DEV_CYCLES = 1u << 10,  /* fills dmab_txd.dev_cycles */
};
#define DMAB_CAP_ENGINE (DMAB_CAP_MEM2MEM | DMAB_CAP_MEM2DEV | DMAB_CAP_DEV2MEM | DMAB_CAP_CYCLIC)

/* Name of one capability bit ("mem2mem"), or NULL. */
const char *dmab_cap_name(uint32_t cap_bit);

/* Fault injection (backends with DMAB_CAP_FAULTS). */
#define DMAB_FAULT_TABLE(X)                                                   \
	X(BUS_ERROR, "bus-error", "bus error at an address during a transfer") \
	X(DESC_ERROR, "desc-error", "descriptor fetch error")                  \
	X(HANG, "hang", "channel hangs; only a timeout and reset recover")     \
	X(BITFLIP, "bitflip", "one bit flipped in the transferred data")       \
	X(LOST_IRQ, "lost-irq", "completion interrupt lost")                   \
	X(DUP_IRQ, "dup-irq", "completion interrupt delivered twice")

enum dmab_fault_kind {
#define DMAB__FAULT_ENUM(id, name, help) DMAB_FAULT_##id,
	DMAB_FAULT_TABLE(DMAB__FAULT_ENUM)
#undef DMAB__FAULT_ENUM
	DMAB_FAULT__COUNT
};
const char *dmab_fault_name(enum dmab_fault_kind k);
/* Parses "bus-error" etc.; returns the kind or DMAB_EINVAL. */
int dmab_fault_parse(const char *name);

struct dmab_fault {
	enum dmab_fault_kind kind;
	uint32_t rate_ppm;       /* probability per transfer in parts per million; 0 = off */
	uint64_t nth;            /* also fire on the nth transfer (1-based); 0 = off */
	dmab_addr_t range_lo;    /* with range_hi > range_lo: only transfers touching [lo, hi) */
	dmab_addr_t range_hi;
};

/* Trace events (backends with DMAB_CAP_TRACE). */
enum dmab_trace_ev {
	DMAB_TR_SUBMIT, DMAB_TR_START, DMAB_TR_DESC_FETCH, DMAB_TR_BURST,
	DMAB_TR_DONE, DMAB_TR_IRQ, DMAB_TR_ERROR, DMAB_TR_FAULT, DMAB_TR_RESET,
	DMAB_TR_CACHE, DMAB_TR_FIFO,
};
typedef void (*dmab_trace_fn)(void *ctx, uint64_t tick, unsigned chan,
			      enum dmab_trace_ev ev, uint64_t a, uint64_t b);
const char *dmab_trace_ev_name(enum dmab_trace_ev ev);
/* Installs (fn != NULL) or removes the device's trace sink: every event the
 * backend logs (tick, channel, event, two event-specific values) reaches
 * fn on the caller's thread. Returns 0, DMAB_EINVAL (NULL dev) or
 * DMAB_ENOSYS (the backend has no trace: it does not claim DMAB_CAP_TRACE). */
struct dmab_dev;
int dmab_dev_set_trace(struct dmab_dev *dev, dmab_trace_fn fn, void *ctx);

/*
 * Backend parameters as data (fio's `.options` + `.option_struct_size`).
 * A backend describes its parameter struct with one row per field; the
 * library fills the struct from the row defaults, the chosen profile's
 * options and the user's options (dmab_options_parse), checking every
 * value against its row, and hands the result to open(). So parsing,
 * range checks, defaults, `dmabench list` and the CSV's record of the
 * configuration all come from the rows, and no backend parses a string.
 * Options are "key=value" items joined by ';' (blanks around an item are
 * ignored, so are empty items; a later item overrides an earlier one).
 * Values are decimal or 0x hex, with DMAB_OPT_SUFFIX also a binary K, M
 * or G suffix (4K = 4096).
 */
enum dmab_opt_flag {
	DMAB_OPT_POW2 = 1u << 0,      /* a power of two */
	DMAB_OPT_POW2_OR_0 = 1u << 1, /* 0 or a power of two */
	DMAB_OPT_SUFFIX = 1u << 2,    /* K/M/G suffix allowed (byte counts) */
	DMAB_OPT_BOOL = 1u << 3,      /* 0 or 1 (the row's min..max must be within 0..1) */
};

struct dmab_option {
	const char *name;    /* key; NULL ends the table */
	size_t off;          /* offsetof the field in the parameter struct */
	size_t size;         /* sizeof the field: an unsigned integer of 1, 2, 4 or 8 bytes */
	uint64_t min, max;   /* accepted range, inclusive; max fits in size bytes */
	uint64_t def;        /* default, within min..max and obeying flags */
	uint32_t flags;      /* DMAB_OPT_* */
	const char *help;    /* one line for `dmabench list --verbose` */
};
/* A row for field `field` of struct type `type`, named like the field. */
#define DMAB_OPTION(type, field, min, max, def, flags, help)                         \
	{ #field, offsetof(type, field), sizeof(((type *)0)->field), (uint64_t)(min), \
	  (uint64_t)(max), (uint64_t)(def), (flags), (help) }

/* A profile is an options string over the rows' defaults rather than a
 * filled struct: it lists only what differs from the defaults (readable,
 * and a new parameter needs no value in every profile), it is checked by
 * the same parser as a user's options (dmab_backend_validate parses every
 * profile, so a typo is refused at start-up, not at first use), and the
 * library handles it without knowing the struct's type. */
struct dmab_profile {
	const char *name;    /* NULL ends the table; the first profile is the default */
	const char *summary; /* one line for `dmabench list` */
	const char *options; /* "key=val;key=val" over the defaults; "" = the defaults */
};

/* Fills params (ops->option_struct_size bytes; NULL only checks) with the
 * option defaults, then profile's options (NULL or "" = the default
 * profile, the first of ops->profile_table), then `options` (NULL or "" =
 * none). Returns 0, or DMAB_EINVAL with a reason in why (NUL-terminated,
 * truncated to n; why may be NULL) naming the culprit exactly:
 *   "unknown profile 'x'; known: a, b"
 *   "unknown option 'frob'; known: a, b, ..."
 *   "frob: not key=value"
 *   "burst_len=3: not a power of two" ("not 0 or a power of two", "not 0 or 1")
 *   "burst_len=999: out of range 1..256"
 *   "burst_len=4x: not a number (decimal or 0x hex)" (", K/M/G suffix" when allowed)
 *   "burst_len=4,bus_width=8: ',' does not separate options (join items with ';')"
 * an error inside a profile's own options is prefixed "profile 'soc': ".
 * A backend without an options table accepts no options. O(items x rows). */
int dmab_options_parse(const struct dmab_backend_ops *ops, const char *profile,
		       const char *options, void *params, char *why, size_t n);
/* Writes params as "key=val;key=val" (every row, in table order, decimal)
 * into buf (NUL-terminated, truncated to n). Returns the full length, as
 * snprintf does, or DMAB_EINVAL (NULL ops or params). "" without rows. */
int dmab_options_format(const struct dmab_backend_ops *ops, const void *params, char *buf,
			size_t n);
/* The profile called name (NULL or "" = the default, the first), or NULL
 * when there is none of that name (or no profile table). O(profiles). */
const struct dmab_profile *dmab_profile_find(const struct dmab_backend_ops *ops,
					      const char *name);

/* One counter a backend keeps: a name (static storage, [a-z0-9_.-]) and its
 * value since open. With DMAB_CAP_FAULTS a backend's counters include one
 * row per fault kind, named dmab_fault_counter_name(kind) ("fault.hang"),
 * counting the faults that fired. */
struct dmab_counter {
	const char *name;
	uint64_t value;
};
/* "fault.<name>" for a fault kind, or NULL. */
const char *dmab_fault_counter_name(enum dmab_fault_kind k);
/* The device's counters (the backend's counters op) into out[0..max).
 * Returns the number of rows the backend has (may exceed max) or
 * DMAB_EINVAL (NULL dev, NULL out with max > 0), DMAB_ENOSYS (no op). */
int dmab_dev_counters(struct dmab_dev *dev, struct dmab_counter *out, size_t max);
/* Faults fired per kind, from the counters' "fault.*" rows. Returns 0,
 * DMAB_EINVAL, DMAB_ENOSYS (no counters op, or a fault row missing: the
 * backend cannot say), DMAB_ENOMEM. O(rows x kinds); allocates once. */
int dmab_dev_faults_fired(struct dmab_dev *dev, uint64_t fired[DMAB_FAULT__COUNT]);
/* The parameters the device was opened with (option_struct_size bytes of
 * the backend's parameter struct), for dmab_options_format; NULL without
 * an options table. */
const void *dmab_dev_params(const struct dmab_dev *dev);
/* Name of the profile the device was opened with (the default when none
 * was asked for); NULL without a profile table. */
const char *dmab_dev_profile(const struct dmab_dev *dev);

/*
 * Peripheral data, for verifying transfers with a FIFO side. A memory-to-
 * memory transfer is checked by comparing its two memory sides; a mem2dev
 * or dev2mem transfer has only one, and the other end is the peripheral's
 * data register. So a backend that can (the periph_xfer op) reports, per
 * transaction, what crossed that register: the bytes the DMA wrote into
 * the peripheral (mem2dev) or read out of it (dev2mem), and their FNV-1a
 * 64 hash in order. The verifier hashes the memory side's windows the same
 * way and compares: any change to one byte between memory and the
 * register (a flipped bit in the FIFO or in memory, a lost or repeated
 * burst) changes the hash with certainty (each FNV-1a step is a bijection
 * of the state), and anything else with probability 2^-64. Why a hash of
 * what crossed rather than the peripheral's stream: what a receive
 * peripheral produces is not what a transfer gets (an overrun drops bytes,
 * turning a FIFO around drops what it held, a transmitter consumes long
 * after the transfer ended), and those are the peripheral's behaviour, not
 * the DMA's: the register is where the DMA's responsibility ends.
 */
struct dmab_periph_xfer {
	uint64_t bytes;  /* bytes the transaction moved through peripheral data registers */
	uint64_t hash;   /* dmab_fnv1a64(DMAB_FNV1A64_INIT, those bytes in order) */
};
#define DMAB_FNV1A64_INIT 0xcbf29ce484222325ull
/* FNV-1a 64 of p[0..n) continuing from h (DMAB_FNV1A64_INIT to start):
 * h = (h ^ byte) * 0x100000001b3 per byte. O(n), no state. */
uint64_t dmab_fnv1a64(uint64_t h, const void *p, size_t n);
/* What transaction `cookie` of channel index chan (dmab_chan_index) moved
 * through peripheral data registers, once it has ended (completed,
 * failed after moving part of its data, or stopped by terminate/reset:
 * what crossed before the stop, so a cyclic stream can be checked), through the backend's
 * periph_xfer op. A backend may also answer for the channel's running
 * transaction: what crossed so far (its position, as dmaengine's residue
 * gives one: a cyclic stream's consumer proves with it that the device
 * had not yet refilled a period it read). Returns 0, DMAB_EINVAL (NULL
 * argument), DMAB_ENOSYS (the backend cannot say: its peripheral data
 * stays unverified), DMAB_ENOENT (no such transaction with a peripheral
 * side among the channel's last DMAB_CHAN_HISTORY ended ones, or it is
 * running and the backend cannot say yet). O(1) here; the backend's cost
 * is its own (the sim: O(transactions ended since)). */
int dmab_dev_periph_xfer(struct dmab_dev *dev, unsigned chan, dmab_cookie_t cookie,
			 struct dmab_periph_xfer *out);

/* The backend's xfer_bound op: *ticks an upper bound on one transaction
 * of len bytes of type with the device to itself. Returns 0, DMAB_EINVAL
 * (NULL argument), DMAB_ENOSYS (no op; *ticks 0). O(1). */
int dmab_dev_xfer_bound(struct dmab_dev *dev, enum dmab_xfer_type type, uint64_t len,
			uint64_t *ticks);

/*
 * CPU work on device memory, for a backend whose clock also counts the
 * target's CPU (the simulator). The library tells it about the copies
 * it makes on the target (bounce buffers, both ways), and a harness
 * about the bytes an application would write before a transfer and read
 * after it; a backend with a real clock has no op, since the real CPU's
 * time passes by itself. What a kind of access costs, and whether the
 * memory is cached, is the backend's model.
 */
enum dmab_touch {
	DMAB_TOUCH_WRITE, /* the CPU writes every byte of the range (fills a buffer) */
	DMAB_TOUCH_READ,  /* the CPU reads every byte of the range (consumes a result) */
	DMAB_TOUCH_COPY,  /* the CPU copies the range into or out of this memory (memcpy) */
};
/* Charges the device's clock for CPU work `how` over [cpu, cpu+len) of
 * memory the device allocated (a region of dmab_mem_alloc, a pool's or
 * a bounce buffer), through the backend's cpu_touch op. Returns 0,
 * DMAB_EINVAL (NULL dev or cpu, bad how), DMAB_ENOSYS (no op, checked
 * before the memory: the backend's clock charges nothing, as a real
 * clock needs not), DMAB_EFAULT (not the device's memory). O(1) without
 * the op; O(log regions) plus the backend's cost with it. */
int dmab_dev_cpu_touch(struct dmab_dev *dev, const void *cpu, size_t len, enum dmab_touch how);

/* Per-channel hardware configuration given to the backend. */
struct dmab_hw_chan_cfg {
	enum dmab_prio prio;
	unsigned periph;      /* peripheral request line for mem2dev/dev2mem */
	uint32_t burst;       /* burst length hint in beats; 0 = backend default */
	uint32_t width;       /* bus width hint in bytes; 0 = backend default */
};

/* Error detail a backend reports with a failed transaction. */
struct dmab_hw_err {
	int code;             /* DMAB_EBUSERR, DMAB_EDESC, DMAB_EALIGN, DMAB_EDATA, ... */
	dmab_addr_t addr;     /* faulting bus address, DMAB_ADDR_INVALID if none */
};

/*
 * One transaction handed to the backend. The library owns it; the backend
 * may link it into its own queues through `bq` and read every field marked
 * (lib); it writes the fields marked (backend).
 */
struct dmab_txd {
	struct dmab_desc *const *descs; /* (lib) CPU pointers of the chain's descriptors */
	unsigned ndesc;                 /* (lib) */
	dmab_addr_t first_bus;          /* (lib) bus address of descs[0] */
	size_t bytes;                   /* (lib) total bytes of one pass over the chain */
	int cyclic;                     /* (lib) last descriptor links back to the first */
	unsigned chan;                  /* (lib) channel index */
	dmab_cookie_t cookie;           /* (lib) */
	uint64_t t_submit;              /* (lib) ticks */
	uint64_t t_start;               /* (backend) when the hardware started it */
	uint64_t t_done;                /* (backend) when it finished (completion raised);
					 * set it even when the interrupt is lost, as a
					 * status register would: the library's timeout
					 * path then tells a lost interrupt from a hang */
	uint64_t dev_cycles;            /* (backend) device busy cycles, with DMAB_CAP_DEV_CYCLES */
	void *bq[2];                    /* (backend) free for the backend's queue links */
	/* (backend) fields: written only from start/poll/terminate/reset on
	 * the device's thread, never after terminate/reset returned (see the
	 * top of this file). */
	void *lib;                      /* library-private */
};

/*
 * The ops. (R) required, (O) optional (may be NULL), (C:x) required when
 * capability x is claimed. Every op receives the backend's private state.
 */
struct dmab_backend_ops {
	uint32_t version;        /* (R) DMAB_BACKEND_OPS_VERSION */
	const char *name;        /* (R) short name, as given to --backend */
	const char *summary;     /* (R) one line for `dmabench list` */
	uint32_t caps;           /* DMAB_CAP_* */
	size_t priv_size;        /* bytes of private state the library allocates */
	/* (O) The parameter table (see struct dmab_option); NULL: the backend
	 * takes no options. Requires option_struct_size. */
	const struct dmab_option *options;
	size_t option_struct_size; /* bytes of the parameter struct open() receives */
	/* (O) Profiles as data; the first is the default. NULL: one unnamed
	 * configuration, the option defaults. */
	const struct dmab_profile *profile_table;

	/* (O) NULL when the backend can run on this machine, else the reason
	 * ("no /dev/udmabuf: modprobe udmabuf"). Must not allocate. */
	const char *(*unavailable)(void);

	/* (R) Initialise priv. params is the parameter struct the library
	 * parsed from the profile and options (option_struct_size bytes, every
	 * value within its row; NULL without an options table), valid only
	 * during the call (dmab_dev_params keeps a copy): checks across
	 * parameters are the backend's. cfg gives the seed and the log; its
	 * profile and options strings are the library's business. dev is the
	 * device being opened: keep it to report completions. On refusal write
	 * the reason into why (why_len >= 1 bytes, NUL-terminated, no backend
	 * name prefix: "fifo_rate must be at most fifo_depth / 2") and return a
	 * negative code; close() is then not called. */
	int (*open)(void *priv, struct dmab_dev *dev, const struct dmab_dev_cfg *cfg,
		    const void *params, char *why, size_t why_len);
	/* (R) Release everything open() and later ops acquired. */
	void (*close)(void *priv);
	/* (R) Fill the device requirements; called after open(). */
	void (*get_reqs)(void *priv, struct dmab_reqs *out);

	/* (R) Allocate memory of a kind: CPU pointer and bus address both
	 * aligned to align (power of two), the whole block's bus addresses
	 * within mask for every kind (the library passes UINT64_MAX for user
	 * NORMAL memory, which may lie anywhere, and the device mask for
	 * coherent, uncached and bounce memory). Fills out->cpu, ->bus, ->size,
	 * ->kind; may use out->handle for itself. The library verifies
	 * alignment and mask and refuses a block that breaks them.
	 * Returns 0, DMAB_ENOTSUP, DMAB_ENOMEM. */
	int (*mem_alloc)(void *priv, size_t size, size_t align, enum dmab_mem_kind kind,
			 uint64_t mask, struct dmab_mem *out);
	/* (R) Free what mem_alloc returned. */
	void (*mem_free)(void *priv, struct dmab_mem *m);
	/* (O) Translate a CPU pointer the library does not know (identity-
	 * mapped hosts). Returns 0 or DMAB_EFAULT. */
	int (*virt_to_bus)(void *priv, const void *cpu, dmab_addr_t *bus);

	/* (C:NONCOHERENT) Cache maintenance over [off, off+len) of allocation m.
	 * clean writes dirty lines back; inval discards lines (a partial line's
	 * other bytes are discarded too, which is the caller's problem); flush
	 * does both. Ranges are widened to whole lines by the backend. */
	void (*cache_clean)(void *priv, const struct dmab_mem *m, size_t off, size_t len);
	void (*cache_inval)(void *priv, const struct dmab_mem *m, size_t off, size_t len);
	void (*cache_flush)(void *priv, const struct dmab_mem *m, size_t off, size_t len);

	/* (O) Configure channel chan before use. Returns 0 or negative. */
	int (*chan_config)(void *priv, unsigned chan, const struct dmab_hw_chan_cfg *cfg);
	/* (C:engine) Queue txd on channel chan; the hardware may start it at
	 * once or after what it already has queued on that channel (FIFO per
	 * channel). Must eventually complete it through dmab_txd_complete(),
	 * from inside poll(), unless terminate() or reset() is called first.
	 * Returns 0, or a negative code if it refused the txd (never queued). */
	int (*start)(void *priv, unsigned chan, struct dmab_txd *txd);
	/* (C:engine) Process events until tick `until` or until at least one
	 * completion was delivered, whichever is first. Virtual-time backends
	 * advance their clock (never past `until` unless no event is pending
	 * before it, then to `until`); real ones wait at most until `until`.
	 * Returns the number of completions delivered (>= 0) or negative. */
	int (*poll)(void *priv, uint64_t until);
	/* (C:engine) Stop chan; every txd it still holds is forgotten by the
	 * backend (the library cancels them). Must not call dmab_txd_complete. */
	int (*terminate)(void *priv, unsigned chan);
	/* (C:engine) Bring a hung or failed channel back; like terminate plus
	 * clearing error state. */
	int (*reset)(void *priv, unsigned chan);
	/* (R) Current time in ticks. */
	uint64_t (*now)(void *priv);
	/* (O) Whether chan is idle in hardware (no txd executing or queued);
	 * lets the library tell a lost interrupt from a hang. Returns 1/0. */
	int (*chan_idle)(void *priv, unsigned chan);

	/* (C:FAULTS) Arm a fault; called before transfers. Returns 0 or negative. */
	int (*inject)(void *priv, const struct dmab_fault *f);
	/* (C:TRACE) Install (fn != NULL) or remove a trace sink. */
	int (*set_trace)(void *priv, dmab_trace_fn fn, void *ctx);
	/* (O) Write backend statistics as "key=value" pairs, ';'-separated,
	 * into buf (NUL-terminated). Returns length or negative. */
	int (*describe)(void *priv, char *buf, size_t len);

	/* (C:MEM2DEV, C:DEV2MEM) Bus address of the peripheral on request
	 * line `line` (the dmab_hw_chan_cfg.periph a channel is configured
	 * with): the fixed address a MEM2DEV descriptor writes to or a DEV2MEM
	 * descriptor reads from. Reachable by the device (within its DMA
	 * mask), never inside memory the backend allocates. Must not depend on
	 * the device's state (callable any time between open and close).
	 * Returns 0, or DMAB_EINVAL for a line the backend does not have. */
	int (*periph_addr)(void *priv, unsigned line, dmab_addr_t *addr);

	/* (O) What the backend counts, as data: fills out[0..max) (out may be
	 * NULL when max is 0) and returns how many rows it has (possibly more
	 * than max), or a negative code. Always the same rows in the same
	 * order for one device. See struct dmab_counter for the fault rows. */
	int (*counters)(void *priv, struct dmab_counter *out, size_t max);

	/* (O; only with MEM2DEV or DEV2MEM) What transaction `cookie` on
	 * channel chan moved through peripheral data registers (struct
	 * dmab_periph_xfer above): bytes and hash as they crossed the
	 * register, after any corruption on the memory side of it (an
	 * injected bitflip into a transmit FIFO is hashed flipped; one into
	 * memory after a receive FIFO is not). Kept for at least the
	 * channel's last DMAB_CHAN_HISTORY ended transactions with a
	 * peripheral side (completed or failed; a terminated or reset one
	 * may leave what crossed before the stop), since the channel was last
	 * requested (cookies start again then); optionally also the running
	 * one, so far (consistent with memory: every byte counted is in
	 * memory or the FIFO, none more). Returns 0, DMAB_ENOENT (none
	 * such), DMAB_EINVAL.
	 * NULL: the backend cannot say, and peripheral data goes unverified. */
	int (*periph_xfer)(void *priv, unsigned chan, dmab_cookie_t cookie,
			   struct dmab_periph_xfer *out);
	/* (O) An upper bound on the device ticks one transaction of len bytes
	 * of `type` takes with the device to itself (no other channel, any
	 * number of descriptors, from its start to its completion
	 * interrupt), from the backend's own parameters: what a harness's
	 * timeout must allow before the first completion shows the pace (a
	 * slow peripheral, a slow clock, long arbitration). Loose is fine,
	 * short is not. Returns 0 or a negative code. NULL: the caller
	 * guesses (dmab_dev_xfer_bound says DMAB_ENOSYS). */
	int (*xfer_bound)(void *priv, enum dmab_xfer_type type, uint64_t len, uint64_t *ticks);
	/* (O) The CPU did `how` over [off, off+len) of allocation m
	 * (dmab_dev_cpu_touch above): advance the clock by what that costs
	 * the target's CPU. Must not change the memory nor run the device's
	 * events at a time other than its clock's; off + len <= m->size. NULL:
	 * the clock is real (or counts no CPU) and nothing is charged. */
	void (*cpu_touch)(void *priv, const struct dmab_mem *m, size_t off, size_t len,
			  enum dmab_touch how);
};

/* Checks version, required ops, that every claimed capability has its
 * ops (and no periph_xfer without mem2dev or dev2mem, no sg without an
 * engine), and the options and profile tables (every row's size, offset,
 * range, default and flags; names unique; every profile's options parse;
 * profiles agrees with profile_table). Returns 0, DMAB_EVERSION or
 * DMAB_EMISSINGOP (DMAB_EINVAL for NULL ops, or a bad table); *why (if
 * given) names the missing op ("claims noncoherent but cache_clean is
 * NULL"), the table fault ("an option's offset + size exceeds
 * option_struct_size") or the expected version, as a string literal (no
 * global buffer); the caller prefixes the backend's name, as
 * dmab_dev_open's log message does. O(ops + rows^2 + profile items x
 * rows). */
int dmab_backend_validate(const struct dmab_backend_ops *ops, const char **why);

/* ---- called by backends ------------------------------------------------ */

/* Parses s[0..n) (not NUL-terminated) as a backend option number: decimal or
 * 0x hex, and with `suffix` set an optional binary K/M/G suffix (4K = 4096).
 * The whole span must be the number. Returns 0, or DMAB_EINVAL for an empty
 * span, junk or a value beyond 64 bits. One parser, so every backend's
 * options read numbers the same way. */
int dmab_parse_u64(const char *s, size_t n, int suffix, uint64_t *out);

/* Report the outcome of the transaction `cookie` on channel `chan`, which
 * finished at tick t_done: status 0 (done) or negative, err may be NULL on
 * success. Call only from inside poll(). Completions are identified by
 * cookie, not by txd pointer, so a duplicate completion (the txd may already
 * be recycled) is detected in O(1) and recorded as a DMAB_ERRK_DUP_IRQ error
 * instead of completing something else. Set txd->t_start and dev_cycles
 * before calling. Returns 0, or DMAB_ESTATE for a duplicate or unknown one. */
int dmab_txd_complete(struct dmab_dev *dev, unsigned chan, dmab_cookie_t cookie,
		      uint64_t t_done, int status, const struct dmab_hw_err *err);
/* Report that cyclic transaction `cookie` finished period `index` (0-based)
 * at tick t; the library checks it against the stream's deadline. */
int dmab_txd_period(struct dmab_dev *dev, unsigned chan, dmab_cookie_t cookie,
		    uint64_t index, uint64_t t);

#ifdef __cplusplus
}
#endif
#endif
