/* SPDX-License-Identifier: Apache-2.0 */
/* The layers of a root filesystem shown through a user namespace's maps
 * (a remapped container's): each lower layer an idmapped mount
 * (mount_setattr MOUNT_ATTR_IDMAP), so nothing is copied; where the kernel
 * or the file system refuses that (idmapped overlay layers came in 5.19,
 * idmapped tmpfs in 6.3), chowned copies of the layers, made once per
 * mapping under s/KEY/LINK and shared by every root filesystem with that
 * mapping, removed with the last of them.  Internal to the store. */
#ifndef HAKO_STORE_ROOTFS_IDMAP_H
#define HAKO_STORE_ROOTFS_IDMAP_H

#include "store.h"
#include "common/error.h"

/* Mounts overlayfs with OPTIONS (lower directories relative to S's root,
 * the layers LINKS, top first) on TARGET, each layer idmapped with
 * UID_MAP and GID_MAP (the kernel's lines).  The idmapped layers are
 * attached in a private mount namespace of a child only: the host sees
 * the overlay alone. */
int rootfs_idmapped_mount (struct store *s, char *const *links, const char *options,
                           const char *target, const char *uid_map, const char *gid_map,
                           struct hk_error **err);

/* The lowerdir option for the chowned copies of LINKS (relative to S's
 * root, top first), made now where missing. */
int rootfs_shifted_lowers (struct store *s, char *const *links, const char *uid_map,
                           const char *gid_map, char **lowerdir, struct hk_error **err);

/* Removes the copies for these maps when no root filesystem uses them. */
void rootfs_shifted_collect (struct store *s, const char *uid_map, const char *gid_map);

#endif
