/* SPDX-License-Identifier: Apache-2.0 */
/* Small file-system helpers, fd-based where a directory is involved. */
#ifndef HAKO_COMMON_FS_UTIL_H
#define HAKO_COMMON_FS_UTIL_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Replaces DIRFD/NAME atomically: writes a temporary file in the same
 * directory, fsyncs it and renames it over NAME.  Readers see the old or
 * the new content, never a part. */
int fs_write_atomic (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                     struct hk_error **err);

/* Like fs_write_atomic without the fsync: for runtime state (under /run),
 * which must never be seen half-written but need not survive a crash. */
int fs_replace_file (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                     struct hk_error **err);

/* Reads all of DIRFD/PATH into a NUL-terminated buffer (*OUT, owned by the
 * caller).  Refuses files larger than MAX_SIZE bytes. */
int fs_read_file (int dirfd, const char *path, size_t max_size, char **out, size_t *len,
                  struct hk_error **err);

/* Reads everything from FD (a pipe, a socket, a file) up to MAX_SIZE. */
int fs_read_fd (int fd, size_t max_size, char **out, size_t *len, struct hk_error **err);

/* Writes DATA to an existing file in one write(2) call: the way kernel
 * interfaces (cgroup files, /proc/sys, uid_map) must be written. */
int fs_write_kernel_file (int dirfd, const char *path, const char *data, struct hk_error **err);

/* Writes all LEN bytes of BUF to FD, retrying short writes and EINTR. */
int fs_write_all (int fd, const void *buf, size_t len);

/* mkdir -p PATH with MODE for the directories it creates. */
int fs_mkdir_p (const char *path, mode_t mode, struct hk_error **err);

/* Opens (creating it, 0600) the lock file PATH and takes an exclusive
 * flock on it, waiting for its holder.  Returns the fd, which holds the
 * lock until it is closed. */
int fs_lock_file (const char *path, struct hk_error **err);

/* The most of a small text file that is read whole: one of the host's
 * (/etc/hosts, /etc/resolv.conf) or of ours (a health record, an
 * --env-file, registries.conf). */
#define FS_TEXT_FILE_MAX (1 << 20)

/* Closes each of the N descriptors in FDS that is open (>= 0), and frees FDS. */
void fs_close_all (int *fds, size_t n);

/* rm -rf of DIRFD/NAME; never crosses into another mount. Missing is fine. */
int fs_remove_tree (int dirfd, const char *name, struct hk_error **err);

/* The disk space (allocated blocks) of regular files and directories in
 * the tree DIRFD/NAME, symlinks not followed; unreadable parts count 0. */
uint64_t fs_tree_bytes (int dirfd, const char *name);

#endif
