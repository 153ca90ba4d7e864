/* SPDX-License-Identifier: Apache-2.0 */
/* Published ports (-p) of a rootless container on a user network.  Its
 * address is on a bridge in the rootless network namespace
 * (rootless-netns.h), which the host cannot route to; so, as Podman's
 * rootlessport, a process of hako's own listens on the host's address and
 * port (in the host's network namespace, where the command runs), then
 * enters the rootless namespace and relays each TCP connection and each
 * UDP client's datagrams to the container's address and port.  Debian's
 * pasta (2023-03) takes its forwarded ports on its command line only, so
 * the namespace's pasta cannot be given a container's ports when it
 * starts.  The relay's pid is at RUNROOT/netns/ID.ports.pid; it is stopped
 * with the container's network.  Connections reach the container from the
 * bridge's gateway (the source address is not kept, as rootlessport's). */
#ifndef HAKO_ENGINE_ROOTLESS_PORTS_H
#define HAKO_ENGINE_ROOTLESS_PORTS_H

#include "engine-context.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/socket.h>

/* The socket address of HOST_IP (NULL or "": every IPv4 address) and
 * PORT; false when HOST_IP is not an address. */
bool rootless_ports_address (const char *host_ip, unsigned port, struct sockaddr_storage *out,
                             socklen_t *len);

/* Container R's resolved PORTS ([{HostIp, HostPort, ContainerPort,
 * Protocol}]) relayed to ADDRESS (its IPv4 address on the network that
 * publishes, "A.B.C.D" or "A.B.C.D/LEN").  The relay runs once every
 * port is bound; a port it cannot bind is the error. */
int rootless_ports_start (struct engine *e, const struct ctr_record *r, const json_t *ports,
                          const char *address, struct hk_error **err);

/* R's relay stopped, if it has one. */
void rootless_ports_stop (struct engine *e, const struct ctr_record *r);

#endif
