/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "store-db.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The kernel copies mount data into one page. */
#define MOUNT_DATA_MAX 4095

int
image_rootfs_create (struct store *s, const char *image_id, const char *id, const char *dir,
                     struct hk_error **err)
{
  if (dir[0] != '/')
    return hk_error_set (err, EINVAL, "rootfs directory `%s` must be an absolute path", dir);
  if (fs_mkdir_p (dir, 0700, err) < 0)
    return hk_error_prefix (err, "create rootfs `%s`", id);
  static const struct
  {
    const char *name;
    mode_t mode;
  } subdirs[] = { { "upper", 0755 }, { "work", 0700 }, { "merged", 0755 } };
  for (size_t i = 0; i < 3; i++)
    {
      _cleanup_free_ char *p = xasprintf ("%s/%s", dir, subdirs[i].name);
      if (mkdir (p, subdirs[i].mode) < 0 && errno != EEXIST)
        return hk_error_errno (err, errno, "create rootfs `%s`: mkdir `%s`", id, p);
    }
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db,
                        "INSERT INTO rootfs (id, image_id, dir, created) VALUES (?, ?, ?, ?)", &st,
                        err, id, image_id, dir, NULL)
      < 0)
    return -1;
  sqlite3_bind_int64 (st, 4, (sqlite3_int64)time (NULL));
  if (store_db_step (s->db, st, err) < 0)
    {
      if (sqlite3_extended_errcode (s->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        return hk_error_set (err, EEXIST, "rootfs `%s` already exists", id);
      return hk_error_prefix (err, "record rootfs `%s`", id);
    }
  return 0;
}

static int
rootfs_dir (struct store *s, const char *id, char **dir, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, "SELECT dir FROM rootfs WHERE id = ?", &st, err, id, NULL) < 0)
    return -1;
  int r = store_db_step (s->db, st, err);
  if (r < 0)
    return -1;
  if (r != SQLITE_ROW)
    return hk_error_set (err, ENOENT, "no such rootfs: %s", id);
  *dir = xstrdup (store_db_text (st, 0));
  return 0;
}

int
image_rootfs_info (struct store *s, const char *id, char **image_id, char **dir,
                   struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, "SELECT image_id, dir FROM rootfs WHERE id = ?", &st, err, id, NULL)
      < 0)
    return -1;
  int r = store_db_step (s->db, st, err);
  if (r < 0)
    return -1;
  if (r != SQLITE_ROW)
    return hk_error_set (err, ENOENT, "no such rootfs: %s", id);
  *image_id = xstrdup (store_db_text (st, 0));
  *dir = xstrdup (store_db_text (st, 1));
  return 0;
}

int
image_rootfs_mount_options (struct store *s, const char *id, char **out, struct hk_error **err)
{
  _cleanup_free_ char *dir = NULL;
  if (rootfs_dir (s, id, &dir, err) < 0)
    return -1;
  /* Top layer first: overlayfs lists lower directories from the top. */
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db,
                        "SELECT l.link FROM rootfs r JOIN image_layers il ON il.image_id = "
                        "r.image_id LEFT JOIN layers l ON l.chain_id = il.chain_id WHERE r.id = ? "
                        "ORDER BY il.position DESC",
                        &st, err, id, NULL)
      < 0)
    return -1;
  size_t cap = 256, used = 0;
  _cleanup_free_ char *lower = xmalloc (cap);
  lower[0] = '\0';
  int r;
  while ((r = store_db_step (s->db, st, err)) == SQLITE_ROW)
    {
      const char *link = store_db_text (st, 0);
      if (*link == '\0')
        return hk_error_set (err, ENOENT,
                             "rootfs `%s`: a layer of its image is missing from the "
                             "store",
                             id);
      size_t need = used + strlen (link) + 4;
      if (need >= cap)
        {
          cap = 2 * need;
          lower = xrealloc (lower, cap);
        }
      used += (size_t)sprintf (lower + used, "%sl/%s", used ? ":" : "", link);
    }
  if (r < 0)
    return -1;
  if (used == 0)
    {
      /* An image without layers: overlayfs needs one lower directory. */
      if (mkdirat (s->root_fd, "empty", 0755) < 0 && errno != EEXIST)
        return hk_error_errno (err, errno, "create `%s/empty`", s->root);
      free (lower);
      lower = xstrdup ("empty");
    }
  _cleanup_free_ char *opts
      = xasprintf ("lowerdir=%s,upperdir=%s/upper,workdir=%s/work,index=off", lower, dir, dir);
  if (strlen (opts) > MOUNT_DATA_MAX)
    return hk_error_set (err, E2BIG,
                         "rootfs `%s`: overlay options of %zu bytes exceed the %d the "
                         "kernel accepts",
                         id, strlen (opts), MOUNT_DATA_MAX);
  *out = take_ptr (opts);
  return 0;
}

struct overlay_mount
{
  int root_fd;
  const char *target;
  const char *options;
};

/* The child of image_rootfs_mount: its exit status is 0 or an errno. */
static int
mount_overlay_in_child (void *arg)
{
  const struct overlay_mount *job = arg;
  if (fchdir (job->root_fd) < 0 || mount ("overlay", job->target, "overlay", 0, job->options) < 0)
    return errno;
  return 0;
}

int
image_rootfs_mount (struct store *s, const char *id, const char *target, struct hk_error **err)
{
  _cleanup_free_ char *dir = NULL;
  _cleanup_free_ char *opts = NULL;
  if (rootfs_dir (s, id, &dir, err) < 0 || image_rootfs_mount_options (s, id, &opts, err) < 0)
    return -1;
  _cleanup_free_ char *merged = target ? xstrdup (target) : xasprintf ("%s/merged", dir);
  /* The lower paths are relative to the store root: mount from a child
   * that changes directory there, so that this process's cwd (shared by
   * its threads) never moves.  The child shares our memory and we wait
   * until it is done (as vfork): no copy of our page tables. */
  struct overlay_mount job = { .root_fd = s->root_fd, .target = merged, .options = opts };
  char stack[32 * 1024] __attribute__ ((aligned (16)));
  pid_t pid = clone (mount_overlay_in_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                     &job);
  if (pid < 0)
    return hk_error_errno (err, errno, "start a process to mount rootfs `%s`", id);
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "wait for the mount of rootfs `%s`", id);
  if (!WIFEXITED (status))
    return hk_error_set (err, EIO, "mount overlay for rootfs `%s` on `%s`: its process died", id,
                         merged);
  if (WEXITSTATUS (status) != 0)
    return hk_error_errno (err, WEXITSTATUS (status), "mount overlay for rootfs `%s` on `%s`", id,
                           merged);
  return 0;
}

int
image_rootfs_unmount (const char *target, struct hk_error **err)
{
  if (umount2 (target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    return hk_error_errno (err, errno, "unmount `%s`", target);
  return 0;
}

int
image_rootfs_remove (struct store *s, const char *id, struct hk_error **err)
{
  _cleanup_free_ char *dir = NULL;
  if (rootfs_dir (s, id, &dir, err) < 0)
    return -1;
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  if (image_rootfs_unmount (merged, err) < 0)
    return hk_error_prefix (err, "remove rootfs `%s`", id);
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd >= 0)
    {
      static const char *const names[] = { "upper", "work", "merged" };
      for (size_t i = 0; i < 3; i++)
        if (fs_remove_tree (dfd, names[i], err) < 0)
          return hk_error_prefix (err, "remove rootfs `%s`", id);
    }
  else if (errno != ENOENT)
    return hk_error_errno (err, errno, "remove rootfs `%s`: open `%s`", id, dir);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, "DELETE FROM rootfs WHERE id = ?", &st, err, id, NULL) < 0
      || store_db_step (s->db, st, err) < 0)
    return hk_error_prefix (err, "remove rootfs `%s`", id);
  return 0;
}
