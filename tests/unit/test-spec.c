/* SPDX-License-Identifier: Apache-2.0 */
/* config.json parsing: a valid config fills the structures; each kind of
 * bad input fails with an error that names the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "runtime/spec.h"
#include "runtime/spec-default.h"

#include <sched.h>
#include <string.h>
#include <sys/resource.h>

static json_t *
base_config (void)
{
  return spec_default (false, 0, 0);
}

/* Sets (or with VALUE NULL, deletes) the member at a dotted PATH;
 * "[N]" segments index arrays. */
static void
set_path (json_t *root, const char *path, json_t *value)
{
  char *copy = xstrdup (path);
  json_t *cur = root;
  char *save = NULL, *seg = strtok_r (copy, ".", &save);
  while (seg != NULL)
    {
      char *next = strtok_r (NULL, ".", &save);
      char *bracket = strchr (seg, '[');
      size_t index = 0;
      if (bracket != NULL)
        {
          index = (size_t) atoi (bracket + 1);
          *bracket = '\0';
        }
      if (next == NULL && bracket == NULL)
        {
          if (value == NULL)
            json_object_del (cur, seg);
          else
            json_object_set_new (cur, seg, value);
          break;
        }
      json_t *child = json_object_get (cur, seg);
      if (child == NULL)
        {
          child = json_object ();
          json_object_set_new (cur, seg, child);
        }
      if (bracket != NULL)
        {
          if (next == NULL)
            {
              json_array_set_new (child, index, value);
              break;
            }
          child = json_array_get (child, index);
        }
      cur = child;
      seg = next;
    }
  free (copy);
}

static void
expect_error (json_t *config, const char *needle)
{
  _cleanup_free_ char *text = json_dumps (config, 0);
  struct oci_spec *spec = NULL;
  struct hk_error *err = NULL;
  int r = spec_parse (text, strlen (text), &spec, &err);
  if (r == 0)
    {
      spec_free (spec);
      fail_msg ("parsed, but expected an error containing `%s`", needle);
    }
  if (strstr (err->message, needle) == NULL)
    fail_msg ("error `%s` does not contain `%s`", err->message, needle);
  hk_error_free (err);
  json_decref (config);
}

/* Parses CONFIG (taking it), which must be valid. */
static struct oci_spec *
parse_ok (json_t *config)
{
  _cleanup_free_ char *text = json_dumps (config, 0);
  json_decref (config);
  struct oci_spec *spec = NULL;
  struct hk_error *err = NULL;
  if (spec_parse (text, strlen (text), &spec, &err) < 0)
    fail_msg ("expected the config to parse: %s", err->message);
  return spec;
}

static void
the_default_config_parses (void **state)
{
  (void) state;
  json_t *config = base_config ();
  set_path (config, "process.user.additionalGids", json_pack ("[i, i]", 10, 20));
  set_path (config, "process.user.umask", json_integer (027));
  set_path (config, "process.oomScoreAdj", json_integer (100));
  set_path (config, "linux.cgroupsPath", json_string ("/a/b"));
  set_path (config, "linux.resources.memory", json_pack ("{s:i, s:i}", "limit", 1 << 20, "swap", 2 << 20));
  set_path (config, "linux.resources.cpu", json_pack ("{s:i, s:i, s:i, s:s}", "shares", 512, "quota", 50000, "period", 100000, "cpus", "0"));
  set_path (config, "linux.resources.pids", json_pack ("{s:i}", "limit", 32));
  set_path (config, "linux.sysctl", json_pack ("{s:s}", "net.ipv4.ip_forward", "1"));
  set_path (config, "hooks.prestart", json_pack ("[{s:s, s:[s, s], s:i}]", "path", "/bin/true", "args", "true", "x", "timeout", 5));
  _cleanup_free_ char *text = json_dumps (config, 0);
  json_decref (config);
  struct oci_spec *spec = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (spec_parse (text, strlen (text), &spec, &err), 0);
  assert_string_equal (spec->root_path, "rootfs");
  assert_true (spec->root_readonly);
  assert_string_equal (spec->process->args[0], "sh");
  assert_string_equal (spec->process->cwd, "/");
  assert_int_equal (spec->process->user.n_additional_gids, 2);
  assert_int_equal (spec->process->user.additional_gids[1], 20);
  assert_int_equal (spec->process->user.umask, 027);
  assert_int_equal (spec->process->oom_score_adj, 100);
  assert_int_equal (spec->process->n_rlimits, 1);
  assert_int_equal (spec->process->rlimits[0].resource, RLIMIT_NOFILE);
  assert_true (spec->process->capabilities.bounding & (1ULL << 5)); /* CAP_KILL */
  assert_int_equal (spec->process->capabilities.inheritable, 0);
  assert_non_null (spec_namespace (spec, CLONE_NEWPID));
  assert_null (spec_namespace (spec, CLONE_NEWUSER));
  assert_int_equal (spec->n_mounts, 7);
  assert_string_equal (spec->mounts[1].destination, "/dev");
  assert_string_equal (spec->linux.cgroups_path, "/a/b");
  assert_int_equal (spec->linux.resources.memory.limit, 1 << 20);
  assert_int_equal (spec->linux.resources.cpu.shares, 512);
  assert_string_equal (spec->linux.resources.cpu.cpus, "0");
  assert_int_equal (spec->linux.resources.pids_limit, 32);
  assert_int_equal (spec->hooks[HOOK_PRESTART].n, 1);
  assert_int_equal (spec->hooks[HOOK_PRESTART].items[0].timeout, 5);
  assert_string_equal (spec->linux.sysctl_keys[0], "net.ipv4.ip_forward");
  spec_free (spec);
}

static void
malformed_documents (void **state)
{
  (void) state;
  struct oci_spec *spec = NULL;
  struct hk_error *err = NULL;
  assert_int_equal (spec_parse ("{not json", 9, &spec, &err), -1);
  assert_non_null (strstr (err->message, "config.json: not valid JSON"));
  hk_error_free (err);
  err = NULL;
  assert_int_equal (spec_parse ("[1]", 3, &spec, &err), -1);
  assert_non_null (strstr (err->message, "expected a JSON object"));
  hk_error_free (err);
}

static void
wrong_types_name_the_field (void **state)
{
  (void) state;
  json_t *c;
  c = base_config ();
  set_path (c, "ociVersion", json_integer (1));
  expect_error (c, "ociVersion: expected a string, got integer");
  c = base_config ();
  set_path (c, "process.user.uid", json_string ("root"));
  expect_error (c, "process.user.uid: expected an unsigned 32-bit integer, got string");
  c = base_config ();
  set_path (c, "process.terminal", json_string ("yes"));
  expect_error (c, "process.terminal: expected a boolean, got string");
  c = base_config ();
  set_path (c, "process.args", json_pack ("[s, i]", "sh", 3));
  expect_error (c, "process.args[1]: expected a string, got integer");
  c = base_config ();
  set_path (c, "linux.resources.memory", json_pack ("{s:s}", "limit", "1g"));
  expect_error (c, "linux.resources.memory.limit: expected an integer, got string");
  c = base_config ();
  set_path (c, "mounts", json_string ("none"));
  expect_error (c, "mounts: expected an array, got string");
  c = base_config ();
  set_path (c, "process.user.uid", json_integer (-1));
  expect_error (c, "process.user.uid: -1 is out of range");
}

static void
missing_and_invalid_values (void **state)
{
  (void) state;
  json_t *c;
  c = base_config ();
  set_path (c, "root", NULL);
  expect_error (c, "root: required but missing");
  c = base_config ();
  set_path (c, "linux.namespaces[0].type", json_string ("bogus"));
  expect_error (c, "linux.namespaces[0].type: unknown namespace `bogus`");
  c = base_config ();
  set_path (c, "linux.namespaces[1].type", json_string ("pid"));
  expect_error (c, "linux.namespaces[1].type: namespace `pid` is listed twice");
  c = base_config ();
  set_path (c, "mounts[0].destination", json_string ("proc"));
  expect_error (c, "mounts[0].destination: `proc` is not an absolute path");
  c = base_config ();
  set_path (c, "mounts[0].type", json_string ("Bad Type!"));
  expect_error (c, "mounts[0].type: unknown mount type `Bad Type!`");
  c = base_config ();
  set_path (c, "mounts[0].type", NULL);
  expect_error (c, "mounts[0].type: required");
  c = base_config ();
  set_path (c, "process.rlimits[0].type", json_string ("RLIMIT_FOO"));
  expect_error (c, "process.rlimits[0].type: unknown rlimit `RLIMIT_FOO`");
  c = base_config ();
  set_path (c, "process.cwd", json_string ("relative"));
  expect_error (c, "process.cwd: `relative` is not an absolute path");
  c = base_config ();
  set_path (c, "process.env", json_pack ("[s]", "NOEQUALS"));
  expect_error (c, "process.env[0]: `NOEQUALS` is not NAME=VALUE");
  c = base_config ();
  set_path (c, "process.args", json_array ());
  expect_error (c, "process.args: must name the program");
  c = base_config ();
  set_path (c, "process.oomScoreAdj", json_integer (5000));
  expect_error (c, "process.oomScoreAdj: 5000 is outside -1000..1000");
  c = base_config ();
  set_path (c, "hooks.poststart", json_pack ("[{s:s}]", "path", "relative/hook"));
  expect_error (c, "hooks.poststart[0].path: `relative/hook` is not an absolute path");
  c = base_config ();
  set_path (c, "linux.devices", json_pack ("[{s:s, s:s, s:i, s:i}]", "path", "/dev/x", "type", "z", "major", 1, "minor", 1));
  expect_error (c, "linux.devices[0].type: `z` is not one of c, b, u, p");
  c = base_config ();
  set_path (c, "linux.cgroupsPath", json_string ("/a/../../b"));
  expect_error (c, "linux.cgroupsPath");
}

static void
settings_need_their_namespace (void **state)
{
  (void) state;
  json_t *c;
  c = base_config ();
  set_path (c, "linux.sysctl", json_pack ("{s:s}", "kernel.core_pattern", "|/evil"));
  expect_error (c, "`kernel.core_pattern` is not namespaced");
  c = base_config ();
  set_path (c, "linux.namespaces", json_pack ("[{s:s}]", "type", "mount"));
  set_path (c, "hostname", NULL);
  set_path (c, "linux.sysctl", json_pack ("{s:s}", "net.ipv4.ip_forward", "1"));
  expect_error (c, "needs the container's own network namespace");
  c = base_config ();
  set_path (c, "linux.namespaces", json_pack ("[{s:s}]", "type", "mount"));
  expect_error (c, "hostname: setting it needs a UTS namespace");
  c = base_config ();
  set_path (c, "linux.sysctl", json_pack ("{s:s}", "kernel.hostname", "other"));
  expect_error (c, "linux.sysctl: `kernel.hostname` = `other` conflicts with hostname `");
  c = base_config ();
  set_path (c, "linux.uidMappings", json_pack ("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 1000, "size", 1));
  expect_error (c, "mappings need a user namespace");
  c = base_config ();
  set_path (c, "linux.namespaces", json_pack ("[{s:s}, {s:s}]", "type", "user", "type", "mount"));
  set_path (c, "hostname", NULL);
  expect_error (c, "a new user namespace needs uidMappings");
  /* No mount namespace: the runtime's is kept, so what would mount is
   * refused, naming the field. */
  c = base_config ();
  set_path (c, "linux.namespaces", json_pack ("[{s:s}]", "type", "pid"));
  set_path (c, "hostname", NULL);
  expect_error (c, "mounts: mounting `/proc` needs the container's own mount namespace");
  c = base_config ();
  set_path (c, "linux.namespaces", json_pack ("[{s:s}]", "type", "pid"));
  set_path (c, "hostname", NULL);
  set_path (c, "mounts", json_array ());
  expect_error (c, "linux.maskedPaths: masking `/proc/acpi` needs the container's own mount");
}

/* Docker sends blockIO.weight 0 on every create and update: 0 is "not
 * set" (runc ignores it), not a request the host must support. */
static void
a_zero_block_io_weight_is_not_set (void **state)
{
  (void) state;
  json_t *c = base_config ();
  set_path (c, "linux.resources.blockIO",
            json_pack ("{s:i, s:i, s:[{s:i, s:i, s:i}]}", "weight", 0, "leafWeight", 0,
                       "weightDevice", "major", 8, "minor", 0, "weight", 0));
  struct oci_spec *spec = parse_ok (c);
  const struct oci_block_io *b = &spec->linux.resources.block_io;
  assert_true (spec->linux.resources.has_block_io);
  assert_false (b->has_weight);
  assert_false (b->has_leaf_weight);
  assert_int_equal (b->n_weight_devices, 1);
  assert_false (b->weight_devices[0].has_weight);
  spec_free (spec);
  c = base_config ();
  set_path (c, "linux.resources.blockIO", json_pack ("{s:i}", "weight", 500));
  spec = parse_ok (c);
  assert_true (spec->linux.resources.block_io.has_weight);
  assert_int_equal (spec->linux.resources.block_io.weight, 500);
  spec_free (spec);
}

/* Podman sends a device's fileMode as the host node's st_mode, file type
 * bits included (020666 for /dev/zero): they are the device's type, taken
 * and dropped; another type's bits are an error. */
static void
a_device_mode_may_carry_its_file_type (void **state)
{
  (void) state;
  json_t *c = base_config ();
  set_path (c, "linux.devices",
            json_pack ("[{s:s, s:s, s:i, s:i, s:i}, {s:s, s:s, s:i}]", "path", "/dev/z", "type",
                       "c", "major", 1, "minor", 5, "fileMode", 020666, "path", "/dev/f", "type",
                       "p", "fileMode", 010644));
  struct oci_spec *spec = parse_ok (c);
  assert_int_equal (spec->linux.devices[0].file_mode, 0666);
  assert_int_equal (spec->linux.devices[1].file_mode, 0644);
  spec_free (spec);
  c = base_config ();
  set_path (c, "linux.devices",
            json_pack ("[{s:s, s:s, s:i, s:i, s:i}]", "path", "/dev/z", "type", "b", "major", 1,
                       "minor", 5, "fileMode", 020666));
  expect_error (c, "linux.devices[0].fileMode: 20666 has the file type of another kind than `b`");
  c = base_config ();
  set_path (c, "linux.devices",
            json_pack ("[{s:s, s:s, s:i, s:i, s:i}]", "path", "/dev/z", "type", "c", "major", 1,
                       "minor", 5, "fileMode", 0200000 | 020666));
  expect_error (c, "linux.devices[0].fileMode: 220666 is not a permission mode");
}

/* runtime-spec 1.3: pids.limit 0 is a limit of 0, -1 no limit, and a pids
 * object without a limit changes nothing. */
static void
pids_limits_follow_runtime_spec_1_3 (void **state)
{
  (void) state;
  json_t *c = base_config ();
  set_path (c, "linux.resources.pids", json_pack ("{s:i}", "limit", 0));
  struct oci_spec *spec = parse_ok (c);
  assert_true (spec->linux.resources.has_pids);
  assert_int_equal (spec->linux.resources.pids_limit, 0);
  spec_free (spec);
  c = base_config ();
  set_path (c, "linux.resources.pids", json_object ());
  spec = parse_ok (c);
  assert_false (spec->linux.resources.has_pids);
  spec_free (spec);
}

/* The runtime-spec: a capability that cannot be granted is a warning. */
static void
an_unknown_capability_is_a_warning (void **state)
{
  (void) state;
  json_t *c = base_config ();
  set_path (c, "process.capabilities.bounding[0]", json_string ("CAP_FLY"));
  struct oci_spec *spec = parse_ok (c);
  assert_non_null (spec->process->warnings);
  assert_string_equal (spec->process->warnings[0],
                       "process.capabilities.bounding[0]: unknown capability `CAP_FLY` ignored");
  assert_null (spec->process->warnings[1]);
  spec_free (spec);
}

static void
memory_policy_nodes_and_flags (void **state)
{
  (void) state;
  json_t *c = base_config ();
  set_path (c, "linux.memoryPolicy",
            json_pack ("{s:s, s:s, s:[s]}", "mode", "MPOL_INTERLEAVE", "nodes", "0-3,7", "flags",
                       "MPOL_F_RELATIVE_NODES"));
  struct oci_spec *spec = parse_ok (c);
  const struct oci_memory_policy *p = &spec->linux.memory_policy;
  assert_true (spec->linux.has_memory_policy);
  assert_int_equal (p->mode, 3);
  assert_int_equal (p->flags, 1u << 14);
  assert_int_equal (p->nodes[0], 0x8f);
  assert_int_equal (p->max_node, 8);
  spec_free (spec);
  c = base_config ();
  set_path (c, "linux.memoryPolicy", json_pack ("{s:s}", "mode", "MPOL_BIND"));
  expect_error (c, "linux.memoryPolicy.nodes: MPOL_BIND needs nodes");
  c = base_config ();
  set_path (c, "linux.memoryPolicy", json_pack ("{s:s, s:s}", "mode", "MPOL_BIND", "nodes", "5-2"));
  expect_error (c, "linux.memoryPolicy.nodes: `5-2`: nodes 0..1023 only");
  c = base_config ();
  set_path (c, "linux.memoryPolicy", json_pack ("{s:s}", "mode", "MPOL_SOMETIMES"));
  expect_error (c, "linux.memoryPolicy.mode: unknown mode `MPOL_SOMETIMES`");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (the_default_config_parses),
    cmocka_unit_test (malformed_documents),
    cmocka_unit_test (wrong_types_name_the_field),
    cmocka_unit_test (missing_and_invalid_values),
    cmocka_unit_test (settings_need_their_namespace),
    cmocka_unit_test (a_zero_block_io_weight_is_not_set),
    cmocka_unit_test (a_device_mode_may_carry_its_file_type),
    cmocka_unit_test (pids_limits_follow_runtime_spec_1_3),
    cmocka_unit_test (an_unknown_capability_is_a_warning),
    cmocka_unit_test (memory_policy_nodes_and_flags),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
