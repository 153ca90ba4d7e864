/* SPDX-License-Identifier: Apache-2.0 */
/* Network namespaces that hako makes for its containers: an nsfs file
 * bind-mounted at a path (RUNROOT/netns/ID), so that the namespace lives
 * from before the container's first process (CNI configures it first) to
 * after its last (CNI deconfigures it last). */
#ifndef HAKO_ENGINE_NETNS_H
#define HAKO_ENGINE_NETNS_H

#include "common/error.h"

#include <stdint.h>

/* A new network namespace, its loopback up, kept at PATH (which must not
 * exist; its directory is made).  The caller stays in its own.  With
 * USERNS_FD (else -1), the namespace belongs to that user namespace: a
 * container in it has the rights over its network that a root has. */
int netns_create (const char *path, int userns_fd, struct hk_error **err);

/* Unmounts and removes PATH; a PATH that is not there is fine. */
int netns_remove (const char *path, struct hk_error **err);

/* The bytes received and sent by every interface but lo in the network
 * namespace of process PID. */
int netns_io_bytes (int pid, uint64_t *rx, uint64_t *tx, struct hk_error **err);

#endif
