/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's calls from end to end on a scratch store: import a tar,
 * resolve it by name, ID and prefix, read its config, and make, mount and
 * remove a root filesystem (the mount only as root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fs-util.h"
#include "store/image.h"
#include "transfer/import.h"
#include "tar-builder.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
test_import_resolve_config_rootfs (void **state)
{
  char root[] = "/tmp/hako-api-test.XXXXXX";
  assert_non_null (mkdtemp (root));
  _cleanup_error_ struct hk_error *err = NULL;
  struct store *s = NULL;
  if (store_open (root, NULL, &s, &err) < 0)
    fail_msg ("%s", err->message);

  struct tarb t;
  tarb_init (&t, TARB_GZIP);
  tarb_dir (&t, "etc", 0755);
  tarb_file (&t, "etc/hostname", "api\n", 0644);
  tarb_finish (&t);
  char tar_path[256];
  snprintf (tar_path, sizeof tar_path, "%s.tar", root);
  int fd = open (tar_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert_int_equal (write (fd, t.buf, t.used), (ssize_t)t.used);
  lseek (fd, 0, SEEK_SET);
  char *changes[] = { (char *)"CMD [\"cat\", \"/etc/hostname\"]", (char *)"WORKDIR /etc", NULL };
  struct image_import_options o = { .tag = "docker.io/library/api:1", .changes = changes };
  char id[DIGEST_STRING_SIZE];
  if (image_import (s, fd, &o, id, &err) < 0)
    fail_msg ("%s", err->message);
  close (fd);
  unlink (tar_path);
  tarb_free (&t);

  char *found = NULL;
  assert_int_equal (store_image_resolve (s, "api:1", NULL, &found, &err), 0);
  assert_string_equal (found, id);
  free (found);
  assert_int_equal (store_image_resolve (s, id, NULL, &found, &err), 0);
  free (found);
  char prefix[8];
  memcpy (prefix, id + 7, 7);
  prefix[7] = '\0';
  assert_int_equal (store_image_resolve (s, prefix, NULL, &found, &err), 0);
  assert_string_equal (found, id);
  free (found);
  assert_int_equal (store_image_resolve (s, "api:2", NULL, &found, &err), -1);
  assert_non_null (strstr (err->message, "no such image"));

  _cleanup_image_config_ struct image_config *config = NULL;
  _cleanup_free_ char *json = NULL;
  assert_int_equal (image_config_load (s, id, &config, &json, &err), 0);
  assert_string_equal (config->cmd[1], "/etc/hostname");
  assert_string_equal (config->working_dir, "/etc");
  assert_non_null (strstr (json, "\"WorkingDir\""));

  char dir[300];
  snprintf (dir, sizeof dir, "%s/containers/c1", root);
  assert_int_equal (image_rootfs_create (s, id, "c1", dir, NULL, &err), 0);
  assert_int_equal (image_rootfs_create (s, id, "c1", dir, NULL, &err), -1);
  assert_non_null (strstr (err->message, "already exists"));
  _cleanup_free_ char *opts = NULL;
  assert_int_equal (image_rootfs_mount_options (s, "c1", &opts, &err), 0);
  assert_non_null (strstr (opts, "lowerdir=l/"));
  if (geteuid () == 0)
    {
      if (image_rootfs_mount (s, "c1", NULL, &err) < 0)
        fail_msg ("%s", err->message);
      char path[400];
      snprintf (path, sizeof path, "%s/merged/etc/hostname", dir);
      assert_int_equal (access (path, F_OK), 0);
    }
  assert_int_equal (image_rootfs_remove (s, "c1", &err), 0);
  struct stat st;
  char upper[400];
  snprintf (upper, sizeof upper, "%s/upper", dir);
  assert_int_equal (stat (upper, &st), -1);
  store_close (s);
  fs_remove_tree (AT_FDCWD, root, NULL);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_import_resolve_config_rootfs),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
