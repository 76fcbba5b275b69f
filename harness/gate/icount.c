/*
 * harness/gate/icount.c: dmab-icount files, as scripts/callgrind-counts
 * writes them: a first line "# dmab-icount 1", then "name instructions"
 * lines. Every count is deterministic (callgrind counts instructions, not
 * time) and lower is better. The text is split in place. O(bytes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "gate/gate_int.h"

int load_icount(struct dataset *d, char *text, size_t len, struct gerr *e)
{
	size_t pos = 0, lineno = 0, n = 0;
	if (len == 0)
		return fail(e, "empty file");
	if (text[len - 1] != '\n')
		return fail(e, "truncated: the last line has no newline");
	while (pos < len) {
		size_t s = pos;
		while (pos < len && text[pos] != '\n')
			pos++;
		text[pos] = '\0';
		pos++;
		lineno++;
		char *l = &text[s];
		if (*l == '#' || *l == '\0')
			continue;
		char name[256];
		char num[64];
		char extra;
		if (sscanf(l, "%255s %63s %c", name, num, &extra) != 2)
			return fail(e, "line %zu: expected 'name instructions'", lineno);
		char *endp;
		errno = 0;
		unsigned long long v = strtoull(num, &endp, 10);
		if (*endp != '\0' || errno == ERANGE || num[0] == '-')
			return fail(e, "line %zu: '%s' is not an instruction count", lineno, num);
		size_t ri = ds_row_labelled(d, name);
		d->rows[ri].reps++;
		ds_sample(d, ri, "instructions", 1, HX_LOWER, (double)v);
		n++;
	}
	if (n == 0)
		return fail(e, "no counts (only comments)");
	return 0;
}
