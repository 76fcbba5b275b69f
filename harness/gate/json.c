/*
 * harness/gate/json.c: a JSON parser, just enough for Google Benchmark's
 * --benchmark_out_format=json (gbench.c reads the tree).
 *
 * Recursive descent into a tree of struct jval, nesting capped at 64 so a
 * hostile file cannot exhaust the stack. It also takes the NaN, Infinity
 * and -Infinity Google Benchmark writes for some counters. Member lookup is
 * linear (jget): objects here have a few dozen members. Errors name the
 * line. O(bytes).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gate/gate_int.h"

struct jparser {
	const char *s, *end, *p;
	struct gerr *e;
	int depth;
};

void jfree(struct jval *v)
{
	if (v->t == J_STR)
		free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		jfree(&v->item[i]);
		if (v->key)
			free(v->key[i]);
	}
	free(v->item);
	free(v->key);
	memset(v, 0, sizeof *v);
}

static int jerr(struct jparser *jp, const char *what)
{
	size_t line = 1;
	for (const char *q = jp->s; q < jp->p && q < jp->end; q++)
		line += *q == '\n';
	if (jp->p >= jp->end)
		return fail(jp->e, "JSON truncated at end of file (line %zu): %s", line, what);
	return fail(jp->e, "JSON error at line %zu: %s", line, what);
}

static void jws(struct jparser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static int jvalue(struct jparser *jp, struct jval *v);

static int jstring(struct jparser *jp, char **out)
{
	struct gx_buf b = { 0 };
	buf_add(&b, "", 0);
	jp->p++; /* opening quote */
	while (jp->p < jp->end && *jp->p != '"') {
		char c = *jp->p++;
		if ((unsigned char)c < 0x20) {
			free(b.s);
			return jerr(jp, "control character in a string");
		}
		if (c != '\\') {
			buf_add(&b, &c, 1);
			continue;
		}
		if (jp->p >= jp->end)
			break;
		c = *jp->p++;
		switch (c) {
		case '"': case '\\': case '/': buf_add(&b, &c, 1); break;
		case 'b': buf_add(&b, "\b", 1); break;
		case 'f': buf_add(&b, "\f", 1); break;
		case 'n': buf_add(&b, "\n", 1); break;
		case 'r': buf_add(&b, "\r", 1); break;
		case 't': buf_add(&b, "\t", 1); break;
		case 'u': {
			unsigned cp = 0;
			for (int i = 0; i < 4; i++) {
				if (jp->p >= jp->end) {
					free(b.s);
					return jerr(jp, "short \\u escape");
				}
				char h = *jp->p++;
				cp <<= 4;
				if (h >= '0' && h <= '9')
					cp |= (unsigned)(h - '0');
				else if (h >= 'a' && h <= 'f')
					cp |= (unsigned)(h - 'a' + 10);
				else if (h >= 'A' && h <= 'F')
					cp |= (unsigned)(h - 'A' + 10);
				else {
					free(b.s);
					return jerr(jp, "bad \\u escape");
				}
			}
			/* Names are ASCII in practice; anything else becomes '?'. */
			char ch = cp < 0x80 ? (char)cp : '?';
			buf_add(&b, &ch, 1);
			break;
		}
		default:
			free(b.s);
			return jerr(jp, "bad escape in a string");
		}
	}
	if (jp->p >= jp->end) {
		free(b.s);
		return jerr(jp, "unterminated string");
	}
	jp->p++;
	*out = b.s;
	return 0;
}

static int jcontainer(struct jparser *jp, struct jval *v, int obj)
{
	size_t cap = 0;
	char close = obj ? '}' : ']';
	v->t = obj ? J_OBJ : J_ARR;
	if (++jp->depth > 64)
		return jerr(jp, "nested too deeply");
	jp->p++;
	jws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		jp->depth--;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? cap * 2 : 8;
			v->item = gx_realloc(v->item, cap * sizeof *v->item);
			if (obj)
				v->key = gx_realloc(v->key, cap * sizeof *v->key);
		}
		struct jval *it = &v->item[v->n];
		memset(it, 0, sizeof *it);
		char *k = NULL;
		jws(jp);
		if (obj) {
			if (jp->p >= jp->end || *jp->p != '"')
				return jerr(jp, "expected a member name");
			if (jstring(jp, &k))
				return -1;
			jws(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				free(k);
				return jerr(jp, "expected ':'");
			}
			jp->p++;
		}
		if (jvalue(jp, it)) {
			jfree(it);
			free(k);
			return -1;
		}
		if (obj)
			v->key[v->n] = k;
		v->n++;
		jws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			jp->depth--;
			return 0;
		}
		return jerr(jp, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int jvalue(struct jparser *jp, struct jval *v)
{
	jws(jp);
	if (jp->p >= jp->end)
		return jerr(jp, "expected a value");
	char c = *jp->p;
	if (c == '{' || c == '[')
		return jcontainer(jp, v, c == '{');
	if (c == '"') {
		v->t = J_STR;
		return jstring(jp, &v->str);
	}
	static const struct { const char *w; enum jtype t; double n; } lit[] = {
		{ "true", J_BOOL, 1 }, { "false", J_BOOL, 0 }, { "null", J_NULL, 0 },
		{ "NaN", J_NUM, NAN }, { "Infinity", J_NUM, INFINITY }, { "-Infinity", J_NUM, -INFINITY },
	};
	for (size_t i = 0; i < sizeof lit / sizeof lit[0]; i++) {
		size_t l = strlen(lit[i].w);
		if ((size_t)(jp->end - jp->p) >= l && strncmp(jp->p, lit[i].w, l) == 0) {
			v->t = lit[i].t;
			v->num = lit[i].n;
			jp->p += l;
			return 0;
		}
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		/* strtod alone would also take hex, "inf" and "nan" after a '-':
		 * only the characters of JSON's number grammar may be consumed. */
		const char *q = jp->p;
		while (q < jp->end && strchr("+-0123456789.eE", *q))
			q++;
		char *endp;
		v->t = J_NUM;
		v->num = strtod(jp->p, &endp);
		if (endp == jp->p || endp != q)
			return jerr(jp, "bad number");
		jp->p = endp;
		return 0;
	}
	return jerr(jp, "unexpected character");
}

const struct jval *jget(const struct jval *o, const char *key)
{
	if (o->t != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->key[i], key) == 0)
			return &o->item[i];
	return NULL;
}

const char *jstr(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);
	return v && v->t == J_STR ? v->str : NULL;
}


int jparse(const char *text, size_t len, struct jval *root, struct gerr *e)
{
	struct jparser jp = { text, text + len, text, e, 0 };
	memset(root, 0, sizeof *root);
	if (jvalue(&jp, root))
		return -1;
	jws(&jp);
	if (jp.p != jp.end)
		return jerr(&jp, "trailing data after the top-level value");
	return 0;
}
