/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-diff.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

const char *const ctr_diff_excluded[] = {
  "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab", "dev", "proc", "sys", NULL,
};

void
ctr_changes_free (struct ctr_change *changes, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (changes[i].path);
  free (changes);
}

static bool
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

char
ctr_diff_kind (const struct stat *st, bool in_lower)
{
  if (is_whiteout (st))
    return 'D';
  return in_lower ? 'C' : 'A';
}

static bool
is_opaque (int dir_fd)
{
  char value[4];
  return fgetxattr (dir_fd, "trusted.overlay.opaque", value, sizeof value) == 1 && value[0] == 'y';
}

enum lookup
{
  ABSENT,  /* not in this layer: the layers below decide */
  HIDDEN,  /* deleted here, or under a name this layer replaced */
  PRESENT, /* *ST is it */
};

/* PATH (relative) in one layer, walked a component at a time without
 * following symlinks, as overlayfs looks names up in its layers. */
static enum lookup
layer_lookup (int layer, const char *path, struct stat *st)
{
  _cleanup_free_ char *copy = xstrdup (path);
  _cleanup_close_ int dir = openat (layer, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool opaque_above = false;
  char *save = NULL;
  for (char *comp = strtok_r (copy, "/", &save); comp && dir >= 0;)
    {
      char *next = strtok_r (NULL, "/", &save);
      if (fstatat (dir, comp, st, AT_SYMLINK_NOFOLLOW) < 0)
        return opaque_above ? HIDDEN : ABSENT;
      if (is_whiteout (st))
        return HIDDEN;
      if (next == NULL)
        return PRESENT;
      if (!S_ISDIR (st->st_mode))
        return HIDDEN;
      int child = openat (dir, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (dir);
      dir = child;
      opaque_above |= dir >= 0 && is_opaque (dir);
      comp = next;
    }
  return ABSENT;
}

/* What the layers below show at PATH, into *ST; false when nothing. */
static bool
lower_lookup (const int *lower, size_t n, const char *path, struct stat *st)
{
  for (size_t i = 0; i < n; i++)
    switch (layer_lookup (lower[i], path, st))
      {
      case PRESENT:
        return true;
      case HIDDEN:
        return false;
      case ABSENT:
        break;
      }
  return false;
}

static bool
excluded (const char *path)
{
  for (size_t i = 0; ctr_diff_excluded[i]; i++)
    if (strcmp (path, ctr_diff_excluded[i]) == 0)
      return true;
  return false;
}

struct differ
{
  const int *lower;
  size_t n_lower;
  const struct id_maps *maps;
  struct ctr_change *changes;
  size_t n;
};

static void
add (struct differ *d, char kind, const char *path)
{
  d->changes = xreallocarray (d->changes, d->n + 1, sizeof *d->changes);
  d->changes[d->n++] = (struct ctr_change){ .kind = kind, .path = xasprintf ("/%s", path) };
}

static int walk (struct differ *d, int dir, const char *rel, bool dir_is_new, bool *listed,
                 struct hk_error **err);

/* One name of the upper directory. */
static int
visit (struct differ *d, int parent, const char *name, const char *path, bool parent_is_new,
       bool *listed, struct hk_error **err)
{
  struct stat st, below;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hk_error_errno (err, errno, "stat `/%s`", path);
  bool in_lower = !parent_is_new && lower_lookup (d->lower, d->n_lower, path, &below);
  char kind = ctr_diff_kind (&st, in_lower);
  if (!S_ISDIR (st.st_mode))
    {
      add (d, kind, path);
      *listed = true;
      return 0;
    }
  _cleanup_close_ int dir = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    return hk_error_errno (err, errno, "open `/%s`", path);
  bool under = false;
  if (walk (d, dir, path, kind == 'A', &under, err) < 0)
    return -1;
  /* A directory is copied up whenever something in it changes: list it
   * only when that shows, or when it changed itself. */
  uint32_t uid = st.st_uid, gid = st.st_gid;
  if (d->maps != NULL)
    id_maps_to_container (d->maps, &uid, &gid);
  bool changed_itself = in_lower
                        && (is_opaque (dir) || st.st_mode != below.st_mode
                            || uid != below.st_uid || gid != below.st_gid);
  if (kind == 'A' || under || changed_itself)
    {
      add (d, kind, path);
      *listed = true;
    }
  return 0;
}

static int
walk (struct differ *d, int dir, const char *rel, bool dir_is_new, bool *listed,
      struct hk_error **err)
{
  int fd = dup (dir);
  _cleanup_closedir_ DIR *stream = fd >= 0 ? fdopendir (fd) : NULL;
  if (stream == NULL)
    {
      if (fd >= 0)
        close (fd);
      return hk_error_errno (err, errno, "read the directory `/%s`", rel);
    }
  /* The dup shares the offset of DIR, which an earlier walk may have
   * left at the end. */
  rewinddir (stream);
  struct dirent *de;
  while ((errno = 0, de = readdir (stream)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      _cleanup_free_ char *path
          = *rel ? xasprintf ("%s/%s", rel, de->d_name) : xstrdup (de->d_name);
      if (!excluded (path) && visit (d, dir, de->d_name, path, dir_is_new, listed, err) < 0)
        return -1;
    }
  if (errno != 0)
    return hk_error_errno (err, errno, "read the directory `/%s`", rel);
  return 0;
}

static int
by_path (const void *a, const void *b)
{
  return strcmp (((const struct ctr_change *)a)->path,
                 ((const struct ctr_change *)b)->path);
}

int
ctr_diff (int upper_fd, const int *lower_fds, size_t n_lower, const struct id_maps *maps,
          struct ctr_change **out, size_t *n, struct hk_error **err)
{
  struct differ d = { .lower = lower_fds, .n_lower = n_lower, .maps = maps };
  bool listed = false;
  if (walk (&d, upper_fd, "", false, &listed, err) < 0)
    {
      ctr_changes_free (d.changes, d.n);
      return -1;
    }
  /* Docker's order: by path. */
  if (d.n > 0)
    qsort (d.changes, d.n, sizeof *d.changes, by_path);
  *out = d.changes;
  *n = d.n;
  return 0;
}
