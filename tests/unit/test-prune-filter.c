/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/error.h"
#include "engine/prune-filter.h"

#include <string.h>

/* 2024-05-06T07:08:09Z */
#define T0 1714979289

static int64_t
until_of (const char *filter, int64_t now)
{
  char *filters[] = { (char *)filter, NULL };
  struct prune_filter f;
  assert_int_equal (prune_filter_parse (filters, now, &f, NULL), 0);
  int64_t until = f.until;
  prune_filter_clear (&f);
  return until;
}

static void
until_takes_times_and_durations (void **state)
{
  (void)state;
  assert_int_equal (until_of ("until=1714979289", 0), T0);
  assert_int_equal (until_of ("until=2024-05-06T07:08:09Z", 0), T0);
  assert_int_equal (until_of ("until=2024-05-06T09:08:09.5+02:00", 0), T0);
  assert_int_equal (until_of ("until=2024-05-06", 0), T0 - 7 * 3600 - 8 * 60 - 9);
  assert_int_equal (until_of ("until=10m", T0), T0 - 600);
  assert_int_equal (until_of ("until=2h", T0), T0 - 7200);
}

static void
created_before_until_only (void **state)
{
  (void)state;
  struct prune_filter f = { .until = T0 };
  assert_true (prune_filter_match (&f, "2024-05-06T07:08:08.999999999Z", NULL));
  assert_false (prune_filter_match (&f, "2024-05-06T07:08:09Z", NULL));
  assert_false (prune_filter_match (&f, "garbage", NULL));
  f.until = 0;
  assert_true (prune_filter_match (&f, "garbage", NULL));
}

static void
labels_with_and_without_values (void **state)
{
  (void)state;
  struct prune_filter f;
  char *filters[] = { "label=env", "label!=keep=yes", NULL };
  assert_int_equal (prune_filter_parse (filters, 0, &f, NULL), 0);
  json_t *prod = json_pack ("{s:s}", "env", "prod");
  json_t *kept = json_pack ("{s:s, s:s}", "env", "prod", "keep", "yes");
  json_t *other = json_pack ("{s:s}", "keep", "no");
  assert_true (prune_filter_match (&f, NULL, prod));
  assert_false (prune_filter_match (&f, NULL, kept));
  assert_false (prune_filter_match (&f, NULL, other));
  assert_false (prune_filter_match (&f, NULL, NULL));
  json_decref (prod);
  json_decref (kept);
  json_decref (other);
  prune_filter_clear (&f);
}

static void
unknown_filters_are_named (void **state)
{
  (void)state;
  const char *bad[] = { "color=red", "until=someday", "label=", "until" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      char *filters[] = { (char *)bad[i], NULL };
      struct prune_filter f;
      struct hk_error *err = NULL;
      assert_int_equal (prune_filter_parse (filters, 0, &f, &err), -1);
      assert_non_null (err);
      hk_error_free (err);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (until_takes_times_and_durations),
    cmocka_unit_test (created_before_until_only),
    cmocka_unit_test (labels_with_and_without_values),
    cmocka_unit_test (unknown_filters_are_named),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
