/* SPDX-License-Identifier: Apache-2.0 */
#include "setup-plan.h"
#include "common/xalloc.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

void
ns_plan_build (const struct oci_spec *spec, struct ns_plan *out)
{
  memset (out, 0, sizeof *out);
  const struct oci_linux *l = &spec->linux;
  out->host_mounts = spec_namespace (spec, CLONE_NEWNS) == NULL;
  /* Two passes: the user namespace is joined before the others. */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < l->n_namespaces; i++)
      {
        const struct oci_namespace *ns = &l->namespaces[i];
        if ((ns->type == CLONE_NEWUSER) != (pass == 0) || ns->path == NULL)
          continue;
        if (ns->type == CLONE_NEWPID)
          out->pid_path = ns->path, out->pid_index = i;
        else if (ns->type == CLONE_NEWTIME)
          out->time_path = ns->path, out->time_index = i;
        else if (out->n_joined < NS_PLAN_MAX_JOINED)
          {
            out->joined[out->n_joined].type = ns->type;
            out->joined[out->n_joined].path = ns->path;
            out->joined[out->n_joined++].index = i;
          }
      }
  for (size_t i = 0; i < l->n_namespaces; i++)
    {
      const struct oci_namespace *ns = &l->namespaces[i];
      if (ns->path != NULL)
        continue;
      out->new_user |= ns->type == CLONE_NEWUSER;
      out->new_net |= ns->type == CLONE_NEWNET;
      if (ns->type == CLONE_NEWCGROUP)
        out->unshare_cgroup = true; /* once the process is in its cgroup */
      else if (ns->type == CLONE_NEWTIME && l->has_time_offsets)
        out->new_time_with_offsets = true; /* offsets come before any process */
      else
        out->clone_flags |= (uint64_t)ns->type;
    }
  /* The hostname of a joined UTS namespace is set too, as runc does. */
  out->new_uts = spec_namespace (spec, CLONE_NEWUTS) != NULL;
}

static bool
dev_is_bind_mounted (const struct rootfs_plan *p)
{
  for (size_t i = 0; i < p->n_steps; i++)
    if (p->steps[i].kind == MOUNT_STEP_BIND && strcmp (p->steps[i].mount->destination, "/dev") == 0)
      return true;
  return false;
}

static int
plan_step (const struct oci_mount *m, size_t index, struct mount_step *step, struct hk_error **err)
{
  step->mount = m;
  step->index = index;
  if (mount_options_parse (m->options, &step->options, err) < 0)
    return -1;
  const struct mount_options *o = &step->options;
  bool bind = o->bind || strcmp (m->type, "bind") == 0;
  if (o->idmap && !bind)
    return hk_error_set (err, EINVAL, "idmap applies to bind mounts only");
  if (o->tmpcopyup && strcmp (m->type, "tmpfs") != 0)
    return hk_error_set (err, EINVAL, "tmpcopyup applies to tmpfs mounts only");
  if (bind)
    step->kind = MOUNT_STEP_BIND;
  else if (strcmp (m->type, "cgroup") == 0 || strcmp (m->type, "cgroup2") == 0)
    step->kind = MOUNT_STEP_CGROUP;
  else
    step->kind = MOUNT_STEP_FILESYSTEM;
  return 0;
}

int
rootfs_plan_build (const struct oci_spec *spec, bool no_pivot, struct rootfs_plan *out,
                   struct hk_error **err)
{
  memset (out, 0, sizeof *out);
  if (spec_namespace (spec, CLONE_NEWNS) == NULL)
    {
      /* spec_check refused what would need mounts. */
      out->entry = ROOT_CHROOT;
      return 0;
    }
  out->steps = xzalloc (sizeof *out->steps * (spec->n_mounts + 1));
  for (size_t i = 0; i < spec->n_mounts; i++, out->n_steps++)
    if (plan_step (&spec->mounts[i], i, &out->steps[i], err) < 0)
      {
        out->n_steps++;
        rootfs_plan_clear (out);
        return hk_error_prefix (err, "mounts[%zu] (%s)", i, spec->mounts[i].destination);
      }
  /* Slave by default: the host's later mounts reach the container, never
   * the other way.  The kernel refuses to bind an unbindable mount, and the
   * root is bound next: until then it is private (what unbindable implies
   * for propagation); the new root gets what was asked. */
  const char *asked = spec->linux.rootfs_propagation;
  unsigned long propagation = asked != NULL ? mount_propagation_parse (asked) : 0;
  out->propagation_before = propagation ? propagation : MS_SLAVE | MS_REC;
  if (out->propagation_before & MS_UNBINDABLE)
    out->propagation_before = MS_PRIVATE | (out->propagation_before & MS_REC);
  out->propagation_after = propagation;
  out->default_devices = !dev_is_bind_mounted (out);
  out->entry = no_pivot ? ROOT_MOVE_CHROOT : ROOT_PIVOT;
  out->readonly_root = spec->root_readonly;
  return 0;
}

void
rootfs_plan_clear (struct rootfs_plan *plan)
{
  for (size_t i = 0; i < plan->n_steps; i++)
    mount_options_clear (&plan->steps[i].options);
  free (plan->steps);
  memset (plan, 0, sizeof *plan);
}
