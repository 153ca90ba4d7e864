/* SPDX-License-Identifier: Apache-2.0 */
#include "common/event-log.h"
#include "volume.h"
#include "ctr-config-parse.h"
#include "ctr-record.h"
#include "random-id.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/store-db.h"
#include "runtime/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char schema[] = "CREATE TABLE IF NOT EXISTS volumes ("
                             " name TEXT PRIMARY KEY,"
                             " created TEXT NOT NULL,"
                             " labels TEXT NOT NULL DEFAULT '{}',"
                             " anonymous INTEGER NOT NULL DEFAULT 0,"
                             " filled INTEGER NOT NULL DEFAULT 0);";

int
volume_db_init (sqlite3 *db, struct hk_error **err)
{
  return store_db_exec (db, schema, err);
}

void
volume_free (struct volume *v)
{
  if (v == NULL)
    return;
  free (v->name);
  free (v->created);
  free (v->mountpoint);
  json_decref (v->labels);
  free (v);
}

static struct volume *
volume_from_row (sqlite3_stmt *st, const char *root)
{
  struct volume *v = xzalloc (sizeof *v);
  v->name = xstrdup (store_db_text (st, 0));
  v->created = xstrdup (store_db_text (st, 1));
  v->labels = json_loads (store_db_text (st, 2), 0, NULL);
  if (v->labels == NULL)
    v->labels = json_object ();
  v->anonymous = sqlite3_column_int (st, 3) != 0;
  v->filled = sqlite3_column_int (st, 4) != 0;
  v->mountpoint = xasprintf ("%s/volumes/%s/_data", root, v->name);
  return v;
}

int
volume_get (sqlite3 *db, const char *root, const char *name, struct volume **out,
            struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (
          db, "SELECT name, created, labels, anonymous, filled FROM volumes WHERE name = ?", &st,
          err, name, NULL)
      < 0)
    return -1;
  int r = store_db_step (db, st, err);
  if (r < 0)
    return -1;
  if (r != SQLITE_ROW)
    return hk_error_set (err, ENOENT, "no such volume: %s", name);
  *out = volume_from_row (st, root);
  return 0;
}

int
volume_create (sqlite3 *db, const char *root, const char *name, json_t *labels, struct volume **out,
               struct hk_error **err)
{
  _cleanup_free_ char *chosen = name ? xstrdup (name) : random_id ();
  if (config_check_volume_name (chosen, err) < 0)
    return -1;
  _cleanup_free_ char *dir = xasprintf ("%s/volumes/%s/_data", root, chosen);
  if (fs_mkdir_p (dir, 0755, err) < 0)
    return hk_error_prefix (err, "volume %s", chosen);
  _cleanup_free_ char *created = state_now_rfc3339 ();
  _cleanup_free_ char *label_text = labels ? json_dumps (labels, JSON_COMPACT) : xstrdup ("{}");
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  /* A volume that exists is returned as it is (create is idempotent). */
  if (store_db_prepare (
          db,
          "INSERT OR IGNORE INTO volumes (name, created, labels, anonymous) VALUES (?, ?, ?, ?)",
          &st, err, chosen, created, label_text, name ? "0" : "1", NULL)
          < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  if (sqlite3_changes (db) > 0)
    event_log_emit (root, NULL, "volume", "create", chosen, (const char *const[]){ "driver", "local", NULL });
  return volume_get (db, root, chosen, out, err);
}

int
volume_list (sqlite3 *db, const char *root, struct volume ***out, size_t *n, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (
          db, "SELECT name, created, labels, anonymous, filled FROM volumes ORDER BY name", &st,
          err, NULL)
      < 0)
    return -1;
  *out = NULL;
  *n = 0;
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    {
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = volume_from_row (st, root);
    }
  return r < 0 ? -1 : 0;
}

void
volume_list_free (struct volume **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    volume_free (list[i]);
  free (list);
}

static bool
uses_volume (const struct ctr_config *c, const char *name)
{
  for (size_t i = 0; i < c->n_mount_points; i++)
    if (c->mount_points[i].name && strcmp (c->mount_points[i].name, name) == 0)
      return true;
  return false;
}

/* The names of the containers using volume NAME (a NULL-terminated
 * vector; empty when unused). */
static int
volume_users (sqlite3 *db, const char *name, char ***out, struct hk_error **err)
{
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (ctr_record_list (db, &list, &n, err) < 0)
    return -1;
  *out = xzalloc (sizeof (char *));
  for (size_t i = 0; i < n; i++)
    if (uses_volume (&list[i]->config, name))
      strv_append (out, list[i]->name);
  ctr_record_list_free (list, n);
  return 0;
}

int
volume_remove (sqlite3 *db, const char *root, const char *name, struct hk_error **err)
{
  struct volume *v = NULL;
  if (volume_get (db, root, name, &v, err) < 0)
    return -1;
  volume_free (v);
  _cleanup_strv_ char **users = NULL;
  if (volume_users (db, name, &users, err) < 0)
    return -1;
  if (users[0] != NULL)
    return hk_error_set (err, EBUSY, "volume %s is in use by container %s", name, users[0]);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "DELETE FROM volumes WHERE name = ?", &st, err, name, NULL) < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  event_log_emit (root, NULL, "volume", "destroy", name, (const char *const[]){ "driver", "local", NULL });
  _cleanup_free_ char *dir = xasprintf ("%s/volumes", root);
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return 0;
  return fs_remove_tree (dfd, name, err);
}

/* ---- filling a volume from the image ---- */

static int copy_tree (int from_dir, int to_dir, int depth, struct hk_error **err);

static void
copy_xattrs (int from, int to)
{
  char names[4096];
  ssize_t n = flistxattr (from, names, sizeof names);
  for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen (names + i) + 1)
    {
      char value[4096];
      ssize_t len = fgetxattr (from, names + i, value, sizeof value);
      if (len >= 0)
        fsetxattr (to, names + i, value, (size_t)len, 0);
    }
}

/* One entry NAME of FROM_DIR into TO_DIR, never following a symlink: the
 * image's tree is untrusted. */
static int
copy_entry (int from_dir, int to_dir, const char *name, int depth, struct hk_error **err)
{
  struct stat st;
  if (fstatat (from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "stat `%s`", name);
  if (S_ISDIR (st.st_mode))
    {
      if (mkdirat (to_dir, name, st.st_mode & 07777) < 0 && errno != EEXIST)
        return hk_error_errno (err, errno, "mkdir `%s`", name);
      _cleanup_close_ int from
          = openat (from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_close_ int to
          = openat (to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (from < 0 || to < 0)
        return hk_error_errno (err, errno, "open `%s`", name);
      if (copy_tree (from, to, depth + 1, err) < 0)
        return -1;
      fchown (to, st.st_uid, st.st_gid);
      fchmod (to, st.st_mode & 07777);
      copy_xattrs (from, to);
      return 0;
    }
  if (S_ISLNK (st.st_mode))
    {
      char target[4096];
      ssize_t n = readlinkat (from_dir, name, target, sizeof target - 1);
      if (n < 0)
        return hk_error_errno (err, errno, "readlink `%s`", name);
      target[n] = '\0';
      if (symlinkat (target, to_dir, name) < 0 && errno != EEXIST)
        return hk_error_errno (err, errno, "symlink `%s`", name);
      fchownat (to_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
      return 0;
    }
  if (S_ISREG (st.st_mode))
    {
      _cleanup_close_ int from = openat (from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_close_ int to = openat (
          to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
      if (from < 0 || to < 0)
        return hk_error_errno (err, errno, "copy `%s`", name);
      char buf[65536];
      ssize_t n;
      while ((n = read (from, buf, sizeof buf)) > 0)
        if (fs_write_all (to, buf, (size_t)n) < 0)
          return hk_error_errno (err, errno, "write `%s`", name);
      if (n < 0)
        return hk_error_errno (err, errno, "read `%s`", name);
      fchown (to, st.st_uid, st.st_gid);
      fchmod (to, st.st_mode & 07777);
      copy_xattrs (from, to);
      struct timespec times[2] = { st.st_atim, st.st_mtim };
      futimens (to, times);
      return 0;
    }
  if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) || S_ISFIFO (st.st_mode))
    {
      if (mknodat (to_dir, name, st.st_mode, st.st_rdev) < 0 && errno != EEXIST)
        return hk_error_errno (err, errno, "mknod `%s`", name);
      fchownat (to_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    }
  return 0; /* sockets are not copied */
}

static int
copy_tree (int from_dir, int to_dir, int depth, struct hk_error **err)
{
  if (depth > 256)
    return hk_error_set (err, ELOOP, "the image's tree is too deep to copy");
  int dup_fd = dup (from_dir);
  if (dup_fd < 0)
    return hk_error_errno (err, errno, "dup");
  _cleanup_closedir_ DIR *d = fdopendir (dup_fd);
  if (d == NULL)
    {
      close (dup_fd);
      return hk_error_errno (err, errno, "opendir");
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (from_dir, to_dir, de->d_name, depth, err) < 0)
        return hk_error_prefix (err, "fill volume");
    }
  return 0;
}

static bool
directory_empty (const char *path)
{
  _cleanup_closedir_ DIR *d = opendir (path);
  if (d == NULL)
    return false;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return false;
  return true;
}

int
volume_fill (sqlite3 *db, struct volume *v, int source_dir, struct hk_error **err)
{
  if (v->filled)
    return 0;
  if (source_dir >= 0 && directory_empty (v->mountpoint))
    {
      _cleanup_close_ int to = open (v->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (to < 0)
        return hk_error_errno (err, errno, "open volume `%s`", v->mountpoint);
      if (copy_tree (source_dir, to, 0, err) < 0)
        return hk_error_prefix (err, "volume %s", v->name);
      struct stat st;
      if (fstat (source_dir, &st) == 0)
        {
          fchown (to, st.st_uid, st.st_gid);
          fchmod (to, st.st_mode & 07777);
        }
    }
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "UPDATE volumes SET filled = 1 WHERE name = ?", &st, err, v->name, NULL)
          < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  v->filled = true;
  return 0;
}

int
volume_prune (sqlite3 *db, const char *root, bool all, volume_prune_fn removed, void *data,
              uint64_t *bytes, struct hk_error **err)
{
  *bytes = 0;
  struct volume **list = NULL;
  size_t n = 0;
  if (volume_list (db, root, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      /* Docker's rule: anonymous unused volumes; with ALL, named ones too. */
      if (!all && !list[i]->anonymous)
        continue;
      _cleanup_strv_ char **users = NULL;
      struct hk_error *ignored = NULL;
      if (volume_users (db, list[i]->name, &users, &ignored) < 0 || users[0] != NULL)
        {
          hk_error_free (ignored);
          continue;
        }
      uint64_t size = fs_tree_bytes (AT_FDCWD, list[i]->mountpoint);
      if (volume_remove (db, root, list[i]->name, &ignored) == 0)
        {
          *bytes += size;
          if (removed != NULL)
            removed (list[i]->name, data);
        }
      hk_error_free (ignored);
    }
  volume_list_free (list, n);
  return 0;
}
