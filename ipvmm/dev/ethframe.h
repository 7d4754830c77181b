/*
 * Ethernet frame helpers for NIC models: the IPv4, TCP and UDP checksums a
 * card inserts on transmit and verifies on receive.  Frames are untagged
 * or carry one 802.1Q tag; anything else (IPv6, IPv4 fragments after the
 * first, malformed headers) is "not IP" here, which is what a card that
 * only understands IPv4 says about it.  Every length is checked against
 * the frame: a lying header never reads past 'len'.
 */
#ifndef IPVMM_DEV_ETHFRAME_H
#define IPVMM_DEV_ETHFRAME_H

#include <stdint.h>

#define ETHFRAME_IP	0x01	/* an IPv4 header was found */
#define ETHFRAME_TCP	0x02
#define ETHFRAME_UDP	0x04
#define ETHFRAME_IP_BAD	0x10	/* its checksum is wrong */
#define ETHFRAME_L4_BAD	0x20	/* the TCP or UDP checksum is wrong */

/* Verifies the checksums of a received frame: ETHFRAME_* bits. */
unsigned ethframe_check(const uint8_t *f, uint32_t len);

/* Fills in the checksums 'want' asks for (ETHFRAME_IP, _TCP, _UDP) where
 * the frame has that header; returns the ones it filled. */
unsigned ethframe_fill(uint8_t *f, uint32_t len, unsigned want);

#endif
