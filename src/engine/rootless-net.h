/* SPDX-License-Identifier: Apache-2.0 */
/* The networks of rootless containers, which cannot have a bridge and
 * veths on the host: `--network pasta` (the default for a normal user,
 * Debian's passt) and `--network slirp4netns`, user-mode network stacks
 * that give the container's namespace an interface, a route out and the
 * published ports (-p) as sockets the helper listens on.  The helper's
 * pid is kept at RUNROOT/netns/ID.MODE.pid; it is stopped with the
 * network namespace (pasta would quit with it anyway). */
#ifndef HAKO_ENGINE_ROOTLESS_NET_H
#define HAKO_ENGINE_ROOTLESS_NET_H

#include "engine-context.h"

#include <jansson.h>
#include <stdbool.h>

/* MODE is "pasta" or "slirp4netns". */
bool rootless_net_mode (const char *mode);

/* Connects R's network namespace NETNS with its helper, publishing PORTS
 * (ctr_ports_resolve's, NULL: none).  On failure the caller calls
 * rootless_net_down. */
int rootless_net_up (struct engine *e, const struct ctr_record *r, const char *netns,
                     const json_t *ports, struct hk_error **err);

/* Stops R's helper, if any. */
void rootless_net_down (struct engine *e, const struct ctr_record *r);

#endif
