/*
 * util.c: the few helpers every libdmab file shares: object memory, logging
 * through the caller's callback, and an intrusive doubly linked list.
 *
 * Object memory goes through dmab__zalloc/dmab__free so a bare-metal port
 * changes one file to use a static arena instead of the C heap. Memory is
 * always zeroed, so a half-initialised object is never read as garbage on an
 * error path. The list is circular with a sentinel head: insert and remove
 * are O(1) without special cases, and an object removes itself without
 * knowing which list it is on.
 */
#include <stdlib.h>

#include "internal.h"

void *dmab__zalloc(size_t size)
{
	/* calloc(0) may return NULL or a unique pointer; callers never need a
	 * zero-sized object, so ask for one byte to keep "NULL = failure". */
	return calloc(1, size ? size : 1);
}

void dmab__free(void *p)
{
	free(p);
}

void dmab__list_init(struct dmab__node *head)
{
	head->prev = head;
	head->next = head;
}

/* Appends n at the tail (before the sentinel): walking from head->next sees
 * objects in creation order. */
void dmab__list_add(struct dmab__node *head, struct dmab__node *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

/* Unlinks n and points it at itself, so a second del is harmless. */
void dmab__list_del(struct dmab__node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n;
	n->next = n;
}
