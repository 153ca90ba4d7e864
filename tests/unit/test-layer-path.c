/* SPDX-License-Identifier: Apache-2.0 */
/* The pure rules of layer extraction: entry names, whiteouts, xattrs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "transfer/layer-path.h"

#include <string.h>

static void
expect_clean (const char *name, const char *want)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_free_ char *out = NULL;
  if (layer_path_clean (name, &out, &err) < 0)
    fail_msg ("%s: %s", name, err->message);
  assert_string_equal (out, want);
}

static void
expect_refused (const char *name, const char *why)
{
  _cleanup_error_ struct hk_error *err = NULL;
  _cleanup_free_ char *out = NULL;
  if (layer_path_clean (name, &out, &err) == 0)
    fail_msg ("`%s` was accepted as `%s`", name, out);
  if (strstr (err->message, why) == NULL)
    fail_msg ("`%s`: `%s` lacks `%s`", name, err->message, why);
}

static void
test_clean_names (void **state)
{
  expect_clean ("a/b", "a/b");
  expect_clean ("./a//b/", "a/b");
  expect_clean ("./", "");
  expect_clean (".", "");
  expect_clean ("a/./b/.", "a/b");
  expect_clean ("..a/b..", "..a/b..");
  expect_clean ("...", "...");
}

static void
test_refuses_escapes (void **state)
{
  expect_refused ("../etc/passwd", "`..`");
  expect_refused ("a/../../b", "`..`");
  expect_refused ("a/..", "`..`");
  expect_refused ("./..", "`..`");
  expect_refused ("/etc/passwd", "absolute");
  expect_refused ("//etc", "absolute");
  expect_refused ("", "empty");
  char long_component[400];
  memset (long_component, 'x', sizeof long_component - 1);
  long_component[sizeof long_component - 1] = '\0';
  expect_refused (long_component, "longer than");
}

static void
test_whiteouts (void **state)
{
  _cleanup_error_ struct hk_error *err = NULL;
  enum whiteout_kind kind;
  const char *target;
  assert_int_equal (layer_whiteout_classify ("file", &kind, &target, &err), 0);
  assert_int_equal (kind, WHITEOUT_NONE);
  assert_int_equal (layer_whiteout_classify (".wh.file", &kind, &target, &err), 0);
  assert_int_equal (kind, WHITEOUT_FILE);
  assert_string_equal (target, "file");
  assert_int_equal (layer_whiteout_classify (".wh..wh..opq", &kind, &target, &err), 0);
  assert_int_equal (kind, WHITEOUT_OPAQUE);
  assert_int_equal (layer_whiteout_classify (".wh..wh.plnk", &kind, &target, &err), 0);
  assert_int_equal (kind, WHITEOUT_META);
  assert_int_equal (layer_whiteout_classify (".wh.", &kind, &target, &err), -1);
  assert_int_equal (layer_whiteout_classify (".wh...", &kind, &target, &err), -1);
  assert_int_equal (layer_whiteout_classify (".wh..", &kind, &target, &err), -1);
  assert_int_equal (layer_whiteout_classify (".whx", &kind, &target, &err), 0);
  assert_int_equal (kind, WHITEOUT_NONE);
}

static void
test_aufs_metadata (void **state)
{
  assert_true (layer_path_in_aufs_meta (".wh..wh.plnk"));
  assert_true (layer_path_in_aufs_meta (".wh..wh.plnk/123.456"));
  assert_true (layer_path_in_aufs_meta ("a/.wh..wh.aufs"));
  assert_false (layer_path_in_aufs_meta ("a/.wh..wh..opq"));
  assert_true (layer_path_in_aufs_meta (".wh..wh..opq/x"));
  assert_false (layer_path_in_aufs_meta ("a/.wh.b"));
  assert_false (layer_path_in_aufs_meta (""));
}

static void
test_xattr_filter (void **state)
{
  assert_true (layer_xattr_allowed ("security.capability"));
  assert_true (layer_xattr_allowed ("user.mime_type"));
  assert_false (layer_xattr_allowed ("trusted.overlay.redirect"));
  assert_false (layer_xattr_allowed ("trusted.overlay.opaque"));
  assert_false (layer_xattr_allowed ("user.overlay.metacopy"));
  assert_false (layer_xattr_allowed ("security.selinux"));
  assert_false (layer_xattr_allowed ("system.posix_acl_access"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_clean_names),  cmocka_unit_test (test_refuses_escapes),
    cmocka_unit_test (test_whiteouts),    cmocka_unit_test (test_aufs_metadata),
    cmocka_unit_test (test_xattr_filter),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
