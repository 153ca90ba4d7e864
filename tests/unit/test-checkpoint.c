/* SPDX-License-Identifier: Apache-2.0 */
/* The translation of checkpoint/restore options and the container's config
 * into criu's command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/checkpoint.h"

#include <string.h>

static struct oci_spec *
config (void)
{
  const char *text
      = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
        "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
        "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"},"
        "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\",\"options\":[\"rbind\"]},"
        "{\"destination\":\"/etc/hosts\",\"source\":\"hosts\",\"options\":[\"bind\",\"ro\"]}],"
        "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"}],"
        "\"maskedPaths\":[\"/proc/kcore\"]}}";
  struct oci_spec *spec = NULL;
  assert_int_equal (spec_parse (text, strlen (text), &spec, NULL), 0);
  return spec;
}

/* The index of WORD in ARGV, -1 if absent. */
static int
find (char **argv, const char *word)
{
  for (int i = 0; argv[i] != NULL; i++)
    if (strcmp (argv[i], word) == 0)
      return i;
  return -1;
}

static void
assert_pair (char **argv, const char *flag, const char *value)
{
  for (int i = 0; argv[i] != NULL && argv[i + 1] != NULL; i++)
    if (strcmp (argv[i], flag) == 0 && strcmp (argv[i + 1], value) == 0)
      return;
  fail_msg ("no `%s %s` in criu's command line", flag, value);
}

static void
dump_command_line (void **state)
{
  (void) state;
  struct oci_spec *spec = config ();
  struct criu_external_ns ns[] = { { .type = "net", .inode = 4026531992UL, .fd = -1 } };
  char *masked[] = { (char *) "/proc/kcore", NULL };
  struct criu_request req = {
    .op = CRIU_DUMP, .spec = spec, .bundle = "/b", .images_dir = "/img", .pid = 1234,
    .leave_running = true, .tcp_established = true, .file_locks = true,
    .external_ns = ns, .n_external_ns = 1, .console_fd = -1, .masked_files = masked,
  };
  _cleanup_strv_ char **argv = criu_argv ("criu", &req);
  assert_string_equal (argv[0], "criu");
  assert_string_equal (argv[1], "dump");
  assert_pair (argv, "--tree", "1234");
  assert_pair (argv, "--images-dir", "/img");
  assert_pair (argv, "--work-dir", "/img");
  /* criu takes the mode only in the one-word form */
  assert_true (find (argv, "--manage-cgroups=soft") > 0);
  assert_int_equal (find (argv, "--manage-cgroups"), -1);
  assert_true (find (argv, "--leave-running") > 0);
  assert_true (find (argv, "--tcp-established") > 0);
  assert_true (find (argv, "--file-locks") > 0);
  assert_int_equal (find (argv, "--shell-job"), -1);
  assert_int_equal (find (argv, "--empty-ns"), -1);
  /* bind mounts are external, named by destination; masked files are all
   * named /dev/null */
  assert_pair (argv, "--external", "mnt[/data]:/data");
  assert_pair (argv, "--external", "mnt[/etc/hosts]:/etc/hosts");
  assert_pair (argv, "--external", "mnt[/proc/kcore]:/dev/null");
  assert_int_equal (find (argv, "mnt[/proc]:/proc"), -1);
  /* a joined network namespace is external */
  assert_pair (argv, "--external", "net[4026531992]:net-ns");
  assert_int_equal (find (argv, "--root"), -1);
  spec_free (spec);
}

static void
restore_command_line (void **state)
{
  (void) state;
  struct oci_spec *spec = config ();
  struct cgroup_dir dirs[] = {
    { .v2 = false, .controllers = (char *) "memory", .path = (char *) "/hako/c1" },
    { .v2 = true, .controllers = (char *) "", .path = (char *) "/hako/c1" },
  };
  struct cgroup cg = { .n = 2, .dirs = dirs };
  struct criu_external_ns ns[] = { { .type = "net", .fd = 7 } };
  struct criu_request req = {
    .op = CRIU_RESTORE, .spec = spec, .bundle = "/b", .rootfs = "/b/rootfs",
    .images_dir = "/img", .work_dir = "/work", .pidfile = "/run/p", .cgroup = &cg,
    .manage_cgroups_mode = "full", .external_ns = ns, .n_external_ns = 1, .console_fd = -1,
    .stdio_pipes = { NULL, "pipe:[4242]", NULL }, .stdio_fds = { -1, 9, -1 },
    .empty_netns = true,
  };
  _cleanup_strv_ char **argv = criu_argv ("/usr/sbin/criu", &req);
  assert_string_equal (argv[1], "restore");
  assert_pair (argv, "--root", "/b/rootfs");
  assert_pair (argv, "--work-dir", "/work");
  assert_pair (argv, "--pidfile", "/run/p");
  assert_true (find (argv, "--manage-cgroups=full") > 0);
  assert_true (find (argv, "--restore-detached") > 0);
  assert_pair (argv, "--cgroup-root", "memory:/hako/c1");
  assert_pair (argv, "--cgroup-root", "/hako/c1");
  /* external mounts come back from their host sources, relative to the bundle */
  assert_pair (argv, "--external", "mnt[/data]:/srv/data");
  assert_pair (argv, "--external", "mnt[/etc/hosts]:/b/hosts");
  assert_pair (argv, "--external", "mnt[/dev/null]:/dev/null");
  assert_pair (argv, "--inherit-fd", "fd[7]:net-ns");
  /* a dumped stdout pipe is replaced by the caller's (copied to fd 9) */
  assert_pair (argv, "--inherit-fd", "fd[9]:pipe:[4242]");
  assert_pair (argv, "--empty-ns", "net");
  assert_int_equal (find (argv, "--tree"), -1);
  spec_free (spec);
}

/* Without a cgroup namespace the host's cgroup directory is bound: external
 * on dump, the new container's directory on restore. */
static void
a_bound_cgroup_is_external (void **state)
{
  (void) state;
  struct oci_spec *spec = config ();
  struct oci_mount *m = &spec->mounts[0];
  free (m->type);
  m->type = xstrdup ("cgroup");
  free (m->destination);
  m->destination = xstrdup ("/sys/fs/cgroup");
  struct cgroup_dir dirs[] = { { .v2 = true, .controllers = (char *) "", .path = (char *) "/hk/c1",
                                 .mount_point = (char *) "/sys/fs/cgroup",
                                 .dir = (char *) "/sys/fs/cgroup/hk/c1" } };
  struct cgroup cg = { .n = 1, .dirs = dirs };
  struct criu_request dump = { .op = CRIU_DUMP, .spec = spec, .images_dir = "/i", .pid = 1,
                               .cgroup = &cg, .console_fd = -1 };
  _cleanup_strv_ char **a = criu_argv ("criu", &dump);
  assert_pair (a, "--external", "mnt[/sys/fs/cgroup]:/sys/fs/cgroup");
  struct criu_request restore = { .op = CRIU_RESTORE, .spec = spec, .bundle = "/b", .rootfs = "/r",
                                  .images_dir = "/i", .pidfile = "/p", .cgroup = &cg,
                                  .console_fd = -1 };
  _cleanup_strv_ char **b = criu_argv ("criu", &restore);
  assert_pair (b, "--external", "mnt[/sys/fs/cgroup]:/sys/fs/cgroup/hk/c1");
  spec_free (spec);
}

/* A pre-dump tracks memory; the final dump names its parent. */
static void
pre_dump_then_dump (void **state)
{
  (void) state;
  struct oci_spec *spec = config ();
  struct criu_request pre = { .op = CRIU_PRE_DUMP, .spec = spec, .images_dir = "/pre", .pid = 9,
                              .leave_running = true, .console_fd = -1 };
  _cleanup_strv_ char **a = criu_argv ("criu", &pre);
  assert_string_equal (a[1], "pre-dump");
  assert_pair (a, "--log-file", "pre-dump.log");
  assert_true (find (a, "--track-mem") > 0);
  assert_int_equal (find (a, "--leave-running"), -1);
  struct criu_request fin = { .op = CRIU_DUMP, .spec = spec, .images_dir = "/fin", .pid = 9,
                              .parent_path = "../pre", .console_fd = -1 };
  _cleanup_strv_ char **b = criu_argv ("criu", &fin);
  assert_pair (b, "--prev-images-dir", "../pre");
  assert_true (find (b, "--track-mem") > 0);
  spec_free (spec);
}

static void
a_terminal_is_external (void **state)
{
  (void) state;
  struct oci_spec *spec = config ();
  struct criu_request dump = { .op = CRIU_DUMP, .spec = spec, .images_dir = "/i", .pid = 1,
                               .console_key = "tty[8800:2]", .console_fd = -1 };
  _cleanup_strv_ char **a = criu_argv ("criu", &dump);
  assert_pair (a, "--external", "tty[8800:2]");
  struct criu_request restore = { .op = CRIU_RESTORE, .spec = spec, .bundle = "/b",
                                  .rootfs = "/r", .images_dir = "/i", .pidfile = "/p",
                                  .console_key = "tty[8800:2]", .console_fd = 5 };
  _cleanup_strv_ char **b = criu_argv ("criu", &restore);
  assert_pair (b, "--inherit-fd", "fd[5]:tty[8800:2]");
  spec_free (spec);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (dump_command_line),
    cmocka_unit_test (restore_command_line),
    cmocka_unit_test (a_bound_cgroup_is_external),
    cmocka_unit_test (pre_dump_then_dump),
    cmocka_unit_test (a_terminal_is_external),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
