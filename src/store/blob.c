/* SPDX-License-Identifier: Apache-2.0 */
/* Blobs: written in the command's scratch directory, verified against the
 * digest they must have, fsynced, and only then renamed to blobs/sha256/
 * <hex>.  What carries a digest name has been checked. */
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
blob_writer_open (struct store *s, const char *expected, int64_t expected_size,
                  struct blob_writer **out, struct hk_error **err)
{
  if (expected != NULL && digest_check (expected, err) < 0)
    return -1;
  struct blob_writer *w = xzalloc (sizeof *w);
  w->store = s;
  w->fd = -1;
  w->expected_size = expected_size;
  w->max_size = -1;
  if (expected != NULL)
    memcpy (w->expected, expected, DIGEST_STRING_SIZE);
  w->tmp_name = xasprintf ("blob-%08x%08x", (unsigned)arc4random (), (unsigned)arc4random ());
  w->fd = openat (s->tmp_fd, w->tmp_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (w->fd < 0)
    {
      int saved = errno;
      blob_writer_free (w);
      return hk_error_errno (err, saved, "create temporary blob in `%s/tmp`", s->root);
    }
  sha256_init (&w->hash);
  *out = w;
  return 0;
}

int
blob_writer_write (struct blob_writer *w, const void *buf, size_t len, struct hk_error **err)
{
  if (w->expected_size >= 0 && w->written + len > (uint64_t)w->expected_size)
    return hk_error_set (err, EFBIG, "blob %s: more than the %lld bytes its descriptor declares",
                         *w->expected ? w->expected : "(new)", (long long)w->expected_size);
  if (w->max_size >= 0 && w->written + len > (uint64_t)w->max_size)
    return hk_error_set (err, EFBIG, "blob %s: larger than the %lld bytes allowed",
                         *w->expected ? w->expected : "(new)", (long long)w->max_size);
  if (fs_write_all (w->fd, buf, len) < 0)
    return hk_error_errno (err, errno, "write blob %s", *w->expected ? w->expected : "(new)");
  sha256_update (&w->hash, buf, len);
  w->written += len;
  return 0;
}

int
blob_writer_reset (struct blob_writer *w, struct hk_error **err)
{
  if (ftruncate (w->fd, 0) < 0 || lseek (w->fd, 0, SEEK_SET) < 0)
    return hk_error_errno (err, errno, "truncate temporary blob");
  sha256_release (&w->hash);
  sha256_init (&w->hash);
  w->written = 0;
  return 0;
}

int
blob_writer_commit (struct blob_writer *w, struct hk_error **err)
{
  sha256_final (&w->hash, w->digest);
  const char *name = *w->expected ? w->expected : w->digest;
  if (w->expected_size >= 0 && w->written != (uint64_t)w->expected_size)
    return hk_error_set (err, EIO,
                         "blob %s: got %llu bytes, its descriptor declares %lld "
                         "(truncated)",
                         name, (unsigned long long)w->written, (long long)w->expected_size);
  if (*w->expected && strcmp (w->expected, w->digest) != 0)
    return hk_error_set (err, EIO, "blob %s: content has digest %s: refused", w->expected,
                         w->digest);
  if (fsync (w->fd) < 0)
    return hk_error_errno (err, errno, "fsync blob %s", name);
  if (renameat (w->store->tmp_fd, w->tmp_name, w->store->blobs_fd, digest_hex (w->digest)) < 0)
    return hk_error_errno (err, errno, "name blob %s", name);
  free (w->tmp_name);
  w->tmp_name = NULL;
  /* The name must survive a power cut too. */
  if (fsync (w->store->blobs_fd) < 0)
    return hk_error_errno (err, errno, "fsync `blobs/sha256`");
  return 0;
}

void
blob_writer_free (struct blob_writer *w)
{
  if (w == NULL)
    return;
  if (w->tmp_name != NULL)
    unlinkat (w->store->tmp_fd, w->tmp_name, 0);
  if (w->fd >= 0)
    close (w->fd);
  sha256_release (&w->hash);
  free (w->tmp_name);
  free (w);
}

bool
store_blob_exists (struct store *s, const char *digest)
{
  return digest_is_valid (digest)
         && faccessat (s->blobs_fd, digest_hex (digest), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int
store_blob_open (struct store *s, const char *digest, struct hk_error **err)
{
  if (digest_check (digest, err) < 0)
    return -1;
  int fd = openat (s->blobs_fd, digest_hex (digest), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open blob %s", digest);
  return fd;
}

int
store_blob_size (struct store *s, const char *digest, uint64_t *size, struct hk_error **err)
{
  struct stat st;
  if (digest_check (digest, err) < 0)
    return -1;
  if (fstatat (s->blobs_fd, digest_hex (digest), &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "stat blob %s", digest);
  *size = (uint64_t)st.st_size;
  return 0;
}

int
store_blob_read (struct store *s, const char *digest, size_t max, char **out, size_t *len,
                 struct hk_error **err)
{
  _cleanup_close_ int fd = store_blob_open (s, digest, err);
  if (fd < 0)
    return -1;
  _cleanup_free_ char *buf = NULL;
  size_t n = 0;
  if (fs_read_fd (fd, max, &buf, &n, err) < 0)
    return hk_error_prefix (err, "read blob %s", digest);
  char actual[DIGEST_STRING_SIZE];
  digest_of_buffer (buf, n, actual);
  if (strcmp (actual, digest) != 0)
    return hk_error_set (err, EIO, "blob %s in the store has digest %s: the store is corrupt",
                         digest, actual);
  *out = take_ptr (buf);
  if (len)
    *len = n;
  return 0;
}

int
store_blob_put (struct store *s, const void *data, size_t len, char digest[DIGEST_STRING_SIZE],
                struct hk_error **err)
{
  digest_of_buffer (data, len, digest);
  if (store_blob_exists (s, digest))
    return 0;
  _cleanup_blob_writer_ struct blob_writer *w = NULL;
  if (blob_writer_open (s, digest, (int64_t)len, &w, err) < 0
      || blob_writer_write (w, data, len, err) < 0 || blob_writer_commit (w, err) < 0)
    return -1;
  return 0;
}

int
store_blob_adopt (struct store *s, const char *tmp_name, const char *digest, struct hk_error **err)
{
  if (store_blob_exists (s, digest))
    {
      unlinkat (s->tmp_fd, tmp_name, 0);
      return 0;
    }
  _cleanup_close_ int fd = openat (s->tmp_fd, tmp_name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `tmp/%s`", tmp_name);
  if (fsync (fd) < 0)
    return hk_error_errno (err, errno, "fsync blob %s", digest);
  if (renameat (s->tmp_fd, tmp_name, s->blobs_fd, digest_hex (digest)) < 0)
    return hk_error_errno (err, errno, "name blob %s", digest);
  if (fsync (s->blobs_fd) < 0)
    return hk_error_errno (err, errno, "fsync `blobs/sha256`");
  return 0;
}
