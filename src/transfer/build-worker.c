/* SPDX-License-Identifier: Apache-2.0 */
/* The builder's worker (src/builder/builder.h): what a build step does
 * with libarchive and libcurl.  Its layers are written by `hako commit`'s
 * image_commit; a COPY's files go to the step's container as a tar stream
 * into the extractor of `hako cp` (ctr-archive.h), which never leaves the
 * container's root; ADD's archives are extracted by it too; ADD's URLs
 * are fetched by build-fetch.c; --layers=false merges a stage's layers
 * with layer-squash.c. */
#include "build-worker.h"
#include "commit.h"
#include "ctr-archive.h"
#include "ctr-diff.h"
#include "layer-squash.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BUFFER (1 << 16)

static int
commit (struct store *s, const struct build_commit_request *q, char id[DIGEST_STRING_SIZE],
        struct hk_error **err)
{
  _cleanup_strv_ char **exclude = strv_copy (q->exclude);
  for (size_t i = 0; q->engine_files && ctr_diff_excluded[i]; i++)
    strv_append (&exclude, ctr_diff_excluded[i]);
  struct image_commit_options c = {
    .exclude = exclude,
    .config = q->config,
    .created = q->created,
    .created_by = q->created_by,
    .author = q->author,
    .mtime = q->mtime,
  };
  return image_commit (s, q->parent, q->upper, &c, id, err);
}

/* The tar writer: a thread that walks the sources into one end of a
 * pipe while the extractor reads the other. */
struct tar_writer
{
  struct archive *tar;
  int fd;
  char *buf;
  build_walk_fn walk;
  void *walker;
  struct hk_error *err;
  int rc;
};

static int
tar_entry (void *sink, const struct build_entry *e, struct hk_error **err)
{
  struct tar_writer *t = sink;
  struct archive_entry *ae = archive_entry_new ();
  archive_entry_set_pathname (ae, e->name);
  archive_entry_set_mode (ae, e->mode);
  archive_entry_set_uid (ae, e->uid);
  archive_entry_set_gid (ae, e->gid);
  archive_entry_set_mtime (ae, e->mtime.tv_sec, e->mtime.tv_nsec);
  archive_entry_set_size (ae, S_ISREG (e->mode) ? e->size : 0);
  if (e->link)
    archive_entry_set_symlink (ae, e->link);
  int rc = archive_write_header (t->tar, ae);
  archive_entry_free (ae);
  if (rc != ARCHIVE_OK)
    return hk_error_set (err, EIO, "write `%s`: %s", e->name, archive_error_string (t->tar));
  if (e->data)
    archive_write_data (t->tar, e->data, strlen (e->data));
  for (ssize_t n; e->fd >= 0;)
    {
      n = read (e->fd, t->buf, READ_BUFFER);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "read `%s`", e->name);
      if (n == 0)
        break;
      if (archive_write_data (t->tar, t->buf, (size_t)n) < 0)
        return hk_error_set (err, EIO, "write `%s`: %s", e->name, archive_error_string (t->tar));
    }
  return 0;
}

static la_ssize_t
pipe_out (struct archive *a, void *opaque, const void *buf, size_t len)
{
  int fd = *(int *)opaque;
  size_t done = 0;
  while (done < len)
    {
      ssize_t n = write (fd, (const char *)buf + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          archive_set_error (a, errno, "write to the extractor");
          return -1;
        }
      done += (size_t)n;
    }
  return (la_ssize_t)len;
}

static void *
write_tar (void *arg)
{
  struct tar_writer *t = arg;
  t->tar = archive_write_new ();
  archive_write_set_format_pax_restricted (t->tar);
  archive_write_set_bytes_per_block (t->tar, 0);
  t->rc = -1;
  if (archive_write_open (t->tar, &t->fd, NULL, pipe_out, NULL) != ARCHIVE_OK)
    hk_error_set (&t->err, EIO, "start the tar: %s", archive_error_string (t->tar));
  else if (t->walk (t->walker, tar_entry, t, &t->err) == 0)
    t->rc = archive_write_close (t->tar) == ARCHIVE_OK ? 0 : -1;
  if (t->rc < 0 && t->err == NULL)
    hk_error_set (&t->err, EIO, "write the tar: %s", archive_error_string (t->tar));
  archive_write_free (t->tar);
  close (t->fd);
  return NULL;
}

static int
write_files (int root_fd, const char *dir, build_walk_fn walk, void *walker,
             struct hk_error **err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  struct tar_writer t = { .fd = p[1], .walk = walk, .walker = walker };
  t.buf = malloc (READ_BUFFER);
  pthread_t th;
  if (t.buf == NULL || pthread_create (&th, NULL, write_tar, &t) != 0)
    {
      free (t.buf);
      close (p[0]);
      close (p[1]);
      return hk_error_set (err, EAGAIN, "start the writer of the sources");
    }
  struct ctr_extract_options xo = { .keep_owner = true };
  int rc = ctr_archive_extract (root_fd, dir, p[0], &xo, err);
  close (p[0]);
  pthread_join (th, NULL);
  free (t.buf);
  if (t.rc < 0 && rc == 0)
    {
      *err = t.err;
      return -1;
    }
  hk_error_free (t.err);
  return rc;
}

static bool
is_archive (int fd)
{
  struct archive *a = archive_read_new ();
  archive_read_support_filter_all (a);
  archive_read_support_format_tar (a);
  struct archive_entry *e;
  bool yes = archive_read_open_fd (a, fd, 1 << 16) == ARCHIVE_OK
             && archive_read_next_header (a, &e) == ARCHIVE_OK;
  archive_read_free (a);
  lseek (fd, 0, SEEK_SET);
  return yes;
}

static int
extract_archive (int root_fd, const char *dir, int fd, struct hk_error **err)
{
  struct ctr_extract_options xo = { .keep_owner = true };
  return ctr_archive_extract (root_fd, dir, fd, &xo, err);
}

const struct build_worker build_transfer_worker = {
  .commit = commit,
  .write_files = write_files,
  .is_archive = is_archive,
  .extract_archive = extract_archive,
  .fetch = build_fetch,
  .squash = image_squash,
};
