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
#include <sys/types.h>

/* MODE is "pasta" or "slirp4netns". */
bool rootless_net_mode (const char *mode);

/* Connects R's network namespace NETNS with its helper, publishing PORTS
 * (ctr_ports_resolve's, NULL: none).  On failure the caller calls
 * rootless_net_down. */
int rootless_net_up (struct engine *e, const struct ctr_record *r, const char *netns,
                     const json_t *ports, struct hk_error **err);

/* Starts pasta on namespace NETNS, forwarding PORTS (ctr_ports_resolve's;
 * an empty array: none), once it is ready; PID_TMP is the file where
 * pasta writes its pid (removed).  *PID is pasta's. */
int rootless_net_pasta_start (const char *netns, const char *pid_tmp, const json_t *ports,
                              pid_t *pid, struct hk_error **err);

/* PATH made to hold "PID STARTTIME" of PID. */
int rootless_net_pid_record (const char *path, pid_t pid, struct hk_error **err);

/* The process PATH records (if it still runs: same start time) sent
 * SIGTERM, waited for up to 2 s with WAIT, and PATH removed; WHAT names
 * it in warnings. */
void rootless_net_pid_stop (const struct hk_log *log, const char *path, const char *what,
                            bool wait);

/* Stops R's helper, if any. */
void rootless_net_down (struct engine *e, const struct ctr_record *r);

#endif
