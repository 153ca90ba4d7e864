/* SPDX-License-Identifier: Apache-2.0 */
/* Tar streams of a tree inside a root, and their extraction into a
 * directory inside a root: what `hako cp` and `hako export` move.
 *
 * A container's file system belongs to whoever controls the container, and
 * it may change while we read or write it.  So nothing here takes a path as
 * a string from the host's point of view: the source and every parent
 * directory an entry is written to are resolved inside their root
 * (in-root.h, openat2 RESOLVE_IN_ROOT), files are opened with O_NOFOLLOW
 * and checked through the fd before they are read, and metadata is set
 * through fds or with AT_SYMLINK_NOFOLLOW.  A symlink in the container, or
 * one planted by the archive itself, can point anywhere: it is followed as
 * if the root were "/", so it never leads outside. */
#ifndef HAKO_TRANSFER_CTR_ARCHIVE_H
#define HAKO_TRANSFER_CTR_ARCHIVE_H

#include "common/error.h"
#include "common/id-map.h"

#include <stdbool.h>
#include <sys/types.h>

/* Writes a tar of PATH (inside ROOT_FD) to OUT_FD; its top entry is NAME,
 * or with NAME "" (a directory) its content comes at the top.  FOLLOW
 * reads the file a final symlink points to instead of the link.  The walk
 * does not go into procfs or sysfs mounts.  With MAPS (a remapped
 * container's; else NULL), owners are written as the container sees
 * them. */
int ctr_archive_write (int root_fd, const char *path, const char *name, bool follow,
                       const struct id_maps *maps, int out_fd, struct hk_error **err);

struct ctr_extract_options
{
  bool keep_owner; /* the archive's owners (through MAPS, when set); otherwise UID:GID */
  const struct id_maps *maps; /* a remapped container's, whose ids the archive's are */
  uid_t uid;
  gid_t gid;
  bool devices; /* create device nodes (from a trusted archive only) */
};

/* Extracts the tar read from IN_FD (plain or compressed) into DIR, an
 * existing directory inside ROOT_FD.  Names with ".." are refused; what
 * exists is replaced, directories are merged. */
int ctr_archive_extract (int root_fd, const char *dir, int in_fd,
                               const struct ctr_extract_options *o, struct hk_error **err);

#endif
