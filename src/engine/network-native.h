/* SPDX-License-Identifier: Apache-2.0 */
/* The native bridge driver, hako's side: requests to hako-net (see
 * src/netdrv/hako-net.c) for what touches the host's interfaces and
 * rules.  A network whose driver is "cni" goes through CNI instead
 * (ctr-network.c). */
#ifndef HAKO_ENGINE_NETWORK_NATIVE_H
#define HAKO_ENGINE_NETWORK_NATIVE_H

#include "engine-context.h"
#include "network-record.h"

#define NETWORK_DRIVER_NATIVE "bridge"
#define NETWORK_DRIVER_CNI    "cni"

/* True when N goes through CNI plugins. */
bool network_is_cni (const struct network *n);

/* True when the kernel has iptables-legacy tables (an iptables-legacy
 * host, or one where something still uses them): their FORWARD policy
 * may drop what our nftables rules accept, so the native driver also adds
 * the network's iptables rules there (network-host.h). */
bool network_native_legacy_host (void);

/* Container R's interface EP->ifname in namespace NETNS, on bridge
 * network N, with EP's leased address and EP's published ports. */
int network_native_attach (struct engine *e, const struct ctr_record *r, const struct network *n,
                           const struct network_endpoint *ep, const char *netns,
                           struct hk_error **err);

/* Interface IFNAME of namespace NETNS deleted (both NULL: none, the
 * namespace is going), and with UNPUBLISH the port rules of CONTAINER_ID
 * removed. */
int network_native_detach (struct engine *e, const char *container_id, const char *netns,
                           const char *ifname, bool unpublish, struct hk_error **err);

/* N's rules and bridge removed. */
int network_native_remove (struct engine *e, const struct network *n, struct hk_error **err);

/* True when N's containers get names from a DNS server of N's own:
 * a native user network (not the default one, as Docker's bridge),
 * internal ones too (whose server forwards nothing). */
bool network_native_has_dns (const struct network *n);

/* N's DNS server (hako-dns) started unless it runs; a failure is a
 * warning (the containers still have their /etc/hosts). */
void network_native_dns_start (struct engine *e, const struct network *n);

/* The host end of container ID's veth for its interface IFNAME (ethN). */
char *network_native_host_ifname (const char *id, const char *ifname);

/* A random locally administered unicast MAC address, "02:xx:..". */
char *network_native_random_mac (void);

#endif
