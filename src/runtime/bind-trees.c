/* SPDX-License-Identifier: Apache-2.0 */
#include "bind-trees.h"
#include "idmap.h"
#include "mount-options.h"
#include "rootfs.h"
#include "sync.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* The detached tree of bind mount M, with O's flags and attributes (its
 * propagation is set once attached). */
static int
clone_tree (const struct oci_mount *m, const struct mount_options *o, const char *bundle,
            struct hk_error **err)
{
  _cleanup_free_ char *source = mounts_bind_source (bundle, m->source);
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->recursive ? AT_RECURSIVE : 0);
  _cleanup_close_ int tree = open_tree (AT_FDCWD, source, flags);
  if (tree < 0)
    return hk_error_errno (err, errno, "bind `%s`", source);
  if (mounts_apply_attributes (tree, o, err) < 0)
    return -1;
  return take_fd (&tree);
}

/* The tree of bind STEP into *FD. */
static int
prepare_one (const struct oci_spec *spec, const struct mount_step *step, const char *bundle,
             int *fd, struct hk_error **err)
{
  _cleanup_close_ int tree = clone_tree (step->mount, &step->options, bundle, err);
  if (tree < 0
      || (step->options.idmap && idmap_apply (tree, spec, step->mount, &step->options, err) < 0))
    return -1;
  *fd = take_fd (&tree);
  return 0;
}

int
bind_trees_prepare (const struct oci_spec *spec, const struct rootfs_plan *plan, const char *bundle,
                    int **fds, struct hk_error **err)
{
  *fds = NULL;
  bool userns = spec_namespace (spec, CLONE_NEWUSER) != NULL;
  int *out = NULL;
  for (size_t i = 0; i < plan->n_steps; i++)
    {
      const struct mount_step *step = &plan->steps[i];
      if (step->kind != MOUNT_STEP_BIND || !(step->options.idmap || userns))
        continue;
      if (out == NULL)
        {
          out = xmalloc (sizeof (int) * spec->n_mounts);
          for (size_t j = 0; j < spec->n_mounts; j++)
            out[j] = -1;
        }
      if (prepare_one (spec, step, bundle, &out[step->index], err) < 0)
        {
          bind_trees_release (out, spec->n_mounts);
          return hk_error_prefix (err, "mounts[%zu]", step->index);
        }
    }
  *fds = out;
  return 0;
}

void
bind_trees_release (int *fds, size_t n)
{
  if (fds == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  free (fds);
}

/* ID of the container as the host sees it through MAPS; -1 unmapped. */
static int64_t
host_id (uint32_t id, const struct oci_id_mapping *maps, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size)
      return (int64_t)maps[i].host_id + (id - maps[i].container_id);
  return -1;
}

/* In a helper process: a tmpfs of its own in a private mount namespace,
 * the node on it, its detached tree sent over SOCK. */
static void __attribute__ ((noreturn))
node_helper (const struct oci_spec *spec, const struct oci_device *d, int sock)
{
  struct hk_error *err = NULL;
  const struct oci_linux *l = &spec->linux;
  int64_t uid = host_id (d->has_uid ? d->uid : 0, l->uid_mappings, l->n_uid_mappings);
  int64_t gid = host_id (d->has_gid ? d->gid : 0, l->gid_mappings, l->n_gid_mappings);
  umask (0);
  mode_t mode = spec_device_file_type (d->type) | (d->has_file_mode ? d->file_mode : 0666);
  int tree = -1;
  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount ("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=700,size=4k") < 0)
    hk_error_errno (&err, errno, "a private tmpfs for device nodes");
  else if (mknod ("/tmp/node", mode, makedev ((unsigned) d->major, (unsigned) d->minor)) < 0)
    hk_error_errno (&err, errno, "mknod `%s`", d->path);
  else if (lchown ("/tmp/node", (uid_t)uid, (gid_t)gid) < 0)
    hk_error_errno (&err, errno, "chown `%s`", d->path);
  else if ((tree = open_tree (AT_FDCWD, "/tmp/node", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
    hk_error_errno (&err, errno, "detach `%s`", d->path);
  if (err != NULL)
    {
      sync_send_error (sock, err);
      _exit (1);
    }
  _exit (sync_send (sock, SYNC_NODE, 0, NULL, tree, NULL) < 0 ? 1 : 0);
}

/* The detached tree of a new node for D, made by a helper process. */
static int
made_node (const struct oci_spec *spec, const struct oci_device *d, struct hk_error **err)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return hk_error_errno (err, errno, "socketpair");
  _cleanup_close_ int mine = sv[0], theirs = sv[1];
  pid_t pid = fork ();
  if (pid < 0)
    return hk_error_errno (err, errno, "fork");
  if (pid == 0)
    node_helper (spec, d, theirs);
  close (take_fd (&theirs));
  struct sync_msg msg;
  int rc = sync_expect (mine, SYNC_NODE, &msg, err);
  waitpid (pid, NULL, 0);
  return rc < 0 ? -1 : take_fd (&msg.fd);
}

/* The host's node at D's path when it is that device, else a new one. */
static int
device_tree (const struct oci_spec *spec, const struct oci_device *d, struct hk_error **err)
{
  struct stat st;
  if (lstat (d->path, &st) == 0 && (st.st_mode & S_IFMT) == spec_device_file_type (d->type)
      && st.st_rdev == makedev ((unsigned) d->major, (unsigned) d->minor))
    {
      int tree = open_tree (AT_FDCWD, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
      if (tree < 0)
        return hk_error_errno (err, errno, "bind the host's `%s`", d->path);
      return tree;
    }
  return made_node (spec, d, err);
}

int
bind_trees_prepare_devices (const struct oci_spec *spec, int **fds, struct hk_error **err)
{
  *fds = NULL;
  const struct oci_linux *l = &spec->linux;
  if (spec_namespace (spec, CLONE_NEWUSER) == NULL || l->n_devices == 0)
    return 0;
  int *out = xmalloc (sizeof (int) * l->n_devices);
  for (size_t i = 0; i < l->n_devices; i++)
    {
      out[i] = -1;
      if (l->devices[i].type != 'p' && (out[i] = device_tree (spec, &l->devices[i], err)) < 0)
        {
          bind_trees_release (out, i + 1);
          return hk_error_prefix (err, "linux.devices[%zu]", i);
        }
    }
  *fds = out;
  return 0;
}
