/* SPDX-License-Identifier: Apache-2.0 */
#include "in-root.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_SYMLINKS 40
#define MAX_DEPTH 256

static bool
fallback_forced (void)
{
  const char *v = getenv ("HAKO_TEST_RESOLVE_FALLBACK");
  return v != NULL && *v != '\0' && strcmp (v, "0") != 0;
}

/* Returns the fd, -1 with errno set, or -2 when openat2 is unavailable. */
static int
open_with_openat2 (int root_fd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (unsigned long long) (flags | O_CLOEXEC),
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  for (int attempt = 0; attempt < 32; attempt++)
    {
      int fd = (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
      if (fd >= 0)
        return fd;
      /* EAGAIN: a rename raced with the lookup; the kernel asks to retry. */
      if (errno == EAGAIN)
        continue;
      if (errno == ENOSYS || errno == EPERM)
        return -2;
      return -1;
    }
  return -1;
}

/* The userspace walk.  STACK holds an O_PATH fd per directory entered,
 * STACK[0] being the root; ".." pops, never below the root. */
struct walk
{
  int stack[MAX_DEPTH];
  int depth;
};

static void
walk_release (struct walk *w)
{
  for (int i = 0; i <= w->depth; i++)
    if (w->stack[i] >= 0)
      close (w->stack[i]);
}

/* Splits off the first component of *REST (skipping slashes); returns NULL
 * when none is left. */
static char *
next_component (char **rest)
{
  char *p = *rest;
  while (*p == '/')
    p++;
  if (*p == '\0')
    return NULL;
  char *end = strchr (p, '/');
  if (end != NULL)
    {
      *end = '\0';
      *rest = end + 1;
    }
  else
    *rest = p + strlen (p);
  return p;
}

static bool
only_slashes (const char *s)
{
  while (*s == '/')
    s++;
  return *s == '\0';
}

static int
open_with_walk (int root_fd, const char *path, int flags, mode_t mode)
{
  struct walk w = { .depth = 0 };
  w.stack[0] = openat (root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (w.stack[0] < 0)
    return -1;
  char *todo = xstrdup (path);
  char *rest = todo;
  int links = 0, result = -1, saved_errno = 0;

  for (;;)
    {
      char *comp = next_component (&rest);
      if (comp == NULL)
        {
          /* The path ended on a directory (or was "/"): reopen it. */
          result = openat (w.stack[w.depth], ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
          saved_errno = errno;
          break;
        }
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          if (w.depth > 0)
            close (w.stack[w.depth--]);
          continue;
        }
      bool last = only_slashes (rest);
      int parent = w.stack[w.depth];
      int fd = openat (parent, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          if (last && errno == ENOENT && (flags & O_CREAT))
            {
              result = openat (parent, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
              saved_errno = errno;
              break;
            }
          saved_errno = errno;
          break;
        }
      struct stat st;
      if (fstat (fd, &st) < 0)
        {
          saved_errno = errno;
          close (fd);
          break;
        }
      bool follow = !last || !(flags & O_NOFOLLOW);
      if (S_ISLNK (st.st_mode) && follow)
        {
          char target[PATH_MAX];
          ssize_t n = readlinkat (fd, "", target, sizeof target - 1);
          close (fd);
          if (n < 0)
            {
              saved_errno = errno;
              break;
            }
          if (++links > MAX_SYMLINKS)
            {
              saved_errno = ELOOP;
              break;
            }
          target[n] = '\0';
          /* Absolute targets restart at the root. */
          if (target[0] == '/')
            while (w.depth > 0)
              close (w.stack[w.depth--]);
          char *joined = xasprintf ("%s/%s", target, rest);
          free (todo);
          todo = rest = joined;
          continue;
        }
      if (last)
        {
          close (fd);
          if (flags & O_PATH)
            result = openat (parent, comp, flags | O_NOFOLLOW | O_CLOEXEC);
          else if (S_ISLNK (st.st_mode))
            {
              result = -1;
              errno = ELOOP;
            }
          else
            result = openat (parent, comp, (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC);
          saved_errno = errno;
          /* O_EXCL asks that we created the file. */
          if (result >= 0 && (flags & O_CREAT) && (flags & O_EXCL))
            {
              close (result);
              result = -1;
              saved_errno = EEXIST;
            }
          break;
        }
      if (!S_ISDIR (st.st_mode))
        {
          close (fd);
          saved_errno = ENOTDIR;
          break;
        }
      if (w.depth + 1 >= MAX_DEPTH)
        {
          close (fd);
          saved_errno = ENAMETOOLONG;
          break;
        }
      w.stack[++w.depth] = fd;
    }
  walk_release (&w);
  free (todo);
  errno = saved_errno;
  return result;
}

bool
in_root_uses_fallback (void)
{
  if (fallback_forced ())
    return true;
  int r = open_with_openat2 (AT_FDCWD, "/", O_PATH, 0);
  if (r >= 0)
    close (r);
  return r == -2;
}

int
in_root_open (int root_fd, const char *path, int flags, mode_t mode, struct hk_error **err)
{
  int fd = -2;
  if (!fallback_forced ())
    fd = open_with_openat2 (root_fd, path, flags, mode);
  if (fd == -2)
    fd = open_with_walk (root_fd, path, flags, mode);
  if (fd < 0)
    return hk_error_errno (err, errno, "open `%s` in the container root", path);
  return fd;
}

static int
resolve (int root_fd, const char *path, int flags)
{
  int fd = -2;
  if (!fallback_forced ())
    fd = open_with_openat2 (root_fd, path, flags, 0);
  if (fd == -2)
    fd = open_with_walk (root_fd, path, flags, 0);
  return fd;
}

/* Where a dangling symlink NAME in the directory PREFIX points, joined with
 * REST: the path mkpath goes on with, still taken inside the root. */
static char *
follow_dangling (int parent, const char *prefix, const char *name, const char *rest)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (parent, name, target, sizeof target - 1);
  if (n < 0)
    return NULL;
  target[n] = '\0';
  if (target[0] == '/')
    return xasprintf ("%s/%s", target, rest);
  _cleanup_free_ char *dir = xstrdup (prefix);
  char *slash = strrchr (dir, '/');
  if (slash != NULL)
    *slash = '\0';
  else
    dir[0] = '\0';
  return xasprintf ("%s/%s/%s", dir, target, rest);
}

int
in_root_mkpath (int root_fd, const char *path, enum in_root_kind kind, mode_t mode,
                struct hk_error **err)
{
  _cleanup_free_ char *todo = xstrdup (path);
  int links = 0;
restart:;
  _cleanup_free_ char *copy = xstrdup (todo);
  _cleanup_close_ int parent = openat (root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0)
    return hk_error_errno (err, errno, "open the container root");

  /* Grow the prefix one component at a time; each prefix is resolved from
   * the root again, so a symlink met on the way stays inside the tree. */
  char *rest = copy;
  for (;;)
    {
      char *comp = next_component (&rest);
      if (comp == NULL)
        return take_fd (&parent);
      bool last = only_slashes (rest);
      size_t prefix_len = (size_t) (comp - copy) + strlen (comp);
      _cleanup_free_ char *prefix = xstrndup (todo, prefix_len);
      int want = (last && kind == IN_ROOT_FILE) ? O_PATH : O_PATH | O_DIRECTORY;
      int fd = resolve (root_fd, prefix, want);
      if (fd < 0 && errno == ENOENT && strcmp (comp, "..") != 0 && strcmp (comp, ".") != 0)
        {
          int r;
          if (last && kind == IN_ROOT_FILE)
            {
              r = openat (parent, comp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          mode);
              if (r >= 0)
                close (r);
            }
          else
            r = mkdirat (parent, comp, last ? mode : 0755);
          if (r < 0 && errno == EEXIST)
            {
              /* A dangling symlink: make what it points to, inside. */
              char *next = follow_dangling (parent, prefix, comp, rest);
              if (next == NULL)
                return hk_error_errno (err, errno, "create `%s` in the container root", prefix);
              if (++links > MAX_SYMLINKS)
                {
                  free (next);
                  return hk_error_errno (err, ELOOP, "create `%s` in the container root", path);
                }
              free (todo);
              todo = next;
              close (take_fd (&parent));
              free (take_ptr (copy));
              goto restart;
            }
          if (r < 0)
            return hk_error_errno (err, errno, "create `%s` in the container root", prefix);
          fd = resolve (root_fd, prefix, want);
        }
      if (fd < 0)
        return hk_error_errno (err, errno, "open `%s` in the container root", prefix);
      close (parent);
      parent = fd;
    }
}
