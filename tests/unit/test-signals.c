/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/signals.h"

#include <signal.h>
#include <string.h>

static void
names_numbers_and_prefixes (void **state)
{
  (void) state;
  assert_int_equal (signal_parse ("9", NULL), 9);
  assert_int_equal (signal_parse ("KILL", NULL), SIGKILL);
  assert_int_equal (signal_parse ("SIGKILL", NULL), SIGKILL);
  assert_int_equal (signal_parse ("sigterm", NULL), SIGTERM);
  assert_int_equal (signal_parse ("RTMIN+3", NULL), SIGRTMIN + 3);
  assert_int_equal (signal_parse ("SIGRTMAX-1", NULL), SIGRTMAX - 1);
  assert_string_equal (signal_name (SIGWINCH), "SIGWINCH");
}

static void
bad_signals_are_named (void **state)
{
  (void) state;
  struct hk_error *err = NULL;
  assert_int_equal (signal_parse ("NOPE", &err), -1);
  assert_non_null (strstr (err->message, "`NOPE`"));
  hk_error_free (err);
  err = NULL;
  assert_int_equal (signal_parse ("0", &err), -1);
  hk_error_free (err);
  err = NULL;
  assert_int_equal (signal_parse ("99999", &err), -1);
  hk_error_free (err);
  err = NULL;
  assert_int_equal (signal_parse ("RTMIN+999", &err), -1);
  hk_error_free (err);
  err = NULL;
  assert_int_equal (signal_parse ("", &err), -1);
  hk_error_free (err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (names_numbers_and_prefixes),
    cmocka_unit_test (bad_signals_are_named),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
