/* SPDX-License-Identifier: Apache-2.0 */
/* Volumes and bind mounts of a container at create: the mounts it asks
 * for (ctr-config.h: -v, --mount, --tmpfs) resolved into host paths
 * (named and anonymous volumes made, the image's VOLUMEs given anonymous
 * ones), recorded as its mount points. */
#ifndef HAKO_ENGINE_CTR_MOUNTS_H
#define HAKO_ENGINE_CTR_MOUNTS_H

#include "ctr-config.h"
#include "common/error.h"
#include "store/image-config.h"

#include <sqlite3.h>

/* C's mounts (and IMAGE's VOLUMEs) into C's mount points, creating
 * volumes; tmpfs mounts go to C's tmpfs map; --volumes-from's
 * containers' mount points first (each must exist), under C's own.  ROOT
 * is the engine root (volumes live under it). */
int ctr_mounts_resolve (sqlite3 *db, const char *root, struct ctr_config *c,
                              const struct image_config *image, struct hk_error **err);

/* Host ids that own what a container's mounts hold. */
struct mounts_owner
{
  uint32_t root_uid, root_gid; /* its root's: a new empty volume's owner in a user namespace */
  uint32_t user_uid, user_gid; /* its user's: what :U chowns to */
  bool remapped;               /* it has a user namespace */
};

/* Fills the container's new volumes with what the image has at their
 * destinations (ROOT_FD: the mounted root filesystem), once; a new volume
 * the image gives nothing belongs to a remapped container's root; a :U
 * mount's content is chowned to OWNER's user. */
int ctr_mounts_fill (sqlite3 *db, const char *root, const struct ctr_config *c, int root_fd,
                     const struct mounts_owner *owner, struct hk_error **err);

/* Removes the anonymous volumes among C's mount points (rm -v, a create
 * undone); what cannot be removed stays, silently. */
void ctr_mounts_remove_anonymous (sqlite3 *db, const char *root,
                                        const struct ctr_config *c);

#endif
