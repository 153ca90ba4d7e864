/* SPDX-License-Identifier: Apache-2.0 */
/* One config.json mount into the container's root: bind mounts through
 * open_tree/move_mount, file systems through mount(2) on the fd of the
 * destination, cgroup file systems as the host's layout requires. */
#include "copyup.h"
#include "mount-options.h"
#include "rootfs.h"
#include "common/cleanup.h"
#include "common/in-root.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *
fd_path (int fd, char buf[static 32])
{
  snprintf (buf, 32, "/proc/self/fd/%d", fd);
  return buf;
}

/* Applies the flags (with TOP_ATTRS), recursive attributes and
 * propagation of O to the mount at MNT_FD (an open_tree fd, or an fd of
 * the mount's root). */
static int
apply_mount_attributes (int mnt_fd, const struct mount_options *o, bool top_attrs,
                        struct hk_error **err)
{
  if (top_attrs)
    {
      uint64_t set, clr;
      mount_flags_to_attr (o->flags, o->clear, &set, &clr);
      struct mount_attr attr = { .attr_set = set, .attr_clr = clr };
      if ((attr.attr_set || attr.attr_clr)
          && mount_setattr (mnt_fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        return hk_error_errno (err, errno, "set mount flags");
    }
  if (o->rec_attr_set || o->rec_attr_clr)
    {
      struct mount_attr attr = { .attr_set = o->rec_attr_set, .attr_clr = o->rec_attr_clr };
      if (mount_setattr (mnt_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
        return hk_error_errno (err, errno, "set recursive mount flags");
    }
  if (o->propagation)
    {
      char buf[32];
      unsigned long prop = o->propagation;
      if (mount (NULL, fd_path (mnt_fd, buf), NULL, prop, NULL) < 0)
        return hk_error_errno (err, errno, "set mount propagation");
    }
  return 0;
}

int
mounts_apply_attributes (int tree, const struct mount_options *o, struct hk_error **err)
{
  struct mount_options without_propagation = *o;
  without_propagation.propagation = 0; /* set once attached */
  return apply_mount_attributes (tree, &without_propagation, true, err);
}

/* Attaches the detached TREE at TARGET with O's flags and attributes.  The
 * kernel changes the propagation of attached mounts only: it is set once
 * TREE is in place (set before, it was silently lost). */
static int
attach_tree (int tree, int target, const struct mount_options *o, const char *what,
             struct hk_error **err)
{
  if (mounts_apply_attributes (tree, o, err) < 0)
    return -1;
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return hk_error_errno (err, errno, "bind `%s`", what);
  struct mount_options propagation_only = { .propagation = o->propagation };
  return apply_mount_attributes (tree, &propagation_only, false, err);
}

static bool
under_proc (const char *dest)
{
  return strncmp (dest, "/proc/", 6) == 0;
}

char *
mounts_bind_source (const char *bundle, const char *source)
{
  if (source[0] == '/')
    return xstrdup (source);
  return xasprintf ("%s/%s", bundle, source);
}

/* A bind mount: the tree the runtime prepared (bind-trees.h), else one
 * cloned here from the source. */
static int
mount_bind (struct rootfs *r, const struct oci_mount *m, const struct mount_options *o,
            int prepared_tree, struct hk_error **err)
{
  _cleanup_free_ char *source = mounts_bind_source (r->bundle, m->source);
  struct stat st;
  if ((prepared_tree >= 0 ? fstat (prepared_tree, &st) : stat (source, &st)) < 0)
    return hk_error_errno (err, errno, "bind source `%s`", source);
  enum in_root_kind kind = S_ISDIR (st.st_mode) ? IN_ROOT_DIR : IN_ROOT_FILE;
  _cleanup_close_ int target = in_root_mkpath (r->root_fd, m->destination, kind, 0644, err);
  if (target < 0)
    return -1;
  if (under_proc (m->destination) && rootfs_check_procfs (target, m->destination, err) < 0)
    return -1;
  if (prepared_tree >= 0)
    {
      /* Its flags are set: only attach it, then its propagation. */
      if (move_mount (prepared_tree, "", target, "",
                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
          < 0)
        return hk_error_errno (err, errno, "attach `%s`", source);
      struct mount_options propagation_only = { .propagation = o->propagation };
      return apply_mount_attributes (prepared_tree, &propagation_only, false, err);
    }
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->recursive ? AT_RECURSIVE : 0);
  _cleanup_close_ int tree = open_tree (AT_FDCWD, source, flags);
  if (tree < 0)
    return hk_error_errno (err, errno, "bind `%s`", source);
  return attach_tree (tree, target, o, source, err);
}

/* mount(2) of a file system on the destination's fd; the kernel follows
 * the /proc/self/fd magic link to exactly the resolved directory. */
static int
mount_fs_at (int target, const char *source, const char *type, unsigned long flags,
             const char *data)
{
  char buf[32];
  return mount (source, fd_path (target, buf), type, flags, data);
}

/* DATA without any "gid=..." word (devpts in a user namespace where gid 5
 * is not mapped). */
static char *
data_without_gid (const char *data)
{
  _cleanup_free_ char *copy = xstrdup (data);
  char *out = NULL, *save = NULL;
  for (char *w = strtok_r (copy, ",", &save); w; w = strtok_r (NULL, ",", &save))
    {
      if (strncmp (w, "gid=", 4) == 0)
        continue;
      char *joined = out ? xasprintf ("%s,%s", out, w) : xstrdup (w);
      free (out);
      out = joined;
    }
  return out;
}

/* O's data string, with "mode=" of the directory a tmpfs covers when it
 * has none and the directory exists. */
static char *
tmpfs_data (const struct rootfs *r, const struct oci_mount *m, const struct mount_options *o)
{
  bool has_mode = o->data != NULL
                  && (strncmp (o->data, "mode=", 5) == 0 || strstr (o->data, ",mode=") != NULL);
  if (strcmp (m->type, "tmpfs") != 0 || has_mode)
    return o->data ? xstrdup (o->data) : NULL;
  struct stat st;
  _cleanup_close_ int covered
      = in_root_open (r->root_fd, m->destination, O_PATH | O_DIRECTORY, 0, NULL);
  if (covered < 0 || fstat (covered, &st) < 0)
    return o->data ? xstrdup (o->data) : NULL;
  unsigned mode = st.st_mode & 07777;
  return o->data ? xasprintf ("%s,mode=%o", o->data, mode) : xasprintf ("mode=%o", mode);
}

/* Fills the new tmpfs MNT with what it covers, then makes it read-only if
 * asked. */
static int
copy_up (int mnt, int covered, const char *dest, const struct mount_options *o,
         struct hk_error **err)
{
  if (copyup_tree (covered, mnt, dest, err) < 0)
    return -1;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  if ((o->flags & MS_RDONLY) && mount_setattr (mnt, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return hk_error_errno (err, errno, "make `%s` read-only", dest);
  return 0;
}

static int
mount_filesystem (struct rootfs *r, const struct oci_mount *m, const struct mount_options *o,
                  struct hk_error **err)
{
  /* A tmpfs without a mode takes the mode of the directory it covers, as
   * runc and crun do (the kernel's default is 1777). */
  _cleanup_free_ char *data = tmpfs_data (r, m, o);
  _cleanup_close_ int target = in_root_mkpath (r->root_fd, m->destination, IN_ROOT_DIR, 0755, err);
  if (target < 0)
    return -1;
  /* A mount over a /proc entry must land on the real procfs, not on a
   * directory a volume slipped in (CVE-2019-19921). */
  if (under_proc (m->destination) && rootfs_check_procfs (target, m->destination, err) < 0)
    return -1;
  unsigned long flags = o->flags & ~(MS_BIND | MS_REC);
  /* What the tmpfs will hide, opened while it can be; the tmpfs stays
   * writable until it holds the copy. */
  _cleanup_close_ int covered = -1;
  if (o->tmpcopyup)
    {
      covered = openat (target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (covered < 0)
        return hk_error_errno (err, errno, "tmpcopyup: open `%s`", m->destination);
      flags &= ~(unsigned long) MS_RDONLY;
    }
  int rc = mount_fs_at (target, m->source, m->type, flags, data);
  if (rc < 0 && errno == EPERM && strcmp (m->type, "sysfs") == 0)
    {
      /* sysfs needs a network namespace owned by the container's user
       * namespace; without one, show the host's, as runc does. */
      _cleanup_close_ int tree = open_tree (AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
      struct mount_options ro = *o;
      ro.rec_attr_set |= (o->flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0;
      if (tree < 0)
        return hk_error_errno (err, errno, "bind the host's /sys");
      return attach_tree (tree, target, &ro, "/sys", err);
    }
  if (rc < 0 && errno == EINVAL && strcmp (m->type, "devpts") == 0 && o->data
      && strstr (o->data, "gid=") != NULL)
    {
      _cleanup_free_ char *no_gid = data_without_gid (o->data);
      rc = mount_fs_at (target, m->source, m->type, flags, no_gid);
    }
  if (rc < 0)
    return hk_error_errno (err, errno, "mount %s on `%s`", m->type, m->destination);
  if (o->propagation == 0 && o->rec_attr_set == 0 && o->rec_attr_clr == 0 && !o->tmpcopyup
      && strcmp (m->type, "proc") != 0)
    return 0;
  int open_flags = o->tmpcopyup ? O_RDONLY | O_DIRECTORY : O_PATH | O_DIRECTORY;
  _cleanup_close_ int mnt = in_root_open (r->root_fd, m->destination, open_flags, 0, err);
  if (mnt < 0)
    return -1;
  if (strcmp (m->type, "proc") == 0 && rootfs_check_procfs (mnt, m->destination, err) < 0)
    return -1;
  if (o->tmpcopyup && copy_up (mnt, covered, m->destination, o, err) < 0)
    return -1;
  return apply_mount_attributes (mnt, o, false, err);
}

/* ---- cgroup file systems ---- */

static int
bind_host_dir (int target, const char *dir, const struct mount_options *o, struct hk_error **err)
{
  _cleanup_close_ int tree = open_tree (AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return hk_error_errno (err, errno, "bind cgroup `%s`", dir);
  return attach_tree (tree, target, o, dir, err);
}

/* One hierarchy at TARGET: a fresh cgroup mount inside a cgroup namespace
 * (it shows the namespace's root, the container's cgroup), else a bind of
 * the container's directory. */
static int
mount_hierarchy (struct rootfs *r, int target, const struct cgroup_dir *d,
                 const struct mount_options *o, struct hk_error **err)
{
  unsigned long flags = (o->flags & ~(MS_BIND | MS_REC)) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (r->cgroupns)
    {
      int rc;
      if (d->v2)
        rc = mount_fs_at (target, "cgroup2", "cgroup2", flags, NULL);
      else
        {
          _cleanup_free_ char *opts = strncmp (d->controllers, "name=", 5) == 0
                                          ? xasprintf ("none,%s", d->controllers)
                                          : xstrdup (d->controllers);
          rc = mount_fs_at (target, "cgroup", "cgroup", flags, opts);
        }
      if (rc == 0)
        return 0;
      if (errno != EPERM)
        return hk_error_errno (err, errno, "mount cgroup `%s`", d->controllers);
    }
  return bind_host_dir (target, d->dir, o, err);
}

static int
mount_cgroup_v1 (struct rootfs *r, const struct oci_mount *m, const struct mount_options *o,
                 struct hk_error **err)
{
  _cleanup_close_ int target = in_root_mkpath (r->root_fd, m->destination, IN_ROOT_DIR, 0755, err);
  if (target < 0)
    return -1;
  if (mount_fs_at (target, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
    return hk_error_errno (err, errno, "mount tmpfs on `%s`", m->destination);
  _cleanup_close_ int top = in_root_open (r->root_fd, m->destination, O_PATH | O_DIRECTORY, 0, err);
  if (top < 0)
    return -1;
  for (size_t i = 0; i < r->cgroup->n; i++)
    {
      const struct cgroup_dir *d = &r->cgroup->dirs[i];
      const char *name = strrchr (d->mount_point, '/') + 1;
      if (mkdirat (top, name, 0755) < 0 && errno != EEXIST)
        return hk_error_errno (err, errno, "mkdir `%s/%s`", m->destination, name);
      _cleanup_close_ int sub = openat (top, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return hk_error_errno (err, errno, "open `%s/%s`", m->destination, name);
      if (mount_hierarchy (r, sub, d, o, err) < 0)
        return -1;
      /* "cpu,cpuacct" is also reached as "cpu" and "cpuacct". */
      if (!d->v2 && strchr (name, ',') != NULL)
        {
          _cleanup_free_ char *copy = xstrdup (name);
          char *save = NULL;
          for (char *c = strtok_r (copy, ",", &save); c; c = strtok_r (NULL, ",", &save))
            if (symlinkat (name, top, c) < 0 && errno != EEXIST)
              return hk_error_errno (err, errno, "symlink `%s/%s`", m->destination, c);
        }
    }
  if (o->flags & MS_RDONLY)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (top, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        return hk_error_errno (err, errno, "make `%s` read-only", m->destination);
    }
  return 0;
}

static int
mount_cgroup (struct rootfs *r, const struct oci_mount *m, const struct mount_options *o,
              struct hk_error **err)
{
  if (r->cgroup == NULL || r->cgroup->n == 0)
    return hk_error_set (err, ENOENT, "the container has no cgroup to mount");
  bool only_v2 = r->cgroup->n == 1 && r->cgroup->dirs[0].v2;
  if (!only_v2)
    return mount_cgroup_v1 (r, m, o, err);
  _cleanup_close_ int target = in_root_mkpath (r->root_fd, m->destination, IN_ROOT_DIR, 0755, err);
  if (target < 0)
    return -1;
  return mount_hierarchy (r, target, &r->cgroup->dirs[0], o, err);
}

int
mounts_mount_step (struct rootfs *r, const struct mount_step *step, struct hk_error **err)
{
  const struct oci_mount *m = step->mount;
  const struct mount_options *o = &step->options;
  int prepared = r->bind_trees != NULL ? r->bind_trees[step->index] : -1;
  int rc;
  switch (step->kind)
    {
    case MOUNT_STEP_BIND:
      rc = mount_bind (r, m, o, prepared, err);
      break;
    case MOUNT_STEP_CGROUP:
      rc = mount_cgroup (r, m, o, err);
      break;
    default:
      rc = mount_filesystem (r, m, o, err);
      break;
    }
  if (rc < 0)
    return hk_error_prefix (err, "mounts[%zu] (%s)", step->index, m->destination);
  return 0;
}
