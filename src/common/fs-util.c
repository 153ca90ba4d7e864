/* SPDX-License-Identifier: Apache-2.0 */
#include "fs-util.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int
fs_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

static int
write_and_rename (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                  bool durable, struct hk_error **err)
{
  _cleanup_free_ char *tmp = xasprintf (".%s.tmp.%d", name, (int) getpid ());
  _cleanup_close_ int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return hk_error_errno (err, errno, "create `%s`", tmp);
  if (fs_write_all (fd, data, len) < 0 || (durable && fsync (fd) < 0))
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return hk_error_errno (err, saved, "write `%s`", tmp);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return hk_error_errno (err, saved, "rename `%s` to `%s`", tmp, name);
    }
  return 0;
}

int
fs_write_atomic (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                 struct hk_error **err)
{
  return write_and_rename (dirfd, name, data, len, mode, true, err);
}

int
fs_replace_file (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                 struct hk_error **err)
{
  return write_and_rename (dirfd, name, data, len, mode, false, err);
}

int
fs_read_fd (int fd, size_t max_size, char **out, size_t *len, struct hk_error **err)
{
  size_t cap = 4096, used = 0;
  _cleanup_free_ char *buf = xmalloc (cap + 1);
  for (;;)
    {
      if (used == cap)
        {
          if (cap >= max_size)
            return hk_error_set (err, EFBIG, "larger than %zu bytes", max_size);
          cap *= 2;
          buf = xrealloc (buf, cap + 1);
        }
      ssize_t n = read (fd, buf + used, cap - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "read");
      if (n == 0)
        break;
      used += (size_t) n;
      if (used > max_size)
        return hk_error_set (err, EFBIG, "larger than %zu bytes", max_size);
    }
  buf[used] = '\0';
  if (len != NULL)
    *len = used;
  *out = take_ptr (buf);
  return 0;
}

int
fs_read_file (int dirfd, const char *path, size_t max_size, char **out, size_t *len,
              struct hk_error **err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", path);
  if (fs_read_fd (fd, max_size, out, len, err) < 0)
    return hk_error_prefix (err, "read `%s`", path);
  return 0;
}

int
fs_write_kernel_file (int dirfd, const char *path, const char *data, struct hk_error **err)
{
  _cleanup_close_ int fd = openat (dirfd, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", path);
  size_t len = strlen (data);
  ssize_t n;
  do
    n = write (fd, data, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return hk_error_errno (err, errno, "write `%s` to `%s`", data, path);
  if ((size_t) n != len)
    return hk_error_set (err, EIO, "write `%s` to `%s`: short write", data, path);
  return 0;
}

int
fs_mkdir_p (const char *path, mode_t mode, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (path);
  for (char *p = copy + 1; *p != '\0'; p++)
    {
      if (*p != '/')
        continue;
      *p = '\0';
      if (mkdir (copy, mode) < 0 && errno != EEXIST)
        return hk_error_errno (err, errno, "mkdir `%s`", copy);
      *p = '/';
    }
  if (mkdir (copy, mode) < 0 && errno != EEXIST)
    return hk_error_errno (err, errno, "mkdir `%s`", copy);
  return 0;
}

static int remove_tree_at (int dirfd, dev_t parent_dev, const char *name, struct hk_error **err);

static int
remove_dir_contents (int dfd, dev_t dev, struct hk_error **err)
{
  _cleanup_closedir_ DIR *dir = fdopendir (dfd);
  if (dir == NULL)
    {
      close (dfd);
      return hk_error_errno (err, errno, "opendir");
    }
  struct dirent *de;
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (remove_tree_at (dirfd (dir), dev, de->d_name, err) < 0)
        return -1;
    }
  return 0;
}

/* Removes DIRFD/NAME recursively; a directory on another device than its
 * parent (a mount point) is refused rather than emptied. */
static int
remove_tree_at (int dirfd, dev_t parent_dev, const char *name, struct hk_error **err)
{
  struct stat st;
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : hk_error_errno (err, errno, "stat `%s`", name);
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT)
        return hk_error_errno (err, errno, "unlink `%s`", name);
      return 0;
    }
  if (st.st_dev != parent_dev)
    return hk_error_set (err, EBUSY, "remove `%s`: it is a mount point", name);
  if (unlinkat (dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
    return 0;
  if (errno != ENOTEMPTY && errno != EEXIST)
    return hk_error_errno (err, errno, "rmdir `%s`", name);
  int dfd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return errno == ENOENT ? 0 : hk_error_errno (err, errno, "open `%s`", name);
  if (remove_dir_contents (dfd, st.st_dev, err) < 0)
    return hk_error_prefix (err, "remove `%s`", name);
  if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return hk_error_errno (err, errno, "rmdir `%s`", name);
  return 0;
}

/* The device of the directory that holds DIRFD/NAME: DIRFD itself only
 * when NAME has no slash ("/tmp/x" with AT_FDCWD is in /tmp, wherever the
 * current directory is).  1 when that directory does not exist. */
static int
parent_device (int dirfd, const char *name, dev_t *dev, struct hk_error **err)
{
  _cleanup_free_ char *parent = xstrdup (name);
  size_t len = strlen (parent);
  while (len > 1 && parent[len - 1] == '/')
    parent[--len] = '\0';
  char *slash = strrchr (parent, '/');
  const char *dir = ".";
  if (slash == parent)
    dir = "/";
  else if (slash != NULL)
    {
      *slash = '\0';
      dir = parent;
    }
  struct stat st;
  if (fstatat (dirfd, dir, &st, 0) < 0)
    return errno == ENOENT ? 1 : hk_error_errno (err, errno, "stat the parent of `%s`", name);
  *dev = st.st_dev;
  return 0;
}

int
fs_remove_tree (int dirfd, const char *name, struct hk_error **err)
{
  dev_t dev = 0;
  int r = parent_device (dirfd, name, &dev, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return remove_tree_at (dirfd, dev, name, err);
}

uint64_t
fs_tree_bytes (int parent, const char *name)
{
  struct stat st;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return 0;
  if (!S_ISDIR (st.st_mode))
    return S_ISREG (st.st_mode) ? (uint64_t)st.st_blocks * 512 : 0;
  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return 0;
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return 0;
    }
  uint64_t total = (uint64_t)st.st_blocks * 512;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      total += fs_tree_bytes (dirfd (d), de->d_name);
  closedir (d);
  return total;
}

int
fs_lock_file (const char *path, struct hk_error **err)
{
  _cleanup_close_ int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s`", path);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return hk_error_errno (err, errno, "lock `%s`", path);
  return take_fd (&fd);
}

void
fs_close_all (int *fds, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  free (fds);
}
