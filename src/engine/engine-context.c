/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's context and the paths of a container. */
#include "engine-context.h"
#include "network-record.h"
#include "userns-range.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/userns.h"
#include "common/xalloc.h"
#include "store/rootfs.h"
#include "volume.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A helper program: $ENV, next to us, or in the build tree's SUBDIR. */
static char *
find_helper (const char *self_dir, const char *env, const char *name, const char *subdir)
{
  const char *configured = getenv (env);
  if (configured != NULL && *configured)
    return xstrdup (configured);
  char *next = xasprintf ("%s/%s", self_dir, name);
  if (access (next, X_OK) == 0)
    return next;
  free (next);
  char *built = xasprintf ("%s/../%s/%s", self_dir, subdir, name);
  char real[PATH_MAX];
  if (realpath (built, real) != NULL)
    {
      free (built);
      return xstrdup (real);
    }
  return built;
}

int
engine_open (struct engine *e, struct store *store, const char *root, const char *runroot,
             const struct hk_log *log, struct hk_error **err)
{
  memset (e, 0, sizeof *e);
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n < 0)
    return hk_error_errno (err, errno, "find our own program");
  self[n] = '\0';
  _cleanup_free_ char *copy = xstrdup (self);
  const char *dir = dirname (copy);
  /* hako-transfer (build) starts containers too: their monitors run
   * hako's `container cleanup`, which it has not. */
  e->hako_path = find_helper (dir, "HAKO_PROGRAM", "hako", "cli");
  e->monitor_path = find_helper (dir, "HAKO_MONITOR", "hako-monitor", "monitor");
  e->init_path = find_helper (dir, "HAKO_INIT", "hako-init", "init");
  e->pause_path = find_helper (dir, "HAKO_PAUSE", "hako-pause", "pause");
  e->net_path = find_helper (dir, "HAKO_NET", "hako-net", "netdrv");
  e->dns_path = find_helper (dir, "HAKO_DNS", "hako-dns", "dns");
  e->root = xstrdup (root);
  e->runroot = xstrdup (runroot);
  e->store = store;
  e->db = store->db;
  e->log = log;
  e->rootless = !userns_is_initial ();
  e->runtime_root = xasprintf ("%s/runtime", runroot);
  e->external_runtime_root = xasprintf ("%s/oci-runtime", runroot);
  const char *cgroup_root = getenv ("HAKO_CGROUP_ROOT");
  e->rt = (struct runtime_context){
    .state_root = e->runtime_root,
    .cgroup_root = cgroup_root && *cgroup_root ? cgroup_root : "/sys/fs/cgroup",
    .log = log,
  };
  if (ctr_db_init (e->db, err) < 0 || volume_db_init (e->db, err) < 0
      || network_db_init (e->db, err) < 0 || userns_range_db_init (e->db, err) < 0
      || hako_conf_load (&e->conf, err) < 0)
    {
      engine_close (e);
      return -1;
    }
  return 0;
}

void
engine_close (struct engine *e)
{
  free (e->root);
  free (e->runroot);
  free (e->hako_path);
  free (e->monitor_path);
  free (e->init_path);
  free (e->pause_path);
  free (e->net_path);
  free (e->dns_path);
  free (e->runtime_root);
  free (e->external_runtime_root);
  hako_conf_clear (&e->conf);
  memset (e, 0, sizeof *e);
}

void
engine_backend (const struct engine *e, const struct ctr_record *r,
                struct runtime_backend *out)
{
  *out = (struct runtime_backend){
    .lib = &e->rt,
    .program = r->config.runtime,
    .program_root = e->external_runtime_root,
  };
}

int
engine_container_pid (struct engine *e, const char *id, const char *what, int *pid,
                      struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *target = NULL;
  if (ctr_record_find (e->db, id, &target, err) < 0)
    return hk_error_prefix (err, "%s", what);
  struct runtime_backend b;
  engine_backend (e, target, &b);
  _cleanup_json_ json_t *state = NULL;
  struct hk_error *why = NULL;
  *pid = 0;
  /* created: its process waits to be started, its namespaces are made
   * (a container just started may still be), paused: frozen, there */
  const char *status = "";
  if (backend_state (&b, target->id, &state, &why) == 0)
    status = json_string_value (json_object_get (state, "status")) ?: "";
  if (strcmp (status, "running") == 0 || strcmp (status, "created") == 0
      || strcmp (status, "paused") == 0)
    *pid = (int)json_integer_value (json_object_get (state, "pid"));
  hk_error_free (why);
  if (*pid <= 0)
    return hk_error_set (err, EINVAL, "%s of container %s: it is not running", what,
                         target->name);
  return 0;
}

char *
engine_container_dir (const struct engine *e, const char *id)
{
  return xasprintf ("%s/containers/%s", e->root, id);
}

char *
engine_run_dir (const struct engine *e, const char *id)
{
  return xasprintf ("%s/containers/%s", e->runroot, id);
}

char *
engine_log_path (const struct engine *e, const char *id)
{
  return xasprintf ("%s/containers/%s/%s-json.log", e->root, id, id);
}

int
engine_mount_rootfs (struct engine *e, const char *id, bool *mounted, struct hk_error **err)
{
  _cleanup_free_ char *dir = engine_container_dir (e, id);
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  struct stat st, parent;
  *mounted = false;
  if (stat (merged, &st) == 0 && stat (dir, &parent) == 0 && st.st_dev != parent.st_dev)
    return 0;
  if (image_rootfs_mount (e->store, id, NULL, err) < 0)
    return -1;
  *mounted = true;
  return 0;
}
