/* SPDX-License-Identifier: Apache-2.0 */
/* Idmapped mounts ("idmap"/"ridmap" mount options): a bind mount shows its
 * files' owners through a mapping, carried by a user namespace made only
 * for that purpose. */
#ifndef HAKO_RUNTIME_IDMAP_H
#define HAKO_RUNTIME_IDMAP_H

#include "common/error.h"
#include "spec.h"

#include <sys/types.h>

struct mount_options;

/* Writes the uid and gid maps of process PID's user namespace (giving up
 * setgroups first when we are not root). */
int idmap_write_maps (pid_t pid, const struct oci_id_mapping *uids, size_t n_uids,
                      const struct oci_id_mapping *gids, size_t n_gids, struct hk_error **err);

/* Sets on TREE, the detached tree of bind mount M (options O), the idmap:
 * Podman's idmap=VALUE, else the mount's mappings, else the container's,
 * carried by a user namespace made for it.  The runtime does it (setting
 * an idmap needs privileges in the user namespace the source was mounted
 * in, which a container in its own user namespace lacks). */
int idmap_apply (int tree, const struct oci_spec *spec, const struct oci_mount *m,
                 const struct mount_options *o, struct hk_error **err);

/* Podman's custom mappings, the VALUE of an "idmap=VALUE" option:
 * "uids=F-H-N#F-H-N;gids=F-H-N", each triplet mapping N ids of the file
 * system from F to H on the host.  An "@" before a triplet makes H an id of
 * the container, mapped to the host through LINUX's mappings.  A part left
 * out leaves *N at 0 (the caller's default applies). */
struct idmap_mappings
{
  struct oci_id_mapping *uids, *gids;
  size_t n_uids, n_gids;
};

int idmap_parse_mappings (const char *value, const struct oci_linux *linux,
                          struct idmap_mappings *out, struct hk_error **err);
void idmap_mappings_clear (struct idmap_mappings *m);

#endif
