/* SPDX-License-Identifier: Apache-2.0 */
/* Extracted layers: named by chain ID, each with a short link in l/. */
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "store-db.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
layer_chain_id (const char *parent_chain, const char *diff_id, char out[DIGEST_STRING_SIZE])
{
  if (parent_chain == NULL || *parent_chain == '\0')
    {
      memcpy (out, diff_id, DIGEST_STRING_SIZE);
      return;
    }
  _cleanup_free_ char *text = xasprintf ("%s %s", parent_chain, diff_id);
  digest_of_buffer (text, strlen (text), out);
}

bool
store_layer_exists (struct store *s, const char *chain_id)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  _cleanup_error_ struct hk_error *ignored = NULL;
  if (store_db_prepare (s->db, "SELECT 1 FROM layers WHERE chain_id = ?", &st, &ignored, chain_id,
                        NULL)
      < 0)
    return false;
  return store_db_step (s->db, st, &ignored) == SQLITE_ROW
         && faccessat (s->layers_fd, digest_hex (chain_id), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int
store_layer_scratch (struct store *s, char **name, struct hk_error **err)
{
  _cleanup_free_ char *n
      = xasprintf ("layer-%08x%08x", (unsigned)arc4random (), (unsigned)arc4random ());
  if (mkdirat (s->tmp_fd, n, 0755) < 0)
    return hk_error_errno (err, errno, "create `tmp/%s/%s`", s->tmp_name, n);
  int fd = openat (s->tmp_fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `tmp/%s/%s`", s->tmp_name, n);
  *name = take_ptr (n);
  return fd;
}

/* A new link name in l/ pointing at the layer directory. */
static int
make_link (struct store *s, const char *chain_id, char link[STORE_LINK_LEN + 1],
           struct hk_error **err)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  _cleanup_free_ char *target = xasprintf ("../layers/%s", digest_hex (chain_id));
  for (int attempt = 0; attempt < 100; attempt++)
    {
      for (int i = 0; i < STORE_LINK_LEN; i++)
        link[i] = alphabet[arc4random_uniform (32)];
      link[STORE_LINK_LEN] = '\0';
      if (symlinkat (target, s->links_fd, link) == 0)
        return 0;
      if (errno != EEXIST)
        return hk_error_errno (err, errno, "create link `l/%s`", link);
    }
  return hk_error_set (err, EEXIST, "no free link name in `l`");
}

static int
record_layer (struct store *s, const struct layer_info *info, const char *parent,
              struct hk_error **err)
{
  char link[STORE_LINK_LEN + 1];
  if (make_link (s, info->chain_id, link, err) < 0)
    return -1;
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db,
                        "INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, link, size, "
                        "tar_size) VALUES (?, ?, ?, ?, ?, ?)",
                        &st, err, info->chain_id, info->diff_id, parent ? parent : "", link, NULL)
      < 0)
    return -1;
  sqlite3_bind_int64 (st, 5, (sqlite3_int64)info->size);
  sqlite3_bind_int64 (st, 6, (sqlite3_int64)info->tar_size);
  if (store_db_step (s->db, st, err) < 0)
    {
      unlinkat (s->links_fd, link, 0);
      return hk_error_prefix (err, "record layer %s", info->chain_id);
    }
  if (sqlite3_changes (s->db) == 0)
    unlinkat (s->links_fd, link, 0); /* someone else recorded it */
  return 0;
}

int
store_layer_commit (struct store *s, const char *scratch, const struct layer_info *info,
                    const char *parent_chain, struct hk_error **err)
{
  if (store_digest_lock (s, STORE_LOCK_LAYER, info->chain_id, false, err) < 0)
    return -1;
  int r = 0;
  const char *hex = digest_hex (info->chain_id);
  if (faccessat (s->layers_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    {
      /* Complete already (renamed only when whole), perhaps by a command
       * that died before recording it: ours is not needed. */
      _cleanup_error_ struct hk_error *ignored = NULL;
      fs_remove_tree (s->tmp_fd, scratch, &ignored);
    }
  else if (renameat (s->tmp_fd, scratch, s->layers_fd, hex) < 0)
    r = hk_error_errno (err, errno, "move layer %s into the store", info->chain_id);
  if (r == 0 && !store_layer_exists (s, info->chain_id))
    r = record_layer (s, info, parent_chain, err);
  store_digest_unlock (s, STORE_LOCK_LAYER, info->chain_id);
  return r;
}

int
store_layer_get (struct store *s, const char *chain_id, struct layer_info *info,
                 struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, "SELECT diff_id, size, tar_size FROM layers WHERE chain_id = ?", &st,
                        err, chain_id, NULL)
      < 0)
    return -1;
  int r = store_db_step (s->db, st, err);
  if (r < 0)
    return -1;
  if (r != SQLITE_ROW)
    return hk_error_set (err, ENOENT, "no such layer: %s", chain_id);
  memset (info, 0, sizeof *info);
  snprintf (info->chain_id, sizeof info->chain_id, "%s", chain_id);
  snprintf (info->diff_id, sizeof info->diff_id, "%s", store_db_text (st, 0));
  info->size = (uint64_t)sqlite3_column_int64 (st, 1);
  info->tar_size = (uint64_t)sqlite3_column_int64 (st, 2);
  return 0;
}
