/* SPDX-License-Identifier: Apache-2.0 */
/* .dockerignore rules, against the examples of Docker's documentation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "build/ignore.h"
#include "common/cleanup.h"

#include <string.h>

static struct ignore_rules *
rules (const char *text)
{
  struct ignore_rules *r = NULL;
  _cleanup_error_ struct hk_error *err = NULL;
  if (ignore_rules_parse (text, strlen (text), &r, &err) < 0)
    fail_msg ("%s", err->message);
  return r;
}

/* Docker's documented example:
 *   # comment
 *   * /temp*   (no space)
 *   * / * /temp*
 *   temp? */
static void
test_documented_example (void **state)
{
  _cleanup_ignore_rules_ struct ignore_rules *r
      = rules ("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
  assert_true (ignore_rules_match (r, "somedir/temporary.txt"));
  assert_true (ignore_rules_match (r, "somedir/temp"));
  assert_true (ignore_rules_match (r, "somedir/temp/inside"));
  assert_true (ignore_rules_match (r, "somedir/subdir/temporary.txt"));
  assert_true (ignore_rules_match (r, "tempa"));
  assert_true (ignore_rules_match (r, "tempb"));
  assert_false (ignore_rules_match (r, "temporary.txt"));
  assert_false (ignore_rules_match (r, "a/b/c/temp"));
  assert_false (ignore_rules_match (r, "tempab"));
  assert_false (ignore_rules_match (r, "# comment"));
}

static void
test_double_star (void **state)
{
  _cleanup_ignore_rules_ struct ignore_rules *r = rules ("**/*.go\n");
  assert_true (ignore_rules_match (r, "main.go"));
  assert_true (ignore_rules_match (r, "a/b/c.go"));
  assert_false (ignore_rules_match (r, "a/b/c.goo"));
  _cleanup_ignore_rules_ struct ignore_rules *mid = rules ("a/**/z\n");
  assert_true (ignore_rules_match (mid, "a/z"));
  assert_true (ignore_rules_match (mid, "a/b/c/z"));
  assert_false (ignore_rules_match (mid, "b/z"));
}

/* The documented exceptions: every .md but README.md; then README-secret.md
 * out again; the last match decides. */
static void
test_exceptions (void **state)
{
  _cleanup_ignore_rules_ struct ignore_rules *r = rules ("*.md\n!README.md\n");
  assert_true (ignore_rules_match (r, "CHANGES.md"));
  assert_false (ignore_rules_match (r, "README.md"));
  assert_true (ignore_rules_has_exceptions (r));
  _cleanup_ignore_rules_ struct ignore_rules *r2
      = rules ("*.md\n!README*.md\nREADME-secret.md\n");
  assert_true (ignore_rules_match (r2, "README-secret.md"));
  assert_false (ignore_rules_match (r2, "README-public.md"));
  _cleanup_ignore_rules_ struct ignore_rules *r3
      = rules ("*.md\nREADME-secret.md\n!README*.md\n");
  assert_false (ignore_rules_match (r3, "README-secret.md"));
}

static void
test_cleaning_and_classes (void **state)
{
  _cleanup_ignore_rules_ struct ignore_rules *r
      = rules ("/abs\n./dot//x/../y\n  spaced  \nfile[0-9].txt\nn[^a]t\nlit\\*\n");
  assert_true (ignore_rules_match (r, "abs"));
  assert_true (ignore_rules_match (r, "abs/deep/file"));
  assert_true (ignore_rules_match (r, "dot/y"));
  assert_false (ignore_rules_match (r, "dot/x"));
  assert_true (ignore_rules_match (r, "spaced"));
  assert_true (ignore_rules_match (r, "file7.txt"));
  assert_false (ignore_rules_match (r, "filex.txt"));
  assert_true (ignore_rules_match (r, "nut"));
  assert_false (ignore_rules_match (r, "nat"));
  assert_true (ignore_rules_match (r, "lit*"));
  assert_false (ignore_rules_match (r, "litx"));
  assert_false (ignore_rules_match (NULL, "anything"));
  _cleanup_free_ char *c = ignore_clean_path ("./a//b/../c/");
  assert_string_equal (c, "a/c");
}

/* A hostile pattern must not take exponential time. */
static void
test_hostile_pattern_is_fast (void **state)
{
  char name[4001];
  memset (name, 'a', 4000);
  name[4000] = '\0';
  assert_false (ignore_glob_match ("*a*a*a*a*a*a*a*a*a*a*a*a*b", name));
  assert_false (ignore_glob_match ("**/**/**/**/**/**/b", name));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_documented_example),
    cmocka_unit_test (test_double_star),
    cmocka_unit_test (test_exceptions),
    cmocka_unit_test (test_cleaning_and_classes),
    cmocka_unit_test (test_hostile_pattern_is_fast),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
