/* SPDX-License-Identifier: Apache-2.0 */
/* Idmapped mounts ("idmap"/"ridmap" mount options): a bind mount shows its
 * files' owners through a mapping, carried by a user namespace made only
 * for that purpose. */
#ifndef HAKO_RUNTIME_IDMAP_H
#define HAKO_RUNTIME_IDMAP_H

#include "common/error.h"
#include "spec.h"

/* For every bind mount of SPEC with an idmap option, the detached mount
 * tree, made here by the runtime (setting an idmap needs privileges in the
 * user namespace the source was mounted in, which a container in its own
 * user namespace lacks): cloned from the source, with its flags and the
 * idmap (the mount's mappings, else the container's) set.  The container
 * process only attaches it.  *FDS gets an array of spec->n_mounts fds, -1
 * where no idmap is asked; NULL when none is.  BUNDLE resolves relative
 * sources. */
int idmap_prepare (const struct oci_spec *spec, const char *bundle, int **fds,
                   struct hk_error **err);

void idmap_release (int *fds, size_t n);

#endif
