/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs-idmap.h"
#include "digest.h"
#include "store-db.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/id-map.h"
#include "common/strv.h"
#include "common/tree-copy.h"
#include "common/userns.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct idmapped_job
{
  int root_fd;
  char *const *links; /* under l/ */
  const char *options;
  const char *target;
  int userns_fd;
  int tree;         /* out: the overlay, detached */
  const char *step; /* out: what failed */
};

/* In the child, in a mount namespace of its own: every layer bound on
 * itself idmapped, the overlay mounted over them, and a detached copy of
 * it left in our shared fd table.  Exit status 0 or an errno. */
static int
idmapped_child (void *arg)
{
  struct idmapped_job *job = arg;
  /* The cwd first: unshare carries it over into the new namespace. */
  job->step = "enter the store";
  if (fchdir (job->root_fd) < 0)
    return errno;
  job->step = "make a mount namespace";
  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return errno;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)job->userns_fd };
  for (char *const *l = job->links; *l; l++)
    {
      job->step = "idmap a layer";
      /* by path from the cwd: an fd of the store's l/ is of the namespace
       * we left, where move_mount cannot mount */
      char layer[64];
      snprintf (layer, sizeof layer, "l/%s", *l);
      int t = (int)syscall (SYS_open_tree, AT_FDCWD, layer, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
      if (t < 0)
        return errno;
      int rc = (int)syscall (SYS_mount_setattr, t, "", AT_EMPTY_PATH, &attr, sizeof attr);
      if (rc == 0)
        rc = (int)syscall (SYS_move_mount, t, "", AT_FDCWD, layer,
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS);
      int saved = errno;
      close (t);
      if (rc < 0)
        return saved;
    }
  job->step = "mount overlay on the idmapped layers";
  if (mount ("overlay", job->target, "overlay", 0, job->options) < 0)
    return errno;
  job->step = "detach the overlay";
  job->tree
      = (int)syscall (SYS_open_tree, AT_FDCWD, job->target, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  return job->tree < 0 ? errno : 0;
}

int
rootfs_idmapped_mount (struct store *s, char *const *links, const char *options, const char *target,
                       const char *uid_map, const char *gid_map, struct hk_error **err)
{
  _cleanup_close_ int userns = userns_open_with_maps (uid_map, gid_map, err);
  if (userns < 0)
    return -1;
  struct idmapped_job job = { .root_fd = s->root_fd,
                              .links = links,
                              .options = options,
                              .target = target,
                              .userns_fd = userns,
                              .tree = -1,
                              .step = "" };
  /* Our memory and fd table, and we wait until it is done (as vfork). */
  char stack[64 * 1024] __attribute__ ((aligned (16)));
  pid_t pid = clone (idmapped_child, stack + sizeof stack,
                     CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &job);
  if (pid < 0)
    return hk_error_errno (err, errno, "start a process to mount idmapped layers");
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "wait for the idmapped mount");
  _cleanup_close_ int tree = job.tree;
  if (!WIFEXITED (status))
    return hk_error_set (err, EIO, "%s: its process died", job.step);
  if (WEXITSTATUS (status) != 0)
    return hk_error_errno (err, WEXITSTATUS (status), "%s", job.step);
  if (syscall (SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return hk_error_errno (err, errno, "attach the overlay on `%s`", target);
  /* the container's own namespace, made next in a `run`, has these maps */
  userns_offer (take_fd (&userns), uid_map, gid_map);
  return 0;
}

/* s/KEY: KEY names the maps (12 hex digits of their sha256). */
static char *
shifted_dir (const char *uid_map, const char *gid_map)
{
  struct sha256 h;
  sha256_init (&h);
  sha256_update (&h, uid_map, strlen (uid_map));
  sha256_update (&h, "--\n", 3);
  sha256_update (&h, gid_map, strlen (gid_map));
  char digest[DIGEST_STRING_SIZE];
  sha256_final (&h, digest);
  return xasprintf ("s/%.12s", digest + strlen ("sha256:"));
}

/* The copy of layer LINK into DIR_FD/LINK: made as .tmp-LINK, renamed
 * when whole (a copy a crash cut short is never used). */
static int
make_copy (struct store *s, int dir_fd, const char *link, const struct id_maps *maps,
           struct hk_error **err)
{
  if (faccessat (dir_fd, link, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    return 0;
  _cleanup_free_ char *tmp = xasprintf (".tmp-%s", link);
  if (fs_remove_tree (dir_fd, tmp, err) < 0)
    return -1;
  _cleanup_free_ char *source = xasprintf ("l/%s", link);
  _cleanup_close_ int from = openat (s->root_fd, source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (from < 0)
    return hk_error_errno (err, errno, "open layer `%s`", source);
  if (mkdirat (dir_fd, tmp, 0700) < 0)
    return hk_error_errno (err, errno, "mkdir `%s`", tmp);
  _cleanup_close_ int to = openat (dir_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (to < 0)
    return hk_error_errno (err, errno, "open `%s`", tmp);
  if (tree_copy (from, to, maps, err) < 0)
    return hk_error_prefix (err, "chowned copy of layer `%s`", link);
  if (renameat (dir_fd, tmp, dir_fd, link) < 0)
    return hk_error_errno (err, errno, "rename `%s`", tmp);
  return 0;
}

/* s/KEY, opened and locked; it may have been collected while we waited
 * for the lock: then again. */
static int
open_locked (struct store *s, const char *dir, struct hk_error **err)
{
  if (mkdirat (s->root_fd, "s", 0700) < 0 && errno != EEXIST)
    return hk_error_errno (err, errno, "mkdir `%s/s`", s->root);
  for (int attempt = 0; attempt < 10; attempt++)
    {
      if (mkdirat (s->root_fd, dir, 0700) < 0 && errno != EEXIST)
        return hk_error_errno (err, errno, "mkdir `%s/%s`", s->root, dir);
      _cleanup_close_ int fd = openat (s->root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0 || flock (fd, LOCK_EX) < 0)
        return hk_error_errno (err, errno, "lock `%s/%s`", s->root, dir);
      struct stat locked, now;
      if (fstat (fd, &locked) == 0 && fstatat (s->root_fd, dir, &now, 0) == 0
          && locked.st_ino == now.st_ino && locked.st_dev == now.st_dev)
        return take_fd (&fd);
    }
  return hk_error_set (err, EAGAIN, "`%s/%s` keeps being removed", s->root, dir);
}

int
rootfs_shifted_lowers (struct store *s, char *const *links, const char *uid_map,
                       const char *gid_map, char **lowerdir, struct hk_error **err)
{
  _cleanup_free_ struct id_map *uids = NULL, *gids = NULL;
  size_t n_uids = 0, n_gids = 0;
  if (id_map_parse_kernel (uid_map, &uids, &n_uids, err) < 0
      || id_map_parse_kernel (gid_map, &gids, &n_gids, err) < 0)
    return -1;
  struct id_maps maps = { uids, gids, n_uids, n_gids };
  _cleanup_free_ char *dir = shifted_dir (uid_map, gid_map);
  _cleanup_close_ int dir_fd = open_locked (s, dir, err);
  if (dir_fd < 0)
    return -1;
  _cleanup_free_ char *lower = xstrdup ("");
  for (char *const *l = links; *l; l++)
    {
      if (make_copy (s, dir_fd, *l, &maps, err) < 0)
        return -1;
      char *more = xasprintf ("%s%s%s/%s", lower, *lower ? ":" : "", dir, *l);
      free (lower);
      lower = more;
    }
  *lowerdir = take_ptr (lower);
  return 0;
}

void
rootfs_shifted_collect (struct store *s, const char *uid_map, const char *gid_map)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  struct hk_error *err = NULL;
  if (store_db_prepare (s->db, "SELECT 1 FROM rootfs WHERE uid_map = ? AND gid_map = ? LIMIT 1",
                        &st, &err, uid_map, gid_map, NULL)
          < 0
      || store_db_step (s->db, st, &err) != SQLITE_DONE)
    {
      hk_error_free (err);
      return; /* in use, or we cannot tell: kept */
    }
  _cleanup_free_ char *dir = shifted_dir (uid_map, gid_map);
  _cleanup_close_ int fd = openat (s->root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || flock (fd, LOCK_EX) < 0)
    return;
  if (fs_remove_tree (s->root_fd, dir, &err) < 0)
    {
      hk_warn (s->log, "remove the chowned layers `%s/%s`: %s", s->root, dir, err->message);
      hk_error_free (err);
    }
}
