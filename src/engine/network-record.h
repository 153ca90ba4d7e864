/* SPDX-License-Identifier: Apache-2.0 */
/* Networks and their endpoints as the engine records them, in the store's
 * SQLite database:
 *
 *   networks            one row per network: its subnet, gateway, bridge
 *                       and flags (the CNI configuration is made from
 *                       them, see network-conflist.h)
 *   network_endpoints   one row per container attached to a network while
 *                       it is: its address, MAC, names and published
 *                       ports (what /etc/hosts files and inspect show)
 *
 * The database, not files, because two `network create` at once must not
 * both take one subnet: the overlap check and the insert are one
 * transaction. */
#ifndef HAKO_ENGINE_NETWORK_RECORD_H
#define HAKO_ENGINE_NETWORK_RECORD_H

#include "common/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

struct network
{
  char *id;      /* 64 hex digits */
  char *name;    /* unique */
  char *driver;  /* "bridge" */
  char *subnet;  /* "10.88.0.0/16" */
  char *gateway; /* "10.88.0.1" */
  char *subnet6;  /* "fd89:6861:6b6f:1::/64", "" when IPv4 only */
  char *gateway6; /* "fd89:6861:6b6f:1::1", "" when IPv4 only */
  char *bridge;  /* the host's bridge interface, unique */
  bool internal; /* no way out of the subnet */
  json_t *labels;
  json_t *options; /* -o KEY=VALUE, as given */
  char *created;   /* RFC 3339 */
};

void network_free (struct network *n);

static inline void
cleanup_networkp (struct network **n)
{
  network_free (*n);
}
#define _cleanup_network_ __attribute__ ((cleanup (cleanup_networkp)))

struct network_endpoint
{
  char *container_id;
  char *network;
  char *ifname;  /* inside the container: eth0, eth1, … */
  char *address; /* "10.88.0.5/16" */
  char *gateway; /* "" when none */
  char *address6; /* "fd89:6861:6b6f:1::2/64", "" when none */
  char *gateway6; /* "" when none */
  char *mac;
  json_t *names; /* what peers resolve to it: name, aliases */
  json_t *ports; /* [{HostIp, HostPort, ContainerPort, Protocol}] */
};

void network_endpoint_list_free (struct network_endpoint **list, size_t n);

/* Creates the tables when missing. */
int network_db_init (sqlite3 *db, struct hk_error **err);

/* Inserts N.  Refused when its name or bridge is taken or its subnet
 * overlaps another network's; the error names the other network. */
int network_record_insert (sqlite3 *db, const struct network *n, struct hk_error **err);

/* By name, full ID or unique ID prefix; ENOENT: "network X not found". */
int network_record_get (sqlite3 *db, const char *ref, struct network **out, struct hk_error **err);

/* All networks, by name. */
int network_record_list (sqlite3 *db, struct network ***out, size_t *n, struct hk_error **err);
void network_record_list_free (struct network **list, size_t n);

int network_record_delete (sqlite3 *db, const char *id, struct hk_error **err);

/* Replaces the endpoint of (EP->container_id, EP->network). */
int network_endpoint_put (sqlite3 *db, const struct network_endpoint *ep, struct hk_error **err);

/* Removes the endpoint of CONTAINER_ID on NETWORK (NULL: on every
 * network). */
int network_endpoint_delete (sqlite3 *db, const char *container_id, const char *network,
                             struct hk_error **err);

/* The endpoints of one container (by interface name) or of one network
 * (either may be NULL: all). */
int network_endpoint_list (sqlite3 *db, const char *container_id, const char *network,
                           struct network_endpoint ***out, size_t *n, struct hk_error **err);

#endif
