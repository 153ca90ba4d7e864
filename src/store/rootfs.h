/* SPDX-License-Identifier: Apache-2.0 */
/* Container root filesystems: an overlayfs mount whose lower directories
 * are the image's layers (read-only, shared) and whose upper and work
 * directories are private to the container, under a directory the caller
 * chooses:
 *
 *   DIR/upper   the container's changes
 *   DIR/work    overlayfs scratch
 *   DIR/merged  the default mount point
 *
 * The lower directories are named through the store's short links
 * ("l/ABCDEFGHIJKL") relative to the store root, so that the mount option
 * string of an image with hundreds of layers still fits in the page the
 * kernel accepts. */
#ifndef HAKO_STORE_ROOTFS_H
#define HAKO_STORE_ROOTFS_H

#include "common/error.h"
#include "store.h"

/* The maps of a user namespace the layers are shown through (the kernel's
 * "INSIDE OUTSIDE COUNT" lines; rootfs-idmap.h says how). */
struct rootfs_maps
{
  const char *uid_map, *gid_map;
};

/* Creates DIR/{upper,work,merged} and records that rootfs ID uses IMAGE_ID
 * (which then cannot be removed without force, nor its layers collected).
 * With MAPS (else NULL), its layers are shown through them and the upper
 * directory belongs to the maps' root. */
int image_rootfs_create (struct store *s, const char *image_id, const char *id, const char *dir,
                         const struct rootfs_maps *maps, struct hk_error **err);

/* Mounts rootfs ID at TARGET (NULL: DIR/merged).  Returns 0 or -1. */
int image_rootfs_mount (struct store *s, const char *id, const char *target, struct hk_error **err);

/* Unmounts TARGET (lazily, MNT_DETACH); not mounted is fine. */
int image_rootfs_unmount (const char *target, struct hk_error **err);

/* Unmounts DIR/merged if mounted, removes upper, work and merged, and the
 * record (and the chowned copies of layers no rootfs uses any more).  DIR
 * itself is left to the caller. */
int image_rootfs_remove (struct store *s, const char *id, struct hk_error **err);

/* The image and the directory of rootfs ID (both owned by the caller). */
int image_rootfs_info (struct store *s, const char *id, char **image_id, char **dir,
                       struct hk_error **err);

/* The overlay option string for rootfs ID (for tests and diagnostics):
 * "lowerdir=l/…:l/…,upperdir=…,workdir=…".  *OUT owned by the caller. */
int image_rootfs_mount_options (struct store *s, const char *id, char **out, struct hk_error **err);

#endif
