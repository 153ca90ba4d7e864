/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs.h"
#include "mount-options.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int
rootfs_check_procfs (int fd, const char *what, struct hk_error **err)
{
  struct statfs sfs;
  if (fstatfs (fd, &sfs) < 0)
    return hk_error_errno (err, errno, "statfs `%s`", what);
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return hk_error_set (err, EPERM, "`%s` is not on a procfs (a mount or symlink hides the real /proc)", what);
  return 0;
}

/* The mount point holding PATH, from /proc/self/mountinfo; and whether its
 * propagation is shared. */
static char *
mount_point_of (const char *path, bool *shared)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return NULL;
  _cleanup_free_ char *line = NULL;
  size_t cap = 0, best_len = 0;
  char *best = NULL;
  while (getline (&line, &cap, f) > 0)
    {
      char mp[PATH_MAX];
      if (sscanf (line, "%*d %*d %*s %*s %4095s", mp) != 1)
        continue;
      size_t len = strlen (mp);
      bool prefix = strcmp (mp, "/") == 0
                    || (strncmp (path, mp, len) == 0 && (path[len] == '/' || path[len] == '\0'));
      if (prefix && len >= best_len)
        {
          free (best);
          best = xstrdup (mp);
          best_len = len;
          *shared = strstr (line, " shared:") != NULL;
        }
    }
  return best;
}

int
rootfs_prepare (struct rootfs *r, struct hk_error **err)
{
  if (mount (NULL, "/", NULL, r->plan->propagation_before, NULL) < 0)
    return hk_error_errno (err, errno, "set the propagation of / in the container's namespace");
  /* pivot_root refuses a root whose parent mount is shared. */
  bool shared = false;
  _cleanup_free_ char *parent = mount_point_of (r->rootfs_path, &shared);
  if (parent != NULL && shared && mount (NULL, parent, NULL, MS_PRIVATE, NULL) < 0)
    return hk_error_errno (err, errno, "make `%s` private", parent);
  if (mount (r->rootfs_path, r->rootfs_path, NULL, MS_BIND | MS_REC, NULL) < 0)
    {
      if (errno == EACCES && r->userns)
        return hk_error_errno (err, errno,
                               "bind-mount the root `%s` (in a user namespace, the container's "
                               "root must be able to reach it through every parent directory)",
                               r->rootfs_path);
      return hk_error_errno (err, errno, "bind-mount the root `%s`", r->rootfs_path);
    }
  r->root_fd = open (r->rootfs_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (r->root_fd < 0)
    return hk_error_errno (err, errno, "open the root `%s`", r->rootfs_path);
  return 0;
}

int
rootfs_mount_all (struct rootfs *r, struct hk_error **err)
{
  for (size_t i = 0; i < r->plan->n_steps; i++)
    if (mounts_mount_step (r, &r->plan->steps[i], err) < 0)
      return -1;
  return 0;
}

int
rootfs_bind_console (struct rootfs *r, int index, struct hk_error **err)
{
  char slave_path[64];
  snprintf (slave_path, sizeof slave_path, "/dev/pts/%d", index);
  _cleanup_close_ int slave = in_root_open (r->root_fd, slave_path, O_PATH | O_NOFOLLOW, 0, err);
  if (slave < 0)
    return -1;
  _cleanup_close_ int console = in_root_mkpath (r->root_fd, "/dev/console", IN_ROOT_FILE, 0600, err);
  if (console < 0)
    return -1;
  _cleanup_close_ int tree = open_tree (slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return hk_error_errno (err, errno, "bind %s on /dev/console", slave_path);
  if (move_mount (tree, "", console, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return hk_error_errno (err, errno, "bind %s on /dev/console", slave_path);
  return 0;
}

int
rootfs_mask_paths (struct rootfs *r, struct hk_error **err)
{
  char **paths = r->spec->linux.masked_paths;
  for (size_t i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      struct hk_error *e = NULL;
      _cleanup_close_ int fd = in_root_open (r->root_fd, paths[i], O_PATH, 0, &e);
      if (fd < 0)
        {
          bool missing = e->errnum == ENOENT;
          if (!missing)
            {
              *err = e;
              return hk_error_prefix (err, "linux.maskedPaths[%zu]", i);
            }
          hk_error_free (e);
          continue;
        }
      struct stat st;
      if (fstat (fd, &st) < 0)
        return hk_error_errno (err, errno, "linux.maskedPaths[%zu]: stat `%s`", i, paths[i]);
      char target[64];
      snprintf (target, sizeof target, "/proc/self/fd/%d", fd);
      int rc;
      if (S_ISDIR (st.st_mode))
        rc = mount ("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    "size=0");
      else
        {
          /* The host's /dev/null, opened and checked before the container
           * existed: an image's /dev/null could be anything. */
          _cleanup_close_ int tree
              = open_tree (r->devnull_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
          rc = tree < 0 ? -1
                        : move_mount (tree, "", fd, "",
                                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        }
      if (rc < 0)
        return hk_error_errno (err, errno, "linux.maskedPaths[%zu]: mask `%s`", i, paths[i]);
    }
  return 0;
}

int
rootfs_readonly_paths (struct rootfs *r, struct hk_error **err)
{
  char **paths = r->spec->linux.readonly_paths;
  for (size_t i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      struct hk_error *e = NULL;
      _cleanup_close_ int fd = in_root_open (r->root_fd, paths[i], O_PATH, 0, &e);
      if (fd < 0)
        {
          if (e->errnum != ENOENT)
            {
              *err = e;
              return hk_error_prefix (err, "linux.readonlyPaths[%zu]", i);
            }
          hk_error_free (e);
          continue;
        }
      _cleanup_close_ int tree
          = open_tree (fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (tree < 0 || mount_setattr (tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0
          || move_mount (tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return hk_error_errno (err, errno, "linux.readonlyPaths[%zu]: make `%s` read-only", i,
                               paths[i]);
    }
  return 0;
}

int
rootfs_write_sysctls (struct rootfs *r, struct hk_error **err)
{
  char **keys = r->spec->linux.sysctl_keys, **values = r->spec->linux.sysctl_values;
  for (size_t i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      _cleanup_free_ char *path = xasprintf ("/proc/sys/%s", keys[i]);
      for (char *p = path + 10; *p; p++)
        if (*p == '.')
          *p = '/';
      _cleanup_close_ int fd = in_root_open (r->root_fd, path, O_WRONLY | O_NOFOLLOW, 0, err);
      if (fd < 0)
        return hk_error_prefix (err, "linux.sysctl.%s", keys[i]);
      if (rootfs_check_procfs (fd, path, err) < 0)
        return hk_error_prefix (err, "linux.sysctl.%s", keys[i]);
      if (write (fd, values[i], strlen (values[i])) < 0)
        return hk_error_errno (err, errno, "linux.sysctl.%s: write `%s`", keys[i], values[i]);
    }
  return 0;
}

static int
pivot (int root_fd, struct hk_error **err)
{
  _cleanup_close_ int old_root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (old_root < 0)
    return hk_error_errno (err, errno, "open the old root");
  if (fchdir (root_fd) < 0)
    return hk_error_errno (err, errno, "chdir to the root");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return hk_error_errno (err, errno, "pivot_root");
  /* The old root now sits on top of the new one: detach it without letting
   * the unmount propagate back to the host.  "." must be the old root, not
   * the new one (whose mounts would all turn slaves, losing a requested
   * "rshared"): the kernel does not say which the cwd is after pivot_root. */
  if (fchdir (old_root) < 0)
    return hk_error_errno (err, errno, "chdir to the old root");
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return hk_error_errno (err, errno, "make the old root a slave");
  if (umount2 (".", MNT_DETACH) < 0)
    return hk_error_errno (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return hk_error_errno (err, errno, "chdir /");
  return 0;
}

static int
move_root (int root_fd, struct hk_error **err)
{
  if (fchdir (root_fd) < 0)
    return hk_error_errno (err, errno, "chdir to the root");
  if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
    return hk_error_errno (err, errno, "move the root onto / (--no-pivot)");
  if (chroot (".") < 0)
    return hk_error_errno (err, errno, "chroot (--no-pivot)");
  if (chdir ("/") < 0)
    return hk_error_errno (err, errno, "chdir /");
  return 0;
}

int
rootfs_enter (struct rootfs *r, struct hk_error **err)
{
  const struct rootfs_plan *p = r->plan;
  if ((p->entry == ROOT_MOVE_CHROOT ? move_root (r->root_fd, err) : pivot (r->root_fd, err)) < 0)
    return -1;
  if (p->readonly_root)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (AT_FDCWD, "/", 0, &attr, sizeof attr) < 0)
        return hk_error_errno (err, errno, "root.readonly: make / read-only");
    }
  if (p->propagation_after != 0 && mount (NULL, "/", NULL, p->propagation_after, NULL) < 0)
    return hk_error_errno (err, errno, "linux.rootfsPropagation: set `%s` on /",
                           r->spec->linux.rootfs_propagation);
  return 0;
}
