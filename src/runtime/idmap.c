/* SPDX-License-Identifier: Apache-2.0 */
#include "idmap.h"
#include "mount-options.h"
#include "rootfs.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char *
format_map (const struct oci_id_mapping *m, size_t n)
{
  char *text = xstrdup ("");
  for (size_t i = 0; i < n; i++)
    {
      char *line = xasprintf ("%s%u %u %u\n", text, m[i].container_id, m[i].host_id, m[i].size);
      free (text);
      text = line;
    }
  return text;
}

/* A user namespace with the given mappings: a child made in it only long
 * enough for its maps to be written and its namespace opened. */
static int
userns_with_maps (const struct oci_id_mapping *uids, size_t n_uids,
                  const struct oci_id_mapping *gids, size_t n_gids, struct hk_error **err)
{
  int hold[2];
  if (pipe2 (hold, O_CLOEXEC) < 0)
    return hk_error_errno (err, errno, "pipe");
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid == 0)
    {
      char c;
      close (hold[1]);
      (void) !read (hold[0], &c, 1); /* until the parent is done with us */
      _exit (0);
    }
  close (hold[0]);
  if (pid < 0)
    {
      close (hold[1]);
      return hk_error_errno (err, errno, "create a user namespace for an idmapped mount");
    }
  char path[64];
  _cleanup_free_ char *uid_text = format_map (uids, n_uids);
  _cleanup_free_ char *gid_text = format_map (gids, n_gids);
  int fd = -1;
  snprintf (path, sizeof path, "/proc/%d/uid_map", (int) pid);
  if (fs_write_kernel_file (AT_FDCWD, path, uid_text, err) == 0)
    {
      snprintf (path, sizeof path, "/proc/%d/gid_map", (int) pid);
      if (fs_write_kernel_file (AT_FDCWD, path, gid_text, err) == 0)
        {
          snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
          fd = open (path, O_RDONLY | O_CLOEXEC);
          if (fd < 0)
            hk_error_errno (err, errno, "open `%s`", path);
        }
    }
  close (hold[1]);
  waitpid (pid, NULL, 0);
  return fd;
}

static bool
wants_idmap (const struct oci_mount *m)
{
  bool bind = strcmp (m->type, "bind") == 0 || strv_contains (m->options, "bind")
              || strv_contains (m->options, "rbind");
  return bind && (strv_contains (m->options, "idmap") || strv_contains (m->options, "ridmap"));
}

/* The detached, idmapped tree of mount M. */
static int
idmapped_tree (const struct oci_mount *m, const char *bundle, int userns, struct hk_error **err)
{
  struct mount_options o;
  if (mount_options_parse (m->options, &o, err) < 0)
    return -1;
  _cleanup_free_ char *source
      = m->source[0] == '/' ? xstrdup (m->source) : xasprintf ("%s/%s", bundle, m->source);
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o.recursive ? AT_RECURSIVE : 0);
  _cleanup_close_ int tree = open_tree (AT_FDCWD, source, flags);
  int rc = tree < 0 ? hk_error_errno (err, errno, "bind `%s`", source)
                    : mounts_apply_attributes (tree, &o, err);
  if (rc == 0)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };
      unsigned at = AT_EMPTY_PATH | (o.recursive_idmap ? AT_RECURSIVE : 0);
      if (mount_setattr (tree, "", at, &attr, sizeof attr) < 0)
        rc = hk_error_errno (err, errno,
                             "idmap `%s` (the kernel or the file system may not support "
                             "idmapped mounts)",
                             source);
    }
  mount_options_clear (&o);
  return rc < 0 ? -1 : take_fd (&tree);
}

int
idmap_prepare (const struct oci_spec *spec, const char *bundle, int **fds, struct hk_error **err)
{
  *fds = NULL;
  bool any = false;
  for (size_t i = 0; i < spec->n_mounts; i++)
    any |= wants_idmap (&spec->mounts[i]);
  if (!any)
    return 0;
  int *out = xmalloc (sizeof (int) * spec->n_mounts);
  for (size_t i = 0; i < spec->n_mounts; i++)
    out[i] = -1;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct oci_mount *m = &spec->mounts[i];
      if (!wants_idmap (m))
        continue;
      /* The mount's own mappings, else the container's. */
      const struct oci_id_mapping *u = m->uid_mappings, *g = m->gid_mappings;
      size_t nu = m->n_uid_mappings, ng = m->n_gid_mappings;
      if (nu == 0 && ng == 0)
        {
          u = spec->linux.uid_mappings, nu = spec->linux.n_uid_mappings;
          g = spec->linux.gid_mappings, ng = spec->linux.n_gid_mappings;
        }
      if (nu == 0 || ng == 0)
        {
          idmap_release (out, spec->n_mounts);
          return hk_error_set (err, EINVAL,
                               "mounts[%zu]: idmap needs uidMappings and gidMappings (of the "
                               "mount or of the container)",
                               i);
        }
      _cleanup_close_ int userns = userns_with_maps (u, nu, g, ng, err);
      if (userns >= 0)
        out[i] = idmapped_tree (m, bundle, userns, err);
      if (out[i] < 0)
        {
          idmap_release (out, spec->n_mounts);
          return hk_error_prefix (err, "mounts[%zu]", i);
        }
    }
  *fds = out;
  return 0;
}

void
idmap_release (int *fds, size_t n)
{
  if (fds == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  free (fds);
}
