/* SPDX-License-Identifier: Apache-2.0 */
#include "engine-events.h"
#include "pod.h"
#include "engine.h"
#include "pod-cgroup.h"
#include "random-id.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "runtime/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <stdlib.h>
#include <string.h>

static void
cleanup_ctr_listp (struct ctr_record ***list)
{
  if (*list == NULL)
    return;
  for (struct ctr_record **r = *list; *r; r++)
    ctr_record_free (*r);
  free (*list);
}
#define _cleanup_ctr_list_ __attribute__ ((cleanup (cleanup_ctr_listp)))

/* The infra container's settings: the pod's hostname, cgroup and
 * network (those of REQ). */
static void
infra_config (const struct pod_record *p, struct ctr_config *c)
{
  free (c->hostname);
  c->hostname = xstrdup (p->config.hostname ? p->config.hostname : p->name);
  c->pod = xstrdup (p->id);
  c->cgroup_parent = pod_cgroup_path (p);
  c->restart = CONFIG_RESTART_NO;
  /* Its namespaces, which the members join, are the host user
   * namespace's whatever the machine's default (pod_join). */
  free (c->userns_mode);
  c->userns_mode = xstrdup ("host");
}

static int
check_request (const struct pod_create_request *req, struct hk_error **err)
{
  const struct ctr_config *n = &req->infra;
  if (req->config.infra)
    return 0;
  if (req->config.share != 0)
    return hk_error_set (err, EINVAL,
                         "--share: a pod without an infra container (--infra=false) shares no "
                         "namespace");
  if (n->n_ports || n->network_mode || n->n_networks || n->dns || n->extra_hosts)
    return hk_error_set (err, EINVAL,
                         "-p, --network, --dns and --add-host are the infra container's: not "
                         "with --infra=false");
  return 0;
}

static void
undo_create (struct engine *e, const struct pod_record *p)
{
  struct hk_error *ignored = NULL;
  pod_cgroup_remove (e, p, &ignored);
  hk_error_freep (&ignored);
  pod_record_delete (e->db, p->id, &ignored);
  hk_error_freep (&ignored);
}

static int
create_infra (struct engine *e, struct pod_record *p, struct ctr_config *c, struct hk_error **err)
{
  infra_config (p, c);
  char short_id[13];
  snprintf (short_id, sizeof short_id, "%s", p->id);
  _cleanup_free_ char *name = xasprintf ("%s-infra", short_id);
  _cleanup_record_ struct ctr_record *r = NULL;
  if (engine_create_infra (e, c, name, &r, err) < 0)
    return hk_error_prefix (err, "pod %s: its infra container", p->name);
  free (p->infra_id);
  p->infra_id = xstrdup (r->id);
  if (pod_record_set_infra (e->db, p, err) < 0)
    {
      struct hk_error *ignored = NULL;
      engine_remove (e, r, true, true, &ignored);
      hk_error_free (ignored);
      return -1;
    }
  return 0;
}

int
pod_create (struct engine *e, struct pod_create_request *req, struct pod_record **out,
            struct hk_error **err)
{
  if (check_request (req, err) < 0)
    return -1;
  _cleanup_pod_record_ struct pod_record *p = xzalloc (sizeof *p);
  p->id = random_id ();
  p->name = req->name ? xstrdup (req->name) : random_name ();
  p->created = state_now_rfc3339 ();
  p->infra_id = xstrdup ("");
  p->config = req->config;
  pod_config_init (&req->config);
  if (pod_record_insert (e->db, p, err) < 0)
    return -1;
  if (pod_cgroup_ensure (e, p, err) < 0
      || (p->config.infra && create_infra (e, p, &req->infra, err) < 0))
    {
      undo_create (e, p);
      return -1;
    }
  engine_event_object (e, "pod", "create", p->id, p->name, NULL, NULL);
  *out = take_ptr (p);
  return 0;
}

int
pod_containers (struct engine *e, const struct pod_record *p, struct ctr_record ***out,
                size_t *n, struct hk_error **err)
{
  struct ctr_record **all = NULL;
  size_t count = 0;
  if (ctr_record_list (e->db, &all, &count, err) < 0)
    return -1;
  struct ctr_record **mine = xzalloc ((count + 1) * sizeof *mine);
  size_t k = 0;
  /* the list is newest first: the infra, then the members oldest first */
  for (size_t i = count; i-- > 0;)
    {
      struct ctr_record *r = all[i];
      if (r->config.pod == NULL || strcmp (r->config.pod, p->id) != 0)
        {
          ctr_record_free (r);
          continue;
        }
      struct hk_error *ignored = NULL;
      if (engine_refresh (e, r, &ignored) < 0)
        hk_error_free (ignored);
      if (r->config.pod_infra)
        {
          memmove (mine + 1, mine, k * sizeof *mine);
          mine[0] = r;
        }
      else
        mine[k] = r;
      k++;
    }
  free (all);
  *out = mine;
  *n = k;
  return 0;
}

static bool
is_state (const struct ctr_record *r, const char *state)
{
  return strcmp (r->state, state) == 0;
}

const char *
pod_status (struct ctr_record *const *list, size_t n)
{
  size_t running = 0, paused = 0, created = 0, stopped = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (is_state (list[i], "running"))
        running++;
      else if (is_state (list[i], "paused"))
        paused++;
      else if (is_state (list[i], "created"))
        created++;
      else
        stopped++;
    }
  if (n == 0 || created == n)
    return "Created";
  if (running == n)
    return "Running";
  if (paused == n)
    return "Paused";
  if (stopped + created == n)
    return "Exited";
  return "Degraded";
}

static int
refuse (const struct pod_record *p, const char *flags, const char *why, struct hk_error **err)
{
  return hk_error_set (err, EINVAL, "%s: not with --pod %s: %s", flags, p->name, why);
}

int
pod_join (const struct pod_record *p, struct ctr_config *c, struct hk_error **err)
{
  unsigned share = p->config.infra ? p->config.share : 0;
  if ((share & CONFIG_SHARE_NET)
      && (c->network_mode || c->n_networks || c->n_ports || c->publish_all || c->ip || c->ip6 || c->mac
          || c->aliases || c->dns || c->dns_search || c->extra_hosts))
    return refuse (p, "--network, -p, -P, --ip, --ip6, --mac-address, --network-alias, --dns, --add-host",
                   "the pod shares its network (give them to pod create)", err);
  if ((share & CONFIG_SHARE_UTS) && (c->hostname || c->domainname))
    return refuse (p, "--hostname", "the pod shares its UTS namespace", err);
  if ((share & CONFIG_SHARE_PID) && c->pid_mode)
    return refuse (p, "--pid", "the pod shares its pid namespace", err);
  if ((share & CONFIG_SHARE_IPC) && c->ipc_mode)
    return refuse (p, "--ipc", "the pod shares its IPC namespace", err);
  if (c->cgroup_parent)
    return refuse (p, "--cgroup-parent", "the pod's containers are in the pod's cgroup", err);
  /* A container cannot join namespaces another user namespace owns:
   * the members of a pod that shares some are in the host's, as its
   * infra container is, the machine's default notwithstanding. */
  if (share != 0 && c->userns_mode != NULL && strcmp (c->userns_mode, "host") != 0)
    return refuse (p, "--userns, --uidmap, --gidmap, --subuidname",
                   "the pod's shared namespaces are the host user namespace's", err);
  if (share != 0 && c->userns_mode == NULL)
    c->userns_mode = xstrdup ("host");
  c->pod = xstrdup (p->id);
  c->pod_share = share;
  c->cgroup_parent = pod_cgroup_path (p);
  if (share & CONFIG_SHARE_NET)
    c->network_mode = xasprintf ("container:%s", p->infra_id);
  if (share & CONFIG_SHARE_UTS)
    c->hostname = xstrdup (p->config.hostname ? p->config.hostname : p->name);
  return 0;
}

static int
new_pod (struct engine *e, const char *name, struct pod_record **out, struct hk_error **err)
{
  struct pod_create_request req = { .name = name };
  pod_config_init (&req.config);
  ctr_config_init (&req.infra);
  req.config.infra = true;
  req.config.share = CONFIG_SHARE_NET | CONFIG_SHARE_IPC | CONFIG_SHARE_UTS;
  int rc = ctr_record_check_name (name, err) < 0 ? hk_error_prefix (err, "--pod new:")
                                                  : pod_create (e, &req, out, err);
  pod_config_clear (&req.config);
  ctr_config_clear (&req.infra);
  return rc;
}

int
pod_create_container (struct engine *e, const char *ref, const char *image,
                      struct ctr_config *config, const char *name, struct ctr_record **out,
                      struct pod_record **made, struct hk_error **err)
{
  *made = NULL;
  _cleanup_pod_record_ struct pod_record *p = NULL;
  bool fresh = strncmp (ref, "new:", 4) == 0;
  if (fresh ? new_pod (e, ref + 4, &p, err) < 0 : pod_record_find (e->db, ref, &p, err) < 0)
    return hk_error_prefix (err, "--pod");
  if (pod_join (p, config, err) < 0 || engine_create (e, image, config, name, out, err) < 0)
    {
      struct hk_error *ignored = NULL;
      if (fresh && pod_remove (e, p, true, &ignored) < 0)
        hk_error_free (ignored);
      return -1;
    }
  if (fresh)
    *made = take_ptr (p);
  return 0;
}

int
pod_start (struct engine *e, const struct pod_record *p, struct hk_error **err)
{
  _cleanup_ctr_list_ struct ctr_record **list = NULL;
  size_t n;
  if (pod_cgroup_ensure (e, p, err) < 0 || pod_containers (e, p, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (engine_start (e, list[i], 0, err) < 0)
      return hk_error_prefix (err, "pod %s", p->name);
  engine_event_object (e, "pod", "start", p->id, p->name, NULL, NULL);
  return 0;
}

/* Stops and kills go to the members first, the infra last: the members
 * may still need their network while they stop. */
int
pod_stop (struct engine *e, const struct pod_record *p, int timeout, struct hk_error **err)
{
  _cleanup_ctr_list_ struct ctr_record **list = NULL;
  size_t n;
  if (pod_containers (e, p, &list, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = n; i-- > 0;)
    {
      struct hk_error *e2 = NULL;
      if (engine_stop (e, list[i], timeout, &e2) < 0)
        {
          if (rc == 0)
            *err = e2;
          else
            hk_error_free (e2);
          rc = -1;
        }
    }
  if (rc == 0)
    engine_event_object (e, "pod", "stop", p->id, p->name, NULL, NULL);
  return rc;
}

int
pod_kill (struct engine *e, const struct pod_record *p, int signum, struct hk_error **err)
{
  _cleanup_ctr_list_ struct ctr_record **list = NULL;
  size_t n, killed = 0;
  if (pod_containers (e, p, &list, &n, err) < 0)
    return -1;
  for (size_t i = n; i-- > 0;)
    {
      if (!is_state (list[i], "running"))
        continue;
      if (engine_kill (e, list[i], signum, err) < 0)
        return -1;
      killed++;
    }
  if (killed == 0)
    return hk_error_set (err, EINVAL, "pod %s has no running container to signal", p->name);
  engine_event_object (e, "pod", "kill", p->id, p->name, NULL, NULL);
  return 0;
}

int
pod_pause (struct engine *e, const struct pod_record *p, bool pause, struct hk_error **err)
{
  _cleanup_ctr_list_ struct ctr_record **list = NULL;
  size_t n;
  if (pod_containers (e, p, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      if (!is_state (list[i], pause ? "running" : "paused"))
        continue;
      if (engine_pause (e, list[i], pause, err) < 0)
        return -1;
    }
  engine_event_object (e, "pod", pause ? "pause" : "unpause", p->id, p->name, NULL, NULL);
  return 0;
}

char *
pod_volume_dir (const struct engine *e, const struct pod_record *p, const char *kind,
                const char *name, bool memory)
{
  return xasprintf ("%s/pods/%s/%s/%s", memory ? e->runroot : e->root, p->id, kind, name);
}

/* The tmpfs mounts of P's volumes in memory (kube play's emptyDir
 * medium: Memory). */
static void
unmount_volumes (struct engine *e, const struct pod_record *p)
{
  _cleanup_free_ char *dir = pod_volume_dir (e, p, "volumes", "", true);
  _cleanup_closedir_ DIR *d = opendir (dir);
  struct dirent *ent;
  while (d && (ent = readdir (d)) != NULL)
    {
      if (strcmp (ent->d_name, ".") == 0 || strcmp (ent->d_name, "..") == 0)
        continue;
      _cleanup_free_ char *path = xasprintf ("%s%s", dir, ent->d_name);
      if (umount2 (path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
        hk_warn (e->log, "pod %s: unmount `%s`: %s", p->name, path, strerror (errno));
    }
}

/* ROOT/pods/ID and RUNROOT/pods/ID. */
static int
remove_dirs (struct engine *e, const struct pod_record *p, struct hk_error **err)
{
  unmount_volumes (e, p);
  const char *const roots[] = { e->root, e->runroot };
  for (size_t i = 0; i < 2; i++)
    {
      _cleanup_free_ char *pods = xasprintf ("%s/pods", roots[i]);
      _cleanup_close_ int dfd = open (pods, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd < 0 && errno != ENOENT)
        return hk_error_errno (err, errno, "open `%s`", pods);
      if (dfd >= 0 && fs_remove_tree (dfd, p->id, err) < 0)
        return hk_error_prefix (err, "remove the volumes of pod %s", p->name);
    }
  return 0;
}

int
pod_remove (struct engine *e, const struct pod_record *p, bool force, struct hk_error **err)
{
  _cleanup_ctr_list_ struct ctr_record **list = NULL;
  size_t n;
  if (pod_containers (e, p, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && !force; i++)
    if (is_state (list[i], "running") || is_state (list[i], "paused"))
      return hk_error_set (err, EBUSY,
                           "pod %s has running containers (%s): stop the pod first, or use -f",
                           p->name, list[i]->name);
  for (size_t i = n; i-- > 0;)
    if (engine_remove (e, list[i], true, false, err) < 0)
      return hk_error_prefix (err, "remove pod %s", p->name);
  if (pod_cgroup_remove (e, p, err) < 0 || remove_dirs (e, p, err) < 0
      || pod_record_delete (e->db, p->id, err) < 0)
    return -1;
  engine_event_object (e, "pod", "remove", p->id, p->name, NULL, NULL);
  return 0;
}
