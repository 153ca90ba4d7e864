/* SPDX-License-Identifier: Apache-2.0 */
/* The setup plan (setup-plan.h): which namespaces are made, joined and in
 * which order, which mounts are made, of which kind, with which flags and
 * propagation, and how the root is entered, checked as data, without root
 * and without a single mount. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/json-util.h"
#include "runtime/setup-plan.h"
#include "runtime/spec-default.h"

#include <sched.h>
#include <string.h>
#include <sys/mount.h>

/* The default config (`hako-runtime spec`) with MEMBERS (a JSON object)
 * merged into it (into "linux" for its "linux" member), parsed. */
static struct oci_spec *
config_with (const char *members)
{
  json_t *config = spec_default (false, 0, 0);
  if (members != NULL)
    {
      json_error_t jerr;
      json_t *patch = json_loads (members, 0, &jerr);
      if (patch == NULL)
        fail_msg ("bad patch: %s", jerr.text);
      json_t *linux_patch = json_object_get (patch, "linux");
      if (linux_patch != NULL)
        {
          json_object_update (json_object_get (config, "linux"), linux_patch);
          json_object_del (patch, "linux");
        }
      json_object_update (config, patch);
      json_decref (patch);
    }
  _cleanup_free_ char *text = json_dumps (config, 0);
  json_decref (config);
  struct oci_spec *spec = NULL;
  struct hk_error *err = NULL;
  if (spec_parse (text, strlen (text), &spec, &err) < 0)
    fail_msg ("config does not parse: %s", err->message);
  return spec;
}

static const struct mount_step *
step_at (const struct rootfs_plan *p, const char *destination)
{
  for (size_t i = 0; i < p->n_steps; i++)
    if (strcmp (p->steps[i].mount->destination, destination) == 0)
      return &p->steps[i];
  fail_msg ("no step for %s", destination);
  return NULL;
}

static void
the_default_config (void **state)
{
  (void)state;
  struct oci_spec *spec = config_with (NULL);
  struct ns_plan ns;
  ns_plan_build (spec, &ns);
  uint64_t made = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS;
  assert_int_equal (ns.clone_flags & made, made);
  /* The cgroup namespace is made once the process is in its cgroup. */
  assert_false (ns.clone_flags & CLONE_NEWCGROUP);
  assert_true (ns.unshare_cgroup);
  assert_int_equal (ns.n_joined, 0);
  assert_false (ns.host_mounts);
  struct rootfs_plan p;
  assert_int_equal (rootfs_plan_build (spec, false, &p, NULL), 0);
  assert_int_equal (p.n_steps, spec->n_mounts);
  /* In the config's order, each of its kind, with its flags. */
  assert_string_equal (p.steps[0].mount->destination, "/proc");
  assert_int_equal (p.steps[0].kind, MOUNT_STEP_FILESYSTEM);
  const struct mount_step *dev = step_at (&p, "/dev");
  assert_int_equal (dev->kind, MOUNT_STEP_FILESYSTEM);
  assert_true (dev->options.flags & MS_NOSUID);
  assert_non_null (strstr (dev->options.data, "mode=755"));
  const struct mount_step *cg = step_at (&p, "/sys/fs/cgroup");
  assert_int_equal (cg->kind, MOUNT_STEP_CGROUP);
  assert_true (cg->options.flags & MS_RDONLY);
  /* Slave until the root is bound, nothing after; pivot_root, read-only. */
  assert_int_equal (p.propagation_before, MS_SLAVE | MS_REC);
  assert_int_equal (p.propagation_after, 0);
  assert_int_equal (p.entry, ROOT_PIVOT);
  assert_true (p.readonly_root);
  assert_true (p.default_devices);
  rootfs_plan_clear (&p);
  assert_int_equal (rootfs_plan_build (spec, true, &p, NULL), 0);
  assert_int_equal (p.entry, ROOT_MOVE_CHROOT);
  rootfs_plan_clear (&p);
  spec_free (spec);
}

/* The kernel refuses to bind an unbindable mount: the root is private
 * until it is bound, unbindable after. */
static void
an_unbindable_root_is_private_until_bound (void **state)
{
  (void)state;
  struct oci_spec *spec = config_with ("{\"linux\": {\"rootfsPropagation\": \"runbindable\"}}");
  struct rootfs_plan p;
  assert_int_equal (rootfs_plan_build (spec, false, &p, NULL), 0);
  assert_int_equal (p.propagation_before, MS_PRIVATE | MS_REC);
  assert_int_equal (p.propagation_after, MS_UNBINDABLE | MS_REC);
  rootfs_plan_clear (&p);
  spec_free (spec);
  spec = config_with ("{\"linux\": {\"rootfsPropagation\": \"shared\"}}");
  assert_int_equal (rootfs_plan_build (spec, false, &p, NULL), 0);
  assert_int_equal (p.propagation_before, MS_SHARED);
  assert_int_equal (p.propagation_after, MS_SHARED);
  rootfs_plan_clear (&p);
  spec_free (spec);
}

static void
binds_and_their_options (void **state)
{
  (void)state;
  struct oci_spec *spec = config_with (
      "{\"mounts\": [{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"/dev\", "
      "\"options\": [\"rbind\", \"rslave\", \"rro\"]},"
      "{\"destination\": \"/data\", \"source\": \"/srv\", \"options\": [\"bind\", "
      "\"idmap=uids=0-1000-1\", \"Z\"]},"
      "{\"destination\": \"/run\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": "
      "[\"tmpcopyup\", \"size=1m\"]}]}");
  struct rootfs_plan p;
  assert_int_equal (rootfs_plan_build (spec, false, &p, NULL), 0);
  assert_int_equal (p.n_steps, 3);
  assert_int_equal (p.steps[0].kind, MOUNT_STEP_BIND);
  assert_true (p.steps[0].options.recursive);
  assert_int_equal (p.steps[0].options.propagation, MS_SLAVE | MS_REC);
  assert_true (p.steps[0].options.rec_attr_set & MOUNT_ATTR_RDONLY);
  /* /dev is the host's: no default nodes made in it. */
  assert_false (p.default_devices);
  assert_int_equal (p.steps[1].kind, MOUNT_STEP_BIND);
  assert_true (p.steps[1].options.idmap);
  assert_string_equal (p.steps[1].options.idmap_mappings, "uids=0-1000-1");
  assert_int_equal (p.steps[2].kind, MOUNT_STEP_FILESYSTEM);
  assert_true (p.steps[2].options.tmpcopyup);
  assert_string_equal (p.steps[2].options.data, "size=1m");
  rootfs_plan_clear (&p);
  spec_free (spec);
}

/* Options that do not apply fail before anything is made. */
static void
options_that_do_not_apply_fail_first (void **state)
{
  (void)state;
  static const char *const cases[][2] = {
    { "{\"mounts\": [{\"destination\": \"/x\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
      "\"options\": [\"idmap\"]}]}",
      "mounts[0] (/x): idmap applies to bind mounts only" },
    { "{\"mounts\": [{\"destination\": \"/y\", \"type\": \"bind\", \"source\": \"/tmp\", "
      "\"options\": [\"bind\", \"tmpcopyup\"]}]}",
      "mounts[0] (/y): tmpcopyup applies to tmpfs mounts only" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct oci_spec *spec = config_with (cases[i][0]);
      struct rootfs_plan p;
      struct hk_error *err = NULL;
      assert_int_equal (rootfs_plan_build (spec, false, &p, &err), -1);
      assert_string_equal (err->message, cases[i][1]);
      hk_error_free (err);
      spec_free (spec);
    }
}

static void
joined_namespaces_user_first_pid_and_time_for_the_child (void **state)
{
  (void)state;
  struct oci_spec *spec = config_with (
      "{\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"/run/netns/a\"},"
      "{\"type\": \"mount\"}, {\"type\": \"uts\"}, {\"type\": \"pid\", \"path\": "
      "\"/proc/1/ns/pid\"},"
      "{\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}, {\"type\": \"time\"}],"
      "\"timeOffsets\": {\"monotonic\": {\"secs\": 10}}}}");
  struct ns_plan ns;
  ns_plan_build (spec, &ns);
  assert_int_equal (ns.n_joined, 2);
  assert_int_equal (ns.joined[0].type, CLONE_NEWUSER);
  assert_int_equal (ns.joined[0].index, 4);
  assert_int_equal (ns.joined[1].type, CLONE_NEWNET);
  assert_string_equal (ns.pid_path, "/proc/1/ns/pid");
  assert_int_equal (ns.pid_index, 3);
  /* Made: mount and uts; the time namespace with offsets by the runtime. */
  assert_int_equal (ns.clone_flags, CLONE_NEWNS | CLONE_NEWUTS);
  assert_true (ns.new_time_with_offsets);
  assert_false (ns.new_user);
  assert_false (ns.new_net);
  spec_free (spec);
}

/* No mount namespace: the runtime's is kept, nothing is mounted, the
 * process chroots. */
static void
without_a_mount_namespace_nothing_is_mounted (void **state)
{
  (void)state;
  struct oci_spec *spec = config_with (
      "{\"mounts\": [], \"linux\": {\"namespaces\": [{\"type\": \"pid\"}],"
      "\"maskedPaths\": [], \"readonlyPaths\": []}, \"root\": {\"path\": \"rootfs\"},"
      "\"hostname\": \"\"}");
  struct ns_plan ns;
  ns_plan_build (spec, &ns);
  assert_true (ns.host_mounts);
  assert_int_equal (ns.clone_flags, CLONE_NEWPID);
  struct rootfs_plan p;
  assert_int_equal (rootfs_plan_build (spec, false, &p, NULL), 0);
  assert_int_equal (p.entry, ROOT_CHROOT);
  assert_int_equal (p.n_steps, 0);
  rootfs_plan_clear (&p);
  spec_free (spec);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (the_default_config),
    cmocka_unit_test (an_unbindable_root_is_private_until_bound),
    cmocka_unit_test (binds_and_their_options),
    cmocka_unit_test (options_that_do_not_apply_fail_first),
    cmocka_unit_test (joined_namespaces_user_first_pid_and_time_for_the_child),
    cmocka_unit_test (without_a_mount_namespace_nothing_is_mounted),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
