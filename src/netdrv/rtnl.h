/* SPDX-License-Identifier: Apache-2.0 */
/* The rtnetlink requests of the native bridge driver, through libmnl:
 * one socket per network namespace, one request at a time, each
 * acknowledged (the kernel's error, if any, is the request's).
 *
 * Why libmnl and not libnl-route-3: the driver needs a handful of
 * messages (a bridge, a veth pair made with its peer already in the
 * container's namespace, addresses, a route, a link's flags), which are
 * a few attributes each; libmnl is the netlink framing and attribute
 * helpers the kernel's own tools (nftables, ethtool, iproute2's rdma)
 * use, 30 KB with no dependencies, and libnftables links it anyway.
 * libnl-route-3 would add an object cache and a second allocation model
 * for the same few messages. */
#ifndef HAKO_NETDRV_RTNL_H
#define HAKO_NETDRV_RTNL_H

#include "common/error.h"

#include <stdint.h>

struct rtnl;

/* A netlink socket in the caller's current network namespace. */
int rtnl_open (struct rtnl **out, struct hk_error **err);
void rtnl_close (struct rtnl *r);

static inline void
rtnl_closep (struct rtnl **r)
{
  if (*r)
    rtnl_close (*r);
}
#define _cleanup_rtnl_ __attribute__ ((cleanup (rtnl_closep)))

/* The index of interface NAME, or 0. */
unsigned rtnl_link_index (const char *name);

/* Bridge NAME, made when missing (MTU 0: the kernel's), and up. */
int rtnl_bridge_ensure (struct rtnl *r, const char *name, unsigned mtu, struct hk_error **err);

struct veth_request
{
  const char *host_name;   /* in our namespace, enslaved to MASTER, up */
  unsigned master;         /* the bridge's index */
  const char *peer_name;   /* eth0... */
  int peer_netns_fd;       /* where the peer is made */
  const uint8_t *peer_mac; /* 6 bytes, or NULL */
  unsigned mtu;            /* 0: the kernel's */
};

int rtnl_veth_create (struct rtnl *r, const struct veth_request *req, struct hk_error **err);

/* Hairpin mode on bridge port INDEX: a frame may leave through the port
 * it came in by (a container reaching its own published port). */
int rtnl_bridge_port_hairpin (struct rtnl *r, unsigned index, struct hk_error **err);

/* Removes interface NAME; one that is not there is fine. */
int rtnl_link_delete (struct rtnl *r, const char *name, struct hk_error **err);

/* Sets IFF_UP on interface INDEX. */
int rtnl_link_up (struct rtnl *r, unsigned index, struct hk_error **err);

/* ADDR (4 or 16 bytes by FAMILY) / PREFIX on INDEX; already there is fine. */
int rtnl_addr_add (struct rtnl *r, unsigned index, int family, const void *addr, unsigned prefix,
                   struct hk_error **err);

/* The default route of FAMILY through GATEWAY on INDEX. */
int rtnl_route_default (struct rtnl *r, unsigned index, int family, const void *gateway,
                        struct hk_error **err);

#endif
