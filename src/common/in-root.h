/* SPDX-License-Identifier: Apache-2.0 */
/* Path resolution confined to a directory tree.
 *
 * A container's root filesystem and an image's layers are written by
 * strangers: a symlink in them may point at "/etc" or "../../..".  Every
 * path inside such a tree is opened here, relative to an fd of the tree's
 * root, as if that fd were "/": absolute symlinks restart at it and ".."
 * stops at it.  The kernel does this with openat2(RESOLVE_IN_ROOT); where
 * openat2 is missing (or HAKO_TEST_RESOLVE_FALLBACK is set, which the tests
 * use) a component-by-component walk with O_NOFOLLOW does the same. */
#ifndef HAKO_COMMON_IN_ROOT_H
#define HAKO_COMMON_IN_ROOT_H

#include "error.h"

#include <stdbool.h>
#include <sys/types.h>

/* Opens PATH (absolute or relative, either way inside ROOT_FD) with open(2)
 * FLAGS; O_CLOEXEC is always added.  O_NOFOLLOW keeps a final symlink
 * unresolved, as open(2) would.  Returns the fd, or -1 with *ERR set and
 * errno preserved. */
int in_root_open (int root_fd, const char *path, int flags, mode_t mode, struct hk_error **err);

enum in_root_kind
{
  IN_ROOT_DIR,
  IN_ROOT_FILE,
};

/* Resolves PATH inside ROOT_FD, creating what is missing: directories
 * (mode 0755) for the parents and a directory or an empty file (MODE) for
 * the last component.  Returns an O_PATH fd of the last component. */
int in_root_mkpath (int root_fd, const char *path, enum in_root_kind kind, mode_t mode,
                    struct hk_error **err);

/* True when openat2 is not used (kernel without it, or forced for tests). */
bool in_root_uses_fallback (void);

#endif
