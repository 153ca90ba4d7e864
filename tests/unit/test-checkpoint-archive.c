/* SPDX-License-Identifier: Apache-2.0 */
/* The checkpoint archive written with each --compress kind and read back
 * without being told which (checkpoint-archive.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tar-builder.h"
#include "common/error.h"
#include "common/fs-util.h"
#include "transfer/checkpoint-archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define IMAGE_ID "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A memfd holding LEN bytes of DATA, at offset 0. */
static int
memfd_with (const void *data, size_t len)
{
  int fd = memfd_create ("test", MFD_CLOEXEC);
  assert_true (fd >= 0);
  assert_int_equal (write (fd, data, len), (ssize_t)len);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  return fd;
}

/* The layer: one file, a.txt. */
static int
layer_fd (void)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_file (&t, "a.txt", "changed\n", 0644);
  tarb_finish (&t);
  int fd = memfd_with (t.buf, t.used);
  tarb_free (&t);
  return fd;
}

/* criu's directory, with one image. */
static int
images_fd (char *dir)
{
  assert_non_null (mkdtemp (dir));
  char path[128];
  snprintf (path, sizeof path, "%s/inventory.img", dir);
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  assert_true (fd >= 0);
  assert_int_equal (write (fd, "criu", 4), 4);
  close (fd);
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true (fd >= 0);
  return fd;
}

/* The archive written with COMPRESS into a memfd. */
static int
write_archive (enum checkpoint_compression compress)
{
  char images[] = "/tmp/test-ckpt-images.XXXXXX";
  int layer = layer_fd (), dir = images_fd (images);
  int out = memfd_create ("archive", MFD_CLOEXEC);
  assert_true (out >= 0);
  struct checkpoint_manifest m = {
    .name = "web",
    .image = "busybox",
    .image_id = IMAGE_ID,
    .checkpointed_at = "2026-12-06T12:00:00.000000000Z",
    .config = json_object (),
  };
  struct hk_error *err = NULL;
  assert_int_equal (checkpoint_archive_write (out, compress, &m, layer, dir, &err), 0);
  json_decref (m.config);
  close (layer);
  close (dir);
  assert_int_equal (fs_remove_tree (AT_FDCWD, images, &err), 0);
  assert_int_equal (lseek (out, 0, SEEK_SET), 0);
  return out;
}

static ssize_t
fd_read (void *opaque, void *buf, size_t len, struct hk_error **err)
{
  ssize_t n = read (*(int *)opaque, buf, len);
  if (n < 0)
    return hk_error_errno (err, errno, "read");
  return n;
}

/* Reads the archive in FD back and checks what came out. */
static void
read_back (int fd)
{
  char dest[] = "/tmp/test-ckpt-read.XXXXXX";
  assert_non_null (mkdtemp (dest));
  int dest_fd = open (dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true (dest_fd >= 0);
  struct layer_input in = { .read = fd_read, .opaque = &fd };
  struct checkpoint_manifest m = { 0 };
  struct hk_error *err = NULL;
  int r = checkpoint_archive_read (&in, dest_fd, NULL, NULL, &m, &err);
  if (r < 0)
    fail_msg ("read: %s", err->message);
  assert_string_equal (m.name, "web");
  assert_string_equal (m.image_id, IMAGE_ID);
  char *text = NULL;
  assert_int_equal (fs_read_file (dest_fd, "rootfs/a.txt", 64, &text, NULL, &err), 0);
  assert_string_equal (text, "changed\n");
  free (text);
  assert_int_equal (fs_read_file (dest_fd, "checkpoint/inventory.img", 64, &text, NULL, &err), 0);
  assert_string_equal (text, "criu");
  free (text);
  checkpoint_manifest_clear (&m);
  close (dest_fd);
  assert_int_equal (fs_remove_tree (AT_FDCWD, dest, &err), 0);
}

/* The archive's first bytes. */
static void
head_of (int fd, unsigned char *buf, size_t len, off_t offset)
{
  assert_int_equal (pread (fd, buf, len, offset), (ssize_t)len);
}

static void
zstd_round_trip (void **state)
{
  (void)state;
  int fd = write_archive (CHECKPOINT_COMPRESS_ZSTD);
  unsigned char magic[4];
  head_of (fd, magic, sizeof magic, 0);
  assert_memory_equal (magic, "\x28\xb5\x2f\xfd", 4);
  read_back (fd);
  close (fd);
}

static void
gzip_round_trip (void **state)
{
  (void)state;
  int fd = write_archive (CHECKPOINT_COMPRESS_GZIP);
  unsigned char magic[2];
  head_of (fd, magic, sizeof magic, 0);
  assert_memory_equal (magic, "\x1f\x8b", 2);
  read_back (fd);
  close (fd);
}

static void
none_round_trip (void **state)
{
  (void)state;
  int fd = write_archive (CHECKPOINT_COMPRESS_NONE);
  unsigned char magic[5];
  head_of (fd, magic, sizeof magic, 257); /* a tar header's "ustar" */
  assert_memory_equal (magic, "ustar", 5);
  read_back (fd);
  close (fd);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (zstd_round_trip),
    cmocka_unit_test (gzip_round_trip),
    cmocka_unit_test (none_round_trip),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
