/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-mounts.h"
#include "ctr-config-parse.h"
#include "ctr-record.h"
#include "volume.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

static bool
target_taken (const struct ctr_config *c, const char *target)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    if (strcmp (c->mounts[i].target, target) == 0)
      return true;
  return false;
}

static ssize_t
point_at (const struct ctr_config *c, const char *destination)
{
  for (size_t i = 0; i < c->n_mount_points; i++)
    if (strcmp (c->mount_points[i].destination, destination) == 0)
      return (ssize_t)i;
  return -1;
}

/* The image's VOLUMEs get anonymous volumes unless mounted over (by a
 * mount or a mount point of --volumes-from). */
static void
add_image_volumes (struct ctr_config *c, const struct image_config *image)
{
  for (size_t i = 0; image != NULL && image->volumes != NULL && image->volumes[i] != NULL; i++)
    if (!target_taken (c, image->volumes[i]) && point_at (c, image->volumes[i]) < 0)
      {
        c->mounts = xreallocarray (c->mounts, c->n_mounts + 1, sizeof *c->mounts);
        c->mounts[c->n_mounts++] = (struct config_mount){ .type = CONFIG_MOUNT_VOLUME,
                                                          .target = xstrdup (image->volumes[i]) };
      }
}

static void
add_point (struct ctr_config *c, const struct config_mount_point *p)
{
  c->mount_points = xreallocarray (c->mount_points, c->n_mount_points + 1, sizeof *c->mount_points);
  c->mount_points[c->n_mount_points++] = (struct config_mount_point){
    .type = p->type,
    .name = p->name ? xstrdup (p->name) : NULL,
    .source = xstrdup (p->source),
    .destination = xstrdup (p->destination),
    .rw = p->rw,
    .nocopy = p->nocopy,
    .chown = p->chown,
    .idmap = p->idmap,
  };
}

static void
remove_point (struct ctr_config *c, size_t i)
{
  struct config_mount_point *p = &c->mount_points[i];
  free (p->name);
  free (p->source);
  free (p->destination);
  memmove (p, p + 1, (c->n_mount_points - i - 1) * sizeof *p);
  c->n_mount_points--;
}

/* One --volumes-from ENTRY: the other container's binds and volumes at
 * the same destinations (a later entry's over an earlier one's), read-only
 * with :ro, writable with :rw, as they are there otherwise.  Its volumes
 * were filled when it was made: they are not filled again. */
static int
add_volumes_from (sqlite3 *db, struct ctr_config *c, const char *entry, struct hk_error **err)
{
  _cleanup_free_ char *name = NULL;
  const char *mode;
  config_volumes_from_split (entry, &name, &mode);
  _cleanup_record_ struct ctr_record *from = NULL;
  if (ctr_record_find (db, name, &from, err) < 0)
    return hk_error_prefix (err, "--volumes-from %s", entry);
  for (size_t i = 0; i < from->config.n_mount_points; i++)
    {
      struct config_mount_point p = from->config.mount_points[i];
      if (mode != NULL)
        p.rw = strcmp (mode, "rw") == 0;
      p.nocopy = true;
      p.chown = false;
      p.idmap = false; /* the other's mapping is not this container's */
      ssize_t taken = point_at (c, p.destination);
      if (taken >= 0)
        remove_point (c, (size_t)taken);
      add_point (c, &p);
    }
  return 0;
}

/* The container's own mounts win over --volumes-from's at a destination. */
static void
drop_points_under_mounts (struct ctr_config *c)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      ssize_t taken = point_at (c, c->mounts[i].target);
      if (taken >= 0)
        remove_point (c, (size_t)taken);
    }
}

static int
resolve_bind (struct ctr_config *c, const struct config_mount *m, struct hk_error **err)
{
  struct stat st;
  if (stat (m->source, &st) < 0)
    {
      /* -v creates a missing host directory, --mount does not. */
      if (errno != ENOENT || !m->create_host_path)
        return hk_error_errno (err, errno, "bind source path \"%s\"", m->source);
      if (fs_mkdir_p (m->source, 0755, err) < 0)
        return -1;
    }
  struct config_mount_point p = { .type = CONFIG_MOUNT_BIND,
                                  .source = m->source,
                                  .destination = m->target,
                                  .rw = !m->readonly,
                                  .chown = m->chown,
                                  .idmap = m->idmap };
  add_point (c, &p);
  return 0;
}

static int
resolve_volume (sqlite3 *db, const char *root, struct ctr_config *c,
                const struct config_mount *m, struct hk_error **err)
{
  struct volume *v = NULL;
  if (volume_create (db, root, m->source, NULL, &v, err) < 0)
    return -1;
  struct config_mount_point p = { .type = CONFIG_MOUNT_VOLUME,
                                  .name = v->name,
                                  .source = v->mountpoint,
                                  .destination = m->target,
                                  .rw = !m->readonly,
                                  .nocopy = m->nocopy,
                                  .chown = m->chown,
                                  .idmap = m->idmap };
  add_point (c, &p);
  volume_free (v);
  return 0;
}

int
ctr_mounts_resolve (sqlite3 *db, const char *root, struct ctr_config *c,
                          const struct image_config *image, struct hk_error **err)
{
  for (char **entry = c->volumes_from; entry && *entry; entry++)
    if (add_volumes_from (db, c, *entry, err) < 0)
      return -1;
  add_image_volumes (c, image);
  drop_points_under_mounts (c);
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const struct config_mount *m = &c->mounts[i];
      int rc = 0;
      if (m->type == CONFIG_MOUNT_TMPFS)
        config_map_set (&c->tmpfs, m->target, m->tmpfs_options ? m->tmpfs_options : "");
      else if (m->type == CONFIG_MOUNT_BIND)
        rc = resolve_bind (c, m, err);
      else
        rc = resolve_volume (db, root, c, m, err);
      if (rc < 0)
        return -1;
    }
  return 0;
}

/* chown -R of the tree at DIR_FD/NAME (NAME "" for DIR_FD itself), never
 * following a symlink. */
static int
chown_tree (int dir_fd, const char *name, uint32_t uid, uint32_t gid, int depth,
            struct hk_error **err)
{
  if (depth > 512)
    return hk_error_set (err, ELOOP, "more than 512 directories deep");
  int flags = AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH);
  struct stat st;
  if (fstatat (dir_fd, name, &st, flags) < 0)
    return hk_error_errno (err, errno, "stat `%s`", name);
  if (fchownat (dir_fd, name, uid, gid, flags) < 0)
    return hk_error_errno (err, errno, "chown `%s`", name);
  /* chown clears set-user-ID bits: they come back. */
  if (!S_ISLNK (st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID))
      && fchmodat (dir_fd, *name ? name : ".", st.st_mode & 07777, 0) < 0)
    return hk_error_errno (err, errno, "chmod `%s`", name);
  if (!S_ISDIR (st.st_mode))
    return 0;
  int fd = *name ? openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                 : fcntl (dir_fd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", name);
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return hk_error_errno (err, errno, "open `%s`", name);
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0
        && chown_tree (dirfd (d), de->d_name, uid, gid, depth + 1, err) < 0)
      return hk_error_prefix (err, "%s", name);
  return 0;
}

/* :U: the source of P, all of it, to the container's user. */
static int
chown_mount (const struct config_mount_point *p, const struct mounts_owner *owner,
             struct hk_error **err)
{
  _cleanup_close_ int fd = open (p->source, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "%s:U: open `%s`", p->destination, p->source);
  if (chown_tree (fd, "", owner->user_uid, owner->user_gid, 0, err) < 0)
    return hk_error_prefix (err, "%s:U: chown `%s`", p->destination, p->source);
  return 0;
}

static int
fill_volume (sqlite3 *db, const char *root, const struct config_mount_point *p, int root_fd,
             const struct mounts_owner *owner, struct hk_error **err)
{
  struct volume *v = NULL;
  if (volume_get (db, root, p->name, &v, err) < 0)
    return -1;
  bool fresh = !v->filled;
  struct hk_error *missing = NULL;
  _cleanup_close_ int source
      = in_root_open (root_fd, p->destination, O_RDONLY | O_DIRECTORY, 0, &missing);
  hk_error_free (missing);
  int r = volume_fill (db, v, source, err);
  /* A new volume the image gives nothing: its root's, as Podman does. */
  if (r == 0 && fresh && source < 0 && owner->remapped
      && chown (v->mountpoint, owner->root_uid, owner->root_gid) < 0)
    r = hk_error_errno (err, errno, "volume %s: chown `%s`", v->name, v->mountpoint);
  volume_free (v);
  return r;
}

int
ctr_mounts_fill (sqlite3 *db, const char *root, const struct ctr_config *c, int root_fd,
                 const struct mounts_owner *owner, struct hk_error **err)
{
  for (size_t i = 0; i < c->n_mount_points; i++)
    {
      const struct config_mount_point *p = &c->mount_points[i];
      if (p->type == CONFIG_MOUNT_VOLUME && !p->nocopy
          && fill_volume (db, root, p, root_fd, owner, err) < 0)
        return -1;
      if (p->chown && chown_mount (p, owner, err) < 0)
        return -1;
    }
  return 0;
}

void
ctr_mounts_remove_anonymous (sqlite3 *db, const char *root, const struct ctr_config *c)
{
  for (size_t i = 0; i < c->n_mount_points; i++)
    {
      const char *name = c->mount_points[i].name;
      struct volume *v = NULL;
      struct hk_error *ignored = NULL;
      if (name && volume_get (db, root, name, &v, &ignored) == 0 && v->anonymous)
        volume_remove (db, root, name, &ignored);
      volume_free (v);
      hk_error_free (ignored);
    }
}
