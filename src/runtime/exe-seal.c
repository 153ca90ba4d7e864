/* SPDX-License-Identifier: Apache-2.0 */
#include "exe-seal.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/userns.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* The tmpfs holding the sealed copy: the binary's size and this much. */
#define SEALED_COPY_SLACK (64 * 1024)

#define SEAL_DIR "/run/hako/exe"

extern char **environ;

/* True when FD (an open executable) cannot be written through. */
static bool
exe_seal_is_safe (int fd)
{
  struct statvfs sv;
  if (fstatvfs (fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
    return true;
  int seals = fcntl (fd, F_GET_SEALS);
  return seals >= 0 && (seals & F_SEAL_WRITE);
}

static int
copy_all (int from, int to, off_t size)
{
  off_t offset = 0;
  while (offset < size)
    {
      ssize_t n = sendfile (to, from, &offset, (size_t) (size - offset));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
    }
  return 0;
}

/* True when a running process executes a file under DIR. */
static bool
in_use (const char *dir)
{
  _cleanup_closedir_ DIR *proc = opendir ("/proc");
  if (proc == NULL)
    return true;
  size_t len = strlen (dir);
  struct dirent *de;
  while ((de = readdir (proc)) != NULL)
    {
      if (de->d_name[0] < '0' || de->d_name[0] > '9')
        continue;
      char link[300], target[4096];
      snprintf (link, sizeof link, "/proc/%s/exe", de->d_name);
      ssize_t n = readlink (link, target, sizeof target - 1);
      if (n > 0 && (size_t) n > len && strncmp (target, dir, len) == 0 && target[len] == '/')
        return true;
    }
  return false;
}

/* Removes the copies of other versions that no process runs any more, so
 * upgrades do not pile up mounts.  Called with the lock held. */
static void
collect_old_copies (const char *keep)
{
  _cleanup_closedir_ DIR *d = opendir (SEAL_DIR);
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.')
        continue;
      _cleanup_free_ char *dir = xasprintf ("%s/%s", SEAL_DIR, de->d_name);
      if (strcmp (dir, keep) == 0 || in_use (dir))
        continue;
      umount2 (dir, MNT_DETACH);
      rmdir (dir);
    }
}

/* Creates BASE/KEY (DIR) as a read-only tmpfs holding NAME, a copy of
 * EXE.  Runs under a lock; another process may have made it meanwhile. */
static int
make_sealed_copy (int exe, const struct stat *st, const char *base, const char *dir,
                  const char *path, struct hk_error **err)
{
  if (fs_mkdir_p (base, 0711, err) < 0)
    return -1;
  _cleanup_close_ int lock = open (base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock < 0 || flock (lock, LOCK_EX) < 0)
    return hk_error_errno (err, errno, "lock `%s`", base);
  struct statvfs sv;
  if (statvfs (path, &sv) == 0 && (sv.f_flag & ST_RDONLY))
    return 0;
  if (mkdir (dir, 0711) < 0 && errno != EEXIST)
    return hk_error_errno (err, errno, "mkdir `%s`", dir);
  umount2 (dir, MNT_DETACH); /* a half-made copy from a crashed run */
  _cleanup_free_ char *opts
      = xasprintf ("mode=0711,size=%lld", (long long) st->st_size + SEALED_COPY_SLACK);
  if (mount ("hako-exe", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
    return hk_error_errno (err, errno, "mount tmpfs on `%s`", dir);
  int out = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
  int rc = out < 0 ? -1 : copy_all (exe, out, st->st_size);
  int saved = errno;
  /* Closed before the remount: a file open for writing keeps it busy. */
  if (out >= 0 && close (out) < 0 && rc == 0)
    {
      rc = -1;
      saved = errno;
    }
  if (rc < 0)
    {
      umount2 (dir, MNT_DETACH);
      return hk_error_errno (err, saved, "copy the runtime to `%s`", path);
    }
  if (mount (NULL, dir, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    {
      saved = errno;
      umount2 (dir, MNT_DETACH);
      return hk_error_errno (err, saved, "make `%s` read-only", dir);
    }
  collect_old_copies (dir);
  return 0;
}

/* The fallback: a sealed memfd copy, made at every start. */
static int
exec_memfd_copy (int exe, const struct stat *st, char **argv, struct hk_error **err)
{
  _cleanup_close_ int mfd = memfd_create ("hako-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return hk_error_errno (err, errno, "memfd_create");
  if (copy_all (exe, mfd, st->st_size) < 0)
    return hk_error_errno (err, errno, "copy the runtime into a memfd");
  if (fcntl (mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return hk_error_errno (err, errno, "seal the runtime copy");
  fexecve (mfd, argv, environ);
  return hk_error_errno (err, errno, "execute the sealed runtime copy");
}

int
exe_seal_ensure (const char *state_root, char **argv, struct hk_error **err)
{
  /* Rootless, /run/hako is not ours; our own mount namespace is, where a
   * tmpfs under the state root is seen by no one else. */
  _cleanup_free_ char *base
      = userns_is_initial () ? xstrdup (SEAL_DIR) : xasprintf ("%s/exe", state_root);
  _cleanup_close_ int exe = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (exe < 0)
    return hk_error_errno (err, errno, "open /proc/self/exe");
  if (exe_seal_is_safe (exe))
    return 0;
  struct stat st;
  if (fstat (exe, &st) < 0)
    return hk_error_errno (err, errno, "stat /proc/self/exe");
  /* One copy per binary version: device, inode, size and mtime name it. */
  _cleanup_free_ char *dir
      = xasprintf ("%s/%llx-%llx-%llx-%llx", base, (unsigned long long) st.st_dev,
                   (unsigned long long) st.st_ino, (unsigned long long) st.st_size,
                   (unsigned long long) st.st_mtim.tv_sec);
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, "hako-exe");
  struct statvfs sv;
  if (!(statvfs (path, &sv) == 0 && (sv.f_flag & ST_RDONLY)))
    {
      struct hk_error *mount_err = NULL;
      if (make_sealed_copy (exe, &st, base, dir, path, &mount_err) < 0)
        {
          /* Without the right to mount (rootless, a read-only /run), fall
           * back to a memfd; anything else is a real error. */
          int e = mount_err->errnum;
          if (e != EPERM && e != EACCES && e != EROFS)
            {
              *err = mount_err;
              return -1;
            }
          hk_error_free (mount_err);
          return exec_memfd_copy (exe, &st, argv, err);
        }
    }
  execve (path, argv, environ);
  return hk_error_errno (err, errno, "execute the sealed runtime copy `%s`", path);
}
