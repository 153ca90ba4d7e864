/* SPDX-License-Identifier: Apache-2.0 */
/* A copy of a directory tree that keeps what a container image holds:
 * every file kind (whiteouts are 0/0 character devices), owners, modes,
 * times, extended attributes (overlayfs' opaque marks, file
 * capabilities) and hard links, read only through fds and never through
 * a symlink (the tree may be hostile).  With maps, every owner is shifted
 * as a user namespace with those maps sees it from the host, and file
 * capabilities become ones of that namespace's root (version 3, rootid):
 * the chowned copy of a layer that a kernel without idmapped mounts
 * needs. */
#ifndef HAKO_COMMON_TREE_COPY_H
#define HAKO_COMMON_TREE_COPY_H

#include "error.h"
#include "id-map.h"

/* Copies the content of directory FROM into the empty directory TO, and
 * gives TO the owner, mode, times and attributes of FROM.  MAPS NULL:
 * owners kept.  Errors name the entry. */
int tree_copy (int from, int to, const struct id_maps *maps, struct hk_error **err);

#endif
