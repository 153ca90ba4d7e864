/* SPDX-License-Identifier: Apache-2.0 */
#include "layer.h"
#include "tar-entry.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "layer-path.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define IO_BUFFER_SIZE (256 * 1024)
/* Zero padding after the end-of-archive blocks is part of the DiffID; more
 * than this is not padding but a decompression bomb. */
#define TRAILER_MAX (16 * 1024 * 1024)

struct dir_time
{
  char *path;
  struct timespec times[2];
};

struct extract
{
  int root_fd; /* -1: only hash the stream */
  const struct layer_input *in;
  struct archive *outer; /* decompression: raw format, any filter */
  struct archive *tar;   /* the tar format over the outer's output */
  struct sha256 hash;
  uint64_t tar_size;
  uint64_t content_size;
  uint64_t entries;
  unsigned char *in_buf;
  unsigned char *mid_buf;
  struct hk_error *input_err; /* what the input callback reported */
  bool outer_eof;

  /* The parent directory of the previous entry: most entries share it. */
  char *cached_dir;
  int cached_fd;

  struct dir_time *dirs;
  size_t n_dirs;
  size_t cap_dirs;
};

static void
extract_release (struct extract *x)
{
  if (x->tar)
    archive_read_free (x->tar);
  if (x->outer)
    archive_read_free (x->outer);
  sha256_release (&x->hash);
  free (x->in_buf);
  free (x->mid_buf);
  hk_error_free (x->input_err);
  free (x->cached_dir);
  if (x->cached_fd >= 0)
    close (x->cached_fd);
  for (size_t i = 0; i < x->n_dirs; i++)
    free (x->dirs[i].path);
  free (x->dirs);
}

static void
cache_forget (struct extract *x)
{
  free (x->cached_dir);
  x->cached_dir = NULL;
  if (x->cached_fd >= 0)
    close (x->cached_fd);
  x->cached_fd = -1;
}

/* Opens the directory DIR (a clean relative path, "" for the root) below
 * ROOT_FD, one component at a time, never following a symlink.  With
 * CREATE, missing directories are made (tars often omit parents).  Returns
 * an O_PATH fd. */
static int
walk_dir (int root_fd, const char *dir, bool create, struct hk_error **err)
{
  _cleanup_close_ int fd = openat (root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open layer root");
  _cleanup_free_ char *copy = xstrdup (dir);
  char *save = NULL;
  size_t done = 0;
  for (char *c = strtok_r (copy, "/", &save); c != NULL; c = strtok_r (NULL, "/", &save))
    {
      int next = openat (fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && create)
        {
          if (mkdirat (fd, c, 0755) < 0 && errno != EEXIST)
            return hk_error_errno (err, errno, "create parent `%.*s`", (int)(done + strlen (c)),
                                   dir);
          next = openat (fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
      size_t upto = done + strlen (c);
      if (next < 0)
        {
          int saved = errno;
          struct stat st;
          if (fstatat (fd, c, &st, AT_SYMLINK_NOFOLLOW) == 0)
            {
              if (S_ISLNK (st.st_mode))
                return hk_error_set (err, EPERM,
                                     "parent `%.*s` is a symbolic link: refused, following it "
                                     "could leave the layer",
                                     (int)upto, dir);
              if (!S_ISDIR (st.st_mode))
                return hk_error_set (err, ENOTDIR, "parent `%.*s` is not a directory", (int)upto,
                                     dir);
            }
          return hk_error_errno (err, saved, "open parent `%.*s`", (int)upto, dir);
        }
      close (fd);
      fd = next;
      done = upto + 1;
    }
  return take_fd (&fd);
}

/* The parent directory fd for DIR, borrowed from the cache. */
static int
parent_fd (struct extract *x, const char *dir, struct hk_error **err)
{
  if (x->cached_dir != NULL && strcmp (x->cached_dir, dir) == 0)
    return x->cached_fd;
  cache_forget (x);
  int fd = walk_dir (x->root_fd, dir, true, err);
  if (fd < 0)
    return -1;
  x->cached_fd = fd;
  x->cached_dir = xstrdup (dir);
  return fd;
}

/* Removes whatever is at PARENT/NAME so that an entry can replace it, as
 * tar does: a later entry of the same name wins. */
static int
remove_existing (struct extract *x, int parent, const char *name, struct hk_error **err)
{
  struct stat st;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : hk_error_errno (err, errno, "stat existing `%s`", name);
  /* PARENT is the cached directory; what goes is below it, so the cache
   * stays valid. */
  if (S_ISDIR (st.st_mode))
    return fs_remove_tree (parent, name, err);
  if (unlinkat (parent, name, 0) < 0 && errno != ENOENT)
    return hk_error_errno (err, errno, "remove existing `%s`", name);
  return 0;
}

static int
set_xattrs (int fd, struct archive_entry *e, struct hk_error **err)
{
  const char *name;
  const void *value;
  size_t size;
  if (archive_entry_xattr_reset (e) == 0)
    return 0;
  while (archive_entry_xattr_next (e, &name, &value, &size) == ARCHIVE_OK)
    {
      if (!layer_xattr_allowed (name))
        continue;
      if (fsetxattr (fd, name, value, size, 0) < 0 && errno != ENOTSUP)
        return hk_error_errno (err, errno, "set xattr `%s`", name);
    }
  return 0;
}

static int
entry_owner (struct archive_entry *e, uid_t *uid, gid_t *gid, struct hk_error **err)
{
  la_int64_t u = archive_entry_uid (e), g = archive_entry_gid (e);
  if (u < 0 || u >= UINT32_MAX || g < 0 || g >= UINT32_MAX)
    return hk_error_set (err, ERANGE, "owner %lld:%lld out of range", (long long)u, (long long)g);
  *uid = (uid_t)u;
  *gid = (gid_t)g;
  return 0;
}

/* Ownership, mode and xattrs through an fd of the new object; chown comes
 * first because it clears set-id bits and file capabilities. */
static int
apply_metadata_fd (int fd, struct archive_entry *e, struct hk_error **err)
{
  uid_t uid;
  gid_t gid;
  if (entry_owner (e, &uid, &gid, err) < 0)
    return -1;
  if (fchown (fd, uid, gid) < 0)
    return hk_error_errno (err, errno, "chown to %u:%u", (unsigned)uid, (unsigned)gid);
  if (fchmod (fd, archive_entry_perm (e) & 07777) < 0)
    return hk_error_errno (err, errno, "chmod");
  return set_xattrs (fd, e, err);
}

static int
write_file (struct extract *x, int parent, const char *name, struct archive_entry *e,
            struct hk_error **err)
{
  _cleanup_close_ int fd
      = openat (parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    {
      if (remove_existing (x, parent, name, err) < 0)
        return -1;
      fd = openat (parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  if (fd < 0)
    return hk_error_errno (err, errno, "create file");

  if (tar_entry_write_data (x->tar, e, fd, &x->content_size, err) < 0)
    return -1;
  if (apply_metadata_fd (fd, e, err) < 0)
    return -1;
  struct timespec times[2];
  tar_entry_times (e, times);
  if (futimens (fd, times) < 0)
    return hk_error_errno (err, errno, "set times");
  return 0;
}

static int
remember_dir_time (struct extract *x, const char *path, struct archive_entry *e)
{
  if (x->n_dirs == x->cap_dirs)
    {
      x->cap_dirs = x->cap_dirs ? 2 * x->cap_dirs : 64;
      x->dirs = xreallocarray (x->dirs, x->cap_dirs, sizeof *x->dirs);
    }
  x->dirs[x->n_dirs].path = xstrdup (path);
  tar_entry_times (e, x->dirs[x->n_dirs].times);
  x->n_dirs++;
  return 0;
}

static int
make_dir (struct extract *x, int parent, const char *name, const char *path,
          struct archive_entry *e, struct hk_error **err)
{
  if (mkdirat (parent, name, 0700) < 0)
    {
      if (errno != EEXIST)
        return hk_error_errno (err, errno, "create directory");
      struct stat st;
      if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return hk_error_errno (err, errno, "stat");
      if (!S_ISDIR (st.st_mode))
        {
          if (remove_existing (x, parent, name, err) < 0)
            return -1;
          if (mkdirat (parent, name, 0700) < 0)
            return hk_error_errno (err, errno, "create directory");
        }
    }
  _cleanup_close_ int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open directory");
  if (apply_metadata_fd (fd, e, err) < 0)
    return -1;
  return remember_dir_time (x, path, e);
}

static int
make_special (int parent, const char *name, struct archive_entry *e, mode_t type,
              struct hk_error **err)
{
  dev_t dev = 0;
  if (type == S_IFCHR || type == S_IFBLK)
    dev = makedev (archive_entry_rdevmajor (e), archive_entry_rdevminor (e));
  if (mknodat (parent, name, type | 0600, dev) < 0)
    return hk_error_errno (err, errno, "mknod");
  uid_t uid;
  gid_t gid;
  if (entry_owner (e, &uid, &gid, err) < 0)
    return -1;
  if (fchownat (parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "chown");
  if (fchmodat (parent, name, archive_entry_perm (e) & 07777, 0) < 0)
    return hk_error_errno (err, errno, "chmod");
  struct timespec times[2];
  tar_entry_times (e, times);
  if (utimensat (parent, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "set times");
  return 0;
}

static int
make_symlink (int parent, const char *name, struct archive_entry *e, struct hk_error **err)
{
  /* The target is stored as it is: it is resolved later inside the
   * container's root, never by the extractor. */
  const char *target = archive_entry_symlink (e);
  if (target == NULL || *target == '\0')
    return hk_error_set (err, EINVAL, "symbolic link without a target");
  if (symlinkat (target, parent, name) < 0)
    return hk_error_errno (err, errno, "create symbolic link");
  uid_t uid;
  gid_t gid;
  if (entry_owner (e, &uid, &gid, err) < 0)
    return -1;
  if (fchownat (parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "chown");
  struct timespec times[2];
  tar_entry_times (e, times);
  if (utimensat (parent, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "set times");
  return 0;
}

static void
split_path (char *path, const char **dir, const char **base)
{
  char *slash = strrchr (path, '/');
  if (slash == NULL)
    {
      *dir = "";
      *base = path;
      return;
    }
  *slash = '\0';
  *dir = path;
  *base = slash + 1;
}

static int
make_hardlink (struct extract *x, int parent, const char *name, const char *raw_target,
               struct hk_error **err)
{
  _cleanup_free_ char *target = NULL;
  if (layer_path_clean (raw_target, &target, err) < 0)
    return hk_error_prefix (err, "hard link target `%s`", raw_target);
  if (*target == '\0')
    return hk_error_set (err, EPERM, "hard link to the layer root refused");
  const char *tdir, *tbase;
  split_path (target, &tdir, &tbase);
  _cleanup_close_ int tfd = walk_dir (x->root_fd, tdir, false, err);
  if (tfd < 0)
    return hk_error_prefix (err, "hard link target `%s`", raw_target);
  struct stat tst;
  if (fstatat (tfd, tbase, &tst, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (
        err, errno, "hard link target `%s` is not an earlier entry of this layer", raw_target);
  if (S_ISDIR (tst.st_mode))
    return hk_error_set (err, EPERM, "hard link to directory `%s` refused", raw_target);
  struct stat st;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (st.st_ino == tst.st_ino && st.st_dev == tst.st_dev)
        return 0;
      if (remove_existing (x, parent, name, err) < 0)
        return -1;
    }
  /* No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself. */
  if (linkat (tfd, tbase, parent, name, 0) < 0)
    return hk_error_errno (err, errno, "hard link to `%s`", raw_target);
  return 0;
}

static int
make_whiteout (int parent, const char *hidden, struct archive_entry *e, struct hk_error **err)
{
  struct stat st;
  /* A name this very layer provides already hides the lower ones. */
  if (fstatat (parent, hidden, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return 0;
  if (mknodat (parent, hidden, S_IFCHR | 0, makedev (0, 0)) < 0)
    return hk_error_errno (err, errno, "create whiteout for `%s`", hidden);
  uid_t uid;
  gid_t gid;
  if (entry_owner (e, &uid, &gid, err) < 0)
    return -1;
  if (fchownat (parent, hidden, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "chown whiteout");
  return 0;
}

static int
make_opaque (int parent, struct hk_error **err)
{
  _cleanup_close_ int fd = openat (parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open directory");
  if (fsetxattr (fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
    return hk_error_errno (err, errno, "mark directory opaque");
  return 0;
}

static int
apply_root_entry (struct extract *x, struct archive_entry *e, struct hk_error **err)
{
  if (archive_entry_filetype (e) != AE_IFDIR)
    return hk_error_set (err, EINVAL, "the layer root must be a directory");
  _cleanup_close_ int fd = openat (x->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open layer root");
  if (apply_metadata_fd (fd, e, err) < 0)
    return -1;
  return remember_dir_time (x, "", e);
}

static int
apply_entry_at (struct extract *x, struct archive_entry *e, char *path, struct hk_error **err)
{
  if (*path == '\0')
    return apply_root_entry (x, e, err);

  _cleanup_free_ char *full = xstrdup (path);
  const char *dir, *base;
  split_path (path, &dir, &base);

  enum whiteout_kind wh;
  const char *hidden;
  if (layer_whiteout_classify (base, &wh, &hidden, err) < 0)
    return -1;

  int parent = parent_fd (x, dir, err);
  if (parent < 0)
    return -1;
  switch (wh)
    {
    case WHITEOUT_META:
      return 0;
    case WHITEOUT_OPAQUE:
      return make_opaque (parent, err);
    case WHITEOUT_FILE:
      return make_whiteout (parent, hidden, e, err);
    case WHITEOUT_NONE:
      break;
    }

  const char *link = archive_entry_hardlink (e);
  if (link != NULL)
    return make_hardlink (x, parent, base, link, err);

  mode_t type = archive_entry_filetype (e);
  switch (type)
    {
    case AE_IFREG:
      return write_file (x, parent, base, e, err);
    case AE_IFDIR:
      return make_dir (x, parent, base, full, e, err);
    case AE_IFLNK:
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      if (remove_existing (x, parent, base, err) < 0)
        return -1;
      if (type == AE_IFLNK)
        return make_symlink (parent, base, e, err);
      return make_special (parent, base, e, type, err);
    case AE_IFSOCK:
      return 0; /* sockets are not content: tar skips them too */
    default:
      return hk_error_set (err, EINVAL, "unknown entry type 0%o", (unsigned)type);
    }
}

static int
apply_entry (struct extract *x, struct archive_entry *e, struct hk_error **err)
{
  const char *raw = archive_entry_pathname (e);
  if (raw == NULL)
    return hk_error_set (err, EINVAL, "layer entry without a name");
  _cleanup_free_ char *path = NULL;
  if (layer_path_clean (raw, &path, err) < 0)
    return hk_error_prefix (err, "layer entry `%s`", raw);
  if (layer_path_in_aufs_meta (path))
    return 0;
  if (apply_entry_at (x, e, path, err) < 0)
    return hk_error_prefix (err, "layer entry `%s`", raw);
  return 0;
}

/* Directory times last, deepest first: creating an entry inside a
 * directory changes the directory's mtime. */
static int
apply_dir_times (struct extract *x, struct hk_error **err)
{
  for (size_t i = x->n_dirs; i-- > 0;)
    {
      char *path = x->dirs[i].path;
      if (*path == '\0')
        {
          if (utimensat (x->root_fd, ".", x->dirs[i].times, 0) < 0)
            return hk_error_errno (err, errno, "set times of the layer root");
          continue;
        }
      _cleanup_free_ char *copy = xstrdup (path);
      const char *dir, *base;
      split_path (copy, &dir, &base);
      _cleanup_close_ int parent = walk_dir (x->root_fd, dir, false, err);
      if (parent < 0)
        {
          /* A later entry replaced or removed it: nothing to date. */
          hk_error_freep (err);
          continue;
        }
      if (utimensat (parent, base, x->dirs[i].times, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
        return hk_error_errno (err, errno, "layer entry `%s`: set times", path);
    }
  return 0;
}

static la_ssize_t
outer_read (struct archive *a, void *opaque, const void **buf)
{
  struct extract *x = opaque;
  ssize_t n = x->in->read (x->in->opaque, x->in_buf, IO_BUFFER_SIZE, &x->input_err);
  if (n < 0)
    {
      archive_set_error (a, EIO, "reading the layer failed");
      return -1;
    }
  *buf = x->in_buf;
  return n;
}

/* The tar reader's input: decompressed bytes, hashed on the way. */
static la_ssize_t
tar_read (struct archive *a, void *opaque, const void **buf)
{
  struct extract *x = opaque;
  if (x->outer_eof)
    return 0;
  la_ssize_t n = archive_read_data (x->outer, x->mid_buf, IO_BUFFER_SIZE);
  if (n < 0)
    {
      archive_set_error (a, EIO, "%s", archive_error_string (x->outer));
      return -1;
    }
  if (n == 0)
    x->outer_eof = true;
  sha256_update (&x->hash, x->mid_buf, (size_t)n);
  x->tar_size += (uint64_t)n;
  *buf = x->mid_buf;
  return n;
}

/* The error of a failed archive call: the input's own when it has one. */
static int
archive_failure (struct extract *x, struct archive *a, const char *what, struct hk_error **err)
{
  if (x->input_err != NULL)
    {
      hk_error_free (*err);
      *err = take_ptr (x->input_err);
      return -1;
    }
  const char *msg = archive_error_string (a);
  return hk_error_set (err, EIO, "%s: %s", what, msg ? msg : "unknown libarchive error");
}

static enum layer_compression
compression_of (struct archive *outer)
{
  switch (archive_filter_code (outer, 0))
    {
    case ARCHIVE_FILTER_NONE:
      return LAYER_UNCOMPRESSED;
    case ARCHIVE_FILTER_GZIP:
      return LAYER_GZIP;
    case ARCHIVE_FILTER_ZSTD:
      return LAYER_ZSTD;
    default:
      return LAYER_OTHER_COMPRESSION;
    }
}

static int
run_extract (struct extract *x, struct layer_extract_result *result, struct hk_error **err)
{
  x->in_buf = xmalloc (IO_BUFFER_SIZE);
  x->mid_buf = xmalloc (IO_BUFFER_SIZE);
  sha256_init (&x->hash);

  x->outer = archive_read_new ();
  archive_read_support_filter_gzip (x->outer);
  archive_read_support_filter_zstd (x->outer);
  archive_read_support_filter_xz (x->outer);
  archive_read_support_filter_bzip2 (x->outer);
  archive_read_support_format_raw (x->outer);
  archive_read_support_format_empty (x->outer);
  if (archive_read_open (x->outer, x, NULL, outer_read, NULL) != ARCHIVE_OK)
    return archive_failure (x, x->outer, "open layer stream", err);
  struct archive_entry *raw_entry;
  int r = archive_read_next_header (x->outer, &raw_entry);
  if (r == ARCHIVE_EOF)
    x->outer_eof = true; /* an empty stream is an empty layer */
  else if (r < ARCHIVE_WARN)
    return archive_failure (x, x->outer, "read layer stream", err);
  result->compression = compression_of (x->outer);

  x->tar = archive_read_new ();
  archive_read_support_format_tar (x->tar);
  archive_read_support_format_empty (x->tar);
  if (archive_read_open (x->tar, x, NULL, tar_read, NULL) != ARCHIVE_OK)
    return archive_failure (x, x->tar, "open tar", err);

  for (;;)
    {
      struct archive_entry *e;
      r = archive_read_next_header (x->tar, &e);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        return archive_failure (x, x->tar, "read tar header", err);
      x->entries++;
      if (x->root_fd >= 0 && apply_entry (x, e, err) < 0)
        return -1;
      if (x->input_err != NULL)
        return archive_failure (x, x->tar, "read tar", err);
    }

  /* Padding after the end-of-archive marker belongs to the DiffID. */
  uint64_t trailer = 0;
  while (!x->outer_eof)
    {
      const void *ignored;
      la_ssize_t n = tar_read (x->tar, x, &ignored);
      if (n < 0)
        return archive_failure (x, x->tar, "read the end of the tar", err);
      trailer += (uint64_t)n;
      if (trailer > TRAILER_MAX)
        return hk_error_set (err, EFBIG, "more than %d bytes after the end of the tar",
                             TRAILER_MAX);
    }

  if (x->root_fd >= 0 && apply_dir_times (x, err) < 0)
    return -1;
  sha256_final (&x->hash, result->diff_id);
  result->tar_size = x->tar_size;
  result->content_size = x->content_size;
  result->entries = x->entries;
  return 0;
}

int
layer_extract (int dest_fd, const struct layer_input *in, struct layer_extract_result *result,
               struct hk_error **err)
{
  struct extract x = { .root_fd = dest_fd, .in = in, .cached_fd = -1 };
  memset (result, 0, sizeof *result);
  int r = run_extract (&x, result, err);
  extract_release (&x);
  return r;
}

static ssize_t
fd_read (void *opaque, void *buf, size_t len, struct hk_error **err)
{
  int fd = *(int *)opaque;
  for (;;)
    {
      ssize_t n = read (fd, buf, len);
      if (n >= 0)
        return n;
      if (errno != EINTR)
        return hk_error_errno (err, errno, "read layer");
    }
}

int
layer_extract_fd (int dest_fd, int src_fd, struct layer_extract_result *result,
                  struct hk_error **err)
{
  struct layer_input in = { .read = fd_read, .opaque = &src_fd };
  return layer_extract (dest_fd, &in, result, err);
}

int
layer_diff_id_fd (int src_fd, char diff_id[DIGEST_STRING_SIZE], uint64_t *tar_size,
                  enum layer_compression *compression, struct hk_error **err)
{
  struct layer_extract_result result;
  if (layer_extract_fd (-1, src_fd, &result, err) < 0)
    return -1;
  memcpy (diff_id, result.diff_id, DIGEST_STRING_SIZE);
  if (tar_size)
    *tar_size = result.tar_size;
  if (compression)
    *compression = result.compression;
  return 0;
}

enum layer_compression
layer_compression_sniff (const unsigned char *head, size_t len)
{
  if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
    return LAYER_GZIP;
  if (len >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
    return LAYER_ZSTD;
  if (len >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h')
    return LAYER_OTHER_COMPRESSION;
  if (len >= 6
      && memcmp (head,
                 "\xfd"
                 "7zXZ\0",
                 6)
             == 0)
    return LAYER_OTHER_COMPRESSION;
  return LAYER_UNCOMPRESSED;
}
