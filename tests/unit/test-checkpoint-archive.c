/* SPDX-License-Identifier: Apache-2.0 */
/* The checkpoint archive written with each --compress kind and read back
 * without being told which, with volumes, and hostile archives that name
 * volumes the manifest does not list (checkpoint-archive.h). */
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

/* A layer: one file, NAME, holding CONTENT. */
static int
layer_with (const char *name, const char *content)
{
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_file (&t, name, content, 0644);
  tarb_finish (&t);
  int fd = memfd_with (t.buf, t.used);
  tarb_free (&t);
  return fd;
}

/* The layer: one file, a.txt. */
static int
layer_fd (void)
{
  return layer_with ("a.txt", "changed\n");
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

/* The archive written with COMPRESS into a memfd; VOLUMES (may be NULL)
 * each hold one file, v.txt, with the volume's name. */
static int
write_archive_with (enum checkpoint_compression compress, char **volumes)
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
    .volumes = volumes,
  };
  int volume_fds[4];
  for (size_t i = 0; volumes != NULL && volumes[i] != NULL; i++)
    volume_fds[i] = layer_with ("v.txt", volumes[i]);
  struct hk_error *err = NULL;
  assert_int_equal (checkpoint_archive_write (out, compress, &m, layer, dir, volume_fds, &err), 0);
  for (size_t i = 0; volumes != NULL && volumes[i] != NULL; i++)
    close (volume_fds[i]);
  json_decref (m.config);
  close (layer);
  close (dir);
  assert_int_equal (fs_remove_tree (AT_FDCWD, images, &err), 0);
  assert_int_equal (lseek (out, 0, SEEK_SET), 0);
  return out;
}

static int
write_archive (enum checkpoint_compression compress)
{
  return write_archive_with (compress, NULL);
}

static ssize_t
fd_read (void *opaque, void *buf, size_t len, struct hk_error **err)
{
  ssize_t n = read (*(int *)opaque, buf, len);
  if (n < 0)
    return hk_error_errno (err, errno, "read");
  return n;
}

/* Reads the archive in FD into a new directory; the error's message in
 * *WHY (NULL when it was read), the directory removed after CHECK (may be
 * NULL) saw it and the manifest. */
static void
read_into (int fd, char **why, void (*check) (int dest_fd, const struct checkpoint_manifest *m))
{
  char dest[] = "/tmp/test-ckpt-read.XXXXXX";
  assert_non_null (mkdtemp (dest));
  int dest_fd = open (dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true (dest_fd >= 0);
  struct layer_input in = { .read = fd_read, .opaque = &fd };
  struct checkpoint_manifest m = { 0 };
  struct hk_error *err = NULL;
  *why = NULL;
  if (checkpoint_archive_read (&in, dest_fd, NULL, NULL, &m, &err) < 0)
    {
      *why = strdup (err->message);
      hk_error_free (err);
      err = NULL;
    }
  else if (check != NULL)
    check (dest_fd, &m);
  checkpoint_manifest_clear (&m);
  close (dest_fd);
  assert_int_equal (fs_remove_tree (AT_FDCWD, dest, &err), 0);
}

/* What write_archive put in: the manifest, the layer, the image. */
static void
all_came (int dest_fd, const struct checkpoint_manifest *m)
{
  assert_string_equal (m->name, "web");
  assert_string_equal (m->image_id, IMAGE_ID);
  struct hk_error *err = NULL;
  char *text = NULL;
  assert_int_equal (fs_read_file (dest_fd, "rootfs/a.txt", 64, &text, NULL, &err), 0);
  assert_string_equal (text, "changed\n");
  free (text);
  assert_int_equal (fs_read_file (dest_fd, "checkpoint/inventory.img", 64, &text, NULL, &err), 0);
  assert_string_equal (text, "criu");
  free (text);
}

/* Reads the archive in FD back and checks what came out. */
static void
read_back (int fd)
{
  char *why;
  read_into (fd, &why, all_came);
  if (why != NULL)
    fail_msg ("read: %s", why);
}

static void
two_volumes_came (int dest_fd, const struct checkpoint_manifest *m)
{
  all_came (dest_fd, m);
  struct hk_error *err = NULL;
  char *text = NULL;
  assert_int_equal (fs_read_file (dest_fd, "volumes/data/v.txt", 64, &text, NULL, &err), 0);
  assert_string_equal (text, "data");
  free (text);
  assert_int_equal (fs_read_file (dest_fd, "volumes/cache.1/v.txt", 64, &text, NULL, &err), 0);
  assert_string_equal (text, "cache.1");
  free (text);
}

static void
volumes_round_trip (void **state)
{
  (void)state;
  char *volumes[] = { "data", "cache.1", NULL };
  int fd = write_archive_with (CHECKPOINT_COMPRESS_ZSTD, volumes);
  char *why;
  read_into (fd, &why, two_volumes_came);
  if (why != NULL)
    fail_msg ("read: %s", why);
  close (fd);
}

/* A hand-made archive: MANIFEST, a rootfs, one image, and the member
 * EXTRA holding an empty layer (NULL: none). */
static int
hand_made (const char *manifest, const char *extra)
{
  struct tarb layer;
  tarb_init (&layer, TARB_PLAIN);
  tarb_file (&layer, "x", "x", 0644);
  tarb_finish (&layer);
  struct tarb t;
  tarb_init (&t, TARB_PLAIN);
  tarb_file (&t, "manifest.json", manifest, 0600);
  tarb_write (&t, tarb_entry ("rootfs.tar", AE_IFREG, 0600), layer.buf, layer.used);
  tarb_file (&t, "checkpoint/inventory.img", "criu", 0600);
  if (extra != NULL)
    tarb_write (&t, tarb_entry (extra, AE_IFREG, 0600), layer.buf, layer.used);
  tarb_finish (&t);
  int fd = memfd_with (t.buf, t.used);
  tarb_free (&t);
  tarb_free (&layer);
  return fd;
}

#define MANIFEST_WITH(volumes)                                                                \
  "{\"format\": \"hako-checkpoint\", \"version\": 1, \"name\": \"web\", \"image\": "       \
  "\"busybox\", \"imageId\": \"" IMAGE_ID "\", \"checkpointedAt\": \"x\", \"config\": {}" \
  volumes "}"

/* Each hostile archive is refused, with WANT in the error. */
static void
refused (const char *manifest, const char *extra, const char *want)
{
  int fd = hand_made (manifest, extra);
  char *why;
  read_into (fd, &why, NULL);
  close (fd);
  if (why == NULL)
    fail_msg ("read an archive that should be refused (%s)", want);
  if (strstr (why, want) == NULL)
    fail_msg ("error `%s` does not say `%s`", why, want);
  free (why);
}

static void
volume_member_not_in_manifest_is_refused (void **state)
{
  (void)state;
  refused (MANIFEST_WITH (""), "volumes/etc.tar", "not a volume the manifest lists");
  refused (MANIFEST_WITH (", \"volumes\": [\"data\"]"), "volumes/other.tar",
           "not a volume the manifest lists");
  refused (MANIFEST_WITH (", \"volumes\": [\"data\"]"), "volumes/data",
           "not a volume the manifest lists");
}

static void
volume_name_escape_is_refused (void **state)
{
  (void)state;
  refused (MANIFEST_WITH (", \"volumes\": [\"../../etc\"]"), "volumes/../../etc.tar",
           "invalid volume name");
  refused (MANIFEST_WITH (", \"volumes\": [\"a/b\"]"), NULL, "invalid volume name");
  refused (MANIFEST_WITH (", \"volumes\": [\"data\", \"data\"]"), NULL, "data comes twice");
}

static void
listed_volume_missing_is_refused (void **state)
{
  (void)state;
  refused (MANIFEST_WITH (", \"volumes\": [\"data\"]"), NULL,
           "lists volume data, whose member volumes/data.tar is missing");
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
    cmocka_unit_test (volumes_round_trip),
    cmocka_unit_test (volume_member_not_in_manifest_is_refused),
    cmocka_unit_test (volume_name_escape_is_refused),
    cmocka_unit_test (listed_volume_missing_is_refused),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
