/* SPDX-License-Identifier: Apache-2.0 */
/* Path resolution inside an untrusted tree, with openat2 and with the
 * fallback walk: symlinks and ".." never lead outside the root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/in-root.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tree
{
  char *top;   /* temp dir holding root/ and outside/ */
  int root_fd;
};

static void
write_text (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true (fd >= 0);
  assert_int_equal (fs_write_all (fd, text, strlen (text)), 0);
  close (fd);
}

static int
make_tree (void **state)
{
  struct tree *t = xzalloc (sizeof *t);
  char tmpl[] = "/tmp/hako-in-root-XXXXXX";
  t->top = xstrdup (mkdtemp (tmpl));
  _cleanup_free_ char *root = xasprintf ("%s/root", t->top);
  _cleanup_free_ char *etc = xasprintf ("%s/root/etc", t->top);
  _cleanup_free_ char *outside = xasprintf ("%s/outside", t->top);
  mkdir (root, 0755);
  mkdir (etc, 0755);
  mkdir (outside, 0755);
  _cleanup_free_ char *inside_file = xasprintf ("%s/passwd", etc);
  _cleanup_free_ char *secret = xasprintf ("%s/secret", outside);
  write_text (inside_file, "inside");
  write_text (secret, "outside");
  t->root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  /* The hostile part: links that point out of the tree. */
  symlinkat ("../../../../../../etc", t->root_fd, "escape");
  symlinkat ("/etc", t->root_fd, "abs");
  symlinkat ("../outside/secret", t->root_fd, "up");
  symlinkat ("loop", t->root_fd, "loop");
  *state = t;
  return 0;
}

static int
remove_tree (void **state)
{
  struct tree *t = *state;
  close (t->root_fd);
  fs_remove_tree (AT_FDCWD, t->top, NULL);
  free (t->top);
  free (t);
  unsetenv ("HAKO_TEST_RESOLVE_FALLBACK");
  return 0;
}

static char *
read_via (int root_fd, const char *path)
{
  struct hk_error *err = NULL;
  int fd = in_root_open (root_fd, path, O_RDONLY, 0, &err);
  if (fd < 0)
    {
      hk_error_free (err);
      return NULL;
    }
  char *text = NULL;
  fs_read_fd (fd, 4096, &text, NULL, NULL);
  close (fd);
  return text;
}

static void
check_confinement (struct tree *t)
{
  _cleanup_free_ char *a = read_via (t->root_fd, "/escape/passwd");
  _cleanup_free_ char *b = read_via (t->root_fd, "abs/passwd");
  _cleanup_free_ char *c = read_via (t->root_fd, "../../../etc/passwd");
  assert_string_equal (a, "inside");
  assert_string_equal (b, "inside");
  assert_string_equal (c, "inside");
  /* ../outside/secret stays inside: root/outside/secret does not exist. */
  assert_null (read_via (t->root_fd, "up"));
  struct hk_error *err = NULL;
  assert_int_equal (in_root_open (t->root_fd, "loop", O_RDONLY, 0, &err), -1);
  assert_int_equal (err->errnum, ELOOP);
  hk_error_free (err);
}

static void
openat2_confines (void **state)
{
  check_confinement (*state);
}

static void
fallback_confines (void **state)
{
  setenv ("HAKO_TEST_RESOLVE_FALLBACK", "1", 1);
  assert_true (in_root_uses_fallback ());
  check_confinement (*state);
}

static void
check_mkpath (struct tree *t)
{
  struct hk_error *err = NULL;
  int fd = in_root_mkpath (t->root_fd, "/abs/made/deep", IN_ROOT_DIR, 0755, &err);
  assert_true (fd >= 0);
  close (fd);
  _cleanup_free_ char *inside = xasprintf ("%s/root/etc/made/deep", t->top);
  struct stat st;
  assert_int_equal (stat (inside, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  /* a file through the escaping link lands inside too */
  fd = in_root_mkpath (t->root_fd, "escape/file", IN_ROOT_FILE, 0600, &err);
  assert_true (fd >= 0);
  close (fd);
  _cleanup_free_ char *file = xasprintf ("%s/root/etc/file", t->top);
  assert_int_equal (stat (file, &st), 0);
  assert_true (S_ISREG (st.st_mode));
  unlink (file);
  _cleanup_free_ char *deep = xasprintf ("%s/root/etc/made", t->top);
  fs_remove_tree (AT_FDCWD, deep, NULL);
}

static void
mkpath_creates_inside (void **state)
{
  check_mkpath (*state);
}

static void
mkpath_creates_inside_with_fallback (void **state)
{
  setenv ("HAKO_TEST_RESOLVE_FALLBACK", "1", 1);
  check_mkpath (*state);
}

static void
nofollow_keeps_the_last_link (void **state)
{
  struct tree *t = *state;
  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        setenv ("HAKO_TEST_RESOLVE_FALLBACK", "1", 1);
      int fd = in_root_open (t->root_fd, "abs", O_PATH | O_NOFOLLOW, 0, NULL);
      assert_true (fd >= 0);
      struct stat st;
      assert_int_equal (fstat (fd, &st), 0);
      assert_true (S_ISLNK (st.st_mode));
      close (fd);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (openat2_confines, make_tree, remove_tree),
    cmocka_unit_test_setup_teardown (fallback_confines, make_tree, remove_tree),
    cmocka_unit_test_setup_teardown (mkpath_creates_inside, make_tree, remove_tree),
    cmocka_unit_test_setup_teardown (mkpath_creates_inside_with_fallback, make_tree, remove_tree),
    cmocka_unit_test_setup_teardown (nofollow_keeps_the_last_link, make_tree, remove_tree),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
