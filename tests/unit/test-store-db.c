/* SPDX-License-Identifier: Apache-2.0 */
/* The image store's schema: a new database gets every step, one at
 * version 2 (images.parent, made by main's `hako build` before the user
 * namespace maps of version 3 came) gets the rootfs maps and keeps its
 * rows, and one newer than this hako is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "store/store-db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

struct scratch
{
  char dir[40];
  char *path;
};

static int
scratch_setup (void **state)
{
  struct scratch *s = xzalloc (sizeof *s);
  strcpy (s->dir, "/tmp/hako-test-store-db-XXXXXX");
  assert_non_null (mkdtemp (s->dir));
  s->path = xasprintf ("%s/images.db", s->dir);
  *state = s;
  return 0;
}

static int
scratch_teardown (void **state)
{
  struct scratch *s = *state;
  assert_int_equal (fs_remove_tree (AT_FDCWD, s->dir, NULL), 0);
  free (s->path);
  free (s);
  return 0;
}

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;
  _cleanup_error_ struct hk_error *err = NULL;
  if (store_db_open (path, &db, &err) < 0)
    fail_msg ("store_db_open: %s", err->message);
  return db;
}

static int
user_version (sqlite3 *db)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  assert_int_equal (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
  assert_int_equal (sqlite3_step (st), SQLITE_ROW);
  return sqlite3_column_int (st, 0);
}

/* The one text SQL selects, which must be a single row. */
static char *
select_text (sqlite3 *db, const char *sql)
{
  _cleanup_stmt_ sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg ("%s: %s", sql, sqlite3_errmsg (db));
  assert_int_equal (sqlite3_step (st), SQLITE_ROW);
  return xstrdup ((const char *)sqlite3_column_text (st, 0));
}

static void
exec_sql (sqlite3 *db, const char *sql)
{
  char *msg = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg ("%s: %s", sql, msg);
}

static void
test_new_database_has_every_step (void **state)
{
  struct scratch *s = *state;
  sqlite3 *db = open_db (s->path);
  assert_int_equal (user_version (db), 3);
  exec_sql (db, "INSERT INTO images (id, manifest_digest, manifest_media_type, size, added,"
                " parent) VALUES ('sha256:b', 'm', 't', 0, 0, 'sha256:a');"
                "INSERT INTO rootfs (id, image_id, dir, created, uid_map, gid_map)"
                " VALUES ('c1', 'sha256:b', '/d', 0, '0 100000 65536', '0 100000 65536');");
  _cleanup_free_ char *parent = select_text (db, "SELECT parent FROM images");
  _cleanup_free_ char *map = select_text (db, "SELECT uid_map FROM rootfs");
  assert_string_equal (parent, "sha256:a");
  assert_string_equal (map, "0 100000 65536");
  sqlite3_close (db);
}

static void
test_version_2_from_main_gets_the_rootfs_maps (void **state)
{
  struct scratch *s = *state;
  /* Main's version 2: the images' parent, no maps on the root filesystems. */
  sqlite3 *db = open_db (s->path);
  exec_sql (db, "ALTER TABLE rootfs DROP COLUMN uid_map; ALTER TABLE rootfs DROP COLUMN gid_map;"
                "INSERT INTO images (id, manifest_digest, manifest_media_type, size, added,"
                " parent) VALUES ('sha256:b', 'm', 't', 0, 0, 'sha256:a');"
                "INSERT INTO rootfs (id, image_id, dir, created) VALUES ('c1', 'sha256:b', '/d', 0);"
                "PRAGMA user_version = 2;");
  sqlite3_close (db);

  db = open_db (s->path);
  assert_int_equal (user_version (db), 3);
  _cleanup_free_ char *parent = select_text (db, "SELECT parent FROM images WHERE id = 'sha256:b'");
  _cleanup_free_ char *uid_map = select_text (db, "SELECT uid_map FROM rootfs WHERE id = 'c1'");
  _cleanup_free_ char *gid_map = select_text (db, "SELECT gid_map FROM rootfs WHERE id = 'c1'");
  assert_string_equal (parent, "sha256:a");
  assert_string_equal (uid_map, "");
  assert_string_equal (gid_map, "");
  sqlite3_close (db);
}

static void
test_newer_database_is_refused (void **state)
{
  struct scratch *s = *state;
  sqlite3 *db = open_db (s->path);
  exec_sql (db, "PRAGMA user_version = 4");
  sqlite3_close (db);

  db = NULL;
  _cleanup_error_ struct hk_error *err = NULL;
  assert_int_equal (store_db_open (s->path, &db, &err), -1);
  assert_null (db);
  assert_int_equal (err->errnum, ENOTSUP);
  assert_non_null (strstr (err->message, "schema 4, newer than this hako knows (3)"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_new_database_has_every_step, scratch_setup,
                                     scratch_teardown),
    cmocka_unit_test_setup_teardown (test_version_2_from_main_gets_the_rootfs_maps, scratch_setup,
                                     scratch_teardown),
    cmocka_unit_test_setup_teardown (test_newer_database_is_refused, scratch_setup,
                                     scratch_teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
