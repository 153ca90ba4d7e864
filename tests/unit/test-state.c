/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "runtime/state.h"

#include <string.h>
#include <unistd.h>

static void
container_ids (void **state)
{
  (void) state;
  assert_int_equal (state_check_id ("abc-1.2_3+x", NULL), 0);
  struct hk_error *err = NULL;
  const char *bad[] = { "", "a/b", "..", ".", "a b", "x\n", "../etc" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      assert_int_equal (state_check_id (bad[i], &err), -1);
      assert_non_null (strstr (err->message, "invalid container id"));
      hk_error_free (err);
      err = NULL;
    }
}

static void
process_identity (void **state)
{
  (void) state;
  unsigned long long start = state_process_start_time (getpid ());
  assert_true (start > 0);
  assert_true (state_process_alive (getpid (), start));
  assert_false (state_process_alive (getpid (), start + 1));
  assert_false (state_process_alive (0, 0));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (container_ids),
    cmocka_unit_test (process_identity),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
