# backends/backends.mk: which backends each target builds (the only place
# the build filters backends). A backend is the folder backends/<name>/:
# its *.c files, and include/ for its public header (dmab/<name>.h). A
# backend a target does not build stays in `dmabench list` there, with the
# reason its row in backends/list.h gives.
BACKENDS_host    := sim host udmabuf cpu
BACKENDS_cortexm := sim host pl08x
# The Cortex-M boards without a DMA controller (mps2-an385, an386, an500;
# the Makefile's CM_BOARD_* rows name which list a board builds): the CPU
# copy engine is their on-target default.
BACKENDS_cortexm_nodma := cpu sim host
