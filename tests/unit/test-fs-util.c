/* SPDX-License-Identifier: Apache-2.0 */
/* fs_remove_tree: removes a tree wherever the current directory is, never
 * follows a link out of it, and never empties a mount inside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fs-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

struct tree
{
  char *top;     /* a temporary directory holding tree/ and outside/ */
  char *mounted; /* a tmpfs mounted by the test, if any */
  char cwd[PATH_MAX];
};

static void
make_file (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true (fd >= 0);
  assert_int_equal (fs_write_all (fd, "x", 1), 0);
  close (fd);
}

/* TOP/tree/{file, a/b/c/file, link -> ../outside}, TOP/outside/kept */
static int
make_tree (void **state)
{
  struct tree *t = xzalloc (sizeof *t);
  char tmpl[] = "/tmp/hako-fs-util-XXXXXX";
  assert_non_null (mkdtemp (tmpl));
  t->top = xstrdup (tmpl);
  assert_non_null (getcwd (t->cwd, sizeof t->cwd));
  _cleanup_free_ char *deep = xasprintf ("%s/tree/a/b/c", t->top);
  assert_int_equal (fs_mkdir_p (deep, 0755, NULL), 0);
  _cleanup_free_ char *file = xasprintf ("%s/tree/file", t->top);
  _cleanup_free_ char *deep_file = xasprintf ("%s/file", deep);
  make_file (file);
  make_file (deep_file);
  _cleanup_free_ char *outside = xasprintf ("%s/outside", t->top);
  assert_int_equal (mkdir (outside, 0755), 0);
  _cleanup_free_ char *kept = xasprintf ("%s/kept", outside);
  make_file (kept);
  _cleanup_free_ char *link = xasprintf ("%s/tree/link", t->top);
  assert_int_equal (symlink ("../outside", link), 0);
  *state = t;
  return 0;
}

static int
remove_tree (void **state)
{
  struct tree *t = *state;
  if (chdir (t->cwd) < 0)
    return -1;
  if (t->mounted != NULL)
    umount2 (t->mounted, MNT_DETACH);
  struct hk_error *err = NULL;
  int r = fs_remove_tree (AT_FDCWD, t->top, &err);
  hk_error_free (err);
  free (t->mounted);
  free (t->top);
  free (t);
  return r;
}

static bool
exists (const char *top, const char *name)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", top, name);
  struct stat st;
  return lstat (path, &st) == 0;
}

/* The bug: the device of the current directory was taken for the parent's,
 * so a tree in /tmp was refused as "a mount point" whenever the current
 * directory was on another file system. */
static void
removes_from_another_filesystem (void **state)
{
  struct tree *t = *state;
  assert_int_equal (chdir ("/proc"), 0);
  _cleanup_free_ char *tree = xasprintf ("%s/tree", t->top);
  struct hk_error *err = NULL;
  int r = fs_remove_tree (AT_FDCWD, tree, &err);
  if (r < 0)
    fail_msg ("%s", err->message);
  assert_false (exists (t->top, "tree"));
  assert_true (exists (t->top, "outside/kept"));
}

static void
removes_a_relative_path_with_slashes (void **state)
{
  struct tree *t = *state;
  _cleanup_close_ int top = open (t->top, O_PATH | O_DIRECTORY | O_CLOEXEC);
  assert_true (top >= 0);
  assert_int_equal (chdir ("/proc"), 0);
  assert_int_equal (fs_remove_tree (top, "tree/a/b/", NULL), 0);
  assert_false (exists (t->top, "tree/a/b"));
  assert_true (exists (t->top, "tree/a"));
}

static void
missing_is_fine (void **state)
{
  struct tree *t = *state;
  _cleanup_free_ char *gone = xasprintf ("%s/none/deeper", t->top);
  assert_int_equal (fs_remove_tree (AT_FDCWD, gone, NULL), 0);
  _cleanup_free_ char *gone_too = xasprintf ("%s/tree/none", t->top);
  assert_int_equal (fs_remove_tree (AT_FDCWD, gone_too, NULL), 0);
}

static void
a_mount_inside_is_refused_and_kept (void **state)
{
  struct tree *t = *state;
  t->mounted = xasprintf ("%s/tree/a/b", t->top);
  if (mount ("hako-test", t->mounted, "tmpfs", 0, "size=64k") < 0)
    {
      int e = errno;
      free (t->mounted);
      t->mounted = NULL;
      if (e == EPERM)
        skip ();
      fail_msg ("mount tmpfs: %s", strerror (e));
    }
  _cleanup_free_ char *inside = xasprintf ("%s/on-tmpfs", t->mounted);
  make_file (inside);
  _cleanup_free_ char *tree = xasprintf ("%s/tree", t->top);
  struct hk_error *err = NULL;
  assert_int_equal (fs_remove_tree (AT_FDCWD, tree, &err), -1);
  assert_int_equal (err->errnum, EBUSY);
  assert_non_null (strstr (err->message, "mount point"));
  hk_error_free (err);
  assert_true (exists (t->top, "tree/a/b/on-tmpfs"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (removes_from_another_filesystem, make_tree, remove_tree),
    cmocka_unit_test_setup_teardown (removes_a_relative_path_with_slashes, make_tree, remove_tree),
    cmocka_unit_test_setup_teardown (missing_is_fine, make_tree, remove_tree),
    cmocka_unit_test_setup_teardown (a_mount_inside_is_refused_and_kept, make_tree, remove_tree),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
