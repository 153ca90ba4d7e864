/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "runtime/mount-options.h"

#include <string.h>
#include <sys/mount.h>

static void
flags_propagation_and_data_are_sorted (void **state)
{
  (void) state;
  char *opts[] = { "nosuid", "noexec", "mode=755", "size=65536k", "rslave", "ro", NULL };
  struct mount_options o;
  assert_int_equal (mount_options_parse (opts, &o, NULL), 0);
  assert_true (o.flags & MS_NOSUID);
  assert_true (o.flags & MS_NOEXEC);
  assert_true (o.flags & MS_RDONLY);
  assert_int_equal (o.propagation, MS_SLAVE | MS_REC);
  assert_string_equal (o.data, "mode=755,size=65536k");
  assert_false (o.bind);
  mount_options_clear (&o);
}

static void
later_options_override_earlier_ones (void **state)
{
  (void) state;
  char *opts[] = { "ro", "rw", "noatime", "strictatime", "nosuid", "suid", NULL };
  struct mount_options o;
  assert_int_equal (mount_options_parse (opts, &o, NULL), 0);
  assert_false (o.flags & MS_RDONLY);
  assert_true (o.clear & MS_RDONLY);
  assert_false (o.flags & MS_NOATIME);
  assert_true (o.flags & MS_STRICTATIME);
  assert_false (o.flags & MS_NOSUID);
  assert_true (o.clear & MS_NOSUID);
  assert_null (o.data);
  mount_options_clear (&o);
}

static void
bind_rbind_and_recursive_attributes (void **state)
{
  (void) state;
  char *opts[] = { "rbind", "rro", "rnosuid", "rprivate", NULL };
  struct mount_options o;
  assert_int_equal (mount_options_parse (opts, &o, NULL), 0);
  assert_true (o.bind);
  assert_true (o.recursive);
  assert_int_equal (o.rec_attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
  assert_int_equal (o.propagation, MS_PRIVATE | MS_REC);
  mount_options_clear (&o);
}

static void
attributes_for_mount_setattr (void **state)
{
  (void) state;
  uint64_t set, clr;
  mount_flags_to_attr (MS_RDONLY | MS_NODEV | MS_NOATIME, MS_NOSUID, &set, &clr);
  assert_int_equal (set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME);
  assert_true (clr & MOUNT_ATTR_NOSUID);
  assert_true (clr & MOUNT_ATTR__ATIME);
}

static void
an_option_with_a_comma_is_refused (void **state)
{
  (void) state;
  char *opts[] = { "mode=755,size=1", NULL };
  struct mount_options o;
  struct hk_error *err = NULL;
  assert_int_equal (mount_options_parse (opts, &o, &err), -1);
  assert_non_null (strstr (err->message, "mode=755,size=1"));
  hk_error_free (err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (flags_propagation_and_data_are_sorted),
    cmocka_unit_test (later_options_override_earlier_ones),
    cmocka_unit_test (bind_rbind_and_recursive_attributes),
    cmocka_unit_test (attributes_for_mount_setattr),
    cmocka_unit_test (an_option_with_a_comma_is_refused),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
