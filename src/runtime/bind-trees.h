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
#include "spec.h"

/* *FDS gets an array of spec->n_mounts fds, -1 for mounts left to the
 * container process; NULL when none is prepared.  BUNDLE resolves relative
 * sources. */
int bind_trees_prepare (const struct oci_spec *spec, const char *bundle, int **fds,
                        struct hk_error **err);

void bind_trees_release (int *fds, size_t n);

#endif
