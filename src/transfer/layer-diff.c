/* SPDX-License-Identifier: Apache-2.0 */
/* Two libarchive writers in a row: the first writes the pax tar and hands
 * every byte to a callback that hashes it (the DiffID) and passes it to
 * the second, a "raw" writer with a gzip filter whose output goes into a
 * blob writer (which hashes the blob digest). */
#include "layer-diff.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "layer-path.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define COPY_BUFFER (1 << 20)

struct seen_inode
{
  dev_t dev;
  ino_t ino;
  char *path;
};

struct differ
{
  struct archive *tar;
  struct archive *gz;
  struct blob_writer *blob; /* the store's, or NULL: OUT_FD */
  int out_fd;
  struct sha256 diff_hash;
  uint64_t tar_size;
  struct hk_error *sink_err;
  struct seen_inode *inodes;
  size_t n_inodes;
  char *buf;
  char *const *exclude;
  int64_t mtime;
  const struct id_maps *maps; /* owners as the container saw them, or NULL */
};

static la_ssize_t
gz_out (struct archive *a, void *opaque, const void *buf, size_t len)
{
  struct differ *d = opaque;
  if (d->blob == NULL)
    {
      if (fs_write_all (d->out_fd, buf, len) < 0)
        {
          hk_error_errno (&d->sink_err, errno, "write the layer");
          archive_set_error (a, EIO, "write the layer");
          return -1;
        }
      return (la_ssize_t)len;
    }
  if (blob_writer_write (d->blob, buf, len, &d->sink_err) < 0)
    {
      archive_set_error (a, EIO, "write blob");
      return -1;
    }
  return (la_ssize_t)len;
}

static la_ssize_t
tar_out (struct archive *a, void *opaque, const void *buf, size_t len)
{
  struct differ *d = opaque;
  sha256_update (&d->diff_hash, buf, len);
  d->tar_size += len;
  if (archive_write_data (d->gz, buf, len) != (la_ssize_t)len)
    {
      archive_set_error (a, EIO, "compress: %s", archive_error_string (d->gz));
      return -1;
    }
  return (la_ssize_t)len;
}

static int
fail_archive (struct differ *d, const char *what, const char *path, struct hk_error **err)
{
  if (d->sink_err)
    {
      hk_error_free (*err);
      *err = take_ptr (d->sink_err);
      return hk_error_prefix (err, "%s `%s`", what, path);
    }
  return hk_error_set (err, EIO, "%s `%s`: %s", what, path, archive_error_string (d->tar));
}

static void
copy_xattrs (int fd, const char *proc_path, struct archive_entry *e)
{
  char names[4096];
  ssize_t n = fd >= 0 ? flistxattr (fd, names, sizeof names)
                      : llistxattr (proc_path, names, sizeof names);
  for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen (names + off) + 1)
    {
      const char *name = names + off;
      if (!layer_xattr_allowed (name))
        continue;
      char value[4096];
      ssize_t v = fd >= 0 ? fgetxattr (fd, name, value, sizeof value)
                          : lgetxattr (proc_path, name, value, sizeof value);
      if (v >= 0)
        archive_entry_xattr_add_entry (e, name, value, (size_t)v);
    }
}

static int
write_entry (struct differ *d, struct archive_entry *e, const char *path, int data_fd,
             struct hk_error **err)
{
  if (archive_write_header (d->tar, e) < ARCHIVE_WARN)
    return fail_archive (d, "write header of", path, err);
  if (data_fd < 0)
    return 0;
  for (;;)
    {
      ssize_t n = read (data_fd, d->buf, COPY_BUFFER);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "read `%s`", path);
      if (n == 0)
        break;
      if (archive_write_data (d->tar, d->buf, (size_t)n) != n)
        return fail_archive (d, "write", path, err);
    }
  return 0;
}

static struct archive_entry *
entry_from_stat (const struct differ *d, const char *path, const struct stat *st)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, path);
  archive_entry_copy_stat (e, st);
  if (d->maps != NULL)
    {
      uint32_t uid = st->st_uid, gid = st->st_gid;
      id_maps_to_container (d->maps, &uid, &gid);
      archive_entry_set_uid (e, uid);
      archive_entry_set_gid (e, gid);
    }
  archive_entry_unset_atime (e);
  archive_entry_unset_ctime (e);
  archive_entry_unset_birthtime (e);
  if (d->mtime >= 0)
    archive_entry_set_mtime (e, (time_t)d->mtime, 0);
  archive_entry_set_uname (e, "");
  archive_entry_set_gname (e, "");
  return e;
}

static int walk (struct differ *d, int dir_fd, const char *prefix, struct hk_error **err);

static int
add_node (struct differ *d, int parent, const char *name, const char *path, struct hk_error **err)
{
  struct stat st;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "stat `%s`", path);

  /* An overlay whiteout: the name was deleted from the layers below. */
  if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
    {
      _cleanup_free_ char *wh = NULL;
      const char *slash = strrchr (path, '/');
      if (slash)
        wh = xasprintf ("%.*s/.wh.%s", (int)(slash - path), path, slash + 1);
      else
        wh = xasprintf (".wh.%s", path);
      struct stat fake = st;
      fake.st_mode = S_IFREG | 0644;
      fake.st_size = 0;
      fake.st_rdev = 0;
      struct archive_entry *e = entry_from_stat (d, wh, &fake);
      int r = write_entry (d, e, wh, -1, err);
      archive_entry_free (e);
      return r;
    }

  struct archive_entry *e = entry_from_stat (d, path, &st);
  int r = 0;
  if (S_ISDIR (st.st_mode))
    {
      _cleanup_close_ int fd
          = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        r = hk_error_errno (err, errno, "open `%s`", path);
      else
        {
          char opaque[4];
          bool is_opaque = fgetxattr (fd, "trusted.overlay.opaque", opaque, sizeof opaque) == 1
                           && opaque[0] == 'y';
          copy_xattrs (fd, NULL, e);
          r = write_entry (d, e, path, -1, err);
          if (r == 0 && is_opaque)
            {
              _cleanup_free_ char *opq = xasprintf ("%s/.wh..wh..opq", path);
              struct stat fake = st;
              fake.st_mode = S_IFREG | 0644;
              fake.st_size = 0;
              struct archive_entry *oe = entry_from_stat (d, opq, &fake);
              r = write_entry (d, oe, opq, -1, err);
              archive_entry_free (oe);
            }
          if (r == 0)
            r = walk (d, fd, path, err);
        }
    }
  else if (S_ISLNK (st.st_mode))
    {
      char target[4096];
      ssize_t n = readlinkat (parent, name, target, sizeof target - 1);
      if (n < 0)
        r = hk_error_errno (err, errno, "readlink `%s`", path);
      else
        {
          target[n] = '\0';
          archive_entry_set_symlink (e, target);
          r = write_entry (d, e, path, -1, err);
        }
    }
  else if (S_ISREG (st.st_mode))
    {
      const char *first = NULL;
      for (size_t i = 0; st.st_nlink > 1 && i < d->n_inodes; i++)
        if (d->inodes[i].dev == st.st_dev && d->inodes[i].ino == st.st_ino)
          first = d->inodes[i].path;
      if (first != NULL)
        {
          archive_entry_set_size (e, 0);
          archive_entry_set_hardlink (e, first);
          r = write_entry (d, e, path, -1, err);
        }
      else
        {
          if (st.st_nlink > 1)
            {
              d->inodes = xreallocarray (d->inodes, d->n_inodes + 1, sizeof *d->inodes);
              d->inodes[d->n_inodes++] = (struct seen_inode){ .dev = st.st_dev,
                                                              .ino = st.st_ino,
                                                              .path = xstrdup (path) };
            }
          _cleanup_close_ int fd = openat (parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          if (fd < 0)
            r = hk_error_errno (err, errno, "open `%s`", path);
          else
            {
              copy_xattrs (fd, NULL, e);
              r = write_entry (d, e, path, fd, err);
            }
        }
    }
  else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) || S_ISFIFO (st.st_mode))
    r = write_entry (d, e, path, -1, err);
  /* sockets are not content */
  archive_entry_free (e);
  return r;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* Entries in name order, so that the same tree gives the same layer. */
static int
walk (struct differ *d, int dir_fd, const char *prefix, struct hk_error **err)
{
  int fd = dup (dir_fd);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  if (dir == NULL)
    {
      if (fd >= 0)
        close (fd);
      return hk_error_errno (err, errno, "read directory `%s`", *prefix ? prefix : ".");
    }
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      names = xreallocarray (names, n + 1, sizeof *names);
      names[n++] = xstrdup (de->d_name);
    }
  closedir (dir);
  if (n > 1) /* qsort of no array: undefined */
    qsort (names, n, sizeof *names, compare_names);
  int r = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (r == 0)
        {
          _cleanup_free_ char *path
              = *prefix ? xasprintf ("%s/%s", prefix, names[i]) : xstrdup (names[i]);
          if (!d->exclude || !strv_contains (d->exclude, path))
            r = add_node (d, dir_fd, names[i], path, err);
        }
      free (names[i]);
    }
  free (names);
  return r;
}

/* The tar of DIR_FD through D's sink: the store's blob (gzip) or OUT_FD
 * (as it is). */
static int
run_diff (struct differ *d, int dir_fd, struct hk_error **err)
{
  d->gz = archive_write_new ();
  archive_write_set_format_raw (d->gz);
  if (d->blob != NULL)
    {
      archive_write_add_filter_gzip (d->gz);
      archive_write_set_options (d->gz, "gzip:compression-level=3");
    }
  archive_write_set_bytes_per_block (d->gz, 0);
  if (archive_write_open (d->gz, d, NULL, gz_out, NULL) != ARCHIVE_OK)
    return hk_error_set (err, EIO, "start compression: %s", archive_error_string (d->gz));
  struct archive_entry *raw = archive_entry_new ();
  archive_entry_set_pathname (raw, "layer.tar");
  archive_entry_set_filetype (raw, AE_IFREG);
  archive_write_header (d->gz, raw);
  archive_entry_free (raw);

  d->tar = archive_write_new ();
  archive_write_set_format_pax_restricted (d->tar);
  archive_write_set_bytes_per_block (d->tar, 0);
  if (archive_write_open (d->tar, d, NULL, tar_out, NULL) != ARCHIVE_OK)
    return hk_error_set (err, EIO, "start tar: %s", archive_error_string (d->tar));
  if (walk (d, dir_fd, "", err) < 0)
    return -1;
  if (archive_write_close (d->tar) != ARCHIVE_OK)
    return fail_archive (d, "finish", "tar", err);
  if (archive_write_close (d->gz) != ARCHIVE_OK)
    {
      if (d->sink_err != NULL)
        {
          hk_error_free (*err);
          *err = take_ptr (d->sink_err);
          return -1;
        }
      return hk_error_set (err, EIO, "finish compression: %s", archive_error_string (d->gz));
    }
  return 0;
}

static void
differ_release (struct differ *d)
{
  if (d->tar)
    archive_write_free (d->tar);
  if (d->gz)
    archive_write_free (d->gz);
  blob_writer_free (d->blob);
  sha256_release (&d->diff_hash);
  hk_error_free (d->sink_err);
  for (size_t i = 0; i < d->n_inodes; i++)
    free (d->inodes[i].path);
  free (d->inodes);
  free (d->buf);
}

int
layer_diff_write (struct store *s, int dir_fd, const struct layer_diff_options *o,
                  struct layer_diff_result *result, struct hk_error **err)
{
  struct differ d = { .exclude = o->exclude, .mtime = o->mtime, .maps = o->maps, .out_fd = -1 };
  int r = -1;
  d.buf = xmalloc (COPY_BUFFER);
  sha256_init (&d.diff_hash);
  if (blob_writer_open (s, NULL, -1, &d.blob, err) < 0 || run_diff (&d, dir_fd, err) < 0
      || blob_writer_commit (d.blob, err) < 0)
    goto out;
  sha256_final (&d.diff_hash, result->diff_id);
  memcpy (result->blob_digest, d.blob->digest, DIGEST_STRING_SIZE);
  result->blob_size = (int64_t)d.blob->written;
  result->tar_size = d.tar_size;
  r = 0;
out:
  differ_release (&d);
  return r;
}

int
layer_diff_write_fd (int dir_fd, const struct layer_diff_options *o, int out_fd,
                     struct hk_error **err)
{
  struct differ d = { .exclude = o->exclude, .mtime = o->mtime, .maps = o->maps, .out_fd = out_fd };
  d.buf = xmalloc (COPY_BUFFER);
  sha256_init (&d.diff_hash);
  int r = run_diff (&d, dir_fd, err);
  differ_release (&d);
  return r;
}
