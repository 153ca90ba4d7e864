/* SPDX-License-Identifier: Apache-2.0 */
/* Image records: the image row, its layers in order, the blobs it keeps
 * alive, and the tags and digests that name it. */
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "reference.h"
#include "store-db.h"
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
store_image_free (struct store_image *img)
{
  if (img == NULL)
    return;
  free (img->manifest_media_type);
  free (img->created);
  free (img->architecture);
  free (img->os);
  for (size_t i = 0; i < img->n_layers; i++)
    free (img->layers[i].media_type);
  free (img->layers);
  strv_free (img->repo_tags);
  strv_free (img->repo_digests);
  free (img);
}

void
store_image_list_free (struct store_image **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    store_image_free (list[i]);
  free (list);
}

static int
exec_bound (struct store *s, const char *sql, struct hk_error **err, const char *a, const char *b)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, sql, &st, err, a, b, NULL) < 0)
    return -1;
  return store_db_step (s->db, st, err) < 0 ? -1 : 0;
}

static int
add_blob_ref (struct store *s, const char *id, const char *digest, struct hk_error **err)
{
  return exec_bound (s, "INSERT OR IGNORE INTO image_blobs (image_id, digest) VALUES (?, ?)", err,
                     id, digest);
}

static int
image_add_in_tx (struct store *s, const struct store_image *img, const char *tag,
                 const char *repo_digest, char *const *extra_blobs, struct hk_error **err)
{
  uint64_t size = 0;
  for (size_t i = 0; i < img->n_layers; i++)
    size += img->layers[i].size;
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db,
                        "INSERT INTO images (id, manifest_digest, manifest_media_type, created, "
                        "architecture, os, size, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (id) DO UPDATE SET manifest_digest = excluded.manifest_digest,"
                        " manifest_media_type = excluded.manifest_media_type",
                        &st, err, img->id, img->manifest_digest, img->manifest_media_type,
                        img->created ? img->created : "",
                        img->architecture ? img->architecture : "", img->os ? img->os : "", NULL)
      < 0)
    return -1;
  sqlite3_bind_int64 (st, 7, (sqlite3_int64)size);
  sqlite3_bind_int64 (st, 8, (sqlite3_int64)time (NULL));
  if (store_db_step (s->db, st, err) < 0)
    return -1;

  if (exec_bound (s, "DELETE FROM image_layers WHERE image_id = ?", err, img->id, NULL) < 0)
    return -1;
  for (size_t i = 0; i < img->n_layers; i++)
    {
      const struct store_image_layer *l = &img->layers[i];
      _cleanup_stmt_ sqlite3_stmt *ins = NULL;
      if (store_db_prepare (
              s->db,
              "INSERT INTO image_layers (image_id, position, chain_id, diff_id, "
              "blob_digest, media_type, blob_size) VALUES (?1, ?6, ?2, ?3, ?4, ?5, ?7)",
              &ins, err, img->id, l->chain_id, l->diff_id, l->blob_digest, l->media_type, NULL)
          < 0)
        return -1;
      sqlite3_bind_int64 (ins, 6, (sqlite3_int64)i);
      sqlite3_bind_int64 (ins, 7, (sqlite3_int64)l->blob_size);
      if (store_db_step (s->db, ins, err) < 0)
        return -1;
      if (add_blob_ref (s, img->id, l->blob_digest, err) < 0)
        return -1;
    }
  if (add_blob_ref (s, img->id, img->id, err) < 0
      || add_blob_ref (s, img->id, img->manifest_digest, err) < 0)
    return -1;
  for (size_t i = 0; extra_blobs && extra_blobs[i]; i++)
    if (add_blob_ref (s, img->id, extra_blobs[i], err) < 0)
      return -1;
  if (tag != NULL
      && exec_bound (s, "INSERT OR REPLACE INTO tags (name, image_id) VALUES (?, ?)", err, tag,
                     img->id)
             < 0)
    return -1;
  if (repo_digest != NULL
      && exec_bound (s, "INSERT OR REPLACE INTO digests (name, image_id) VALUES (?, ?)", err,
                     repo_digest, img->id)
             < 0)
    return -1;
  return 0;
}

int
store_image_add (struct store *s, const struct store_image *img, const char *tag,
                 const char *repo_digest, char *const *extra_blobs, struct hk_error **err)
{
  if (store_tx_begin (s, err) < 0)
    return -1;
  if (image_add_in_tx (s, img, tag, repo_digest, extra_blobs, err) < 0)
    {
      store_tx_rollback (s);
      return hk_error_prefix (err, "record image %s", img->id);
    }
  return store_tx_commit (s, err);
}

static int
load_names (struct store *s, const char *table, const char *id, char ***out, struct hk_error **err)
{
  _cleanup_free_ char *sql
      = xasprintf ("SELECT name FROM %s WHERE image_id = ? ORDER BY name", table);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, sql, &st, err, id, NULL) < 0)
    return -1;
  return store_db_strings (s->db, st, out, err);
}

static int
load_layers (struct store *s, struct store_image *img, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db,
                        "SELECT il.chain_id, il.diff_id, il.blob_digest, il.media_type, "
                        "il.blob_size, COALESCE(l.size, 0) FROM image_layers il LEFT JOIN layers l "
                        "ON l.chain_id = il.chain_id WHERE il.image_id = ? ORDER BY il.position",
                        &st, err, img->id, NULL)
      < 0)
    return -1;
  int r;
  size_t cap = 0;
  while ((r = store_db_step (s->db, st, err)) == SQLITE_ROW)
    {
      if (img->n_layers == cap)
        {
          cap = cap ? 2 * cap : 8;
          img->layers = xreallocarray (img->layers, cap, sizeof *img->layers);
        }
      struct store_image_layer *l = &img->layers[img->n_layers++];
      memset (l, 0, sizeof *l);
      snprintf (l->chain_id, sizeof l->chain_id, "%s", store_db_text (st, 0));
      snprintf (l->diff_id, sizeof l->diff_id, "%s", store_db_text (st, 1));
      snprintf (l->blob_digest, sizeof l->blob_digest, "%s", store_db_text (st, 2));
      l->media_type = xstrdup (store_db_text (st, 3));
      l->blob_size = sqlite3_column_int64 (st, 4);
      l->size = (uint64_t)sqlite3_column_int64 (st, 5);
    }
  return r < 0 ? -1 : 0;
}

#define IMAGE_COLUMNS                                                                              \
  "id, manifest_digest, manifest_media_type, created, architecture, os, size, added, parent, "     \
  "EXISTS (SELECT 1 FROM images c WHERE c.parent = images.id)"

static struct store_image *
image_from_row (sqlite3_stmt *st)
{
  struct store_image *img = xzalloc (sizeof *img);
  snprintf (img->id, sizeof img->id, "%s", store_db_text (st, 0));
  snprintf (img->manifest_digest, sizeof img->manifest_digest, "%s", store_db_text (st, 1));
  img->manifest_media_type = xstrdup (store_db_text (st, 2));
  img->created = xstrdup (store_db_text (st, 3));
  img->architecture = xstrdup (store_db_text (st, 4));
  img->os = xstrdup (store_db_text (st, 5));
  img->size = (uint64_t)sqlite3_column_int64 (st, 6);
  img->added = sqlite3_column_int64 (st, 7);
  snprintf (img->parent, sizeof img->parent, "%s", store_db_text (st, 8));
  img->has_children = sqlite3_column_int (st, 9) != 0;
  return img;
}

static int
complete_image (struct store *s, struct store_image *img, struct hk_error **err)
{
  if (load_layers (s, img, err) < 0 || load_names (s, "tags", img->id, &img->repo_tags, err) < 0
      || load_names (s, "digests", img->id, &img->repo_digests, err) < 0)
    return -1;
  return 0;
}

int
store_image_get (struct store *s, const char *id, struct store_image **out, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, "SELECT " IMAGE_COLUMNS " FROM images WHERE id = ?", &st, err, id,
                        NULL)
      < 0)
    return -1;
  int r = store_db_step (s->db, st, err);
  if (r < 0)
    return -1;
  if (r != SQLITE_ROW)
    return hk_error_set (err, ENOENT, "no such image: %s", id);
  _cleanup_store_image_ struct store_image *img = image_from_row (st);
  if (complete_image (s, img, err) < 0)
    return -1;
  *out = take_ptr (img);
  return 0;
}

int
store_image_list (struct store *s, struct store_image ***out, size_t *n, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, "SELECT " IMAGE_COLUMNS " FROM images ORDER BY added DESC, id", &st,
                        err, NULL)
      < 0)
    return -1;
  struct store_image **list = NULL;
  size_t count = 0, cap = 0;
  int r;
  while ((r = store_db_step (s->db, st, err)) == SQLITE_ROW)
    {
      if (count == cap)
        {
          cap = cap ? 2 * cap : 16;
          list = xreallocarray (list, cap, sizeof *list);
        }
      list[count++] = image_from_row (st);
    }
  for (size_t i = 0; r >= 0 && i < count; i++)
    if (complete_image (s, list[i], err) < 0)
      r = -1;
  if (r < 0)
    {
      store_image_list_free (list, count);
      return -1;
    }
  *out = list;
  *n = count;
  return 0;
}

/* The image a full name (tag or digest reference) points at, or NULL. */
static int
lookup_name (struct store *s, const struct image_ref *ref, char **id, struct hk_error **err)
{
  _cleanup_free_ char *repo = image_ref_repository (ref);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (ref->digest != NULL)
    {
      /* By the digest it was pulled by, or by its manifest digest. */
      _cleanup_free_ char *name = xasprintf ("%s@%s", repo, ref->digest);
      if (store_db_prepare (s->db,
                            "SELECT image_id FROM digests WHERE name = ?1 UNION ALL "
                            "SELECT id FROM images WHERE manifest_digest = ?2 AND id IN "
                            "(SELECT image_id FROM tags WHERE name LIKE ?3 || ':%' "
                            " UNION SELECT image_id FROM digests WHERE name LIKE ?3 || '@%') "
                            "LIMIT 1",
                            &st, err, name, ref->digest, repo, NULL)
          < 0)
        return -1;
    }
  else
    {
      _cleanup_free_ char *name = image_ref_string (ref);
      if (store_db_prepare (s->db, "SELECT image_id FROM tags WHERE name = ?", &st, err, name, NULL)
          < 0)
        return -1;
    }
  int r = store_db_step (s->db, st, err);
  if (r < 0)
    return -1;
  *id = r == SQLITE_ROW ? xstrdup (store_db_text (st, 0)) : NULL;
  return 0;
}

static int
lookup_id_prefix (struct store *s, const char *text, char **id, struct hk_error **err)
{
  const char *hex = strncmp (text, "sha256:", 7) == 0 ? text + 7 : text;
  *id = NULL;
  if (!digest_is_hex_prefix (hex))
    return 0;
  _cleanup_free_ char *pattern = xasprintf ("sha256:%s%%", hex);
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, "SELECT id FROM images WHERE id LIKE ? LIMIT 2", &st, err, pattern,
                        NULL)
      < 0)
    return -1;
  int r = store_db_step (s->db, st, err);
  if (r != SQLITE_ROW)
    return r < 0 ? -1 : 0;
  _cleanup_free_ char *found = xstrdup (store_db_text (st, 0));
  r = store_db_step (s->db, st, err);
  if (r < 0)
    return -1;
  if (r == SQLITE_ROW)
    return hk_error_set (err, EINVAL,
                         "image ID prefix `%s` is ambiguous: it matches several "
                         "images",
                         text);
  *id = take_ptr (found);
  return 0;
}

int
store_image_resolve (struct store *s, const char *text, char *const *search, char **id,
                     struct hk_error **err)
{
  static char *const default_search[] = { (char *)REFERENCE_DEFAULT_DOMAIN, NULL };
  if (search == NULL || search[0] == NULL)
    search = default_search;
  bool qualified = image_ref_names_domain (text);
  _cleanup_error_ struct hk_error *parse_err = NULL;
  for (size_t i = 0; i < (qualified ? 1 : strv_length (search)); i++)
    {
      _cleanup_image_ref_ struct image_ref *ref = NULL;
      if (image_ref_parse_in (text, qualified ? NULL : search[i], &ref, &parse_err) < 0)
        break;
      if (lookup_name (s, ref, id, err) < 0)
        return -1;
      if (*id != NULL)
        return 0;
    }
  if (lookup_id_prefix (s, text, id, err) < 0)
    return -1;
  if (*id != NULL)
    return 0;
  if (parse_err != NULL && !digest_is_hex_prefix (text))
    {
      hk_error_free (*err);
      *err = take_ptr (parse_err);
      return -1;
    }
  return hk_error_set (err, ENOENT, "no such image: %s", text);
}

int
store_tag_add (struct store *s, const char *id, const char *tag, struct hk_error **err)
{
  /* A tag that names the image already writes nothing (a rebuild's). */
  return exec_bound (s,
                     "INSERT INTO tags (name, image_id) VALUES (?, ?) ON CONFLICT (name) DO "
                     "UPDATE SET image_id = excluded.image_id WHERE image_id != excluded.image_id",
                     err, tag, id);
}

int
store_digest_add (struct store *s, const char *id, const char *name, struct hk_error **err)
{
  return exec_bound (s, "INSERT OR REPLACE INTO digests (name, image_id) VALUES (?, ?)", err, name,
                     id);
}

int
store_tag_remove (struct store *s, const char *tag, struct hk_error **err)
{
  const char *table = strchr (tag, '@') ? "digests" : "tags";
  _cleanup_free_ char *sql = xasprintf ("DELETE FROM %s WHERE name = ?", table);
  if (exec_bound (s, sql, err, tag, NULL) < 0)
    return -1;
  if (sqlite3_changes (s->db) == 0)
    return hk_error_set (err, ENOENT, "no such image: %s", tag);
  return 0;
}

bool
store_image_untagged (const struct store_image *img)
{
  return strv_length (img->repo_tags) == 0 && strv_length (img->repo_digests) == 0;
}

bool
store_image_intermediate (const struct store_image *img)
{
  return store_image_untagged (img) && img->has_children;
}

bool
store_image_dangling (const struct store_image *img)
{
  return store_image_untagged (img) && !img->has_children;
}

int
store_image_set_parent (struct store *s, const char *id, const char *parent,
                        struct hk_error **err)
{
  return exec_bound (s, "UPDATE images SET parent = ?2 WHERE id = ?1 AND parent = ''", err, id,
                     parent);
}

int
store_image_prune_chain (struct store *s, const char *first, store_prune_fn deleted, void *data,
                         struct hk_error **err)
{
  char id[DIGEST_STRING_SIZE];
  snprintf (id, sizeof id, "%s", first);
  /* A chain ends; the bound only guards against a damaged database. */
  for (size_t depth = 0; *id && depth < 100000; depth++)
    {
      _cleanup_store_image_ struct store_image *img = NULL;
      _cleanup_strv_ char **users = NULL;
      _cleanup_error_ struct hk_error *gone = NULL;
      if (store_image_get (s, id, &img, &gone) < 0)
        return 0; /* removed already, or never here */
      if (!store_image_dangling (img))
        return 0;
      if (store_image_users (s, id, &users, err) < 0)
        return -1;
      if (users[0] != NULL)
        return 0;
      if (store_image_delete (s, id, err) < 0)
        return -1;
      if (deleted)
        deleted (img, data);
      memcpy (id, img->parent, DIGEST_STRING_SIZE);
    }
  return 0;
}

int
store_image_delete (struct store *s, const char *id, struct hk_error **err)
{
  if (store_tx_begin (s, err) < 0)
    return -1;
  static const char *const statements[] = {
    "DELETE FROM tags WHERE image_id = ?",
    "DELETE FROM digests WHERE image_id = ?",
    "DELETE FROM image_layers WHERE image_id = ?",
    "DELETE FROM image_blobs WHERE image_id = ?",
    "DELETE FROM images WHERE id = ?",
  };
  for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++)
    if (exec_bound (s, statements[i], err, id, NULL) < 0)
      {
        store_tx_rollback (s);
        return hk_error_prefix (err, "delete image %s", id);
      }
  return store_tx_commit (s, err);
}

int
store_image_users (struct store *s, const char *id, char ***users, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (s->db, "SELECT id FROM rootfs WHERE image_id = ? ORDER BY id", &st, err, id,
                        NULL)
      < 0)
    return -1;
  return store_db_strings (s->db, st, users, err);
}
