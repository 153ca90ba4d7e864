/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's context, paths, and the state of containers as it is now. */
#include "engine.h"
#include "container-network.h"
#include "network-record.h"
#include "volume.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "store/rootfs.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
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

char *
engine_random_id (void)
{
  unsigned char bytes[32];
  ssize_t n;
  while ((n = getrandom (bytes, sizeof bytes, 0)) < 0 && errno == EINTR)
    ;
  /* As with xmalloc: a kernel that cannot give 32 random bytes is not one
   * to run on, and a made-up ID could collide. */
  if (n != (ssize_t)sizeof bytes)
    abort ();
  char *hex = xmalloc (2 * sizeof bytes + 1);
  for (size_t i = 0; i < sizeof bytes; i++)
    snprintf (hex + 2 * i, 3, "%02x", bytes[i]);
  return hex;
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
  e->hako_path = xstrdup (self);
  _cleanup_free_ char *copy = xstrdup (self);
  const char *dir = dirname (copy);
  e->monitor_path = find_helper (dir, "HAKO_MONITOR", "hako-monitor", "monitor");
  e->init_path = find_helper (dir, "HAKO_INIT", "hako-init", "init");
  e->root = xstrdup (root);
  e->runroot = xstrdup (runroot);
  e->store = store;
  e->db = store->db;
  e->log = log;
  e->runtime_root = xasprintf ("%s/runtime", runroot);
  e->external_runtime_root = xasprintf ("%s/oci-runtime", runroot);
  const char *cgroup_root = getenv ("HAKO_CGROUP_ROOT");
  e->rt = (struct runtime_context){
    .state_root = e->runtime_root,
    .cgroup_root = cgroup_root && *cgroup_root ? cgroup_root : "/sys/fs/cgroup",
    .log = log,
  };
  if (container_db_init (e->db, err) < 0 || volume_db_init (e->db, err) < 0
      || network_db_init (e->db, err) < 0)
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
  free (e->runtime_root);
  free (e->external_runtime_root);
  memset (e, 0, sizeof *e);
}

void
engine_backend (const struct engine *e, const struct container_record *r,
                struct runtime_backend *out)
{
  *out = (struct runtime_backend){
    .lib = &e->rt,
    .program = json_string_value (json_object_get (r->options, "Runtime")),
    .program_root = e->external_runtime_root,
  };
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

/* The exit code in RUN_DIR/exit; false when there is none yet. */
static bool
read_exit_file (const char *run_dir, int *code, char **finished)
{
  _cleanup_free_ char *path = xasprintf ("%s/exit", run_dir);
  _cleanup_free_ char *text = NULL;
  if (fs_read_file (AT_FDCWD, path, 64, &text, NULL, NULL) < 0)
    return false;
  *code = atoi (text);
  struct stat st;
  if (finished != NULL && stat (path, &st) == 0)
    {
      struct tm tm;
      char buf[64];
      gmtime_r (&st.st_mtim.tv_sec, &tm);
      size_t len = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
      snprintf (buf + len, sizeof buf - len, ".%09ldZ", st.st_mtim.tv_nsec);
      *finished = xstrdup (buf);
    }
  return true;
}

static void
set_string (char **field, const char *value)
{
  free (*field);
  *field = xstrdup (value);
}

/* The container is gone without its monitor having cleaned up (the
 * monitor was killed): release what it held. */
static void
release_orphan (struct engine *e, struct container_record *r)
{
  struct runtime_backend b;
  engine_backend (e, r, &b);
  struct hk_error *ignored = NULL;
  backend_delete (&b, r->id, &ignored);
  hk_error_free (ignored);
  container_network_down (e, r);
  ignored = NULL;
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  image_rootfs_unmount (merged, &ignored);
  hk_error_free (ignored);
}

int
engine_refresh (struct engine *e, struct container_record *r, struct hk_error **err)
{
  if (strcmp (r->state, "running") != 0 && strcmp (r->state, "paused") != 0)
    return 0;
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  int code;
  char *finished = NULL;
  bool monitor_alive = state_process_alive (r->monitor_pid, r->monitor_start_time);
  if (read_exit_file (run_dir, &code, &finished))
    {
      set_string (&r->state, "exited");
      r->exit_code = code;
      set_string (&r->finished_at, finished);
      free (finished);
      /* The monitor's cleanup writes this too; the same values. */
      return monitor_alive ? 0 : container_record_update (e->db, r, err);
    }
  if (!monitor_alive)
    {
      release_orphan (e, r);
      set_string (&r->state, "exited");
      r->exit_code = 137;
      _cleanup_free_ char *now = state_now_rfc3339 ();
      set_string (&r->finished_at, now);
      set_string (&r->error, "the container's monitor process died");
      return container_record_update (e->db, r, err);
    }
  /* Paused or running: our runtime's state says it cheaply; for an
   * external runtime the record (pause goes through us) says it. */
  if (json_object_get (r->options, "Runtime") != NULL)
    return 0;
  _cleanup_state_ struct container_state *s = NULL;
  struct hk_error *e2 = NULL;
  if (state_load (e->runtime_root, r->id, &s, &e2) == 0)
    set_string (&r->state, state_status (s) == STATUS_PAUSED ? "paused" : "running");
  hk_error_free (e2);
  return 0;
}

int
engine_find (struct engine *e, const char *ref, struct container_record **out,
             struct hk_error **err)
{
  if (container_record_find (e->db, ref, out, err) < 0)
    return -1;
  if (engine_refresh (e, *out, err) < 0)
    {
      container_record_free (*out);
      *out = NULL;
      return -1;
    }
  return 0;
}
