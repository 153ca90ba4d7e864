/* SPDX-License-Identifier: Apache-2.0 */
/* Name resolution on user networks, as Docker's: every container on a
 * network other than the default one finds the others by container name,
 * network alias and short ID — through its /etc/hosts, which is rewritten
 * whenever a container joins or leaves one of its networks. */
#ifndef HAKO_ENGINE_CTR_HOSTS_H
#define HAKO_ENGINE_CTR_HOSTS_H

#include "engine.h"

/* Takes the lock under which network memberships change (an flock of
 * RUNROOT/networks); returns its fd, to close. */
int ctr_hosts_lock (struct engine *e, struct hk_error **err);

/* Rewrites /etc/hosts of every container attached to one of NETWORKS and
 * of container ID (may be NULL).  Under the lock. */
int ctr_hosts_refresh (struct engine *e, char *const *networks, const char *id,
                             struct hk_error **err);

#endif
