/*
 * harness/core/parse_int.h: what parse.c shares with jobfile.c and nobody
 * else (the error convention's formatter and three small helpers), so the
 * job-file syntax could live in its own file without copying them.
 */
#ifndef DMAB_HARNESS_PARSE_INT_H
#define DMAB_HARNESS_PARSE_INT_H

#include "core/parse.h"

/* Fills c->err as parse.h's convention says (where:line: key: detail, the
 * token); returns -1. Both files call it `fail`. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int hx__parse_fail(struct hx_parse_ctx *c, const char *key, const char *token, const char *fmt, ...);
/* ASCII case-insensitive equality. */
int hx__ieq(const char *a, const char *b);
/* A character allowed in backend, profile and section names. */
int hx__name_char_ok(char ch);
/* Copies into dst every dimension (and inject) `from` sets and dst does not. */
void hx__job_inherit(struct hx_job *dst, const struct hx_job *from);

#endif
