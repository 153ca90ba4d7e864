/* SPDX-License-Identifier: Apache-2.0 */
/* The build's file digest cache: hits only for the same file with the
 * same size and times, nothing kept for a file changed just now, saved
 * and read back, damaged files ignored, unused entries forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "builder/file-digest-cache.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1700000000

static const char *const DIGEST_A
    = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char *const DIGEST_B
    = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

static char dir[] = "/tmp/hako-test-fdc.XXXXXX";
static struct stat context = { .st_dev = 8, .st_ino = 2 };

static struct stat
file (unsigned long ino, off_t size, time_t mtime, time_t ctime)
{
  struct stat st = { .st_dev = 8, .st_ino = ino, .st_size = size };
  st.st_mtim.tv_sec = mtime;
  st.st_ctim.tv_sec = ctime;
  st.st_ctim.tv_nsec = 5;
  return st;
}

static int
setup (void **state)
{
  if (mkdtemp (dir) == NULL)
    return -1;
  return 0;
}

static int
teardown (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  return fs_remove_tree (AT_FDCWD, dir, &err);
}

static void
test_hit_only_for_the_same_file_and_times (void **state)
{
  struct file_digest_cache *c = file_digest_cache_open (dir, &context);
  struct stat st = file (10, 100, NOW - 60, NOW - 60);
  char got[DIGEST_STRING_SIZE];
  assert_false (file_digest_cache_get (c, &st, got));
  file_digest_cache_put (c, &st, DIGEST_A, NOW);
  assert_true (file_digest_cache_get (c, &st, got));
  assert_string_equal (got, DIGEST_A);
  struct stat changed = st;
  changed.st_ctim.tv_nsec = 6; /* written again, same size and mtime */
  assert_false (file_digest_cache_get (c, &changed, got));
  changed = st;
  changed.st_size = 101;
  assert_false (file_digest_cache_get (c, &changed, got));
  changed = st;
  changed.st_ino = 11;
  assert_false (file_digest_cache_get (c, &changed, got));
  file_digest_cache_free (c);
}

static void
test_a_file_changed_just_now_is_not_kept (void **state)
{
  struct file_digest_cache *c = file_digest_cache_open (dir, &context);
  struct stat fresh = file (20, 1, NOW - 60, NOW - 1);
  file_digest_cache_put (c, &fresh, DIGEST_A, NOW);
  char got[DIGEST_STRING_SIZE];
  assert_false (file_digest_cache_get (c, &fresh, got));
  file_digest_cache_free (c);
}

static void
test_saved_and_read_back (void **state)
{
  struct file_digest_cache *c = file_digest_cache_open (dir, &context);
  for (unsigned long i = 0; i < 5000; i++)
    {
      struct stat st = file (1000 + i, (off_t)i, NOW - 60, NOW - 60);
      file_digest_cache_put (c, &st, i % 2 ? DIGEST_A : DIGEST_B, NOW);
    }
  _cleanup_error_ struct hk_error *err = NULL;
  assert_int_equal (file_digest_cache_save (c, &err), 0);
  file_digest_cache_free (c);
  c = file_digest_cache_open (dir, &context);
  char got[DIGEST_STRING_SIZE];
  for (unsigned long i = 0; i < 5000; i++)
    {
      struct stat st = file (1000 + i, (off_t)i, NOW - 60, NOW - 60);
      assert_true (file_digest_cache_get (c, &st, got));
      assert_string_equal (got, i % 2 ? DIGEST_A : DIGEST_B);
    }
  file_digest_cache_free (c);
  /* Another context has a cache of its own. */
  struct stat other = { .st_dev = 8, .st_ino = 3 };
  c = file_digest_cache_open (dir, &other);
  struct stat st = file (1001, 1, NOW - 60, NOW - 60);
  assert_false (file_digest_cache_get (c, &st, got));
  file_digest_cache_free (c);
}

static void
test_damaged_file_is_an_empty_cache (void **state)
{
  struct file_digest_cache *c = file_digest_cache_open (dir, &context);
  struct stat st = file (30, 1, NOW - 60, NOW - 60);
  file_digest_cache_put (c, &st, DIGEST_A, NOW);
  _cleanup_error_ struct hk_error *err = NULL;
  assert_int_equal (file_digest_cache_save (c, &err), 0);
  file_digest_cache_free (c);
  /* Cut in the middle of a record. */
  _cleanup_free_ char *cmd = xasprintf ("for f in %s/*; do truncate -s -7 \"$f\"; done", dir);
  assert_int_equal (system (cmd), 0);
  c = file_digest_cache_open (dir, &context);
  char got[DIGEST_STRING_SIZE];
  assert_false (file_digest_cache_get (c, &st, got));
  file_digest_cache_free (c);
}

static void
test_unused_entries_are_forgotten (void **state)
{
  struct stat ctx = { .st_dev = 8, .st_ino = 4 };
  struct file_digest_cache *c = file_digest_cache_open (dir, &ctx);
  for (unsigned long i = 0; i < 70000; i++)
    {
      struct stat st = file (i + 1, 1, NOW - 60, NOW - 60);
      file_digest_cache_put (c, &st, DIGEST_A, NOW);
    }
  _cleanup_error_ struct hk_error *err = NULL;
  assert_int_equal (file_digest_cache_save (c, &err), 0);
  file_digest_cache_free (c);
  /* A build that sees one file keeps it and 1 + 65536 others. */
  c = file_digest_cache_open (dir, &ctx);
  struct stat one = file (70000, 1, NOW - 60, NOW - 60);
  char got[DIGEST_STRING_SIZE];
  assert_true (file_digest_cache_get (c, &one, got));
  assert_int_equal (file_digest_cache_save (c, &err), 0);
  file_digest_cache_free (c);
  c = file_digest_cache_open (dir, &ctx);
  size_t kept = 0;
  for (unsigned long i = 0; i < 70000; i++)
    {
      struct stat st = file (i + 1, 1, NOW - 60, NOW - 60);
      kept += file_digest_cache_get (c, &st, got);
    }
  assert_true (file_digest_cache_get (c, &one, got));
  assert_int_equal (kept, 1 + 1 + 65536);
  file_digest_cache_free (c);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_hit_only_for_the_same_file_and_times),
    cmocka_unit_test (test_a_file_changed_just_now_is_not_kept),
    cmocka_unit_test (test_saved_and_read_back),
    cmocka_unit_test (test_damaged_file_is_an_empty_cache),
    cmocka_unit_test (test_unused_entries_are_forgotten),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
