/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "runtime/idmap.h"
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

/* The extensions Podman, Docker and CRI send that are not mount(2)
 * options never reach the file system's data string. */
static void
client_extensions_are_taken_not_passed_to_mount (void **state)
{
  (void) state;
  char *opts[] = { "rw", "tmpcopyup", "z", "Z", "size=1m", NULL };
  struct mount_options o;
  assert_int_equal (mount_options_parse (opts, &o, NULL), 0);
  assert_true (o.tmpcopyup);
  assert_string_equal (o.data, "size=1m");
  mount_options_clear (&o);
  char *off[] = { "tmpcopyup", "notmpcopyup", NULL };
  assert_int_equal (mount_options_parse (off, &o, NULL), 0);
  assert_false (o.tmpcopyup);
  assert_null (o.data);
  mount_options_clear (&o);
  char *idmap[] = { "rbind", "ridmap=uids=0-1000-10;gids=0-2000-10", NULL };
  assert_int_equal (mount_options_parse (idmap, &o, NULL), 0);
  assert_true (o.idmap && o.recursive_idmap);
  assert_string_equal (o.idmap_mappings, "uids=0-1000-10;gids=0-2000-10");
  assert_null (o.data);
  mount_options_clear (&o);
}

static void
podman_idmap_values_are_parsed (void **state)
{
  (void) state;
  struct oci_id_mapping uid_map = { .container_id = 0, .host_id = 100000, .size = 65536 };
  struct oci_linux linux = { .uid_mappings = &uid_map, .n_uid_mappings = 1 };
  struct idmap_mappings m;
  assert_int_equal (idmap_parse_mappings ("uids=0-1-10#10-11-10;gids=0-100-10", &linux, &m, NULL),
                    0);
  assert_int_equal (m.n_uids, 2);
  assert_int_equal (m.uids[1].container_id, 10);
  assert_int_equal (m.uids[1].host_id, 11);
  assert_int_equal (m.uids[1].size, 10);
  assert_int_equal (m.n_gids, 1);
  assert_int_equal (m.gids[0].host_id, 100);
  idmap_mappings_clear (&m);
  /* "@": the second id is the container's, mapped to the host. */
  assert_int_equal (idmap_parse_mappings ("uids=@1000-0-1", &linux, &m, NULL), 0);
  assert_int_equal (m.n_uids, 1);
  assert_int_equal (m.uids[0].container_id, 1000);
  assert_int_equal (m.uids[0].host_id, 100000);
  assert_int_equal (m.n_gids, 0);
  idmap_mappings_clear (&m);
  struct hk_error *err = NULL;
  assert_int_equal (idmap_parse_mappings ("uids=@0-65530-10", &linux, &m, &err), -1);
  assert_non_null (strstr (err->message, "not all mapped"));
  hk_error_free (err);
  err = NULL;
  assert_int_equal (idmap_parse_mappings ("uids=1-2", &linux, &m, &err), -1);
  assert_non_null (strstr (err->message, "`1-2` is not FROM-TO-COUNT"));
  hk_error_free (err);
  err = NULL;
  assert_int_equal (idmap_parse_mappings ("users=1-2-3", &linux, &m, &err), -1);
  assert_non_null (strstr (err->message, "neither uids"));
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
    cmocka_unit_test (client_extensions_are_taken_not_passed_to_mount),
    cmocka_unit_test (podman_idmap_values_are_parsed),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
