#!/bin/sh
# test_install.sh: `make install PREFIX=...` yields headers, the archive and a
# dmab.pc with which an outside program compiles, links and runs.
. tests/support/t.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# A build of its own in a clean environment (make exports command-line
# variables such as SAN and CC; a sanitizer build must
# not leak -fsanitize objects into a plain outside program).
t_check "install into a prefix" env -i PATH="$PATH" HOME="${HOME:-/root}" make --no-print-directory -s BUILD="$tmp/b" install PREFIX="$tmp/p"
t_check "header installed" test -f "$tmp/p/include/dmab/dmab.h"
t_check "archive installed" test -f "$tmp/p/lib/libdmab.a"
t_eq "pc prefix" "$(PKG_CONFIG_PATH=$tmp/p/lib/pkgconfig pkg-config --variable=prefix dmab)" "$tmp/p"
cat > "$tmp/use.c" <<'C'
#include <dmab/dmab.h>
#include <dmab/host.h>
#include <stdio.h>
int main(void)
{
	struct dmab_dev_cfg cfg = { .ops = &dmab_host_backend };
	struct dmab_dev *dev;
	struct dmab_mem m;
	if (dmab_dev_open(&cfg, &dev) || dmab_mem_alloc(dev, 4096, 64, DMAB_MEM_COHERENT, &m))
		return 1;
	printf("%s\n", dmab_strerror(dmab_mem_free(dev, &m)));
	return dmab_dev_close(dev, NULL);
}
C
t_check "outside program builds with pkg-config" sh -c "cc -std=c11 \$(PKG_CONFIG_PATH=$tmp/p/lib/pkgconfig pkg-config --cflags dmab) $tmp/use.c -o $tmp/use \$(PKG_CONFIG_PATH=$tmp/p/lib/pkgconfig pkg-config --libs dmab)"
t_eq "outside program runs" "$("$tmp/use" 2>&1)" "success"
t_done
