/* SPDX-License-Identifier: Apache-2.0 */
/* fuse-overlayfs (Debian's), the fallback of rootless hako where the
 * kernel refuses overlayfs in a user namespace (before 5.11), as
 * Podman's.  HAKO_TEST_FUSE_OVERLAYFS=1 uses it where the kernel would
 * not refuse (the tests of the fallback on kernels that have both). */
#ifndef HAKO_STORE_ROOTFS_FUSE_H
#define HAKO_STORE_ROOTFS_FUSE_H

#include "common/error.h"

#include <stdbool.h>

/* Whether HAKO_TEST_FUSE_OVERLAYFS=1 asks for it. */
bool rootfs_fuse_forced (void);

/* Mounts TARGET with fuse-overlayfs and the overlay OPTIONS, the lower
 * paths relative to ROOT_FD (the store's root).  Its daemon lives as long
 * as the mount. */
int rootfs_fuse_mount (int root_fd, const char *options, const char *target,
                       struct hk_error **err);

#endif
