/* SPDX-License-Identifier: Apache-2.0 */
/* Published ports (-p, -P).  The container's settings keep them as given
 * (ranges, empty host ports); at each start they become
 * single mappings with a host port each, checked to be free, and then
 * portmap's runtimeConfig. */
#ifndef HAKO_ENGINE_CTR_PORTS_H
#define HAKO_ENGINE_CTR_PORTS_H

#include "ctr-config.h"
#include "network-record.h"
#include "common/error.h"

#include <jansson.h>

/* -P: a binding with a random host port for each EXPOSED port
 * ("80/tcp") that -p does not publish already. */
void ctr_ports_publish_all (struct ctr_config *c, char *const *exposed);

/* The mappings of PORTS, [{HostIp, HostPort, ContainerPort, Protocol}]
 * with numbers for ports: ranges expanded, empty host ports chosen by the
 * kernel.  A port that another container publishes (TAKEN, the other
 * endpoints) or that a socket on the host holds is an error that says so. */
int ctr_ports_resolve (const struct config_port *ports, size_t n,
                             struct network_endpoint *const *taken, size_t n_taken, json_t **out,
                             struct hk_error **err);

/* True when a port published on HOST_IP is relayed by the container's
 * monitor rather than NATed: the IPv6 loopback (ctr-port-relay.h). */
bool ctr_ports_relayed (const char *host_ip);

/* portmap's "portMappings" for resolved PORTS (those relayed left out). */
json_t *ctr_ports_portmap (const json_t *ports);

#endif
