/* SPDX-License-Identifier: Apache-2.0 */
/* Layer extraction fidelity: types, ownership, modes, times, xattrs,
 * whiteout conversion, and the DiffID over every compression. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "layer-test-util.h"

#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static void
build_sample (struct tarb *t, enum tarb_filter filter)
{
  tarb_init (t, filter);
  tarb_dir (t, "./", 0755);
  tarb_dir (t, "bin", 0711);
  struct archive_entry *e = tarb_entry ("bin/tool", AE_IFREG, 04755);
  archive_entry_set_uid (e, 1234);
  archive_entry_set_gid (e, 5678);
  archive_entry_set_mtime (e, 1500000000, 123456789);
  /* a file capability: cap_net_raw+ep (VFS_CAP_REVISION_2) */
  static const unsigned char cap[20]
      = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20,
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
  archive_entry_xattr_add_entry (e, "security.capability", cap, sizeof cap);
  tarb_write (t, e, "#!/bin/sh\n", 10);
  tarb_symlink (t, "bin/sh", "/bin/busybox");
  tarb_hardlink (t, "bin/tool2", "bin/tool");
  tarb_write (t, tarb_entry ("fifo", AE_IFIFO, 0600), NULL, 0);
  e = tarb_entry ("null", AE_IFCHR, 0666);
  archive_entry_set_rdevmajor (e, 1);
  archive_entry_set_rdevminor (e, 3);
  tarb_write (t, e, NULL, 0);
  tarb_file (t, "implicit/parent/file", "x", 0600);
  tarb_file (t, "etc/.wh.passwd", "", 0644);
  tarb_dir (t, "var", 0755);
  tarb_file (t, "var/.wh..wh..opq", "", 0644);
  tarb_file (t, "var/new", "new", 0644);
  tarb_file (t, ".wh..wh.plnk/1234.5678", "aufs", 0644);
  tarb_file (t, "replaced", "first", 0644);
  tarb_dir (t, "replaced", 0750);
  e = tarb_entry ("dated", AE_IFDIR, 0755);
  archive_entry_set_mtime (e, 1400000000, 0);
  tarb_write (t, e, NULL, 0);
  tarb_file (t, "dated/child", "c", 0644);
  tarb_finish (t);
}

static void
test_fidelity (void **state)
{
  struct scratch s;
  scratch_make (&s);
  struct tarb t;
  build_sample (&t, TARB_PLAIN);
  _cleanup_error_ struct hk_error *err = NULL;
  struct layer_extract_result res;
  if (extract_tar (&s, &t, &res, &err) < 0)
    fail_msg ("%s", err->message);
  int L = s.layer_fd;
  struct stat st;

  assert_int_equal (fstatat (L, "bin", &st, 0), 0);
  assert_int_equal (st.st_mode & 07777, 0711);
  assert_int_equal (fstatat (L, "bin/tool", &st, 0), 0);
  assert_int_equal (st.st_mode & 07777, 04755); /* set-uid survives the chown */
  assert_int_equal (st.st_uid, 1234);
  assert_int_equal (st.st_gid, 5678);
  assert_int_equal (st.st_mtim.tv_sec, 1500000000);
  assert_int_equal (st.st_mtim.tv_nsec, 123456789);
  assert_int_equal (st.st_nlink, 2);
  struct stat st2;
  assert_int_equal (fstatat (L, "bin/tool2", &st2, 0), 0);
  assert_int_equal (st.st_ino, st2.st_ino);
  char path[256];
  snprintf (path, sizeof path, "%s/layer/bin/tool", s.top);
  unsigned char cap[32];
  assert_int_equal (getxattr (path, "security.capability", cap, sizeof cap), 20);

  char target[64] = { 0 };
  assert_int_equal (readlinkat (L, "bin/sh", target, sizeof target), 12);
  assert_string_equal (target, "/bin/busybox");
  assert_int_equal (fstatat (L, "fifo", &st, AT_SYMLINK_NOFOLLOW), 0);
  assert_true (S_ISFIFO (st.st_mode));
  assert_int_equal (fstatat (L, "null", &st, AT_SYMLINK_NOFOLLOW), 0);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (major (st.st_rdev), 1);
  assert_int_equal (minor (st.st_rdev), 3);
  assert_int_equal (fstatat (L, "implicit/parent/file", &st, 0), 0);

  /* whiteouts in overlayfs form */
  assert_int_equal (fstatat (L, "etc/passwd", &st, AT_SYMLINK_NOFOLLOW), 0);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (st.st_rdev, makedev (0, 0));
  assert_int_equal (fstatat (L, "etc/.wh.passwd", &st, AT_SYMLINK_NOFOLLOW), -1);
  snprintf (path, sizeof path, "%s/layer/var", s.top);
  char v[4] = { 0 };
  assert_int_equal (getxattr (path, "trusted.overlay.opaque", v, sizeof v), 1);
  assert_int_equal (v[0], 'y');
  assert_int_equal (fstatat (L, "var/.wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW), -1);
  assert_int_equal (fstatat (L, "var/new", &st, 0), 0);
  assert_int_equal (fstatat (L, ".wh..wh.plnk", &st, AT_SYMLINK_NOFOLLOW), -1);

  assert_int_equal (fstatat (L, "replaced", &st, 0), 0);
  assert_true (S_ISDIR (st.st_mode));
  assert_int_equal (st.st_mode & 07777, 0750);
  /* directory times are set after the children are written */
  assert_int_equal (fstatat (L, "dated", &st, 0), 0);
  assert_int_equal (st.st_mtim.tv_sec, 1400000000);

  assert_true (res.entries >= 15);
  assert_int_equal (res.tar_size, t.used);
  char want[DIGEST_STRING_SIZE];
  digest_of_buffer (t.buf, t.used, want);
  assert_string_equal (res.diff_id, want);
  assert_int_equal (res.compression, LAYER_UNCOMPRESSED);
  scratch_remove (&s);
  tarb_free (&t);
}

static void
test_diff_id_same_for_all_compressions (void **state)
{
  char ids[3][DIGEST_STRING_SIZE];
  enum tarb_filter filters[3] = { TARB_PLAIN, TARB_GZIP, TARB_ZSTD };
  enum layer_compression expect[3] = { LAYER_UNCOMPRESSED, LAYER_GZIP, LAYER_ZSTD };
  for (int i = 0; i < 3; i++)
    {
      struct scratch s;
      scratch_make (&s);
      struct tarb t;
      build_sample (&t, filters[i]);
      _cleanup_error_ struct hk_error *err = NULL;
      struct layer_extract_result res;
      if (extract_tar (&s, &t, &res, &err) < 0)
        fail_msg ("%s", err->message);
      assert_int_equal (res.compression, expect[i]);
      assert_int_equal (layer_compression_sniff ((unsigned char *)t.buf, t.used), expect[i]);
      strcpy (ids[i], res.diff_id);
      scratch_remove (&s);
      tarb_free (&t);
    }
  assert_string_equal (ids[0], ids[1]);
  assert_string_equal (ids[0], ids[2]);
}

static void
test_empty_and_truncated (void **state)
{
  struct scratch s;
  scratch_make (&s);
  _cleanup_error_ struct hk_error *err = NULL;
  struct layer_extract_result res;
  /* a zero-byte stream is an empty layer */
  struct tarb empty = { .buf = NULL, .used = 0 };
  assert_int_equal (extract_tar (&s, &empty, &res, &err), 0);
  assert_int_equal (res.entries, 0);

  struct tarb t;
  build_sample (&t, TARB_GZIP);
  t.used /= 2;
  assert_int_equal (extract_tar (&s, &t, &res, &err), -1);
  assert_non_null (err);
  scratch_remove (&s);
  tarb_free (&t);
}

static void
test_hash_only (void **state)
{
  struct tarb t;
  build_sample (&t, TARB_ZSTD);
  char path[] = "/tmp/hako-layer-blob.XXXXXX";
  int fd = mkstemp (path);
  assert_true (fd >= 0);
  assert_int_equal (write (fd, t.buf, t.used), (ssize_t)t.used);
  lseek (fd, 0, SEEK_SET);
  _cleanup_error_ struct hk_error *err = NULL;
  char diff_id[DIGEST_STRING_SIZE];
  uint64_t size;
  enum layer_compression c;
  assert_int_equal (layer_diff_id_fd (fd, diff_id, &size, &c, &err), 0);
  assert_int_equal (c, LAYER_ZSTD);
  assert_true (size > 0);
  close (fd);
  unlink (path);
  tarb_free (&t);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_fidelity),
    cmocka_unit_test (test_diff_id_same_for_all_compressions),
    cmocka_unit_test (test_empty_and_truncated),
    cmocka_unit_test (test_hash_only),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
