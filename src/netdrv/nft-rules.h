/* SPDX-License-Identifier: Apache-2.0 */
/* The native driver's packet filtering, through libnftables: one table,
 * `inet hako`, with five base chains (prerouting, output, postrouting,
 * forward, input) that only jump, and chains of their own for each
 * network and for each container that publishes ports:
 *
 *   nw-ID12-nat   masquerade of what leaves the network's subnet (and of
 *                 hairpin traffic: a container reaching a peer through a
 *                 published port)
 *   nw-ID12-fwd   forwarding to and from the bridge (accepted; dropped
 *                 across the bridge's edge for an internal network,
 *                 whose input from the bridge is dropped too but for DNS
 *                 to its gateway: rules in the input chain)
 *   ct-ID12       DNAT of the container's published ports
 *
 * The jumps into them carry the comment "nw-ID12" / "ct-ID12", by which
 * they are found (a JSON listing with handles) and deleted with their
 * chains.  Every change is one libnftables batch, so one transaction: a
 * failure leaves nothing of it.  The table goes with its last network.
 *
 * Why nftables and libnftables: one transaction per change instead of an
 * iptables-restore run per table, no iptables binary at every start, and
 * the rules live in a table of their own instead of among the host's. */
#ifndef HAKO_NETDRV_NFT_RULES_H
#define HAKO_NETDRV_NFT_RULES_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>

struct nft_ctx;

int nft_rules_open (struct nft_ctx **out, struct hk_error **err);

/* What the rules of a network are made from. */
struct nft_network
{
  const char *id12;
  const char *bridge;
  const char *subnet;  /* IPv4 "10.88.0.0/16" */
  const char *subnet6; /* IPv6, or NULL */
  const char *gateway;  /* the bridge's addresses, the DNS server's: */
  const char *gateway6; /* the only ones an internal network reaches */
  bool internal;
};

/* Makes N's chains and jumps unless they are there. */
int nft_rules_network_ensure (struct nft_ctx *ctx, const struct nft_network *n,
                              struct hk_error **err);

/* Removes the network ID12's chains and jumps (those not there are fine),
 * and the table when no network is left in it. */
int nft_rules_network_remove (struct nft_ctx *ctx, const char *id12, struct hk_error **err);

/* The chain ct-ID12 with a DNAT rule per resolved port of PORTS
 * ([{HostIp, HostPort, ContainerPort, Protocol}]) to ADDRESS (IPv4) or
 * ADDRESS6 (IPv6, or NULL), and its jumps. */
int nft_rules_ports_add (struct nft_ctx *ctx, const char *id12, const json_t *ports,
                         const char *address, const char *address6, struct hk_error **err);

/* Removes ct-ID12 and its jumps (not there is fine). */
int nft_rules_ports_remove (struct nft_ctx *ctx, const char *id12, struct hk_error **err);

#endif
