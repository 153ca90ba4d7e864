/* SPDX-License-Identifier: Apache-2.0 */
#include "engine-render.h"
#include "ctr-ipc.h"
#include "ctr-join.h"
#include "ctr-network.h"
#include "ctr-spec-host.h"
#include "ctr-userns.h"
#include "keep-id-etc.h"
#include "pod-record.h"
#include "rootless-cgroup.h"
#include "subid.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "store/image.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Everything ctr_spec_build takes, and what owns it. */
struct render
{
  struct spec_inputs in;
  struct image_config *image;
  struct user_ids user;
  struct spec_host host;
  char *dir, *rootfs, *etc_dir, *userns, *cgroup_parent;
  char *pidns, *ipcns, *shm_source;
  char *passwd, *group; /* keep-id's /etc/passwd and /etc/group, or NULL */
  int pod_infra_pid;
};

/* A pod's member that shares the infra's IPC, UTS or pid namespace: the
 * infra's process, which must run when the member starts (its start
 * starts it); at create and for exec (STARTING false) there may be none. */
static int
pod_infra_pid (struct engine *e, const struct ctr_config *c, bool starting, int *pid,
               struct hk_error **err)
{
  *pid = 0;
  if (c->pod == NULL || c->pod_infra
      || !(c->pod_share & (CONFIG_SHARE_IPC | CONFIG_SHARE_UTS | CONFIG_SHARE_PID)))
    return 0;
  _cleanup_pod_record_ struct pod_record *p = NULL;
  if (pod_record_find (e->db, c->pod, &p, err) < 0)
    return -1;
  return ctr_join_pid (e, p->infra_id, "join the namespaces of the pod's infra", starting, pid,
                       err);
}

/* --pid and --ipc container:NAME's namespaces, and what /dev/shm is. */
static int
joined_namespaces (struct engine *e, const struct ctr_record *r, bool starting, struct render *g,
                   struct hk_error **err)
{
  const struct ctr_config *c = &r->config;
  if (ctr_join_ns_path (e, c->pid_container, "pid", starting, &g->pidns, err) < 0
      || ctr_join_ns_path (e, c->ipc_container, "ipc", starting, &g->ipcns, err) < 0
      || ctr_ipc_shm_source (e, r, &g->shm_source, err) < 0)
    return hk_error_prefix (err, "container %s", r->name);
  return 0;
}

static void
render_clear (struct render *g)
{
  image_config_free (g->image);
  user_ids_clear (&g->user);
  spec_host_clear (&g->host);
  free (g->dir);
  free (g->rootfs);
  free (g->etc_dir);
  free (g->userns);
  free (g->cgroup_parent);
  free (g->pidns);
  free (g->ipcns);
  free (g->shm_source);
  free (g->passwd);
  free (g->group);
}

static int
render_gather (struct engine *e, const struct ctr_record *r, bool starting, struct render *g,
               struct hk_error **err)
{
  const struct ctr_config *c = &r->config;
  memset (g, 0, sizeof *g);
  g->dir = engine_container_dir (e, r->id);
  g->rootfs = xasprintf ("%s/merged", g->dir);
  g->etc_dir = ctr_network_etc_dir (e, c);
  g->userns = ctr_userns_path (e, r);
  g->cgroup_parent = e->rootless ? rootless_cgroup_parent (e->rt.cgroup_root) : NULL;
  _cleanup_close_ int root_fd = open (g->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return hk_error_errno (err, errno, "open the root filesystem `%s`", g->rootfs);
  if (!c->pod_infra && image_config_load (e->store, r->image_id, &g->image, NULL, err) < 0)
    return -1;
  if (pod_infra_pid (e, c, starting, &g->pod_infra_pid, err) < 0
      || joined_namespaces (e, r, starting, g, err) < 0)
    return -1;
  const char *user = c->user ? c->user : g->image ? g->image->user : NULL;
  if (user_lookup (root_fd, user, &g->user, err) < 0 || spec_host_gather (c, &g->host, err) < 0)
    return -1;
  g->in = (struct spec_inputs){
    .id = r->id,
    .config = c,
    .image = g->image,
    .rootfs = g->rootfs,
    .container_dir = g->dir,
    .etc_dir = g->etc_dir,
    .userns_path = g->userns,
    .user = &g->user,
    .init_path = e->init_path,
    .host = &g->host,
    .pod_infra_pid = g->pod_infra_pid,
    .pidns_path = g->pidns,
    .ipcns_path = g->ipcns,
    .shm_source = g->shm_source,
    .no_cgroup = e->rootless && g->cgroup_parent == NULL,
    .cgroup_parent = g->cgroup_parent,
  };
  return 0;
}

/* Rootless without a delegated cgroup v2 subtree, containers have no
 * cgroup: limits asked are said to be ignored, in one line; it is not a
 * failure (Podman's rootless cgroup v1). */
static void
warn_limits_ignored (struct engine *e, const struct ctr_record *r)
{
  _cleanup_json_ json_t *limits = ctr_spec_limits (&r->config.limits, 0);
  if (json_object_size (limits) > 0)
    hk_warn (e->log,
             "container %s: resource limits ignored: rootless hako runs containers without "
             "cgroups (no cgroup v2 subtree is delegated to the user)",
             r->name);
}

/* Rootless keep-id: the user's passwd and group entries, where the image
 * lacks them (keep-id-etc.h).  A user unknown to the host's /etc/passwd
 * gets none. */
static int
keep_id_files (struct engine *e, const struct ctr_record *r, struct render *g,
               struct hk_error **err)
{
  const struct ctr_config *c = &r->config;
  struct keep_id_user u = { 0 };
  if (!e->rootless || c->userns_mode == NULL || strcmp (c->userns_mode, "keep-id") != 0
      || !keep_id_own_id (c->uid_map, c->n_uid_map, &u.uid)
      || !keep_id_own_id (c->gid_map, c->n_gid_map, &u.gid))
    return 0;
  _cleanup_free_ char *name = subid_user_name (u.uid);
  _cleanup_free_ char *home = subid_user_home (u.uid);
  if (name == NULL)
    return 0;
  u.name = name;
  u.home = home ? home : "/";
  _cleanup_close_ int root_fd = open (g->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return hk_error_errno (err, errno, "open the root filesystem `%s`", g->rootfs);
  if (keep_id_etc_write (root_fd, g->dir, &u, &g->passwd, &g->group, err) < 0)
    return -1;
  g->in.passwd_path = g->passwd;
  g->in.group_path = g->group;
  return 0;
}

int
engine_render_config (struct engine *e, const struct ctr_record *r, const char *netns_path,
                      bool starting, struct hk_error **err)
{
  struct render g;
  _cleanup_json_ json_t *spec = NULL;
  int rc = render_gather (e, r, starting, &g, err);
  if (rc == 0)
    rc = keep_id_files (e, r, &g, err);
  g.in.netns_path = netns_path;
  if (rc == 0 && starting && g.in.no_cgroup)
    warn_limits_ignored (e, r);
  if (rc == 0)
    rc = ctr_spec_build (&g.in, &spec, err);
  if (rc == 0)
    {
      _cleanup_free_ char *text = json_to_string (spec, true);
      _cleanup_close_ int dfd = open (g.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      /* Renamed into place, not fsync'ed: the cost of an fsync is most of
       * a container start here, and config.json is rendered again at each
       * start from the record, which is the truth. */
      if (dfd < 0)
        rc = hk_error_errno (err, errno, "open `%s`", g.dir);
      else
        rc = fs_replace_file (dfd, "config.json", text, strlen (text), 0600, err);
    }
  render_clear (&g);
  return rc;
}

int
engine_render_process (struct engine *e, const struct ctr_record *r, json_t **out,
                       struct hk_error **err)
{
  struct render g;
  int rc = render_gather (e, r, false, &g, err);
  if (rc == 0)
    rc = ctr_spec_process (&g.in, out, err);
  render_clear (&g);
  return rc;
}
