/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-join.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

int
ctr_join_resolve (struct engine *e, const char *flag, const char *mode, bool running, char **id,
                  struct hk_error **err)
{
  *id = NULL;
  const char *name = config_mode_container (mode);
  if (name == NULL)
    return 0;
  _cleanup_record_ struct ctr_record *target = NULL;
  if (ctr_record_find (e->db, name, &target, err) < 0)
    return hk_error_prefix (err, "%s %s", flag, mode);
  int pid;
  _cleanup_free_ char *what = xasprintf ("%s %s: cannot join the namespaces", flag, mode);
  if (running && engine_container_pid (e, target->id, what, &pid, err) < 0)
    return -1;
  *id = xstrdup (target->id);
  return 0;
}

int
ctr_join_pid (struct engine *e, const char *id, const char *what, bool starting, int *pid,
              struct hk_error **err)
{
  struct hk_error *why = NULL;
  if (engine_container_pid (e, id, what, pid, &why) == 0)
    return 0;
  *pid = 0;
  if (starting)
    {
      *err = why;
      return -1;
    }
  hk_error_free (why);
  return 0;
}

static const char *
namespace_phrase (const char *type)
{
  if (strcmp (type, "net") == 0)
    return "network";
  return strcmp (type, "pid") == 0 ? "pid namespace" : "IPC namespace";
}

int
ctr_join_ns_path (struct engine *e, const char *id, const char *type, bool starting, char **out,
                  struct hk_error **err)
{
  *out = NULL;
  if (id == NULL)
    return 0;
  _cleanup_free_ char *what = xasprintf ("cannot join the %s", namespace_phrase (type));
  int pid;
  if (ctr_join_pid (e, id, what, starting, &pid, err) < 0)
    return -1;
  if (pid > 0)
    *out = xasprintf ("/proc/%d/ns/%s", pid, type);
  return 0;
}

/* Docker's rule: only a shareable IPC (or the host's, which anyone may
 * join) can be joined: a private one's /dev/shm is in its own mount
 * namespace, out of the joiner's reach. */
static int
check_ipc_target (struct engine *e, const char *mode, const char *id, struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *target = NULL;
  if (ctr_record_find (e->db, id, &target, err) < 0)
    return hk_error_prefix (err, "--ipc %s", mode);
  const char *its = config_ipc_mode (&target->config);
  if (strcmp (its, "shareable") != 0 && strcmp (its, "host") != 0)
    return hk_error_set (err, EINVAL,
                         "--ipc %s: the IPC namespace of container %s is not shareable (its "
                         "--ipc is %s; create it with --ipc shareable)",
                         mode, target->name, its);
  return 0;
}

int
ctr_join_prepare (struct engine *e, struct ctr_config *c, struct hk_error **err)
{
  free (c->pid_container);
  free (c->ipc_container);
  c->pid_container = c->ipc_container = NULL;
  /* a pod's member sharing the pod's IPC has no mode of its own */
  if (c->ipc_mode == NULL && !(c->pod_share & CONFIG_SHARE_IPC))
    c->ipc_mode = xstrdup ("private");
  if (ctr_join_resolve (e, "--pid", c->pid_mode, true, &c->pid_container, err) < 0
      || ctr_join_resolve (e, "--ipc", c->ipc_mode, true, &c->ipc_container, err) < 0)
    return -1;
  if (c->ipc_container != NULL && check_ipc_target (e, c->ipc_mode, c->ipc_container, err) < 0)
    return -1;
  return 0;
}
