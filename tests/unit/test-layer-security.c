/* SPDX-License-Identifier: Apache-2.0 */
/* Regression tests for hostile tar layers: each one tries to write
 * outside the layer directory and must fail with an error naming the
 * entry, leaving everything outside as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "layer-test-util.h"

#include <dirent.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Only "layer" and "outside" (unchanged) may exist in the scratch top. */
static void
assert_outside_untouched (struct scratch *s)
{
  DIR *d = opendir (s->top);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, "..") && strcmp (de->d_name, "layer")
        && strcmp (de->d_name, "outside"))
      fail_msg ("`%s` appeared outside the layer", de->d_name);
  closedir (d);
  char buf[64] = { 0 };
  int fd = openat (s->top_fd, "outside", O_RDONLY);
  assert_true (fd >= 0);
  assert_int_equal (read (fd, buf, sizeof buf), 9);
  close (fd);
  assert_string_equal (buf, "original\n");
  struct stat st;
  assert_int_equal (fstatat (s->top_fd, "outside", &st, 0), 0);
  assert_int_equal (st.st_nlink, 1);
}

static void
expect_refused (struct tarb *t, const char *entry_in_message, const char *why)
{
  struct scratch s;
  scratch_make (&s);
  _cleanup_error_ struct hk_error *err = NULL;
  struct layer_extract_result res;
  tarb_finish (t);
  int r = extract_tar (&s, t, &res, &err);
  if (r == 0)
    fail_msg ("extraction succeeded; expected a refusal of %s", entry_in_message);
  if (strstr (err->message, entry_in_message) == NULL || strstr (err->message, why) == NULL)
    fail_msg ("message `%s` should name `%s` and say `%s`", err->message, entry_in_message, why);
  assert_outside_untouched (&s);
  scratch_remove (&s);
  tarb_free (t);
}

static void
test_dotdot_entry (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_file (&t, "ok", "fine", 0644);
  tarb_file (&t, "../outside", "pwned", 0644);
  expect_refused (&t, "layer entry `../outside`", "`..` refused");
}

static void
test_dotdot_in_middle (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_dir (&t, "a", 0755);
  tarb_file (&t, "a/../../evil", "pwned", 0644);
  expect_refused (&t, "layer entry `a/../../evil`", "`..` refused");
}

static void
test_absolute_name (void **state)
{
  struct tarb t;
  char name[128];
  tarb_init (&t, TARB_PLAIN);
  /* Aimed at the real scratch directory, so a follow would show. */
  strcpy (name, "/tmp/never-written-by-hako-test");
  tarb_file (&t, name, "pwned", 0644);
  expect_refused (&t, "layer entry `/tmp/never-written-by-hako-test`", "absolute");
  assert_int_equal (access (name, F_OK), -1);
}

static void
test_symlink_parent_relative (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_symlink (&t, "escape", "..");
  tarb_file (&t, "escape/evil", "pwned", 0644);
  expect_refused (&t, "layer entry `escape/evil`", "symbolic link");
}

static void
test_symlink_parent_absolute (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_symlink (&t, "etc", "/tmp");
  tarb_file (&t, "etc/hako-evil", "pwned", 0644);
  expect_refused (&t, "layer entry `etc/hako-evil`", "symbolic link");
  assert_int_equal (access ("/tmp/hako-evil", F_OK), -1);
}

static void
test_symlink_deep_parent (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_dir (&t, "a", 0755);
  tarb_symlink (&t, "a/b", "../..");
  tarb_dir (&t, "a/b/c", 0755);
  expect_refused (&t, "layer entry `a/b/c", "parent `a/b` is a symbolic link");
}

static void
test_symlink_overwrite_target (void **state)
{
  /* A symlink to the outside file, then a regular file of the same name:
   * the file must replace the link, not write through it. */
  struct scratch s;
  scratch_make (&s);
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  char target[128];
  snprintf (target, sizeof target, "%s/outside", s.top);
  tarb_symlink (&t, "victim", target);
  tarb_file (&t, "victim", "replaced", 0644);
  tarb_finish (&t);
  _cleanup_error_ struct hk_error *err = NULL;
  struct layer_extract_result res;
  if (extract_tar (&s, &t, &res, &err) < 0)
    fail_msg ("%s", err->message);
  assert_outside_untouched (&s);
  struct stat st;
  assert_int_equal (fstatat (s.layer_fd, "victim", &st, AT_SYMLINK_NOFOLLOW), 0);
  assert_true (S_ISREG (st.st_mode));
  scratch_remove (&s);
  tarb_free (&t);
}

static void
test_hardlink_outside_relative (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_hardlink (&t, "link", "../outside");
  expect_refused (&t, "layer entry `link`", "`..` refused");
}

static void
test_hardlink_outside_absolute (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_hardlink (&t, "passwd", "/etc/passwd");
  expect_refused (&t, "layer entry `passwd`", "absolute");
}

static void
test_hardlink_through_symlink (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_symlink (&t, "up", "..");
  tarb_hardlink (&t, "link", "up/outside");
  expect_refused (&t, "layer entry `link`", "symbolic link");
}

static void
test_hardlink_missing_target (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_hardlink (&t, "link", "not-there");
  expect_refused (&t, "layer entry `link`", "not an earlier entry");
}

static void
test_overlay_xattrs_ignored (void **state)
{
  struct scratch s;
  scratch_make (&s);
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  struct archive_entry *e = tarb_entry ("d", AE_IFDIR, 0755);
  archive_entry_xattr_add_entry (e, "trusted.overlay.redirect", "/etc", 4);
  archive_entry_xattr_add_entry (e, "user.kept", "v", 1);
  tarb_write (&t, e, NULL, 0);
  tarb_finish (&t);
  _cleanup_error_ struct hk_error *err = NULL;
  struct layer_extract_result res;
  if (extract_tar (&s, &t, &res, &err) < 0)
    fail_msg ("%s", err->message);
  char path[128], value[16];
  snprintf (path, sizeof path, "%s/layer/d", s.top);
  assert_int_equal (getxattr (path, "trusted.overlay.redirect", value, sizeof value), -1);
  /* user xattrs need a file system that has them (not every tmpfs) */
  ssize_t n = getxattr (path, "user.kept", value, sizeof value);
  assert_true (n == 1 || errno == ENOTSUP || errno == ENODATA);
  scratch_remove (&s);
  tarb_free (&t);
}

static void
test_bad_whiteout_name (void **state)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_file (&t, "a/.wh...", "", 0644);
  expect_refused (&t, "layer entry `a/.wh...`", "names nothing");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_dotdot_entry),
    cmocka_unit_test (test_dotdot_in_middle),
    cmocka_unit_test (test_absolute_name),
    cmocka_unit_test (test_symlink_parent_relative),
    cmocka_unit_test (test_symlink_parent_absolute),
    cmocka_unit_test (test_symlink_deep_parent),
    cmocka_unit_test (test_symlink_overwrite_target),
    cmocka_unit_test (test_hardlink_outside_relative),
    cmocka_unit_test (test_hardlink_outside_absolute),
    cmocka_unit_test (test_hardlink_through_symlink),
    cmocka_unit_test (test_hardlink_missing_target),
    cmocka_unit_test (test_overlay_xattrs_ignored),
    cmocka_unit_test (test_bad_whiteout_name),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
