// SPDX-License-Identifier: Apache-2.0
/*
 * Reading a BPF ring buffer: a consumer page we write our position to, then the producer page
 * and the data pages, mapped twice in a row so that a record never wraps.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "probe/probe.h"

#define RB_BUSY (1U << 31)
#define RB_DISCARD (1U << 30)
#define RB_HDR 8

struct go_ringbuf {
	size_t size, page;
	unsigned long *consumer;	/* page 0 */
	const unsigned long *producer;	/* page 1 */
	const uint8_t *data;
	go_ringbuf_fn fn;
	void *ctx;
};

struct go_ringbuf *go_ringbuf__new(int fd, size_t size, go_ringbuf_fn fn, void *ctx)
{
	struct go_ringbuf *rb = calloc(1, sizeof(*rb));
	void *c, *p;

	if (!rb) {
		errno = ENOMEM;
		return NULL;
	}
	rb->page = (size_t)sysconf(_SC_PAGESIZE);
	rb->size = size;
	rb->fn = fn;
	rb->ctx = ctx;
	c = mmap(NULL, rb->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c == MAP_FAILED)
		goto fail;
	p = mmap(NULL, rb->page + 2 * size, PROT_READ, MAP_SHARED, fd, (off_t)rb->page);
	if (p == MAP_FAILED) {
		munmap(c, rb->page);
		goto fail;
	}
	rb->consumer = c;
	rb->producer = p;
	rb->data = (const uint8_t *)p + rb->page;
	return rb;
fail:
	go_fail(errno, "cannot map the event ring buffer");
	free(rb);
	return NULL;
}

int go_ringbuf__consume(struct go_ringbuf *rb)
{
	unsigned long cons = __atomic_load_n(rb->consumer, __ATOMIC_ACQUIRE);
	int n = 0;

	for (;;) {
		unsigned long prod = __atomic_load_n(rb->producer, __ATOMIC_ACQUIRE);
		const uint8_t *rec;
		uint32_t len;

		if (cons >= prod)
			break;
		rec = rb->data + (cons & (rb->size - 1));
		len = __atomic_load_n((const uint32_t *)rec, __ATOMIC_ACQUIRE);
		if (len & RB_BUSY)
			break;
		cons += ((len & ~RB_DISCARD) + RB_HDR + 7) & ~7UL;
		if (!(len & RB_DISCARD)) {
			rb->fn(rb->ctx, rec + RB_HDR, len & ~RB_DISCARD);
			n++;
		}
		__atomic_store_n(rb->consumer, cons, __ATOMIC_RELEASE);
	}
	return n;
}

void go_ringbuf__free(struct go_ringbuf *rb)
{
	if (!rb)
		return;
	munmap(rb->consumer, rb->page);
	munmap((void *)rb->producer, rb->page + 2 * rb->size);
	free(rb);
}
