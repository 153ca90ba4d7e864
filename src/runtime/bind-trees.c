/* SPDX-License-Identifier: Apache-2.0 */
#include "bind-trees.h"
#include "idmap.h"
#include "mount-options.h"
#include "rootfs.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* The detached tree of bind mount M, with O's flags and attributes (its
 * propagation is set once attached). */
static int
clone_tree (const struct oci_mount *m, const struct mount_options *o, const char *bundle,
            struct hk_error **err)
{
  _cleanup_free_ char *source
      = m->source[0] == '/' ? xstrdup (m->source) : xasprintf ("%s/%s", bundle, m->source);
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->recursive ? AT_RECURSIVE : 0);
  _cleanup_close_ int tree = open_tree (AT_FDCWD, source, flags);
  if (tree < 0)
    return hk_error_errno (err, errno, "bind `%s`", source);
  if (mounts_apply_attributes (tree, o, err) < 0)
    return -1;
  return take_fd (&tree);
}

/* Mount I's tree into *FD, left -1 when the container process mounts it. */
static int
prepare_one (const struct oci_spec *spec, size_t i, const char *bundle, bool userns, int *fd,
             struct hk_error **err)
{
  const struct oci_mount *m = &spec->mounts[i];
  struct mount_options o;
  if (mount_options_parse (m->options, &o, err) < 0)
    return -1;
  int rc = 0;
  bool bind = o.bind || strcmp (m->type, "bind") == 0;
  if (bind && (o.idmap || userns))
    {
      _cleanup_close_ int tree = clone_tree (m, &o, bundle, err);
      if (tree < 0 || (o.idmap && idmap_apply (tree, spec, m, &o, err) < 0))
        rc = -1;
      else
        *fd = take_fd (&tree);
    }
  mount_options_clear (&o);
  return rc;
}

int
bind_trees_prepare (const struct oci_spec *spec, const char *bundle, int **fds,
                    struct hk_error **err)
{
  *fds = NULL;
  bool userns = spec_namespace (spec, CLONE_NEWUSER) != NULL;
  int *out = xmalloc (sizeof (int) * (spec->n_mounts + 1));
  bool any = false;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      out[i] = -1;
      if (prepare_one (spec, i, bundle, userns, &out[i], err) < 0)
        {
          bind_trees_release (out, i + 1);
          return hk_error_prefix (err, "mounts[%zu]", i);
        }
      any |= out[i] >= 0;
    }
  if (!any)
    {
      free (out);
      return 0;
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
