/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroup v2 device filter: the generated eBPF program, run by a small
 * interpreter of the instructions it uses, decides like cgroup v1 would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "runtime/cgroup-devices.h"

#include <stdlib.h>

static int
decide (const struct oci_device_rule *rules, size_t n, char type, unsigned major, unsigned minor,
        const char *access)
{
  struct bpf_insn *prog = NULL;
  size_t len = cgroup_devices_bpf_build (rules, n, &prog);
  int r = cgroup_devices_bpf_eval (prog, len, type, major, minor, access);
  free (prog);
  return r;
}

static void
deny_all_then_allow_some (void **state)
{
  (void) state;
  struct oci_device_rule rules[] = {
    { .allow = false, .type = 'a', .major = -1, .minor = -1, .access = (char *) "rwm" },
    { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = (char *) "rwm" },
    { .allow = true, .type = 'c', .major = -1, .minor = -1, .access = (char *) "m" },
    { .allow = true, .type = 'b', .major = 8, .minor = -1, .access = (char *) "r" },
  };
  size_t n = sizeof rules / sizeof rules[0];
  assert_int_equal (decide (rules, n, 'c', 1, 3, "rw"), 1);
  assert_int_equal (decide (rules, n, 'c', 1, 5, "r"), 0);
  assert_int_equal (decide (rules, n, 'c', 1, 5, "m"), 1);
  assert_int_equal (decide (rules, n, 'c', 1, 5, "mr"), 0);
  assert_int_equal (decide (rules, n, 'b', 8, 0, "r"), 1);
  assert_int_equal (decide (rules, n, 'b', 8, 16, "r"), 1);
  assert_int_equal (decide (rules, n, 'b', 8, 0, "w"), 0);
  assert_int_equal (decide (rules, n, 'b', 9, 0, "r"), 0);
}

static void
a_later_rule_overrides_an_earlier_one (void **state)
{
  (void) state;
  struct oci_device_rule rules[] = {
    { .allow = true, .type = 'a', .major = -1, .minor = -1, .access = (char *) "rwm" },
    { .allow = false, .type = 'c', .major = 1, .minor = 3, .access = (char *) "w" },
  };
  assert_int_equal (decide (rules, 2, 'c', 1, 3, "w"), 0);
  assert_int_equal (decide (rules, 2, 'c', 1, 3, "r"), 1);
  assert_int_equal (decide (rules, 2, 'b', 1, 3, "w"), 1);
}

static void
no_rules_deny (void **state)
{
  (void) state;
  assert_int_equal (decide (NULL, 0, 'c', 1, 3, "r"), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (deny_all_then_allow_some),
    cmocka_unit_test (a_later_rule_overrides_an_earlier_one),
    cmocka_unit_test (no_rules_deny),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
