/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2 logic against a fake tree (a directory holding the control
 * files a kernel would), and the v1-to-v2 value mappings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "runtime/cgroup-internal.h"
#include "runtime/cgroup.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fake
{
  char *root;
  struct cgroup_layout *layout;
  struct cgroup *cg;
};

static void
put (const char *dir, const char *file, const char *text)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, file);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true (fd >= 0);
  fs_write_all (fd, text, strlen (text));
  close (fd);
}

static char *
get (const char *dir, const char *file)
{
  char *text = NULL;
  assert_int_equal (cgroup_read (dir, file, &text, NULL), 0);
  return text;
}

static int
make_fake (void **state)
{
  struct fake *f = xzalloc (sizeof *f);
  char tmpl[] = "/tmp/hako-cgroup2-XXXXXX";
  f->root = xstrdup (mkdtemp (tmpl));
  put (f->root, "cgroup.controllers", "cpuset cpu io memory pids hugetlb\n");
  put (f->root, "cgroup.subtree_control", "\n");
  assert_int_equal (cgroup_layout_detect (f->root, &f->layout, NULL), 0);
  assert_int_equal (f->layout->mode, CGROUP_MODE_V2);
  /* mkdir of a real cgroup makes its files; the fake gets them by hand,
   * in a first "parent" level then the container's own. */
  _cleanup_free_ char *parent = xasprintf ("%s/hako", f->root);
  mkdir (parent, 0755);
  put (parent, "cgroup.controllers", "cpuset cpu io memory pids hugetlb\n");
  put (parent, "cgroup.subtree_control", "\n");
  _cleanup_free_ char *leaf = xasprintf ("%s/hako/c1", f->root);
  mkdir (leaf, 0755);
  static const char *const files[][2] = {
    { "cgroup.controllers", "cpuset cpu io memory pids hugetlb\n" },
    { "memory.max", "max\n" }, { "memory.low", "0\n" }, { "memory.swap.max", "max\n" },
    { "memory.current", "4096\n" }, { "cpu.weight", "100\n" }, { "cpu.max", "max 100000\n" },
    { "cpu.max.burst", "0\n" }, { "cpu.idle", "0\n" }, { "cpuset.cpus", "\n" },
    { "cpuset.mems", "\n" }, { "pids.max", "max\n" }, { "io.max", "\n" }, { "io.weight", "default 100\n" },
    { "hugetlb.2MB.max", "max\n" }, { "cgroup.freeze", "0\n" }, { "cgroup.procs", "" },
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    put (leaf, files[i][0], files[i][1]);
  assert_int_equal (cgroup_create (f->layout, "/hako/c1", "c1", &f->cg, NULL), 0);
  *state = f;
  return 0;
}

static int
remove_fake (void **state)
{
  struct fake *f = *state;
  cgroup_free (f->cg);
  cgroup_layout_free (f->layout);
  fs_remove_tree (AT_FDCWD, f->root, NULL);
  free (f->root);
  free (f);
  return 0;
}

static void
resources_land_in_v2_files (void **state)
{
  struct fake *f = *state;
  struct oci_resources res = { 0 };
  res.has_memory = true;
  res.memory.has_limit = res.memory.has_swap = res.memory.has_reservation = true;
  res.memory.limit = 100 << 20;
  res.memory.swap = 300 << 20;
  res.memory.reservation = 50 << 20;
  res.has_cpu = true;
  res.cpu.has_shares = res.cpu.has_quota = res.cpu.has_period = true;
  res.cpu.shares = 1024;
  res.cpu.quota = 50000;
  res.cpu.period = 200000;
  res.cpu.cpus = xstrdup ("0-1");
  res.cpu.mems = xstrdup ("0");
  res.has_pids = true;
  res.pids_limit = 7;
  struct hk_error *err = NULL;
  assert_int_equal (cgroup_apply (f->cg, &res, false, &err), 0);
  const char *leaf = f->cg->dirs[0].dir;
  _cleanup_free_ char *mem = get (leaf, "memory.max");
  _cleanup_free_ char *swap = get (leaf, "memory.swap.max");
  _cleanup_free_ char *low = get (leaf, "memory.low");
  _cleanup_free_ char *weight = get (leaf, "cpu.weight");
  _cleanup_free_ char *max = get (leaf, "cpu.max");
  _cleanup_free_ char *cpus = get (leaf, "cpuset.cpus");
  _cleanup_free_ char *pids = get (leaf, "pids.max");
  assert_string_equal (mem, "104857600");
  assert_string_equal (swap, "209715200"); /* memory+swap minus memory */
  assert_string_equal (low, "52428800");
  assert_string_equal (weight, "39");
  assert_string_equal (max, "50000 200000");
  assert_string_equal (cpus, "0-1");
  assert_string_equal (pids, "7");
  spec_resources_clear (&res);
}

static void
unlimited_values_are_max (void **state)
{
  struct fake *f = *state;
  struct oci_resources res = { 0 };
  res.has_memory = true;
  res.memory.has_limit = res.memory.has_swap = true;
  res.memory.limit = -1;
  res.memory.swap = -1;
  res.has_pids = true;
  res.pids_limit = -1; /* runtime-spec 1.3: 0 is a limit of 0 */
  res.has_cpu = true;
  res.cpu.has_quota = true;
  res.cpu.quota = -1;
  assert_int_equal (cgroup_apply (f->cg, &res, false, NULL), 0);
  const char *leaf = f->cg->dirs[0].dir;
  _cleanup_free_ char *mem = get (leaf, "memory.max");
  _cleanup_free_ char *swap = get (leaf, "memory.swap.max");
  _cleanup_free_ char *pids = get (leaf, "pids.max");
  _cleanup_free_ char *max = get (leaf, "cpu.max");
  assert_string_equal (mem, "max");
  assert_string_equal (swap, "max");
  assert_string_equal (pids, "max");
  assert_string_equal (max, "max 100000");
}

static void
v1_only_settings_are_refused_on_v2 (void **state)
{
  struct fake *f = *state;
  struct oci_resources res = { 0 };
  res.has_memory = true;
  res.memory.has_swappiness = true;
  res.memory.swappiness = 10;
  struct hk_error *err = NULL;
  assert_int_equal (cgroup_apply (f->cg, &res, false, &err), -1);
  assert_non_null (strstr (err->message, "linux.resources.memory: swappiness"));
  hk_error_free (err);
  err = NULL;
  memset (&res, 0, sizeof res);
  res.has_cpu = true;
  res.cpu.has_realtime_runtime = true;
  res.cpu.realtime_runtime = 1000;
  assert_int_equal (cgroup_apply (f->cg, &res, false, &err), -1);
  assert_non_null (strstr (err->message, "realtimeRuntime"));
  hk_error_free (err);
  err = NULL;
  memset (&res, 0, sizeof res);
  res.has_net_class_id = true;
  res.net_class_id = 1;
  assert_int_equal (cgroup_apply (f->cg, &res, false, &err), -1);
  assert_non_null (strstr (err->message, "net_cls"));
  hk_error_free (err);
}

static void
a_missing_controller_is_an_error (void **state)
{
  struct fake *f = *state;
  const char *leaf = f->cg->dirs[0].dir;
  put (leaf, "cgroup.controllers", "cpu\n");
  struct oci_resources res = { 0 };
  res.has_pids = true;
  res.pids_limit = 3;
  struct hk_error *err = NULL;
  assert_int_equal (cgroup_apply (f->cg, &res, false, &err), -1);
  assert_non_null (strstr (err->message, "the pids cgroup controller is not available"));
  hk_error_free (err);
}

static void
io_and_hugetlb (void **state)
{
  struct fake *f = *state;
  struct oci_resources res = { 0 };
  res.has_block_io = true;
  res.block_io.has_weight = true;
  res.block_io.weight = 500;
  struct oci_throttle_device t = { .major = 8, .minor = 0, .rate = 1048576 };
  res.block_io.throttle[THROTTLE_READ_BPS] = &t;
  res.block_io.n_throttle[THROTTLE_READ_BPS] = 1;
  struct oci_hugepage_limit h = { .page_size = (char *) "2MB", .limit = 4194304 };
  res.hugepage_limits = &h;
  res.n_hugepage_limits = 1;
  assert_int_equal (cgroup_apply (f->cg, &res, false, NULL), 0);
  const char *leaf = f->cg->dirs[0].dir;
  _cleanup_free_ char *weight = get (leaf, "io.weight");
  _cleanup_free_ char *max = get (leaf, "io.max");
  _cleanup_free_ char *huge = get (leaf, "hugetlb.2MB.max");
  assert_string_equal (weight, "default 4950");
  assert_string_equal (max, "8:0 rbps=1048576");
  assert_string_equal (huge, "4194304");
}

/* Docker's weight 0 ("not set") on a host without I/O weights: nothing to
 * write, no error; a real weight there is a clear error. */
static void
a_zero_io_weight_needs_no_weight_file (void **state)
{
  struct fake *f = *state;
  const char *leaf = f->cg->dirs[0].dir;
  _cleanup_free_ char *weight_file = xasprintf ("%s/io.weight", leaf);
  assert_int_equal (unlink (weight_file), 0);
  struct oci_weight_device wd = { .major = 8, .minor = 0, .has_weight = true, .weight = 0 };
  struct oci_resources res = { 0 };
  res.has_block_io = true;
  res.block_io.has_weight = true;
  res.block_io.weight = 0;
  res.block_io.weight_devices = &wd;
  res.block_io.n_weight_devices = 1;
  assert_int_equal (cgroup_apply (f->cg, &res, false, NULL), 0);
  assert_int_equal (access (weight_file, F_OK), -1);
  res.block_io.weight = 300;
  struct hk_error *err = NULL;
  assert_int_equal (cgroup_apply (f->cg, &res, false, &err), -1);
  assert_non_null (strstr (err->message, "no I/O weight control on this host"));
  hk_error_free (err);
}

/* A tmpfs mounted over /sys/fs/cgroup/unified (tools do it to hide a
 * hybrid layout) hides the cgroup2 tree: only the last mount at a mount
 * point counts, and a later cgroup2 mount there is seen again. */
static void
a_later_mount_hides_a_hierarchy (void **state)
{
  (void) state;
  static const char mountinfo[]
      = "30 1 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
        "31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
        "32 30 0:28 / /sys/fs/cgroup/memory rw shared:9 - cgroup cgroup rw,memory\n"
        "33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        "40 31 0:50 / /sys/fs/cgroup/unified rw - tmpfs none rw\n"
        "41 1 0:28 /sub /mnt/memory-bind rw - cgroup cgroup rw,memory\n"
        "42 1 0:30 / /mnt/with\\040space rw - cgroup cgroup rw,pids\n";
  FILE *f = fmemopen ((void *) mountinfo, sizeof mountinfo - 1, "r");
  struct cgroup_layout *l = xzalloc (sizeof *l);
  assert_int_equal (cgroup_read_mountinfo (f, l), 0);
  fclose (f);
  assert_int_equal (l->n, 3);
  assert_string_equal (l->hierarchies[0].mount_point, "/sys/fs/cgroup/memory");
  assert_string_equal (l->hierarchies[1].controllers, "cpu,cpuacct");
  assert_string_equal (l->hierarchies[2].mount_point, "/mnt/with space");
  for (size_t i = 0; i < l->n; i++)
    assert_false (l->hierarchies[i].v2);
  static const char again[] = "50 40 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
  f = fmemopen ((void *) again, sizeof again - 1, "r");
  assert_int_equal (cgroup_read_mountinfo (f, l), 0);
  fclose (f);
  assert_int_equal (l->n, 4);
  assert_true (l->hierarchies[3].v2);
  cgroup_layout_free (l);
}

static void
value_mappings_match_runc_and_crun (void **state)
{
  (void) state;
  assert_int_equal (cgroup_shares_to_weight (2), 1);
  assert_int_equal (cgroup_shares_to_weight (1024), 39);
  assert_int_equal (cgroup_shares_to_weight (262144), 10000);
  assert_int_equal (cgroup_shares_to_weight (0), 0);
  assert_int_equal (cgroup_blkio_to_io_weight (10), 1);
  assert_int_equal (cgroup_blkio_to_io_weight (1000), 10000);
}

static void
state_round_trip (void **state)
{
  struct fake *f = *state;
  json_t *j = cgroup_to_json (f->cg);
  struct cgroup *back = NULL;
  assert_int_equal (cgroup_from_json (j, &back, NULL), 0);
  assert_int_equal (back->n, f->cg->n);
  assert_string_equal (back->dirs[0].dir, f->cg->dirs[0].dir);
  assert_true (back->dirs[0].v2);
  cgroup_free (back);
  json_decref (j);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (resources_land_in_v2_files, make_fake, remove_fake),
    cmocka_unit_test_setup_teardown (unlimited_values_are_max, make_fake, remove_fake),
    cmocka_unit_test_setup_teardown (v1_only_settings_are_refused_on_v2, make_fake, remove_fake),
    cmocka_unit_test_setup_teardown (a_missing_controller_is_an_error, make_fake, remove_fake),
    cmocka_unit_test_setup_teardown (io_and_hugetlb, make_fake, remove_fake),
    cmocka_unit_test_setup_teardown (a_zero_io_weight_needs_no_weight_file, make_fake, remove_fake),
    cmocka_unit_test (value_mappings_match_runc_and_crun),
    cmocka_unit_test (a_later_mount_hides_a_hierarchy),
    cmocka_unit_test_setup_teardown (state_round_trip, make_fake, remove_fake),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
