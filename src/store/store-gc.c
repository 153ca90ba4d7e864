/* SPDX-License-Identifier: Apache-2.0 */
/* Garbage collection: blobs, layers and links that no image references.
 * The database rows go first, in a transaction, then the files; a layer
 * directory is renamed into scratch space before it is emptied, so a crash
 * never leaves a half-removed tree under a chain ID. */
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store-db.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int
query_strings (struct store *s, const char *sql, char ***out, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, sql, &st, err, NULL) < 0)
    return -1;
  return store_db_strings (s->db, st, out, err);
}

/* Sorted for bsearch. */
static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static bool
contains_sorted (char **v, size_t n, const char *s)
{
  return bsearch (&s, v, n, sizeof (char *), compare_strings) != NULL;
}

static int
remove_layer_dir (struct store *s, const char *hex, struct store_gc_result *res,
                  struct hk_error **err)
{
  _cleanup_free_ char *doomed = xasprintf ("gone-%s", hex);
  if (renameat (s->layers_fd, hex, s->tmp_fd, doomed) < 0)
    return errno == ENOENT ? 0 : hk_error_errno (err, errno, "move `layers/%s` away", hex);
  res->bytes_freed += fs_tree_bytes (s->tmp_fd, doomed);
  res->layers_removed++;
  return fs_remove_tree (s->tmp_fd, doomed, err);
}

static int
sweep_layers (struct store *s, struct store_gc_result *res, struct hk_error **err)
{
  /* Rows no image needs go first. */
  if (store_tx_begin (s, err) < 0)
    return -1;
  if (store_db_exec (s->db,
                     "DELETE FROM layers WHERE chain_id NOT IN (SELECT chain_id FROM image_layers)",
                     err)
      < 0)
    {
      store_tx_rollback (s);
      return -1;
    }
  if (store_tx_commit (s, err) < 0)
    return -1;

  _cleanup_strv_ char **chains = NULL;
  _cleanup_strv_ char **links = NULL;
  if (query_strings (s, "SELECT substr(chain_id, 8) FROM layers", &chains, err) < 0
      || query_strings (s, "SELECT link FROM layers", &links, err) < 0)
    return -1;
  size_t n_chains = strv_length (chains), n_links = strv_length (links);
  qsort (chains, n_chains, sizeof (char *), compare_strings);
  qsort (links, n_links, sizeof (char *), compare_strings);

  /* Links first: a link must never point at a directory being removed
   * while it is still listed. */
  _cleanup_close_ int lfd = dup (s->links_fd);
  _cleanup_closedir_ DIR *ld = lfd >= 0 ? fdopendir (lfd) : NULL;
  if (ld == NULL)
    return hk_error_errno (err, errno, "read `l`");
  take_fd (&lfd);
  struct dirent *de;
  while ((de = readdir (ld)) != NULL)
    if (de->d_name[0] != '.' && !contains_sorted (links, n_links, de->d_name))
      unlinkat (s->links_fd, de->d_name, 0);

  _cleanup_close_ int dfd = dup (s->layers_fd);
  _cleanup_closedir_ DIR *dd = dfd >= 0 ? fdopendir (dfd) : NULL;
  if (dd == NULL)
    return hk_error_errno (err, errno, "read `layers`");
  take_fd (&dfd);
  while ((de = readdir (dd)) != NULL)
    if (de->d_name[0] != '.' && !contains_sorted (chains, n_chains, de->d_name))
      if (remove_layer_dir (s, de->d_name, res, err) < 0)
        return -1;
  return 0;
}

static int
sweep_blobs (struct store *s, struct store_gc_result *res, struct hk_error **err)
{
  _cleanup_strv_ char **keep = NULL;
  if (query_strings (s, "SELECT DISTINCT substr(digest, 8) FROM image_blobs", &keep, err) < 0)
    return -1;
  size_t n = strv_length (keep);
  qsort (keep, n, sizeof (char *), compare_strings);
  _cleanup_close_ int fd = dup (s->blobs_fd);
  _cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    return hk_error_errno (err, errno, "read `blobs/sha256`");
  take_fd (&fd);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' || contains_sorted (keep, n, de->d_name))
        continue;
      struct stat st;
      if (fstatat (s->blobs_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        res->bytes_freed += (uint64_t)st.st_blocks * 512;
      if (unlinkat (s->blobs_fd, de->d_name, 0) == 0)
        res->blobs_removed++;
    }
  return 0;
}

int
store_gc (struct store *s, struct store_gc_result *result, struct hk_error **err)
{
  struct store_gc_result res = { 0 };
  /* Wait for commands that add content: what they fetched is not
   * referenced yet. */
  if (flock (s->gc_lock_fd, LOCK_EX) < 0)
    return hk_error_errno (err, errno, "lock `%s/locks/gc`", s->root);
  int r = sweep_layers (s, &res, err);
  if (r == 0)
    r = sweep_blobs (s, &res, err);
  flock (s->gc_lock_fd, s->content_users > 0 ? LOCK_SH : LOCK_UN);
  if (r < 0)
    return hk_error_prefix (err, "garbage collection in `%s`", s->root);
  if (result)
    *result = res;
  return 0;
}

int
store_image_prune (struct store *s, bool all, store_prune_fn deleted, void *data,
                   struct store_gc_result *result, struct hk_error **err)
{
  struct store_image **list = NULL;
  size_t n = 0;
  if (store_image_list (s, &list, &n, err) < 0)
    return -1;
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      struct store_image *img = list[i];
      if (!all)
        {
          /* Then its parents the deletion left dangling. */
          if (store_image_dangling (img))
            r = store_image_prune_chain (s, img->id, deleted, data, err);
          continue;
        }
      _cleanup_strv_ char **users = NULL;
      if ((r = store_image_users (s, img->id, &users, err)) < 0 || users[0] != NULL)
        continue;
      if ((r = store_image_delete (s, img->id, err)) == 0 && deleted != NULL)
        deleted (img, data);
    }
  store_image_list_free (list, n);
  if (r < 0)
    return -1;
  return store_gc (s, result, err);
}

static int
query_u64 (struct store *s, const char *sql, uint64_t *out, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, sql, &st, err, NULL) < 0)
    return -1;
  int r = store_db_step (s->db, st, err);
  if (r < 0)
    return -1;
  *out = r == SQLITE_ROW ? (uint64_t)sqlite3_column_int64 (st, 0) : 0;
  return 0;
}

int
store_usage (struct store *s, struct store_usage *u, struct hk_error **err)
{
  memset (u, 0, sizeof *u);
  if (query_u64 (s, "SELECT COUNT(*) FROM images", &u->images, err) < 0
      || query_u64 (s,
                    "SELECT COUNT(*) FROM images WHERE id NOT IN (SELECT image_id FROM tags) AND "
                    "id NOT IN (SELECT image_id FROM digests) AND id NOT IN (SELECT parent FROM "
                    "images)",
                    &u->dangling, err)
             < 0
      || query_u64 (s, "SELECT COUNT(*) FROM layers", &u->layers, err) < 0
      || query_u64 (s, "SELECT COALESCE(SUM(size), 0) FROM layers", &u->layer_bytes, err) < 0
      || query_u64 (s, "SELECT COUNT(*) FROM rootfs", &u->rootfs, err) < 0)
    return -1;
  _cleanup_close_ int fd = dup (s->blobs_fd);
  _cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL)
    return hk_error_errno (err, errno, "read `blobs/sha256`");
  take_fd (&fd);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (de->d_name[0] == '.' || fstatat (s->blobs_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      u->blobs++;
      u->blob_bytes += (uint64_t)st.st_size;
    }
  return 0;
}
