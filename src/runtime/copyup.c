/* SPDX-License-Identifier: Apache-2.0 */
#include "copyup.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper trees than this are refused rather than exhaust the stack. */
#define MAX_DEPTH 128

/* Bytes moved per sendfile call. */
#define COPY_CHUNK (1 << 20)

static int copy_dir (int from, int to, const char *path, int depth, struct hk_error **err);

static int
copy_data (int in, int out, off_t size, const char *path, struct hk_error **err)
{
  for (off_t done = 0; done < size;)
    {
      size_t want = size - done > COPY_CHUNK ? COPY_CHUNK : (size_t)(size - done);
      ssize_t n = sendfile (out, in, NULL, want);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return hk_error_errno (err, errno, "copy `%s`", path);
      if (n == 0)
        break; /* the file shrank meanwhile */
      done += n;
    }
  return 0;
}

static int
copy_file (int from, int to, const char *name, const struct stat *st, const char *path,
           struct hk_error **err)
{
  _cleanup_close_ int in = openat (from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  struct stat now;
  if (in < 0 || fstat (in, &now) < 0)
    return hk_error_errno (err, errno, "open `%s`", path);
  if (!S_ISREG (now.st_mode) || now.st_ino != st->st_ino)
    return hk_error_set (err, EAGAIN, "`%s` changed while it was copied", path);
  _cleanup_close_ int out
      = openat (to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0)
    return hk_error_errno (err, errno, "create `%s`", path);
  return copy_data (in, out, now.st_size, path, err);
}

/* Owner, then mode (a chown clears set-id bits), then times. */
static int
copy_metadata (int to, const char *name, const struct stat *st, const char *path,
               struct hk_error **err)
{
  if (fchownat (to, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "chown `%s`", path);
  if (!S_ISLNK (st->st_mode) && fchmodat (to, name, st->st_mode & 07777, 0) < 0)
    return hk_error_errno (err, errno, "chmod `%s`", path);
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  if (utimensat (to, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "set the times of `%s`", path);
  return 0;
}

static int
copy_entry (int from, int to, const char *name, const char *path, int depth, struct hk_error **err)
{
  struct stat st;
  if (fstatat (from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "stat `%s`", path);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFDIR:
      {
        if (mkdirat (to, name, 0700) < 0)
          return hk_error_errno (err, errno, "mkdir `%s`", path);
        _cleanup_close_ int sub_from
            = openat (from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int sub_to
            = openat (to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub_from < 0 || sub_to < 0)
          return hk_error_errno (err, errno, "open `%s`", path);
        if (copy_dir (sub_from, sub_to, path, depth + 1, err) < 0)
          return -1;
        break;
      }
    case S_IFREG:
      if (copy_file (from, to, name, &st, path, err) < 0)
        return -1;
      break;
    case S_IFLNK:
      {
        char target[PATH_MAX];
        ssize_t n = readlinkat (from, name, target, sizeof target - 1);
        if (n < 0)
          return hk_error_errno (err, errno, "readlink `%s`", path);
        target[n] = '\0';
        if (symlinkat (target, to, name) < 0)
          return hk_error_errno (err, errno, "symlink `%s`", path);
        break;
      }
    case S_IFIFO:
    case S_IFCHR:
    case S_IFBLK:
      if (mknodat (to, name, st.st_mode & S_IFMT, st.st_rdev) < 0)
        return hk_error_errno (err, errno, "mknod `%s`", path);
      break;
    default:
      return 0; /* a socket is not content */
    }
  return copy_metadata (to, name, &st, path, err);
}

static int
copy_dir (int from, int to, const char *path, int depth, struct hk_error **err)
{
  if (depth > MAX_DEPTH)
    return hk_error_set (err, ELOOP, "`%s`: more than %d levels of directories", path, MAX_DEPTH);
  int fd = dup (from);
  DIR *d = fd < 0 ? NULL : fdopendir (fd);
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return hk_error_errno (err, errno, "read `%s`", path);
    }
  _cleanup_closedir_ DIR *dir = d;
  struct dirent *de;
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      _cleanup_free_ char *child = xasprintf ("%s/%s", path, de->d_name);
      if (copy_entry (from, to, de->d_name, child, depth, err) < 0)
        return -1;
    }
  return 0;
}

int
copyup_tree (int from, int to, const char *dest, struct hk_error **err)
{
  struct stat st;
  if (fstat (from, &st) < 0)
    return hk_error_errno (err, errno, "stat `%s`", dest);
  if (copy_dir (from, to, strcmp (dest, "/") == 0 ? "" : dest, 0, err) < 0)
    return hk_error_prefix (err, "tmpcopyup");
  /* The tmpfs's root takes the covered directory's owner; its mode is the
   * mount's (an explicit mode=, else the covered directory's: mounts.c). */
  if (fchown (to, st.st_uid, st.st_gid) < 0)
    return hk_error_errno (err, errno, "tmpcopyup: the owner of `%s`", dest);
  return 0;
}
