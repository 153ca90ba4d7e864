/* SPDX-License-Identifier: Apache-2.0 */
#include "store-db.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdarg.h>

#define SCHEMA_VERSION 3

/* Version 1.  Digests are stored as "sha256:<hex>" text. */
static const char schema_v1[] = "CREATE TABLE images ("
                                "  id TEXT PRIMARY KEY," /* config digest */
                                "  manifest_digest TEXT NOT NULL,"
                                "  manifest_media_type TEXT NOT NULL,"
                                "  created TEXT," /* the config's "created" */
                                "  architecture TEXT,"
                                "  os TEXT,"
                                "  size INTEGER NOT NULL," /* content bytes of all layers */
                                "  added INTEGER NOT NULL" /* when it entered this store */
                                ");"
                                "CREATE TABLE tags ("
                                "  name TEXT PRIMARY KEY," /* docker.io/library/busybox:latest */
                                "  image_id TEXT NOT NULL"
                                ");"
                                "CREATE INDEX tags_image ON tags (image_id);"
                                "CREATE TABLE digests ("
                                "  name TEXT PRIMARY KEY," /* docker.io/library/busybox@sha256:… */
                                "  image_id TEXT NOT NULL"
                                ");"
                                "CREATE INDEX digests_image ON digests (image_id);"
                                "CREATE TABLE layers ("
                                "  chain_id TEXT PRIMARY KEY,"
                                "  diff_id TEXT NOT NULL,"
                                "  parent TEXT,"
                                "  link TEXT NOT NULL UNIQUE," /* name in l/ */
                                "  size INTEGER NOT NULL,"
                                "  tar_size INTEGER NOT NULL"
                                ");"
                                "CREATE TABLE image_layers ("
                                "  image_id TEXT NOT NULL,"
                                "  position INTEGER NOT NULL,"
                                "  chain_id TEXT NOT NULL,"
                                "  diff_id TEXT NOT NULL,"
                                "  blob_digest TEXT NOT NULL,"
                                "  media_type TEXT NOT NULL,"
                                "  blob_size INTEGER NOT NULL,"
                                "  PRIMARY KEY (image_id, position)"
                                ");"
                                "CREATE INDEX image_layers_chain ON image_layers (chain_id);"
                                "CREATE TABLE image_blobs (" /* every blob an image keeps alive */
                                "  image_id TEXT NOT NULL,"
                                "  digest TEXT NOT NULL,"
                                "  PRIMARY KEY (image_id, digest)"
                                ");"
                                "CREATE INDEX image_blobs_digest ON image_blobs (digest);"
                                "CREATE TABLE rootfs (" /* container root filesystems */
                                "  id TEXT PRIMARY KEY,"
                                "  image_id TEXT NOT NULL,"
                                "  dir TEXT NOT NULL,"
                                "  created INTEGER NOT NULL"
                                ");";

/* Version 2: an image made over another (commit, build) names it: its
 * parent, which Docker shows as Parent and by which it tells
 * intermediate images (a child's parent without a name) from dangling
 * ones. */
static const char schema_v2[] = "ALTER TABLE images ADD COLUMN parent TEXT NOT NULL DEFAULT '';"
                                "CREATE INDEX images_parent ON images (parent);";

/* Version 3.  A root filesystem may show its layers through a user
 * namespace's maps (the kernel's "INSIDE OUTSIDE COUNT" lines). */
static const char schema_v3[] = "ALTER TABLE rootfs ADD COLUMN uid_map TEXT NOT NULL DEFAULT '';"
                                "ALTER TABLE rootfs ADD COLUMN gid_map TEXT NOT NULL DEFAULT '';";

int
store_db_error (sqlite3 *db, const char *what, struct hk_error **err)
{
  int code = sqlite3_errcode (db);
  int errnum = code == SQLITE_BUSY || code == SQLITE_LOCKED ? EBUSY : EIO;
  return hk_error_set (err, errnum, "%s: %s", what, sqlite3_errmsg (db));
}

int
store_db_exec (sqlite3 *db, const char *sql, struct hk_error **err)
{
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      hk_error_set (err, EIO, "database: %s", msg ? msg : sqlite3_errmsg (db));
      sqlite3_free (msg);
      return -1;
    }
  return 0;
}

int
store_db_prepare (sqlite3 *db, const char *sql, sqlite3_stmt **out, struct hk_error **err, ...)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    return store_db_error (db, "prepare query", err);
  va_list ap;
  va_start (ap, err);
  int i = 1;
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    sqlite3_bind_text (st, i++, arg, -1, SQLITE_TRANSIENT);
  va_end (ap);
  *out = st;
  return 0;
}

int
store_db_step (sqlite3 *db, sqlite3_stmt *st, struct hk_error **err)
{
  int r = sqlite3_step (st);
  if (r == SQLITE_ROW || r == SQLITE_DONE)
    return r;
  return store_db_error (db, "database", err);
}

const char *
store_db_text (sqlite3_stmt *st, int col)
{
  const unsigned char *t = sqlite3_column_text (st, col);
  return t ? (const char *)t : "";
}

int
store_db_strings (sqlite3 *db, sqlite3_stmt *st, char ***out, struct hk_error **err)
{
  char **v = xzalloc (sizeof (char *));
  int r;
  while ((r = store_db_step (db, st, err)) == SQLITE_ROW)
    strv_append (&v, store_db_text (st, 0));
  if (r < 0)
    {
      strv_free (v);
      return -1;
    }
  *out = v;
  return 0;
}

static int
migrate (sqlite3 *db, struct hk_error **err)
{
  if (store_db_exec (db, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (store_db_prepare (db, "PRAGMA user_version", &st, err, NULL) < 0)
    goto fail;
  if (store_db_step (db, st, err) != SQLITE_ROW)
    goto fail;
  int version = sqlite3_column_int (st, 0);
  if (version > SCHEMA_VERSION)
    {
      hk_error_set (err, ENOTSUP,
                    "the store's database has schema %d, newer than this hako knows (%d)", version,
                    SCHEMA_VERSION);
      goto fail;
    }
  if (version < 1 && store_db_exec (db, schema_v1, err) < 0)
    goto fail;
  if (version < 2 && store_db_exec (db, schema_v2, err) < 0)
    goto fail;
  if (version < 3 && store_db_exec (db, schema_v3, err) < 0)
    goto fail;
  if (version < SCHEMA_VERSION && store_db_exec (db, "PRAGMA user_version = 3", err) < 0)
    goto fail;
  return store_db_exec (db, "COMMIT", err);
fail:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return -1;
}

int
store_db_open (const char *path, sqlite3 **out, struct hk_error **err)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK)
    {
      hk_error_set (err, EIO, "open database `%s`: %s", path,
                    db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return -1;
    }
  /* Two commands at once wait for each other instead of failing. */
  sqlite3_busy_timeout (db, 60000);
  /* Short-lived commands: a checkpoint (two fsyncs) and the removal of the
   * WAL at every close would cost more than most commands do.  But each
   * command, the only connection, reads the whole WAL when it opens the
   * database: it is checkpointed every 64 pages (256 KiB) to stay short
   * (bench/engine-run.sh: 1.5 ms less per `run --rm` than SQLite's 1000). */
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  if (store_db_exec (db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                     "PRAGMA wal_autocheckpoint = 64; PRAGMA foreign_keys = OFF;",
                     err)
          < 0
      || migrate (db, err) < 0)
    {
      sqlite3_close (db);
      return hk_error_prefix (err, "database `%s`", path);
    }
  *out = db;
  return 0;
}
