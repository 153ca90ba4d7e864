/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-archive.h"
#include "common/cleanup.h"
#include "common/in-root.h"
#include "common/xalloc.h"
#include "transfer/layer-path.h"
#include "transfer/tar-entry.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#define COPY_BUFFER (1 << 20)

/* ---- writing ---- */

struct seen_inode
{
  dev_t dev;
  ino_t ino;
  char *name;
};

struct writer
{
  const struct id_maps *maps; /* owners as the container sees them, or NULL */
  struct archive *a;
  int out_fd;
  int out_errno;
  char *buf;
  struct seen_inode *inodes;
  size_t n_inodes;
};

static la_ssize_t
write_out (struct archive *a, void *opaque, const void *buf, size_t len)
{
  struct writer *w = opaque;
  if (w->out_errno)
    return (la_ssize_t)len;
  /* A socket (the other end of a copy) that closed must not kill us with
   * SIGPIPE: the reader's error is the one to report. */
  ssize_t n = send (w->out_fd, buf, len, MSG_NOSIGNAL);
  if (n < 0 && errno == ENOTSOCK)
    n = write (w->out_fd, buf, len);
  /* The failure is ours to report: a failed callback leaves the archive
   * fatal, and libarchive then never frees its output buffer. */
  if (n < 0)
    w->out_errno = errno;
  return n < 0 ? (la_ssize_t)len : n;
}

static int
archive_fail (struct writer *w, const char *what, const char *name, struct hk_error **err)
{
  if (w->out_errno)
    return hk_error_errno (err, w->out_errno, "write the archive");
  return hk_error_set (err, EIO, "%s `%s`: %s", what, name, archive_error_string (w->a));
}

static void
add_xattrs (int fd, struct archive_entry *e)
{
  char names[8192];
  ssize_t n = flistxattr (fd, names, sizeof names);
  for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen (names + off) + 1)
    {
      const char *xname = names + off;
      char value[8192];
      ssize_t v;
      if (layer_xattr_allowed (xname) && (v = fgetxattr (fd, xname, value, sizeof value)) >= 0)
        archive_entry_xattr_add_entry (e, xname, value, (size_t)v);
    }
}

static int
write_header (struct writer *w, struct archive_entry *e, const char *name, struct hk_error **err)
{
  if (archive_write_header (w->a, e) < ARCHIVE_WARN || w->out_errno)
    return archive_fail (w, "write the header of", name, err);
  return 0;
}

static int
write_data (struct writer *w, int fd, const char *name, struct hk_error **err)
{
  for (;;)
    {
      ssize_t n = read (fd, w->buf, COPY_BUFFER);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "read `%s`", name);
      if (n == 0)
        return 0;
      if (archive_write_data (w->a, w->buf, (size_t)n) != n || w->out_errno)
        return archive_fail (w, "write", name, err);
    }
}

/* A file seen before under another name: written as a hard link to it. */
static const char *
first_name (struct writer *w, const struct stat *st, const char *name)
{
  if (st->st_nlink < 2)
    return NULL;
  for (size_t i = 0; i < w->n_inodes; i++)
    if (w->inodes[i].dev == st->st_dev && w->inodes[i].ino == st->st_ino)
      return w->inodes[i].name;
  w->inodes = xreallocarray (w->inodes, w->n_inodes + 1, sizeof *w->inodes);
  w->inodes[w->n_inodes++]
      = (struct seen_inode){ .dev = st->st_dev, .ino = st->st_ino, .name = xstrdup (name) };
  return NULL;
}

/* The O_PATH fd reopened for reading: the file checked through PATH_FD is
 * the one read, whatever the container renames meanwhile. */
static int
reopen (int path_fd, int flags)
{
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", path_fd);
  return open (proc, flags | O_CLOEXEC);
}

static bool
is_pseudo_fs (int fd)
{
  struct statfs fs;
  return fstatfs (fd, &fs) == 0
         && (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC
             || fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC);
}

static int write_tree (struct writer *w, int path_fd, const char *name, struct hk_error **err);

static int
write_children (struct writer *w, int dir_fd, const char *prefix, struct hk_error **err)
{
  int fd = dup (dir_fd);
  _cleanup_closedir_ DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  if (dir == NULL)
    {
      if (fd >= 0)
        close (fd);
      return hk_error_errno (err, errno, "read the directory `%s`", *prefix ? prefix : "/");
    }
  /* The dup shares the offset of DIR, which an earlier walk may have
   * left at the end. */
  rewinddir (dir);
  struct dirent *de;
  while ((errno = 0, de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      _cleanup_free_ char *name
          = *prefix ? xasprintf ("%s/%s", prefix, de->d_name) : xstrdup (de->d_name);
      _cleanup_close_ int child = openat (dir_fd, de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0)
        {
          if (errno == ENOENT)
            continue; /* removed while we read */
          return hk_error_errno (err, errno, "open `%s`", name);
        }
      if (write_tree (w, child, name, err) < 0)
        return -1;
    }
  if (errno != 0)
    return hk_error_errno (err, errno, "read the directory `%s`", *prefix ? prefix : "/");
  return 0;
}

static int
write_dir (struct writer *w, int path_fd, struct archive_entry *e, const char *name,
           struct hk_error **err)
{
  _cleanup_close_ int dir = openat (path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return hk_error_errno (err, errno, "open the directory `%s`", name);
  if (*name)
    {
      add_xattrs (dir, e);
      if (write_header (w, e, name, err) < 0)
        return -1;
    }
  if (is_pseudo_fs (dir))
    return 0;
  return write_children (w, dir, name, err);
}

static int
write_tree (struct writer *w, int path_fd, const char *name, struct hk_error **err)
{
  struct stat st;
  if (fstat (path_fd, &st) < 0)
    return hk_error_errno (err, errno, "stat `%s`", name);
  struct archive_entry *e = archive_entry_new ();
  archive_entry_copy_stat (e, &st);
  if (w->maps != NULL)
    {
      uint32_t uid = st.st_uid, gid = st.st_gid;
      id_maps_to_container (w->maps, &uid, &gid);
      archive_entry_set_uid (e, uid);
      archive_entry_set_gid (e, gid);
    }
  archive_entry_set_pathname (e, name);
  int rc = 0;
  const char *link;
  if (S_ISDIR (st.st_mode))
    rc = write_dir (w, path_fd, e, name, err);
  else if (S_ISREG (st.st_mode) && (link = first_name (w, &st, name)) != NULL)
    {
      archive_entry_set_size (e, 0);
      archive_entry_set_hardlink (e, link);
      rc = write_header (w, e, name, err);
    }
  else if (S_ISREG (st.st_mode))
    {
      _cleanup_close_ int fd = reopen (path_fd, O_RDONLY);
      if (fd < 0)
        rc = hk_error_errno (err, errno, "open `%s`", name);
      else
        {
          add_xattrs (fd, e);
          if ((rc = write_header (w, e, name, err)) == 0)
            rc = write_data (w, fd, name, err);
        }
    }
  else if (S_ISLNK (st.st_mode))
    {
      char target[4096];
      ssize_t n = readlinkat (path_fd, "", target, sizeof target - 1);
      if (n < 0)
        rc = hk_error_errno (err, errno, "read the link `%s`", name);
      else
        {
          target[n] = '\0';
          archive_entry_set_symlink (e, target);
          rc = write_header (w, e, name, err);
        }
    }
  else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) || S_ISFIFO (st.st_mode))
    rc = write_header (w, e, name, err);
  /* sockets are not content */
  archive_entry_free (e);
  return rc;
}

int
ctr_archive_write (int root_fd, const char *path, const char *name, bool follow,
                   const struct id_maps *maps, int out_fd, struct hk_error **err)
{
  _cleanup_close_ int top
      = in_root_open (root_fd, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, err);
  if (top < 0)
    return -1;
  struct writer w = { .maps = maps, .out_fd = out_fd, .buf = xmalloc (COPY_BUFFER) };
  w.a = archive_write_new ();
  archive_write_set_format_pax_restricted (w.a);
  archive_write_set_bytes_per_block (w.a, 0);
  int rc = -1;
  if (archive_write_open (w.a, &w, NULL, write_out, NULL) != ARCHIVE_OK)
    archive_fail (&w, "start the archive of", path, err);
  else if (write_tree (&w, top, name, err) == 0)
    {
      if (archive_write_close (w.a) != ARCHIVE_OK || w.out_errno)
        archive_fail (&w, "finish the archive of", path, err);
      else
        rc = 0;
    }
  archive_write_free (w.a); /* closes it too, after a failure */
  for (size_t i = 0; i < w.n_inodes; i++)
    free (w.inodes[i].name);
  free (w.inodes);
  free (w.buf);
  return rc;
}

/* ---- extracting ---- */

struct dir_time
{
  char *path;
  struct timespec times[2];
};

struct extractor
{
  int root_fd;
  const char *dir;
  const struct ctr_extract_options *o;
  struct archive *a;
  struct dir_time *dirs;
  size_t n_dirs;
};

static void
entry_owner (const struct extractor *x, struct archive_entry *e, uid_t *uid, gid_t *gid)
{
  if (!x->o->keep_owner)
    {
      *uid = x->o->uid;
      *gid = x->o->gid;
      return;
    }
  uint32_t u = (uint32_t)archive_entry_uid (e), g = (uint32_t)archive_entry_gid (e);
  if (x->o->maps != NULL)
    id_maps_to_host (x->o->maps, &u, &g);
  *uid = u;
  *gid = g;
}

/* The directory that holds the entry at clean PATH, resolved in the root
 * now (the container may have changed it since the last entry). */
static int
open_parent (struct extractor *x, const char *path, const char **base, struct hk_error **err)
{
  const char *slash = strrchr (path, '/');
  *base = slash ? slash + 1 : path;
  _cleanup_free_ char *dir
      = slash ? xasprintf ("%s/%.*s", x->dir, (int)(slash - path), path) : xstrdup (x->dir);
  return in_root_open (x->root_fd, dir, O_PATH | O_DIRECTORY, 0, err);
}

/* Makes room for a new NAME: a file, link or node there goes; a
 * directory stays only for a directory. */
static int
clear_name (int parent, const char *name, bool for_dir, struct hk_error **err)
{
  struct stat st;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : hk_error_errno (err, errno, "stat");
  if (S_ISDIR (st.st_mode))
    return for_dir ? 0 : hk_error_set (err, EISDIR, "a directory is in the way");
  if (unlinkat (parent, name, 0) < 0)
    return hk_error_errno (err, errno, "replace");
  return 0;
}

static int
set_xattrs (int fd, struct archive_entry *e, struct hk_error **err)
{
  const char *name;
  const void *value;
  size_t size;
  archive_entry_xattr_reset (e);
  while (archive_entry_xattr_next (e, &name, &value, &size) == ARCHIVE_OK)
    if (layer_xattr_allowed (name) && fsetxattr (fd, name, value, size, 0) < 0 && errno != ENOTSUP)
      return hk_error_errno (err, errno, "set the xattr `%s`", name);
  return 0;
}

/* Owner, then mode (chown clears set-id bits), then xattrs, through FD. */
static int
set_metadata (struct extractor *x, int fd, struct archive_entry *e, struct hk_error **err)
{
  uid_t uid;
  gid_t gid;
  entry_owner (x, e, &uid, &gid);
  if (fchown (fd, uid, gid) < 0)
    return hk_error_errno (err, errno, "chown to %u:%u", (unsigned)uid, (unsigned)gid);
  if (fchmod (fd, archive_entry_perm (e) & 07777) < 0)
    return hk_error_errno (err, errno, "chmod");
  return set_xattrs (fd, e, err);
}

static int
write_file (struct extractor *x, int parent, const char *name, struct archive_entry *e,
            struct hk_error **err)
{
  if (clear_name (parent, name, false, err) < 0)
    return -1;
  _cleanup_close_ int fd
      = openat (parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return hk_error_errno (err, errno, "create");
  if (tar_entry_write_data (x->a, e, fd, NULL, err) < 0)
    return -1;
  struct timespec times[2];
  tar_entry_times (e, times);
  if (set_metadata (x, fd, e, err) < 0)
    return -1;
  if (futimens (fd, times) < 0)
    return hk_error_errno (err, errno, "set times");
  return 0;
}

static int
make_dir (struct extractor *x, int parent, const char *name, const char *path,
          struct archive_entry *e, struct hk_error **err)
{
  if (clear_name (parent, name, true, err) < 0)
    return -1;
  if (mkdirat (parent, name, 0700) < 0 && errno != EEXIST)
    return hk_error_errno (err, errno, "mkdir");
  _cleanup_close_ int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open");
  if (set_metadata (x, fd, e, err) < 0)
    return -1;
  /* Its time is set once its content is written. */
  x->dirs = xreallocarray (x->dirs, x->n_dirs + 1, sizeof *x->dirs);
  x->dirs[x->n_dirs].path = xstrdup (path);
  tar_entry_times (e, x->dirs[x->n_dirs].times);
  x->n_dirs++;
  return 0;
}

static int
make_symlink (struct extractor *x, int parent, const char *name, struct archive_entry *e,
              struct hk_error **err)
{
  const char *target = archive_entry_symlink (e);
  if (clear_name (parent, name, false, err) < 0)
    return -1;
  if (symlinkat (target ? target : "", parent, name) < 0)
    return hk_error_errno (err, errno, "symlink");
  uid_t uid;
  gid_t gid;
  entry_owner (x, e, &uid, &gid);
  struct timespec times[2];
  tar_entry_times (e, times);
  if (fchownat (parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "chown");
  if (utimensat (parent, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "set times");
  return 0;
}

/* A device or fifo.  Metadata goes through an O_PATH fd checked to be
 * the node made: a path would follow a symlink put there meanwhile. */
static int
make_node (struct extractor *x, int parent, const char *name, struct archive_entry *e,
           struct hk_error **err)
{
  mode_t type = archive_entry_filetype (e);
  if (type != AE_IFIFO && !x->o->devices)
    return 0; /* device nodes from a container stay there */
  if (clear_name (parent, name, false, err) < 0)
    return -1;
  if (mknodat (parent, name, type | 0600, archive_entry_rdev (e)) < 0)
    return hk_error_errno (err, errno, "mknod");
  _cleanup_close_ int fd = openat (parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0 || (st.st_mode & S_IFMT) != type)
    return hk_error_errno (err, fd < 0 ? errno : EEXIST, "open the node");
  uid_t uid;
  gid_t gid;
  entry_owner (x, e, &uid, &gid);
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (fchownat (fd, "", uid, gid, AT_EMPTY_PATH) < 0
      || chmod (proc, archive_entry_perm (e) & 07777) < 0)
    return hk_error_errno (err, errno, "set owner and mode");
  return 0;
}

static int
make_hardlink (struct extractor *x, int parent, const char *name, const char *raw_target,
               struct hk_error **err)
{
  _cleanup_free_ char *target = NULL;
  const char *target_base;
  if (layer_path_clean (raw_target + strspn (raw_target, "/"), &target, err) < 0)
    return -1;
  _cleanup_close_ int target_parent = open_parent (x, target, &target_base, err);
  if (target_parent < 0)
    return -1;
  if (clear_name (parent, name, false, err) < 0)
    return -1;
  if (linkat (target_parent, target_base, parent, name, 0) < 0)
    return hk_error_errno (err, errno, "link to `%s`", target);
  return 0;
}

static int
extract_entry (struct extractor *x, struct archive_entry *e, const char *path,
               struct hk_error **err)
{
  const char *base;
  _cleanup_close_ int parent = open_parent (x, path, &base, err);
  if (parent < 0)
    return -1;
  const char *hardlink = archive_entry_hardlink (e);
  if (hardlink != NULL)
    return make_hardlink (x, parent, base, hardlink, err);
  switch (archive_entry_filetype (e))
    {
    case AE_IFDIR:
      return make_dir (x, parent, base, path, e, err);
    case AE_IFREG:
      return write_file (x, parent, base, e, err);
    case AE_IFLNK:
      return make_symlink (x, parent, base, e, err);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      return make_node (x, parent, base, e, err);
    default:
      return hk_error_set (err, ENOTSUP, "unsupported file type");
    }
}

static int
set_dir_times (struct extractor *x, struct hk_error **err)
{
  /* Last first: a child's time is set before its parent's. */
  for (size_t i = x->n_dirs; i-- > 0;)
    {
      const char *base;
      _cleanup_close_ int parent = open_parent (x, x->dirs[i].path, &base, err);
      if (parent < 0 || utimensat (parent, base, x->dirs[i].times, AT_SYMLINK_NOFOLLOW) < 0)
        return parent < 0 ? -1
                          : hk_error_errno (err, errno, "set the times of `%s`", x->dirs[i].path);
    }
  return 0;
}

static int
extract_all (struct extractor *x, struct hk_error **err)
{
  for (;;)
    {
      struct archive_entry *e;
      int r = archive_read_next_header (x->a, &e);
      if (r == ARCHIVE_EOF)
        return set_dir_times (x, err);
      if (r < ARCHIVE_WARN)
        return hk_error_set (err, EIO, "read the archive: %s", archive_error_string (x->a));
      const char *raw = archive_entry_pathname (e);
      _cleanup_free_ char *path = NULL;
      /* "/etc/x" lands at DIR/etc/x, as in Docker; ".." never. */
      if (layer_path_clean (raw ? raw + strspn (raw, "/") : "", &path, err) < 0)
        return -1;
      if (*path == '\0')
        continue; /* the archive's "./": DIR itself */
      if (extract_entry (x, e, path, err) < 0)
        return hk_error_prefix (err, "extract `%s`", path);
    }
}

int
ctr_archive_extract (int root_fd, const char *dir, int in_fd,
                           const struct ctr_extract_options *o, struct hk_error **err)
{
  struct extractor x = { .root_fd = root_fd, .dir = dir, .o = o };
  _cleanup_close_ int check = in_root_open (root_fd, dir, O_PATH | O_DIRECTORY, 0, err);
  if (check < 0)
    return -1;
  x.a = archive_read_new ();
  archive_read_support_filter_all (x.a);
  archive_read_support_format_tar (x.a);
  archive_read_support_format_empty (x.a);
  int rc = -1;
  if (archive_read_open_fd (x.a, in_fd, 1 << 16) != ARCHIVE_OK)
    hk_error_set (err, EIO, "read the archive: %s", archive_error_string (x.a));
  else
    rc = extract_all (&x, err);
  archive_read_free (x.a);
  for (size_t i = 0; i < x.n_dirs; i++)
    free (x.dirs[i].path);
  free (x.dirs);
  return rc;
}
