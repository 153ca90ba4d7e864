/* SPDX-License-Identifier: Apache-2.0 */
/* The CNI configuration list of a hako network, made from its record.
 *
 * Always the `bridge` plugin (with `host-local` addresses); `portmap` only
 * for a container that publishes ports and `tuning` only for one that asks
 * for a MAC address.  Every plugin run costs a program start (tens of
 * milliseconds for these Go binaries), so a container pays only for what
 * it uses; the list a container was attached with is cached, and its
 * detach runs the same list.  NAT to the outside is the network's, not the
 * container's (network-host.h), for the same reason. */
#ifndef HAKO_ENGINE_NETWORK_CONFLIST_H
#define HAKO_ENGINE_NETWORK_CONFLIST_H

#include "network-record.h"

#include <jansson.h>
#include <stdbool.h>

struct conflist_needs
{
  bool ports;     /* publishes ports (portmap, capability portMappings) */
  bool mac;       /* asks for a MAC address (tuning, capability mac) */
  bool static_ip; /* asks for an address (capability ips) */
};

/* The list for network N, host-local keeping its leases under IPAM_DIR. */
json_t *network_conflist (const struct network *n, const char *ipam_dir,
                          const struct conflist_needs *needs);

#endif
