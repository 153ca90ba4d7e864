/* SPDX-License-Identifier: Apache-2.0 */
/* /dev in the container: the default devices of the runtime-spec, the
 * standard symlinks, and linux.devices.  Nodes are made with mknod; in a
 * user namespace, where mknod is not allowed, the host's node is bound on
 * an empty file instead. */
#include "rootfs.h"
#include "common/cleanup.h"
#include "common/in-root.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct
{
  const char *name;
  unsigned major, minor;
} default_devices[] = {
  { "null", 1, 3 }, { "zero", 1, 5 },    { "full", 1, 7 },
  { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct
{
  const char *name;
  const char *target;
} default_links[] = {
  { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
  { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
};

/* True when the node NAME in DIR_FD is already the device TYPE|MAJOR:MINOR. */
static bool
node_matches (int dir_fd, const char *name, mode_t type, dev_t rdev)
{
  struct stat st;
  return fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == type
         && st.st_rdev == rdev;
}

/* Attaches the detached TREE of a node onto DIR_FD/NAME, an empty file
 * made for it (user namespaces). */
static int
attach_node (int dir_fd, const char *name, int tree, struct hk_error **err)
{
  int fd = openat (dir_fd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    return hk_error_errno (err, errno, "create `%s`", name);
  if (fd >= 0)
    close (fd);
  _cleanup_close_ int target = openat (dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return hk_error_errno (err, errno, "open `%s`", name);
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return hk_error_errno (err, errno, "bind a node on `%s`", name);
  return 0;
}

/* Binds the host's node HOST_PATH onto DIR_FD/NAME (user namespaces). */
static int
bind_host_node (int dir_fd, const char *name, const char *host_path, struct hk_error **err)
{
  _cleanup_close_ int tree = open_tree (AT_FDCWD, host_path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return hk_error_errno (err, errno, "bind the host's `%s`", host_path);
  return attach_node (dir_fd, name, tree, err);
}

/* Makes DIR_FD/NAME the device TYPE MAJOR:MINOR with MODE; an entry that
 * is something else (an image may put a symlink there) is replaced. */
static int
make_node (int dir_fd, const char *name, mode_t type, unsigned major, unsigned minor, mode_t mode,
           struct hk_error **err)
{
  dev_t rdev = makedev (major, minor);
  if (!node_matches (dir_fd, name, type, rdev))
    {
      if (mknodat (dir_fd, name, type | mode, rdev) < 0)
        {
          if (errno != EEXIST)
            return hk_error_errno (err, errno, "mknod `%s`", name);
          if (unlinkat (dir_fd, name, 0) < 0 || mknodat (dir_fd, name, type | mode, rdev) < 0)
            return hk_error_errno (err, errno, "replace `%s`", name);
        }
    }
  if (fchmodat (dir_fd, name, mode, 0) < 0)
    return hk_error_errno (err, errno, "chmod `%s`", name);
  return 0;
}

static int
setup_default_devices (struct rootfs *r, struct hk_error **err)
{
  _cleanup_close_ int dev = in_root_mkpath (r->root_fd, "/dev", IN_ROOT_DIR, 0755, err);
  if (dev < 0)
    return -1;
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
    {
      const char *name = default_devices[i].name;
      int rc;
      if (r->userns)
        {
          _cleanup_free_ char *host = xasprintf ("/dev/%s", name);
          rc = bind_host_node (dev, name, host, err);
        }
      else
        rc = make_node (dev, name, S_IFCHR, default_devices[i].major, default_devices[i].minor,
                        0666, err);
      if (rc < 0)
        return hk_error_prefix (err, "/dev/%s", name);
    }
  for (size_t i = 0; i < sizeof default_links / sizeof default_links[0]; i++)
    if (symlinkat (default_links[i].target, dev, default_links[i].name) < 0 && errno != EEXIST)
      return hk_error_errno (err, errno, "symlink /dev/%s", default_links[i].name);
  return 0;
}

static int
setup_config_device (struct rootfs *r, size_t index, struct hk_error **err)
{
  const struct oci_device *d = &r->spec->linux.devices[index];
  int prepared = r->device_trees != NULL ? r->device_trees[index] : -1;
  _cleanup_free_ char *copy = xstrdup (d->path);
  _cleanup_free_ char *name = xstrdup (basename (copy));
  _cleanup_free_ char *parent = xstrdup (dirname (copy));
  _cleanup_close_ int dir = in_root_mkpath (r->root_fd, parent, IN_ROOT_DIR, 0755, err);
  if (dir < 0)
    return -1;
  mode_t mode = d->has_file_mode ? d->file_mode : 0666;
  /* In a user namespace the runtime prepared the node (bind-trees.h); a
   * fifo the container makes itself. */
  int rc = prepared >= 0 ? attach_node (dir, name, prepared, err)
                         : make_node (dir, name, spec_device_file_type (d->type),
                                      (unsigned) d->major, (unsigned) d->minor, mode, err);
  if (rc < 0)
    return -1;
  if (prepared < 0 && (d->has_uid || d->has_gid)
      && fchownat (dir, name, d->has_uid ? d->uid : (uid_t) -1, d->has_gid ? d->gid : (gid_t) -1,
                   AT_SYMLINK_NOFOLLOW)
             < 0)
    return hk_error_errno (err, errno, "chown `%s`", d->path);
  return 0;
}

int
rootfs_setup_devices (struct rootfs *r, struct hk_error **err)
{
  if (r->plan->default_devices && setup_default_devices (r, err) < 0)
    return -1;
  for (size_t i = 0; i < r->spec->linux.n_devices; i++)
    if (setup_config_device (r, i, err) < 0)
      return hk_error_prefix (err, "linux.devices[%zu]", i);
  return 0;
}
