/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/error.h"
#include "transfer/copy-plan.h"

#include <stdlib.h>
#include <string.h>

static void
check_arg (const char *text, const char *container, const char *path)
{
  struct copy_arg a;
  assert_int_equal (copy_arg_parse (text, &a, NULL), 0);
  if (container == NULL)
    assert_null (a.container);
  else
    assert_string_equal (a.container, container);
  assert_string_equal (a.path, path);
  copy_arg_clear (&a);
}

static void
arguments_name_a_container_or_not (void **state)
{
  (void)state;
  check_arg ("web:/etc/hosts", "web", "/etc/hosts");
  check_arg ("0123abcd:relative/x", "0123abcd", "relative/x");
  check_arg ("web:/a:b", "web", "/a:b");
  check_arg ("/local/a:b", NULL, "/local/a:b");
  check_arg ("./a:b", NULL, "./a:b");
  check_arg ("../up", NULL, "../up");
  check_arg ("plain", NULL, "plain");
  check_arg ("-", NULL, "-");
}

static void
bad_arguments (void **state)
{
  (void)state;
  const char *bad[] = { "", ":/etc", "web:" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct copy_arg a;
      struct hk_error *err = NULL;
      assert_int_equal (copy_arg_parse (bad[i], &a, &err), -1);
      assert_non_null (err);
      hk_error_free (err);
    }
}

static void
path_parts (void **state)
{
  (void)state;
  const char *cases[][3] = {
    { "/a/b", "/a", "b" }, { "/a/b/", "/a", "b" }, { "b", ".", "b" },
    { "/b", "/", "b" },    { "/", "/", "" },       { "/a/.", "/a", "" },
    { ".", ".", "" },      { "a//b//", "a", "b" }, { "//b", "/", "b" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char *dir = copy_path_dir (cases[i][0]);
      char *base = copy_path_base (cases[i][0]);
      assert_string_equal (base, cases[i][2]);
      assert_string_equal (dir, cases[i][1]);
      free (dir);
      free (base);
    }
}

/* Plans SRC (a directory or not) onto DST (missing, a file, a directory);
 * NULL DIR: an error whose message holds NAME. */
static void
check_plan (const char *src, bool src_dir, const char *dst, int dst_kind, const char *dir,
            const char *name)
{
  struct copy_source s = { .path = src, .is_dir = src_dir };
  struct copy_dest d = { .path = dst, .exists = dst_kind != 0, .is_dir = dst_kind == 2 };
  struct copy_plan p;
  struct hk_error *err = NULL;
  int rc = copy_plan_make (&s, &d, &p, &err);
  if (dir == NULL)
    {
      assert_int_equal (rc, -1);
      assert_non_null (strstr (err->message, name));
      hk_error_free (err);
      return;
    }
  assert_int_equal (rc, 0);
  assert_string_equal (p.dir, dir);
  assert_string_equal (p.name, name);
  copy_plan_clear (&p);
}

enum
{
  MISSING,
  FILE_,
  DIR_
};

static void
docker_rules_for_a_file (void **state)
{
  (void)state;
  check_plan ("/etc/hosts", false, "out", MISSING, ".", "out");
  check_plan ("/etc/hosts", false, "/tmp/out", MISSING, "/tmp", "out");
  check_plan ("/etc/hosts", false, "/tmp/old", FILE_, "/tmp", "old");
  check_plan ("/etc/hosts", false, "/tmp", DIR_, "/tmp", "hosts");
  check_plan ("/etc/hosts", false, "/tmp/", DIR_, "/tmp/", "hosts");
  check_plan ("/etc/hosts", false, "/tmp/new/", MISSING, NULL, "does not exist");
  check_plan ("/etc/hosts", false, "/tmp/file/", FILE_, NULL, "is a file");
  check_plan ("/etc/hosts/", false, "/tmp", DIR_, NULL, "not a directory");
}

static void
docker_rules_for_a_directory (void **state)
{
  (void)state;
  check_plan ("/etc", true, "/tmp/new", MISSING, "/tmp", "new");
  check_plan ("/etc", true, "/tmp/new/", MISSING, "/tmp", "new");
  check_plan ("/etc", true, "/tmp", DIR_, "/tmp", "etc");
  check_plan ("/etc/", true, "/tmp", DIR_, "/tmp", "etc");
  check_plan ("/etc/.", true, "/tmp", DIR_, "/tmp", "");
  check_plan ("/", true, "/tmp", DIR_, "/tmp", "");
  check_plan ("/etc/.", true, "/tmp/new", MISSING, "/tmp", "new");
  check_plan ("/etc", true, "/tmp/file", FILE_, NULL, "cannot copy the directory");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (arguments_name_a_container_or_not),
    cmocka_unit_test (bad_arguments),
    cmocka_unit_test (path_parts),
    cmocka_unit_test (docker_rules_for_a_file),
    cmocka_unit_test (docker_rules_for_a_directory),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
