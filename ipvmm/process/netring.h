/* The frame rings between the VMM and its network helper (nethost.c): two
 * single-producer single-consumer queues in one shared mapping that holds
 * nothing else, so the helper, which runs libslirp on frames the guest
 * wrote, maps neither guest memory nor the VMM's state.  A frame is copied
 * in by its producer and out by its consumer; the index updates are
 * release/acquire so a consumer never sees a slot before its bytes. */
#ifndef IPVMM_PROCESS_NETRING_H
#define IPVMM_PROCESS_NETRING_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define NETRING_SLOTS 256  /* a power of two */
#define NETRING_FRAME 1536 /* an Ethernet frame with an 802.1Q tag, no CRC */

struct netring {
	_Atomic uint32_t head; /* next slot the producer fills */
	_Atomic uint32_t tail; /* next slot the consumer empties */
	_Atomic uint64_t full; /* frames dropped: ring full */
	_Atomic uint64_t too_long; /* frames dropped: longer than a slot */
	struct {
		uint32_t len;
		uint8_t data[NETRING_FRAME];
	} slot[NETRING_SLOTS];
};

struct netring_pair {
	struct netring to_host, to_guest;
};

/* A producer that reads a frame straight into place: the free slot, or
 * NULL when the ring is full (not counted: the producer may wait); then
 * netring_commit with the length it wrote. */
static inline uint8_t *netring_reserve(struct netring *r)
{
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
	return h - t >= NETRING_SLOTS ? NULL : r->slot[h % NETRING_SLOTS].data;
}

static inline void netring_commit(struct netring *r, uint32_t len)
{
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	r->slot[h % NETRING_SLOTS].len = len;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
}

/* 0, or -1 when the frame was dropped (counted in the ring). */
static inline int netring_push(struct netring *r, const uint8_t *f, uint32_t len)
{
	uint8_t *slot = netring_reserve(r);
	if (len > NETRING_FRAME) {
		atomic_fetch_add_explicit(&r->too_long, 1, memory_order_relaxed);
		return -1;
	}
	if (!slot) {
		atomic_fetch_add_explicit(&r->full, 1, memory_order_relaxed);
		return -1;
	}
	memcpy(slot, f, len);
	netring_commit(r, len);
	return 0;
}

/* The oldest frame and its length, or 0 when the ring is empty; the frame
 * stays the consumer's until netring_pop.  A length the other side wrote
 * is checked here: the ring is shared with a process we do not trust. */
static inline uint32_t netring_peek(struct netring *r, const uint8_t **f)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	if (h == t)
		return 0;
	uint32_t len = r->slot[t % NETRING_SLOTS].len;
	*f = r->slot[t % NETRING_SLOTS].data;
	return len <= NETRING_FRAME ? len : NETRING_FRAME;
}

static inline void netring_pop(struct netring *r)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
}

#endif
