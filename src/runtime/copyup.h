/* SPDX-License-Identifier: Apache-2.0 */
/* tmpcopyup: a tmpfs mounted over a directory of the image starts with a
 * copy of what that directory held (runc's extension, which Podman puts on
 * every tmpfs it makes). */
#ifndef HAKO_RUNTIME_COPYUP_H
#define HAKO_RUNTIME_COPYUP_H

#include "common/error.h"

/* Copies the tree under FROM (a directory fd opened before the tmpfs hid
 * it) into TO: directories, regular files, symlinks, fifos and device
 * nodes, with their owner, mode and times, and gives TO the owner of FROM
 * (its mode is the mount's).  FROM belongs to the image and
 * is read only through fds, never following a symlink.  Errors name the
 * entry, relative to the mount's destination DEST. */
int copyup_tree (int from, int to, const char *dest, struct hk_error **err);

#endif
