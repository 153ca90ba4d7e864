/* SPDX-License-Identifier: Apache-2.0 */
#include "userns-range.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "store/store-db.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static const char schema[]
    = "CREATE TABLE IF NOT EXISTS userns_ranges ("
      " container_id TEXT NOT NULL,"
      " kind TEXT NOT NULL," /* uid, gid */
      " host_start INTEGER NOT NULL,"
      " size INTEGER NOT NULL,"
      " exclusive INTEGER NOT NULL);" /* 1: auto's, shared with no one */
      "CREATE INDEX IF NOT EXISTS userns_ranges_container ON userns_ranges (container_id);";

int
userns_range_db_init (sqlite3 *db, struct hk_error **err)
{
  if (store_db_exec (db, schema, err) < 0)
    return hk_error_prefix (err, "user namespace ranges");
  return 0;
}

/* A range another container holds. */
struct held
{
  uint64_t start, size;
  bool exclusive;
  char *name; /* its container's */
};

static void
held_free (struct held *h, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (h[i].name);
  free (h);
}

/* The ranges of KIND held by recorded containers, lowest first. */
static int
held_ranges (sqlite3 *db, const char *kind, struct held **out, size_t *n, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db,
                        "SELECT r.host_start, r.size, r.exclusive, c.name FROM userns_ranges r"
                        " JOIN containers c ON c.id = r.container_id WHERE r.kind = ?"
                        " ORDER BY r.host_start",
                        &st, err, kind, NULL)
      < 0)
    return -1;
  *out = NULL;
  *n = 0;
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    {
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = (struct held){
        .start = (uint64_t)sqlite3_column_int64 (st, 0),
        .size = (uint64_t)sqlite3_column_int64 (st, 1),
        .exclusive = sqlite3_column_int (st, 2) != 0,
        .name = xstrdup (store_db_text (st, 3)),
      };
    }
  if (r < 0)
    {
      held_free (*out, *n);
      return -1;
    }
  return 0;
}

static int
record (sqlite3 *db, const char *id, const char *kind, const struct id_map *m, size_t n,
        bool exclusive, struct hk_error **err)
{
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_stmt_ sqlite3_stmt *st = NULL;
      if (store_db_prepare (db,
                            "INSERT INTO userns_ranges (container_id, kind, host_start, size,"
                            " exclusive) VALUES (?, ?, ?, ?, ?)",
                            &st, err, id, kind, NULL)
          < 0)
        return -1;
      sqlite3_bind_int64 (st, 3, m[i].host_id);
      sqlite3_bind_int64 (st, 4, m[i].size);
      sqlite3_bind_int (st, 5, exclusive);
      if (store_db_step (db, st, err) < 0)
        return -1;
    }
  return 0;
}

/* The first block of SIZE ids in POOL that no held range touches. */
static bool
first_fit (const struct subid_range *pool, size_t n_pool, const struct held *held, size_t n_held,
           uint32_t size, uint32_t *out)
{
  for (size_t p = 0; p < n_pool; p++)
    {
      uint64_t start = pool[p].start, end = (uint64_t)pool[p].start + pool[p].count;
      for (size_t h = 0; h < n_held && start + size <= end; h++)
        if (id_range_overlaps (start, size, held[h].start, held[h].size))
          start = held[h].start + held[h].size; /* held is sorted: look past it */
      if (start + size <= end)
        {
          *out = (uint32_t)start;
          return true;
        }
    }
  return false;
}

static uint64_t
pool_total (const struct subid_range *pool, size_t n)
{
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += pool[i].count;
  return total;
}

/* One block of SIZE ids of KIND for ID, mapped from 0. */
static int
allocate_kind (sqlite3 *db, const char *id, const char *kind, uint32_t size,
               const struct subid_range *pool, size_t n_pool, struct id_map **out,
               struct hk_error **err)
{
  struct held *held = NULL;
  size_t n_held = 0;
  if (held_ranges (db, kind, &held, &n_held, err) < 0)
    return -1;
  uint32_t start;
  bool found = first_fit (pool, n_pool, held, n_held, size, &start);
  held_free (held, n_held);
  if (!found)
    return hk_error_set (err, ENOSPC,
                         "--userns auto: no free block of %" PRIu32 " %ss left in the %" PRIu64
                         " subordinate %ss of user `%s` (remove containers, ask for a smaller "
                         "size, or add ranges)",
                         size, kind, pool_total (pool, n_pool), kind, SUBID_DEFAULT_USER);
  struct id_map m = { .container_id = 0, .host_id = start, .size = size };
  if (record (db, id, kind, &m, 1, true, err) < 0)
    return -1;
  *out = xmalloc (sizeof m);
  **out = m;
  return 0;
}

/* Rows of containers that are gone (a create that died half-way). */
static int
forget_orphans (sqlite3 *db, struct hk_error **err)
{
  return store_db_exec (db,
                        "DELETE FROM userns_ranges WHERE container_id NOT IN"
                        " (SELECT id FROM containers)",
                        err);
}

/* Ends the transaction a step that returned RC_OF_STEP ran in: COMMIT, or
 * ROLLBACK when it failed. */
static int
finish_transaction (sqlite3 *db, int rc_of_step, struct hk_error **err)
{
  if (rc_of_step < 0)
    {
      store_db_exec (db, "ROLLBACK", NULL);
      return -1;
    }
  return store_db_exec (db, "COMMIT", err);
}

int
userns_range_allocate (sqlite3 *db, const char *id, uint32_t size,
                       const struct subid_range *uid_pool, size_t n_uid_pool,
                       const struct subid_range *gid_pool, size_t n_gid_pool,
                       struct id_map **uid_map, struct id_map **gid_map, struct hk_error **err)
{
  *uid_map = *gid_map = NULL;
  if (store_db_exec (db, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  int rc = forget_orphans (db, err);
  if (rc == 0)
    rc = allocate_kind (db, id, "uid", size, uid_pool, n_uid_pool, uid_map, err);
  if (rc == 0)
    rc = allocate_kind (db, id, "gid", size, gid_pool, n_gid_pool, gid_map, err);
  if (finish_transaction (db, rc, err) < 0)
    {
      free (take_ptr (*uid_map));
      free (take_ptr (*gid_map));
      return -1;
    }
  return 0;
}

/* M against the ranges of KIND others hold. */
static int
check_claim (sqlite3 *db, const char *kind, const struct id_map *m, size_t n, struct hk_error **err)
{
  struct held *held = NULL;
  size_t n_held = 0;
  if (held_ranges (db, kind, &held, &n_held, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    for (size_t h = 0; h < n_held && rc == 0; h++)
      {
        if (!id_range_overlaps (m[i].host_id, m[i].size, held[h].start, held[h].size))
          continue;
        bool same = held[h].start == m[i].host_id && held[h].size == m[i].size;
        if (held[h].exclusive || !same)
          rc = hk_error_set (err, EBUSY,
                             "the %ss %" PRIu32 "-%" PRIu64
                             " overlap those of container %s (%" PRIu64 "-%" PRIu64 ")%s",
                             kind, m[i].host_id, (uint64_t)m[i].host_id + m[i].size - 1,
                             held[h].name, held[h].start, held[h].start + held[h].size - 1,
                             held[h].exclusive ? ", which has them to itself (--userns auto)" : "");
      }
  held_free (held, n_held);
  return rc;
}

int
userns_range_claim (sqlite3 *db, const char *id, const struct id_map *uid_map, size_t n_uid,
                    const struct id_map *gid_map, size_t n_gid, bool joined, struct hk_error **err)
{
  if (store_db_exec (db, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  int rc = forget_orphans (db, err);
  if (rc == 0 && !joined)
    rc = check_claim (db, "uid", uid_map, n_uid, err);
  if (rc == 0 && !joined)
    rc = check_claim (db, "gid", gid_map, n_gid, err);
  if (rc == 0)
    rc = record (db, id, "uid", uid_map, n_uid, false, err);
  if (rc == 0)
    rc = record (db, id, "gid", gid_map, n_gid, false, err);
  return finish_transaction (db, rc, err);
}

int
userns_range_release (sqlite3 *db, const char *id, struct hk_error **err)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "DELETE FROM userns_ranges WHERE container_id = ?", &st, err, id, NULL)
          < 0
      || store_db_step (db, st, err) < 0)
    return -1;
  return 0;
}
