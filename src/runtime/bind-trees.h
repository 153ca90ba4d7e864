/* SPDX-License-Identifier: Apache-2.0 */
/* Bind mounts the runtime prepares for the container process: detached
 * mount trees, cloned from their sources with their flags (and idmap) set,
 * that the container process only attaches (mounts.c).
 *
 * The runtime does it for idmapped mounts (idmap.h), and for every bind
 * mount of a container with a user namespace: there the container process
 * is root of that namespace only, and a source below a directory it cannot
 * search (a mode 000 parent, root's) would be out of its reach, where runc
 * and crun open it as the runtime. */
#ifndef HAKO_RUNTIME_BIND_TREES_H
#define HAKO_RUNTIME_BIND_TREES_H

#include "common/error.h"
#include "setup-plan.h"
#include "spec.h"

/* For the bind steps of PLAN: *FDS gets an array of spec->n_mounts fds, -1
 * for mounts left to the
 * container process; NULL when none is prepared.  BUNDLE resolves relative
 * sources. */
int bind_trees_prepare (const struct oci_spec *spec, const struct rootfs_plan *plan,
                        const char *bundle, int **fds, struct hk_error **err);

void bind_trees_release (int *fds, size_t n);

/* The same for linux.devices of a container with a user namespace, where
 * the container's root can neither make a device node nor open one on a
 * file system its namespace mounted: the host's node at the same path when
 * it is that device, else a node made by the runtime on a tmpfs of its own
 * (a helper process mounts it in a private mount namespace; nothing on the
 * host changes), owned by the container's uid and gid mapped to the host.
 * As crun does.  *FDS gets spec->linux.n_devices fds (-1 for fifos, which
 * the container makes itself); NULL without a user namespace. */
int bind_trees_prepare_devices (const struct oci_spec *spec, int **fds, struct hk_error **err);

#endif
