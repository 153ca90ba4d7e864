/* SPDX-License-Identifier: Apache-2.0 */
/* hako explain CONTAINER: the document of explain.h, put together from
 * the sections of explain-*.c for the container's first process. */
#include "explain.h"
#include "ctr-network.h"
#include "ctr-spec.h"
#include "engine.h"
#include "pod-record.h"
#include "runtime-backend.h"
#include "store/store.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static bool
is_live (const struct ctr_record *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

/* The host pid of R's first process, 0 when it has none. */
static pid_t
first_pid (struct engine *e, const struct ctr_record *r)
{
  struct runtime_backend b;
  engine_backend (e, r, &b);
  _cleanup_json_ json_t *state = NULL;
  struct hk_error *ignored = NULL;
  if (backend_state (&b, r->id, &state, &ignored) < 0)
    {
      hk_error_free (ignored);
      return 0;
    }
  return (pid_t)json_integer_value (json_object_get (state, "pid"));
}

/* The other live containers, whose namespaces R's may be: R's pod's
 * infra container is named as the pod. */
struct peers
{
  struct ctr_record **list;
  size_t n_records;
  struct explain_peer *peers;
  size_t n;
  char *pod_name;
};

static void
peers_clear (struct peers *p)
{
  ctr_record_list_free (p->list, p->n_records);
  free (p->peers);
  free (p->pod_name);
}

static void
peers_find (struct engine *e, const struct ctr_record *r, struct peers *p)
{
  *p = (struct peers){ 0 };
  struct hk_error *ignored = NULL;
  if (ctr_record_list (e->db, &p->list, &p->n_records, &ignored) < 0)
    {
      hk_error_free (ignored);
      return;
    }
  _cleanup_pod_record_ struct pod_record *pod = NULL;
  if (r->config.pod != NULL && pod_record_find (e->db, r->config.pod, &pod, &ignored) < 0)
    hk_error_free (take_ptr (ignored));
  if (pod != NULL)
    p->pod_name = xstrdup (pod->name);
  p->peers = xzalloc ((p->n_records + 1) * sizeof *p->peers);
  for (size_t i = 0; i < p->n_records; i++)
    {
      const struct ctr_record *o = p->list[i];
      pid_t pid = strcmp (o->id, r->id) != 0 && is_live (o) ? first_pid (e, o) : 0;
      if (pid <= 0)
        continue;
      bool infra = pod != NULL && strcmp (o->id, pod->infra_id) == 0;
      p->peers[p->n++] = (struct explain_peer){ infra ? "pod" : "container",
                                                infra ? p->pod_name : o->name, pid };
    }
}

/* linux.maskedPaths and linux.readonlyPaths of R's config.json. */
static void
config_paths (struct engine *e, const struct ctr_record *r, char ***masked, char ***readonly)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *path = xasprintf ("%s/config.json", dir);
  _cleanup_json_ json_t *config = json_load_file (path, 0, NULL);
  *masked = xzalloc (sizeof (char *));
  *readonly = xzalloc (sizeof (char *));
  json_t *linux_ = json_object_get (config, "linux");
  size_t i;
  json_t *v;
  json_array_foreach (json_object_get (linux_, "maskedPaths"), i, v)
    strv_append (masked, json_string_value (v));
  json_array_foreach (json_object_get (linux_, "readonlyPaths"), i, v)
    strv_append (readonly, json_string_value (v));
}

static const char *
seccomp_profile_name (const struct ctr_config *c)
{
  if (c->privileged)
    return "unconfined (--privileged)";
  return c->seccomp_profile ? c->seccomp_profile : "default (Docker's)";
}

/* R's volumes and binds with their host sources, each marked with
 * whether MOUNTS (mountinfo's) has its destination. */
static json_t *
volumes (const struct ctr_record *r, json_t *mounts)
{
  json_t *list = json_array ();
  for (size_t i = 0; i < r->config.n_mount_points; i++)
    {
      const struct config_mount_point *m = &r->config.mount_points[i];
      bool mounted = false;
      size_t j;
      json_t *seen;
      json_array_foreach (mounts, j, seen)
      {
        const char *target = json_string_value (json_object_get (seen, "target"));
        mounted = mounted || (target && strcmp (target, m->destination) == 0);
      }
      json_t *v = json_pack ("{s:s, s:s, s:s, s:b, s:b}", "type",
                             m->type == CONFIG_MOUNT_VOLUME ? "volume" : "bind", "source",
                             m->source, "destination", m->destination, "rw", m->rw, "mounted",
                             mounted);
      if (m->name)
        json_object_set_new (v, "name", json_string (m->name));
      json_array_append_new (list, v);
    }
  return list;
}

/* The overlay's lower directories as the kernel has them are relative to
 * the store (it mounts from there: "l/SHORT", links to the layers); each
 * is resolved to the layer directory it names. */
static void
resolve_layers (struct engine *e, json_t *fs)
{
  json_t *overlay = json_object_get (json_object_get (fs, "root"), "overlay");
  if (overlay == NULL)
    return;
  json_t *resolved = json_array ();
  size_t i;
  json_t *l;
  json_array_foreach (json_object_get (overlay, "lower"), i, l)
  {
    const char *dir = json_string_value (l);
    _cleanup_free_ char *path = dir[0] == '/' ? xstrdup (dir) : xasprintf ("%s/%s", e->store->root, dir);
    _cleanup_free_ char *real = realpath (path, NULL);
    json_array_append_new (resolved, json_string (real ? real : path));
  }
  json_object_set_new (overlay, "lower_resolved", resolved);
}

static json_t *
network_section (struct engine *e, const struct ctr_record *r, pid_t pid)
{
  json_t *net = explain_network (pid);
  json_object_set_new (net, "mode", json_string (r->config.network_mode ? r->config.network_mode : ""));
  json_object_set_new (net, "ports", ctr_network_ports (e, r));
  json_object_set_new (net, "ports_source", json_string ("hako's record of the container's networks"));
  return net;
}

int
explain_container (struct engine *e, const struct ctr_record *r, bool host, json_t **out,
                   struct hk_error **err)
{
  pid_t pid = is_live (r) ? first_pid (e, r) : 0;
  if (pid <= 0)
    return hk_error_set (err, EINVAL,
                         "container %s is %s: explain reads a running container's process "
                         "(see `hako explain run` for what a run would set up)",
                         r->name, r->state);
  struct runtime_backend b;
  engine_backend (e, r, &b);
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  if (backend_pids (&b, r->id, &pids, &n, err) < 0)
    return hk_error_prefix (err, "list the processes of %s", r->name);
  struct peers peers;
  peers_find (e, r, &peers);
  _cleanup_strv_ char **masked = NULL, **readonly = NULL;
  config_paths (e, r, &masked, &readonly);
  json_t *namespaces = explain_namespaces (pid, peers.peers, peers.n);
  json_t *fs = explain_mounts (pid, masked, readonly);
  resolve_layers (e, fs);
  json_object_set_new (fs, "volumes", volumes (r, json_object_get (fs, "mounts")));
  json_object_set_new (fs, "volumes_source", json_string ("hako's record, checked against mountinfo"));
  json_t *doc = json_pack (
      "{s:i, s:{s:s, s:s, s:s, s:s, s:i}, s:o, s:{s:s, s:o}, s:o, s:o, s:o, s:o, s:o}", "version",
      EXPLAIN_SCHEMA_VERSION, "container", "id", r->id, "name", r->name, "image", r->image_name,
      "state", r->state, "pid", (int)pid, "namespaces", namespaces, "processes", "source",
      "/proc/PID/status (NSpid) of each process in the container's cgroup", "list",
      explain_processes (pids, n), "user", explain_user (pid), "cgroups", explain_cgroups (pid),
      "capabilities", explain_capabilities (pid, ctr_spec_docker_default_caps ()), "security",
      explain_security (pid, seccomp_profile_name (&r->config)), "filesystem", fs);
  json_t *net = network_section (e, r, pid);
  if (host)
    json_object_set_new (doc, "host", explain_network_host (net, r->id));
  json_object_set_new (doc, "network", net);
  peers_clear (&peers);
  *out = doc;
  return 0;
}
