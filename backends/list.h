/*
 * backends/list.h: the one list of backends, as an X-macro (stress-ng's
 * core-stressors.h): X(name, symbol, why_not_built).
 *
 * name is what --backend selects and the folder backends/<name>/ holding
 * its sources; symbol its exported `const struct dmab_backend_ops`;
 * why_not_built what `dmabench list` says on a target the backend is not
 * built for (which targets build which backends is backends/backends.mk,
 * the one place the build filters). Row order is the order of `dmabench
 * list`; the first row is the default backend.
 */
#ifndef DMAB_BACKENDS_LIST_H
#define DMAB_BACKENDS_LIST_H

#define DMAB_BACKEND_LIST(X)                                                      \
	X(sim, dmab_sim_backend, "not built for this target")                     \
	X(host, dmab_host_backend, "not built for this target")                   \
	X(udmabuf, dmab_udmabuf_backend, "Linux only (memfd, /dev/udmabuf, pthreads)")    \
	X(cpu, dmab_cpu_backend, "hosts and the DMA-less Cortex-M boards only (cortexm:an385/cpu)") \
	X(pl08x, dmab_pl08x_backend, "bare metal only: a PL081 on mps2-an505 (cortexm:an505/pl08x)")

#endif
