/* SPDX-License-Identifier: Apache-2.0 */
#include "tree-copy.h"
#include "cleanup.h"
#include "fs-util.h"
#include "xalloc.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define TREE_COPY_MAX_DEPTH 512

/* A file with more than one link, as copied first. */
struct linked
{
  dev_t dev;
  ino_t ino;
  char *path; /* relative to the top of the copy */
};

struct copy
{
  const struct id_maps *maps;
  int top; /* the destination's top directory */
  struct linked *links;
  size_t n_links;
};

static void
owner_of (const struct copy *c, const struct stat *st, uid_t *uid, gid_t *gid)
{
  uint32_t u = st->st_uid, g = st->st_gid;
  if (c->maps != NULL)
    id_maps_to_host (c->maps, &u, &g);
  *uid = u;
  *gid = g;
}

/* struct vfs_ns_cap_data of <linux/capability.h>: little-endian words. */
#define CAP_REVISION_MASK 0xFF000000u
#define CAP_REVISION_2 0x02000000u
#define CAP_REVISION_3 0x03000000u
#define CAP_V2_SIZE 20
#define CAP_V3_SIZE 24

/* A file capability as the copy's namespace root owns it. */
static size_t
shift_capability (const struct copy *c, const char *value, size_t len, char out[CAP_V3_SIZE])
{
  uint32_t magic;
  if (len < CAP_V2_SIZE)
    return 0;
  memcpy (&magic, value, 4);
  uint32_t revision = le32toh (magic) & CAP_REVISION_MASK;
  uint32_t rootid = 0;
  if (revision == CAP_REVISION_3 && len >= CAP_V3_SIZE)
    {
      memcpy (&rootid, value + CAP_V2_SIZE, 4);
      rootid = le32toh (rootid);
    }
  else if (revision != CAP_REVISION_2)
    return 0;
  memcpy (out, value, CAP_V2_SIZE);
  magic = htole32 ((le32toh (magic) & ~CAP_REVISION_MASK) | CAP_REVISION_3);
  memcpy (out, &magic, 4);
  uint32_t unused = 0;
  id_maps_to_host (c->maps, &rootid, &unused);
  rootid = htole32 (rootid);
  memcpy (out + CAP_V2_SIZE, &rootid, 4);
  return CAP_V3_SIZE;
}

/* The extended attributes of FROM onto TO (fds, O_PATH ones too: through
 * their /proc/self/fd links; a symlink's are not copied); attributes the
 * destination does not support are skipped. */
static int
copy_xattrs (const struct copy *c, int from, int to, const char *what, struct hk_error **err)
{
  char path_from[64], path_to[64];
  snprintf (path_from, sizeof path_from, "/proc/self/fd/%d", from);
  snprintf (path_to, sizeof path_to, "/proc/self/fd/%d", to);
  ssize_t size = listxattr (path_from, NULL, 0);
  if (size <= 0)
    return 0;
  _cleanup_free_ char *names = xmalloc ((size_t)size);
  size = listxattr (path_from, names, (size_t)size);
  for (ssize_t i = 0; size > 0 && i < size; i += (ssize_t)strlen (names + i) + 1)
    {
      const char *name = names + i;
      ssize_t len = getxattr (path_from, name, NULL, 0);
      if (len < 0)
        continue;
      _cleanup_free_ char *value = xmalloc ((size_t)len + 1);
      len = getxattr (path_from, name, value, (size_t)len);
      if (len < 0)
        continue;
      const char *v = value;
      char cap[CAP_V3_SIZE];
      if (c->maps != NULL && strcmp (name, "security.capability") == 0)
        {
          size_t n = shift_capability (c, value, (size_t)len, cap);
          if (n == 0)
            return hk_error_set (err, EINVAL, "`%s`: a file capability of an unknown revision",
                                 what);
          v = cap;
          len = (ssize_t)n;
        }
      if (setxattr (path_to, name, v, (size_t)len, 0) < 0 && errno != ENOTSUP)
        return hk_error_errno (err, errno, "`%s`: set attribute %s", what, name);
    }
  return 0;
}

/* Owner, mode, times (and attributes) of ST onto FD. */
static int
set_metadata (const struct copy *c, int from, int fd, const struct stat *st, const char *what,
              struct hk_error **err)
{
  uid_t uid;
  gid_t gid;
  owner_of (c, st, &uid, &gid);
  /* chown first: it clears set-user-ID bits that chmod then sets. */
  if (fchown (fd, uid, gid) < 0)
    return hk_error_errno (err, errno, "`%s`: chown", what);
  if (!S_ISLNK (st->st_mode) && fchmod (fd, st->st_mode & 07777) < 0)
    return hk_error_errno (err, errno, "`%s`: chmod", what);
  if (copy_xattrs (c, from, fd, what, err) < 0)
    return -1;
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  if (utimensat (AT_FDCWD, path, times, 0) < 0)
    return hk_error_errno (err, errno, "`%s`: set times", what);
  return 0;
}

static int copy_dir (struct copy *c, int from, int to, const char *rel, int depth,
                     struct hk_error **err);

/* A hard link to the copy made first, when ST's file has been copied. */
static bool
link_again (struct copy *c, const struct stat *st, int to_dir, const char *name,
            const char *rel, struct hk_error **err, int *rc)
{
  if (st->st_nlink < 2)
    return false;
  for (size_t i = 0; i < c->n_links; i++)
    if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino)
      {
        *rc = linkat (c->top, c->links[i].path, to_dir, name, 0) < 0
                  ? hk_error_errno (err, errno, "`%s`: link to `%s`", rel, c->links[i].path)
                  : 0;
        return true;
      }
  c->links = xreallocarray (c->links, c->n_links + 1, sizeof *c->links);
  c->links[c->n_links++] = (struct linked){ st->st_dev, st->st_ino, xstrdup (rel) };
  return false;
}

static int
copy_regular (struct copy *c, int from_dir, int to_dir, const char *name, const struct stat *st,
              const char *rel, struct hk_error **err)
{
  _cleanup_close_ int from = openat (from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  _cleanup_close_ int to
      = openat (to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (from < 0 || to < 0)
    return hk_error_errno (err, errno, "`%s`: open", rel);
  for (;;)
    {
      ssize_t n = copy_file_range (from, NULL, to, NULL, 1 << 30, 0);
      if (n == 0)
        break;
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL))
        {
          /* Across file systems on older kernels: by hand. */
          char buf[65536];
          while ((n = read (from, buf, sizeof buf)) > 0)
            if (fs_write_all (to, buf, (size_t)n) < 0)
              return hk_error_errno (err, errno, "`%s`: write", rel);
        }
      if (n < 0)
        return hk_error_errno (err, errno, "`%s`: copy", rel);
      if (n == 0)
        break;
    }
  return set_metadata (c, from, to, st, rel, err);
}

/* A symlink, device, fifo: made, then its metadata through an O_PATH fd
 * (fchown and fchmod refuse one: by its /proc/self/fd path). */
static int
copy_special (struct copy *c, int from_dir, int to_dir, const char *name, const struct stat *st,
              const char *rel, struct hk_error **err)
{
  if (S_ISLNK (st->st_mode))
    {
      char target[4096];
      ssize_t n = readlinkat (from_dir, name, target, sizeof target - 1);
      if (n < 0)
        return hk_error_errno (err, errno, "`%s`: readlink", rel);
      target[n] = '\0';
      if (symlinkat (target, to_dir, name) < 0)
        return hk_error_errno (err, errno, "`%s`: symlink", rel);
      uid_t uid;
      gid_t gid;
      owner_of (c, st, &uid, &gid);
      struct timespec times[2] = { st->st_atim, st->st_mtim };
      if (fchownat (to_dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0
          || utimensat (to_dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
        return hk_error_errno (err, errno, "`%s`: owner and times", rel);
      return 0;
    }
  if (mknodat (to_dir, name, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0)
    return hk_error_errno (err, errno, "`%s`: mknod", rel);
  _cleanup_close_ int from = openat (from_dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  _cleanup_close_ int to = openat (to_dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (from < 0 || to < 0)
    return hk_error_errno (err, errno, "`%s`: open", rel);
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", to);
  uid_t uid;
  gid_t gid;
  owner_of (c, st, &uid, &gid);
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  if (chown (path, uid, gid) < 0 || chmod (path, st->st_mode & 07777) < 0
      || utimensat (AT_FDCWD, path, times, 0) < 0)
    return hk_error_errno (err, errno, "`%s`: owner, mode and times", rel);
  return copy_xattrs (c, from, to, rel, err);
}

static int
copy_entry (struct copy *c, int from_dir, int to_dir, const char *name, const char *parent,
            int depth, struct hk_error **err)
{
  _cleanup_free_ char *rel = *parent ? xasprintf ("%s/%s", parent, name) : xstrdup (name);
  struct stat st;
  if (fstatat (from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "`%s`: stat", rel);
  if (S_ISSOCK (st.st_mode))
    return 0; /* a socket is no content */
  int rc = 0;
  if (!S_ISDIR (st.st_mode) && link_again (c, &st, to_dir, name, rel, err, &rc))
    return rc;
  if (S_ISREG (st.st_mode))
    return copy_regular (c, from_dir, to_dir, name, &st, rel, err);
  if (!S_ISDIR (st.st_mode))
    return copy_special (c, from_dir, to_dir, name, &st, rel, err);
  if (mkdirat (to_dir, name, 0700) < 0)
    return hk_error_errno (err, errno, "`%s`: mkdir", rel);
  _cleanup_close_ int from = openat (from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  _cleanup_close_ int to = openat (to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (from < 0 || to < 0)
    return hk_error_errno (err, errno, "`%s`: open", rel);
  if (copy_dir (c, from, to, rel, depth + 1, err) < 0)
    return -1;
  return set_metadata (c, from, to, &st, rel, err);
}

static int
copy_dir (struct copy *c, int from, int to, const char *rel, int depth, struct hk_error **err)
{
  if (depth > TREE_COPY_MAX_DEPTH)
    return hk_error_set (err, ELOOP, "`%s`: more than %d directories deep", rel,
                         TREE_COPY_MAX_DEPTH);
  int dup_fd = fcntl (from, F_DUPFD_CLOEXEC, 3);
  if (dup_fd < 0)
    return hk_error_errno (err, errno, "`%s`: dup", rel);
  _cleanup_closedir_ DIR *d = fdopendir (dup_fd);
  if (d == NULL)
    {
      close (dup_fd);
      return hk_error_errno (err, errno, "`%s`: opendir", rel);
    }
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (c, from, to, de->d_name, rel, depth, err) < 0)
        return -1;
    }
  if (errno != 0)
    return hk_error_errno (err, errno, "`%s`: readdir", rel);
  return 0;
}

int
tree_copy (int from, int to, const struct id_maps *maps, struct hk_error **err)
{
  struct copy c = { .maps = maps, .top = to };
  struct stat st;
  int rc = fstat (from, &st) < 0 ? hk_error_errno (err, errno, "stat the tree to copy")
                                 : copy_dir (&c, from, to, "", 0, err);
  if (rc == 0)
    rc = set_metadata (&c, from, to, &st, ".", err);
  for (size_t i = 0; i < c.n_links; i++)
    free (c.links[i].path);
  free (c.links);
  return rc;
}
