/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/fs-util.h"
#include "transfer/ctr-diff.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static void
kinds (void **state)
{
  (void)state;
  struct stat st = { .st_mode = S_IFREG | 0644 };
  assert_int_equal (ctr_diff_kind (&st, true), 'C');
  assert_int_equal (ctr_diff_kind (&st, false), 'A');
  st.st_mode = S_IFCHR | 0;
  st.st_rdev = makedev (0, 0);
  assert_int_equal (ctr_diff_kind (&st, true), 'D');
  /* a real character device is a file like any other */
  st.st_rdev = makedev (1, 3);
  assert_int_equal (ctr_diff_kind (&st, false), 'A');
}

struct tree
{
  char dir[64];
  int upper, lower[2]; /* lower[0] is the top layer */
};

static void
make (int dirfd, const char *path, bool dir)
{
  if (dir)
    assert_int_equal (mkdirat (dirfd, path, 0755), 0);
  else
    {
      int fd = openat (dirfd, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      assert_true (fd >= 0);
      close (fd);
    }
}

static int
open_dir (const char *base, const char *name)
{
  char path[128];
  snprintf (path, sizeof path, "%s/%s", base, name);
  mkdir (path, 0755);
  return open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int
tree_setup (void **state)
{
  struct tree *t = calloc (1, sizeof *t);
  strcpy (t->dir, "/tmp/test-container-diff-XXXXXX");
  assert_non_null (mkdtemp (t->dir));
  t->upper = open_dir (t->dir, "upper");
  t->lower[0] = open_dir (t->dir, "top");
  t->lower[1] = open_dir (t->dir, "bottom");
  /* bottom: etc/passwd, etc/group, usr/bin/tool, gone/x; top adds var/log */
  make (t->lower[1], "etc", true);
  make (t->lower[1], "etc/passwd", false);
  make (t->lower[1], "etc/group", false);
  make (t->lower[1], "usr", true);
  make (t->lower[1], "usr/bin", true);
  make (t->lower[1], "usr/bin/tool", false);
  make (t->lower[0], "var", true);
  make (t->lower[0], "var/log", true);
  *state = t;
  return 0;
}

static int
tree_teardown (void **state)
{
  struct tree *t = *state;
  close (t->upper);
  close (t->lower[0]);
  close (t->lower[1]);
  int root = open ("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  fs_remove_tree (root, t->dir + 5, NULL);
  close (root);
  free (t);
  return 0;
}

static char *
diff_text (struct tree *t)
{
  struct ctr_change *c = NULL;
  size_t n = 0;
  assert_int_equal (ctr_diff (t->upper, t->lower, 2, NULL, &c, &n, NULL), 0);
  char *text = calloc (1, 4096);
  for (size_t i = 0; i < n; i++)
    snprintf (text + strlen (text), 4096 - strlen (text), "%c %s\n", c[i].kind, c[i].path);
  ctr_changes_free (c, n);
  return text;
}

static void
added_and_changed_over_two_layers (void **state)
{
  struct tree *t = *state;
  make (t->upper, "etc", true);
  make (t->upper, "etc/passwd", false); /* copied up from the bottom layer */
  make (t->upper, "etc/new", false);
  make (t->upper, "var", true);
  make (t->upper, "var/log", true);
  make (t->upper, "var/log/app.log", false); /* under the top layer's dir */
  make (t->upper, "srv", true);
  make (t->upper, "srv/data", false);
  make (t->upper, "srv-x", false); /* sorts before srv/ as Docker sorts */
  /* the engine's mount points are not changes */
  make (t->upper, "etc/hosts", false);
  make (t->upper, "proc", true);
  char *text = diff_text (t);
  assert_string_equal (text, "C /etc\n"
                             "A /etc/new\n"
                             "C /etc/passwd\n"
                             "A /srv\n"
                             "A /srv-x\n"
                             "A /srv/data\n"
                             "C /var\n"
                             "C /var/log\n"
                             "A /var/log/app.log\n");
  free (text);
}

static void
a_directory_copied_up_for_a_mount_point_only_is_not_listed (void **state)
{
  struct tree *t = *state;
  make (t->upper, "etc", true);
  make (t->upper, "etc/hostname", false);
  make (t->upper, "etc/resolv.conf", false);
  char *text = diff_text (t);
  assert_string_equal (text, "");
  free (text);
  /* ... unless its mode changed */
  assert_int_equal (fchmodat (t->upper, "etc", 0700, 0), 0);
  text = diff_text (t);
  assert_string_equal (text, "C /etc\n");
  free (text);
}

static void
whiteouts_are_deletions (void **state)
{
  struct tree *t = *state;
  if (mknodat (t->upper, "usr", S_IFCHR | 0, makedev (0, 0)) < 0)
    skip (); /* creating whiteouts needs privileges here */
  char *text = diff_text (t);
  assert_string_equal (text, "D /usr\n");
  free (text);
}

static void
a_name_under_a_deleted_directory_is_added (void **state)
{
  struct tree *t = *state;
  /* the top layer deletes the bottom's usr/bin: usr/bin/tool is new again */
  make (t->lower[0], "usr", true);
  if (mknodat (t->lower[0], "usr/bin", S_IFCHR | 0, makedev (0, 0)) < 0)
    skip ();
  make (t->upper, "usr", true);
  make (t->upper, "usr/bin", true);
  make (t->upper, "usr/bin/tool", false);
  char *text = diff_text (t);
  assert_string_equal (text, "C /usr\nA /usr/bin\nA /usr/bin/tool\n");
  free (text);
}

static void
an_opaque_directory_hides_the_layers_below (void **state)
{
  struct tree *t = *state;
  char path[128];
  snprintf (path, sizeof path, "%s/top/etc", t->dir);
  make (t->lower[0], "etc", true);
  if (setxattr (path, "trusted.overlay.opaque", "y", 1, 0) < 0)
    skip (); /* trusted.* xattrs need privileges */
  make (t->upper, "etc", true);
  make (t->upper, "etc/group", false);
  char *text = diff_text (t);
  assert_string_equal (text, "C /etc\nA /etc/group\n");
  free (text);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (kinds),
    cmocka_unit_test_setup_teardown (added_and_changed_over_two_layers, tree_setup, tree_teardown),
    cmocka_unit_test_setup_teardown (a_directory_copied_up_for_a_mount_point_only_is_not_listed,
                                     tree_setup, tree_teardown),
    cmocka_unit_test_setup_teardown (whiteouts_are_deletions, tree_setup, tree_teardown),
    cmocka_unit_test_setup_teardown (a_name_under_a_deleted_directory_is_added, tree_setup,
                                     tree_teardown),
    cmocka_unit_test_setup_teardown (an_opaque_directory_hides_the_layers_below, tree_setup,
                                     tree_teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
