# tests/vm/vm.mk: `make test-udmabuf-vm`, the udmabuf backend against a real
# kernel. It builds what goes into the VM's initramfs under $(BUILD)/vm/ (the
# static /init of tests/vm/init.c, test_udmabuf and test_conformance linked
# -static from the normal objects, so they are the binaries `make test`
# runs) and hands over to scripts/udmabuf-vm, which fetches Debian's 6.12
# cloud kernel, packs the initramfs (adding dmabench with the shared
# libraries it loads: Debian ships no static libcjson or libudev) and boots
# it under QEMU. Exit status of the script: 0 pass, 1 fail, 77 could not run
# here (no Debian archive, no network, no QEMU); through make, both of the
# last two are make's 2, so CI calls the script (it builds these first).
VM_DIR  := $(BUILD)/vm
VM_BINS := $(VM_DIR)/init $(VM_DIR)/test_udmabuf $(VM_DIR)/test_conformance

.PHONY: test-udmabuf-vm udmabuf-vm-files
udmabuf-vm-files: $(VM_BINS) $(DMABENCH)

test-udmabuf-vm: udmabuf-vm-files
	$(Q)BUILD=$(BUILD) scripts/udmabuf-vm --no-build

$(VM_DIR)/init: tests/vm/init.c tests/vm/vm.mk
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 $(OPT) $(WARN) -Wconversion -static -o $@ $<
$(VM_DIR)/test_%: $(BUILD)/obj/tests/test_%.o $(TSUP_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -static -o $@ $< $(TSUP_OBJS) $(LIBHX) $(LIBBK) $(LIBDMAB) -lpthread -lm
