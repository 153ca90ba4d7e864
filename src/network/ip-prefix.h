/* SPDX-License-Identifier: Apache-2.0 */
/* IPv4 and IPv6 addresses and prefixes ("10.88.0.0/16"): parsing,
 * printing and the arithmetic that subnets need. */
#ifndef HAKO_NETWORK_IP_PREFIX_H
#define HAKO_NETWORK_IP_PREFIX_H

#include <stdbool.h>
#include <stdint.h>

struct ip_prefix
{
  int family;       /* AF_INET or AF_INET6 */
  uint8_t addr[16]; /* network byte order; 4 bytes used for IPv4 */
  int len;          /* prefix length */
};

/* "ADDRESS/LEN" into *OUT, host bits kept; false when TEXT is not one. */
bool ip_prefix_parse (const char *text, struct ip_prefix *out);

/* A plain address ("10.88.0.1"), as a full-length prefix. */
bool ip_address_parse (const char *text, struct ip_prefix *out);

/* The address alone, or "ADDRESS/LEN"; BUF has 50 bytes. */
const char *ip_address_format (const struct ip_prefix *p, char buf[static 50]);
const char *ip_prefix_format (const struct ip_prefix *p, char buf[static 50]);

/* P with its host bits cleared. */
struct ip_prefix ip_prefix_network (const struct ip_prefix *p);

/* True when ADDR (any length) lies inside P. */
bool ip_prefix_contains (const struct ip_prefix *p, const struct ip_prefix *addr);

/* True when A and B share an address. */
bool ip_prefix_overlaps (const struct ip_prefix *a, const struct ip_prefix *b);

/* The address N past the network address of P (N = 1: the usual
 * gateway), as a full-length prefix. */
struct ip_prefix ip_prefix_nth (const struct ip_prefix *p, uint32_t n);

/* True when ADDR is the network address of P or, for IPv4, its
 * broadcast address. */
bool ip_prefix_is_reserved (const struct ip_prefix *p, const struct ip_prefix *addr);

#endif
