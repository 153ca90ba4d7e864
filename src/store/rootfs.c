/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs.h"
#include "rootfs-fuse.h"
#include "rootfs-idmap.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/id-map.h"
#include "common/strv.h"
#include "common/userns.h"
#include "common/xalloc.h"
#include "store-db.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The kernel copies mount data into one page. */
#define MOUNT_DATA_MAX 4095

/* The host ids of the namespace's 0 in UID_MAP and GID_MAP. */
static int
mapped_root (const char *uid_map, const char *gid_map, uid_t *uid, gid_t *gid,
             struct hk_error **err)
{
  _cleanup_free_ struct id_map *uids = NULL, *gids = NULL;
  size_t nu = 0, ng = 0;
  uint32_t u, g;
  if (id_map_parse_kernel (uid_map, &uids, &nu, err) < 0
      || id_map_parse_kernel (gid_map, &gids, &ng, err) < 0)
    return -1;
  if (!id_map_to_host (uids, nu, 0, &u) || !id_map_to_host (gids, ng, 0, &g))
    return hk_error_set (err, EINVAL, "the maps do not map the container's root (0)");
  *uid = u;
  *gid = g;
  return 0;
}

int
image_rootfs_create (struct store *s, const char *image_id, const char *id, const char *dir,
                     const struct rootfs_maps *maps, struct hk_error **err)
{
  if (dir[0] != '/')
    return hk_error_set (err, EINVAL, "rootfs directory `%s` must be an absolute path", dir);
  const char *uid_map = maps ? maps->uid_map : "", *gid_map = maps ? maps->gid_map : "";
  uid_t root_uid = 0;
  gid_t root_gid = 0;
  if (*uid_map && mapped_root (uid_map, gid_map, &root_uid, &root_gid, err) < 0)
    return hk_error_prefix (err, "create rootfs `%s`", id);
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
      /* The root of the overlay is the upper directory's: the
       * container's root owns it. */
      if (i == 0 && (root_uid != 0 || root_gid != 0) && chown (p, root_uid, root_gid) < 0)
        return hk_error_errno (err, errno, "create rootfs `%s`: chown `%s`", id, p);
    }
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db,
                        "INSERT INTO rootfs (id, image_id, dir, created, uid_map, gid_map)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        &st, err, id, image_id, dir, "", uid_map, gid_map, NULL)
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

/* The short links of rootfs ID's layers, top first (overlayfs lists
 * lower directories from the top); an image without layers gets the
 * store's empty directory. */
static int
layer_links (struct store *s, const char *id, char ***out, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db,
                        "SELECT l.link FROM rootfs r JOIN image_layers il ON il.image_id = "
                        "r.image_id LEFT JOIN layers l ON l.chain_id = il.chain_id WHERE r.id = ? "
                        "ORDER BY il.position DESC",
                        &st, err, id, NULL)
      < 0)
    return -1;
  _cleanup_strv_ char **links = xzalloc (sizeof (char *));
  int r;
  while ((r = store_db_step (s->db, st, err)) == SQLITE_ROW)
    {
      const char *link = store_db_text (st, 0);
      if (*link == '\0')
        return hk_error_set (err, ENOENT,
                             "rootfs `%s`: a layer of its image is missing from the "
                             "store",
                             id);
      strv_append (&links, link);
    }
  if (r < 0)
    return -1;
  *out = take_ptr (links);
  return 0;
}

/* "lowerdir=PREFIX/LINK:...,upperdir=...": LOWER is the lowerdir value
 * (NULL: the links under l/). */
static int
overlay_options (struct store *s, const char *id, const char *dir, char *const *links,
                 const char *lower, char **out, struct hk_error **err)
{
  _cleanup_free_ char *built = NULL;
  if (lower == NULL)
    {
      built = xstrdup ("");
      for (char *const *l = links; *l; l++)
        {
          char *more = xasprintf ("%s%sl/%s", built, *built ? ":" : "", *l);
          free (built);
          built = more;
        }
      lower = built;
    }
  if (*lower == '\0')
    {
      /* An image without layers: overlayfs needs one lower directory. */
      if (mkdirat (s->root_fd, "empty", 0755) < 0 && errno != EEXIST)
        return hk_error_errno (err, errno, "create `%s/empty`", s->root);
      lower = "empty";
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

/* The rootfs row: its directory and maps ("" for none). */
struct rootfs_row
{
  char *dir, *uid_map, *gid_map;
};

static void
rootfs_row_clear (struct rootfs_row *r)
{
  free (r->dir);
  free (r->uid_map);
  free (r->gid_map);
}

static int
rootfs_row (struct store *s, const char *id, struct rootfs_row *out, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, "SELECT dir, uid_map, gid_map FROM rootfs WHERE id = ?", &st, err,
                        id, NULL)
      < 0)
    return -1;
  int r = store_db_step (s->db, st, err);
  if (r < 0)
    return -1;
  if (r != SQLITE_ROW)
    return hk_error_set (err, ENOENT, "no such rootfs: %s", id);
  out->dir = xstrdup (store_db_text (st, 0));
  out->uid_map = xstrdup (store_db_text (st, 1));
  out->gid_map = xstrdup (store_db_text (st, 2));
  return 0;
}

int
image_rootfs_mount_options (struct store *s, const char *id, char **out, struct hk_error **err)
{
  _cleanup_free_ char *dir = NULL;
  _cleanup_strv_ char **links = NULL;
  if (rootfs_dir (s, id, &dir, err) < 0 || layer_links (s, id, &links, err) < 0)
    return -1;
  return overlay_options (s, id, dir, links, NULL, out, err);
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

/* Mounts overlayfs with OPTS on MERGED from a child that changes
 * directory to the store root (the lower paths are relative to it), so
 * that this process's cwd (shared by its threads) never moves.  The child
 * shares our memory and we wait until it is done (as vfork): no copy of
 * our page tables. */
static int
mount_overlay (struct store *s, const char *id, const char *merged, const char *opts,
               struct hk_error **err)
{
  if (rootfs_fuse_forced ())
    return rootfs_fuse_mount (s->root_fd, opts, merged, err);
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
  int refused = WEXITSTATUS (status);
  if (refused == EPERM && !userns_is_initial ())
    {
      /* rootless on a kernel without overlayfs in user namespaces */
      hk_debug (s->log, "rootfs %s: overlayfs refused in the user namespace: fuse-overlayfs", id);
      return rootfs_fuse_mount (s->root_fd, opts, merged, err);
    }
  if (refused != 0)
    return hk_error_errno (err, refused, "mount overlay for rootfs `%s` on `%s`", id, merged);
  return 0;
}

/* A remapped rootfs: its layers idmapped, or else chowned copies of
 * them.  HAKO_TEST_IDMAP_FALLBACK=1 skips the idmapped mounts (the tests
 * of the copies on kernels that have them). */
static int
mount_remapped (struct store *s, const char *id, const struct rootfs_row *row,
                char *const *links, const char *merged, struct hk_error **err)
{
  const char *forced = getenv ("HAKO_TEST_IDMAP_FALLBACK");
  if (forced == NULL || strcmp (forced, "1") != 0)
    {
      _cleanup_free_ char *opts = NULL;
      struct hk_error *refused = NULL;
      if (overlay_options (s, id, row->dir, links, NULL, &opts, err) < 0)
        return -1;
      if (rootfs_idmapped_mount (s, links, opts, merged, row->uid_map, row->gid_map, &refused)
          == 0)
        return 0;
      hk_debug (s->log, "rootfs %s: idmapped layers refused (%s): chowned copies instead", id,
                refused->message);
      hk_error_free (refused);
    }
  _cleanup_free_ char *lower = NULL, *opts = NULL;
  if (rootfs_shifted_lowers (s, links, row->uid_map, row->gid_map, &lower, err) < 0
      || overlay_options (s, id, row->dir, links, lower, &opts, err) < 0)
    return hk_error_prefix (err, "rootfs `%s`", id);
  return mount_overlay (s, id, merged, opts, err);
}

int
image_rootfs_mount (struct store *s, const char *id, const char *target, struct hk_error **err)
{
  struct rootfs_row row = { 0 };
  _cleanup_strv_ char **links = NULL;
  _cleanup_free_ char *opts = NULL, *merged = NULL;
  int rc = rootfs_row (s, id, &row, err);
  if (rc == 0)
    rc = layer_links (s, id, &links, err);
  if (rc == 0)
    {
      merged = target ? xstrdup (target) : xasprintf ("%s/merged", row.dir);
      if (*row.uid_map != '\0')
        rc = mount_remapped (s, id, &row, links, merged, err);
      else if ((rc = overlay_options (s, id, row.dir, links, NULL, &opts, err)) == 0)
        rc = mount_overlay (s, id, merged, opts, err);
    }
  rootfs_row_clear (&row);
  return rc;
}

int
image_rootfs_unmount (const char *target, struct hk_error **err)
{
  if (umount2 (target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    return hk_error_errno (err, errno, "unmount `%s`", target);
  return 0;
}

/* Unmounts and removes rootfs ID; *ROW says what it was. */
static int
remove_rootfs (struct store *s, const char *id, struct rootfs_row *row, struct hk_error **err)
{
  if (rootfs_row (s, id, row, err) < 0)
    return -1;
  const char *dir = row->dir;
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

int
image_rootfs_remove (struct store *s, const char *id, struct hk_error **err)
{
  struct rootfs_row row = { 0 };
  int rc = remove_rootfs (s, id, &row, err);
  if (rc == 0 && *row.uid_map != '\0')
    rootfs_shifted_collect (s, row.uid_map, row.gid_map);
  rootfs_row_clear (&row);
  return rc;
}
