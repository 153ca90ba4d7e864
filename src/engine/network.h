/* SPDX-License-Identifier: Apache-2.0 */
/* hako's networks: bridge networks made through CNI plugins, recorded in
 * the database (network-record.h), with their host side (network-host.h).
 * `hako network create/ls/inspect/rm/prune` are these calls.
 *
 * The default network, `hako` (Docker's `bridge`), is made on first use:
 * bridge hako0, 10.88.0.0/16, NAT to the outside.  HAKO_DEFAULT_NETWORK_BRIDGE
 * and HAKO_DEFAULT_NETWORK_SUBNET choose others (the tests use their own). */
#ifndef HAKO_ENGINE_NETWORK_H
#define HAKO_ENGINE_NETWORK_H

#include "engine-context.h"
#include "network-record.h"
#include "network/cni.h"

#define NETWORK_DEFAULT_NAME   "hako"
#define NETWORK_DEFAULT_BRIDGE "hako0"
#define NETWORK_DEFAULT_SUBNET "10.88.0.0/16"
/* The option naming a network's bridge, as Docker spells it. */
#define NETWORK_OPT_BRIDGE_NAME "com.docker.network.bridge.name"

struct network_request
{
  const char *name;
  const char *driver;  /* NULL: bridge (native); or cni (network-native.h) */
  const char *subnet;  /* NULL: a free /24 of 10.89.0.0/16 */
  const char *gateway; /* NULL: the subnet's first address */
  bool ipv6;           /* dual stack: an IPv6 subnet too */
  const char *subnet6; /* with IPV6; NULL: a free /64 of fd89:6861:6b6f::/48 */
  const char *gateway6; /* with SUBNET6; NULL: its first address */
  bool internal;
  json_t *labels;  /* may be NULL */
  json_t *options; /* -o KEY=VALUE; may be NULL */
};

/* Checks REQ and records the network; its bridge and rules are made when
 * a container first joins it. */
int network_create (struct engine *e, const struct network_request *req, struct network **out,
                    struct hk_error **err);

/* A network by name or ID; `hako`, `bridge` and `default` name the default
 * network, made if missing. */
int network_get (struct engine *e, const char *ref, struct network **out, struct hk_error **err);

/* True when REF names the default network. */
bool network_is_default (const char *ref);

/* Removes network REF, its rules and bridge; refused while a container
 * uses it. */
int network_remove (struct engine *e, const char *ref, struct hk_error **err);

/* RUNROOT/networks: rule markers, host-local's leases (ipam/), the lock
 * of /etc/hosts updates. */
char *network_state_dir (const struct engine *e);

/* The CNI context of the engine: plugins in $HAKO_CNI_PATH (or the
 * default directories), results cached in CACHE_DIR. */
struct cni_context network_cni_context (const char *cache_dir);

/* Fails, saying how to fix it, unless the plugins that network N needs
 * for a plain container are installed. */
int network_check_plugins (const struct network *n, struct hk_error **err);

#endif
