/* SPDX-License-Identifier: Apache-2.0 */
/* User namespace ids: maps checked as the kernel will, subordinate id
 * files read and extended, and the store's ranges (auto blocks, claims,
 * overlaps, release). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/id-map.h"
#include "engine/subid.h"
#include "engine/keep-id-etc.h"
#include "engine/userns-keep-id.h"
#include "engine/userns-range.h"
#include "store/store-db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
maps_checked_as_the_kernel_will (void **state)
{
  (void)state;
  struct hk_error *err = NULL;
  struct id_map good[] = { { 0, 100000, 1000 }, { 1000, 300000, 10 } };
  assert_int_equal (id_map_check (good, 2, "--uidmap", &err), 0);
  struct id_map inside[] = { { 0, 100000, 1000 }, { 999, 300000, 10 } };
  assert_int_equal (id_map_check (inside, 2, "--uidmap", &err), -1);
  assert_non_null (strstr (err->message, "--uidmap"));
  hk_error_free (take_ptr (err));
  struct id_map outside[] = { { 0, 100000, 1000 }, { 2000, 100999, 10 } };
  assert_int_equal (id_map_check (outside, 2, "--gidmap", &err), -1);
  hk_error_free (take_ptr (err));
  struct id_map empty[] = { { 0, 100000, 0 } };
  assert_int_equal (id_map_check (empty, 1, "--uidmap", &err), -1);
  hk_error_free (take_ptr (err));
  struct id_map past[] = { { 0, 4294967295U, 2 } };
  assert_int_equal (id_map_check (past, 1, "--uidmap", &err), -1);
  hk_error_free (take_ptr (err));
}

static void
ids_mapped_both_ways (void **state)
{
  (void)state;
  struct id_map m[] = { { 0, 200000, 65536 } };
  struct id_maps maps = { .uid = m, .gid = m, .n_uid = 1, .n_gid = 1 };
  uint32_t uid = 201000, gid = 5;
  id_maps_to_container (&maps, &uid, &gid);
  assert_int_equal (uid, 1000);
  assert_int_equal (gid, ID_MAP_OVERFLOW);
  uid = 7, gid = 8;
  id_maps_to_host (&maps, &uid, &gid);
  assert_int_equal (uid, 200007);
  assert_int_equal (gid, 200008);
  char *text = id_map_format (m, 1);
  struct id_map *back = NULL;
  size_t n = 0;
  assert_int_equal (id_map_parse_kernel (text, &back, &n, NULL), 0);
  assert_int_equal (n, 1);
  assert_memory_equal (back, m, sizeof m);
  free (back);
  free (text);
  /* as /proc/PID/uid_map pads it */
  assert_int_equal (id_map_parse_kernel ("         0     200000      65536\n", &back, &n, NULL), 0);
  assert_int_equal (back[0].host_id, 200000);
  free (back);
}

static char *
temp_file (const char *text)
{
  char *path = strdup ("/tmp/hako-test-subid.XXXXXX");
  int fd = mkstemp (path);
  assert_true (fd >= 0);
  assert_int_equal (write (fd, text, strlen (text)), (ssize_t)strlen (text));
  close (fd);
  return path;
}

static void
subordinate_ranges_read_and_added (void **state)
{
  (void)state;
  char *file = temp_file ("alice:100000:65536\n# not a range\nbob:165536:65536\n"
                          "alice:300000:10\n");
  struct subid_range *r = NULL;
  size_t n = 0;
  struct hk_error *err = NULL;
  assert_int_equal (subid_ranges (file, "alice", &r, &n, NULL), 0);
  assert_int_equal (n, 2);
  assert_int_equal (r[0].start, 100000);
  assert_int_equal (r[1].start, 300000);
  assert_int_equal (r[1].count, 10);
  free (r);
  assert_int_equal (subid_ranges (file, "carol", &r, &n, &err), -1);
  assert_non_null (strstr (err->message, "carol"));
  hk_error_free (take_ptr (err));
  /* a new user's range goes after every range there is */
  assert_int_equal (subid_ensure (file, "hako", 1000, NULL), 0);
  assert_int_equal (subid_ranges (file, "hako", &r, &n, NULL), 0);
  assert_int_equal (n, 1);
  assert_true (r[0].start >= 300010);
  assert_int_equal (r[0].count, 1000);
  uint32_t first = r[0].start;
  free (r);
  /* and only once */
  assert_int_equal (subid_ensure (file, "hako", 1000, NULL), 0);
  assert_int_equal (subid_ranges (file, "hako", &r, &n, NULL), 0);
  assert_int_equal (n, 1);
  assert_int_equal (r[0].start, first);
  free (r);
  unlink (file);
  free (file);
}

static sqlite3 *
ranges_db (void)
{
  sqlite3 *db = NULL;
  assert_int_equal (sqlite3_open (":memory:", &db), SQLITE_OK);
  assert_int_equal (store_db_exec (db,
                                   "CREATE TABLE containers (id TEXT PRIMARY KEY, name TEXT);"
                                   "INSERT INTO containers VALUES ('a', 'ca'), ('b', 'cb'),"
                                   " ('c', 'cc'), ('d', 'cd');",
                                   NULL),
                    0);
  assert_int_equal (userns_range_db_init (db, NULL), 0);
  return db;
}

static uint32_t
allocate (sqlite3 *db, const char *id, uint32_t size, const struct subid_range *pool, size_t n_pool)
{
  struct id_map *u = NULL, *g = NULL;
  assert_int_equal (userns_range_allocate (db, id, size, pool, n_pool, pool, n_pool, &u, &g, NULL),
                    0);
  uint32_t start = u->host_id;
  assert_int_equal (g->host_id, start);
  assert_int_equal (u->size, size);
  free (u);
  free (g);
  return start;
}

static void
auto_blocks_never_shared_and_freed_on_release (void **state)
{
  (void)state;
  sqlite3 *db = ranges_db ();
  struct subid_range pool[] = { { 100000, 3000 }, { 500000, 65536 } };
  assert_int_equal (allocate (db, "a", 1000, pool, 2), 100000);
  assert_int_equal (allocate (db, "b", 1000, pool, 2), 101000);
  /* 1000 left in the first range: 2000 goes to the second */
  assert_int_equal (allocate (db, "c", 2000, pool, 2), 500000);
  struct id_map *u = NULL, *g = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (userns_range_allocate (db, "d", 70000, pool, 2, pool, 2, &u, &g, &err), -1);
  assert_non_null (strstr (err->message, "70000"));
  hk_error_free (take_ptr (err));
  assert_int_equal (userns_range_release (db, "a", NULL), 0);
  assert_int_equal (allocate (db, "d", 500, pool, 2), 100000);
  sqlite3_close (db);
}

static void
claims_refused_on_overlap_unless_the_same_range_or_joined (void **state)
{
  (void)state;
  sqlite3 *db = ranges_db ();
  struct subid_range pool[] = { { 100000, 65536 } };
  assert_int_equal (allocate (db, "a", 1000, pool, 1), 100000);
  struct hk_error *err = NULL;
  struct id_map over[] = { { 0, 100500, 100 } };
  assert_int_equal (userns_range_claim (db, "b", over, 1, over, 1, false, &err), -1);
  assert_non_null (strstr (err->message, "ca"));
  hk_error_free (take_ptr (err));
  /* the very range of an auto container is still its own */
  struct id_map same_auto[] = { { 0, 100000, 1000 } };
  assert_int_equal (userns_range_claim (db, "b", same_auto, 1, same_auto, 1, false, &err), -1);
  hk_error_free (take_ptr (err));
  /* unless its namespace is joined */
  assert_int_equal (userns_range_claim (db, "b", same_auto, 1, same_auto, 1, true, NULL), 0);
  /* two hand-made maps may share the very same range, not part of it */
  struct id_map hand[] = { { 0, 400000, 100 } }, part[] = { { 0, 400050, 100 } };
  assert_int_equal (userns_range_claim (db, "c", hand, 1, hand, 1, false, NULL), 0);
  assert_int_equal (userns_range_claim (db, "d", hand, 1, hand, 1, false, NULL), 0);
  assert_int_equal (userns_range_release (db, "d", NULL), 0);
  assert_int_equal (userns_range_claim (db, "d", part, 1, part, 1, false, &err), -1);
  hk_error_free (take_ptr (err));
  sqlite3_close (db);
}

static void
keep_id_and_nomap_nested_in_the_holder (void **state)
{
  (void)state;
  struct hk_error *err = NULL;
  struct id_map holder[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
  struct id_map *m = NULL;
  size_t n = 0;
  uint32_t own = 0;
  assert_int_equal (userns_nested_maps (holder, 2, true, &m, &n, &own, &err), 0);
  assert_int_equal (own, 1000);
  assert_int_equal (n, 3);
  struct id_map keep[] = { { 0, 1, 1000 }, { 1000, 0, 1 }, { 1001, 1001, 64536 } };
  assert_memory_equal (m, keep, sizeof keep);
  free (take_ptr (m));
  assert_int_equal (userns_nested_maps (holder, 2, false, &m, &n, &own, &err), 0);
  assert_int_equal (n, 1);
  struct id_map nomap[] = { { 0, 1, 65536 } };
  assert_memory_equal (m, nomap, sizeof nomap);
  free (take_ptr (m));
  /* a uid above the range: the range below it, the uid alone */
  struct id_map small[] = { { 0, 70000, 1 }, { 1, 100000, 10 } };
  assert_int_equal (userns_nested_maps (small, 2, true, &m, &n, &own, &err), 0);
  struct id_map keep_small[] = { { 0, 1, 10 }, { 70000, 0, 1 } };
  assert_int_equal (n, 2);
  assert_memory_equal (m, keep_small, sizeof keep_small);
  free (take_ptr (m));
  /* the user's uid alone: keep-id maps it, nomap has nothing to map */
  struct id_map single[] = { { 0, 1000, 1 } };
  assert_int_equal (userns_nested_maps (single, 1, true, &m, &n, &own, &err), 0);
  assert_int_equal (n, 1);
  assert_int_equal (m[0].container_id, 1000);
  free (take_ptr (m));
  assert_int_equal (userns_nested_maps (single, 1, false, &m, &n, &own, &err), -1);
  assert_non_null (strstr (err->message, "nomap"));
  hk_error_free (take_ptr (err));
  /* not one block from 0 */
  struct id_map gap[] = { { 0, 1000, 1 }, { 5, 100000, 10 } };
  assert_int_equal (userns_nested_maps (gap, 2, true, &m, &n, &own, &err), -1);
  hk_error_free (take_ptr (err));
}

static void
keep_id_user_added_to_passwd_and_group_unless_there (void **state)
{
  (void)state;
  struct id_map keep[] = { { 0, 1, 1000 }, { 1000, 0, 1 }, { 1001, 1001, 64536 } };
  uint32_t own = 0;
  assert_true (keep_id_own_id (keep, 3, &own));
  assert_int_equal (own, 1000);
  struct id_map nomap[] = { { 0, 1, 65536 } };
  assert_false (keep_id_own_id (nomap, 1, &own));
  const char *line = "alice:*:1000:1000:alice:/home/alice:/bin/sh";
  /* added after the image's entries; a last line without its newline
   * gets one first */
  char *with = keep_id_db_with_line ("root:x:0:0:root:/root:/bin/sh", "alice", 1000, line);
  assert_string_equal (with, "root:x:0:0:root:/root:/bin/sh\n"
                             "alice:*:1000:1000:alice:/home/alice:/bin/sh\n");
  free (with);
  with = keep_id_db_with_line ("", "alice", 1000, line);
  assert_string_equal (with, "alice:*:1000:1000:alice:/home/alice:/bin/sh\n");
  free (with);
  /* the image has the id, or the name: nothing added */
  assert_null (keep_id_db_with_line ("root:x:0:0::/:/bin/sh\nbob:x:1000:1000::/:/bin/sh\n",
                                     "alice", 1000, line));
  assert_null (keep_id_db_with_line ("alice:x:1001:1001::/:/bin/sh\n", "alice", 1000, line));
  /* a group file: the gid is the third field too */
  assert_null (keep_id_db_with_line ("staff:x:1000:\n", "alice", 1000, "alice:x:1000:"));
  /* a malformed line names nothing */
  with = keep_id_db_with_line ("garbage\n::\n", "alice", 1000, "alice:x:1000:");
  assert_non_null (with);
  free (with);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (maps_checked_as_the_kernel_will),
    cmocka_unit_test (ids_mapped_both_ways),
    cmocka_unit_test (subordinate_ranges_read_and_added),
    cmocka_unit_test (auto_blocks_never_shared_and_freed_on_release),
    cmocka_unit_test (claims_refused_on_overlap_unless_the_same_range_or_joined),
    cmocka_unit_test (keep_id_and_nomap_nested_in_the_holder),
    cmocka_unit_test (keep_id_user_added_to_passwd_and_group_unless_there),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
