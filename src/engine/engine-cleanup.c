/* SPDX-License-Identifier: Apache-2.0 */
/* What happens when a container's process is gone (run by its monitor,
 * as `hako container cleanup ID`): the restart policy, --rm, or a plain
 * stop. */
#include "engine-events.h"
#include "engine.h"
#include "ctr-ipc.h"
#include "ctr-network.h"
#include "ctr-userns.h"
#include "engine-checkpoint.h"
#include "engine-exec.h"
#include "engine-monitor.h"
#include "engine-render.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "store/rootfs.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static bool
file_exists (const char *dir, const char *name)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, name);
  return access (path, F_OK) == 0;
}

/* Docker's policies: no, always, unless-stopped, on-failure[:N]. */
static bool
should_restart (const struct ctr_record *r, int code, bool stopped_by_user)
{
  const struct ctr_config *c = &r->config;
  if (stopped_by_user)
    return false;
  switch (c->restart)
    {
    case CONFIG_RESTART_NO:
      return false;
    case CONFIG_RESTART_ALWAYS:
    case CONFIG_RESTART_UNLESS_STOPPED:
      return true;
    case CONFIG_RESTART_ON_FAILURE:
      return code != 0 && (c->restart_max_retries <= 0 || r->restart_count < c->restart_max_retries);
    }
  return false;
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* Whether the kernel's OOM killer struck in the container's cgroup (read
 * before the cgroup goes). */
static bool
oom_killed (const struct runtime_backend *b, const char *id)
{
  uint64_t kills = 0;
  struct hk_error *ignored = NULL;
  if (backend_oom_kills (b, id, &kills, &ignored) < 0)
    hk_error_free (ignored);
  return kills > 0;
}

/* The exit code the monitor wrote; 255 when there is none. */
static int
read_exit_code (const char *run_dir)
{
  _cleanup_free_ char *path = xasprintf ("%s/exit", run_dir);
  _cleanup_free_ char *text = NULL;
  return fs_read_file (AT_FDCWD, path, 64, &text, NULL, NULL) == 0 ? atoi (text) : 255;
}

/* Restarts R per its policy unless a stop came meanwhile: on success the
 * process becomes R's monitor again and does not return; on failure
 * R's error says why. */
static void
restart (struct engine *e, struct ctr_record *r, int code, const char *run_dir)
{
  /* 100 ms, doubling, at most 10 s between attempts. */
  int shift = r->restart_count < 7 ? r->restart_count : 7;
  sleep_ms (100L << shift);
  if (file_exists (run_dir, "stopping"))
    return;
  r->restart_count++;
  _cleanup_free_ char *now = state_now_rfc3339 ();
  r->exit_code = code;
  free (r->finished_at);
  r->finished_at = take_ptr (now);
  ctr_record_update (e->db, r, NULL);
  _cleanup_free_ char *exit_path = xasprintf ("%s/exit", run_dir);
  unlink (exit_path);
  struct hk_error *start_err = NULL;
  _cleanup_free_ char *netns = NULL;
  if (ctr_network_recheck (e, r, &start_err) == 0
      && ctr_network_join_path (e, r, &netns, &start_err) == 0
      && engine_render_config (e, r, netns, true, &start_err) == 0)
    {
      engine_event (e, r, "restart", NULL, NULL);
      engine_become_monitor (e, r, false, -1, -1, &start_err);
    }
  free (r->error);
  r->error = xstrdup (start_err ? start_err->message : "restart failed");
  hk_error_free (start_err);
}

/* Not restarted: the network goes with the container (a restart keeps
 * its namespace and addresses), then the container (--rm) or its
 * mount. */
static int
finish (struct engine *e, struct ctr_record *r, int code, struct hk_error **err)
{
  ctr_network_down (e, r);
  ctr_ipc_down (e, r);
  if (r->config.auto_remove)
    return engine_remove (e, r, false, true, err);
  ctr_userns_down (e, r);
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  struct hk_error *ignored = NULL;
  image_rootfs_unmount (merged, &ignored);
  hk_error_free (ignored);
  _cleanup_free_ char *now = state_now_rfc3339 ();
  ctr_record_set_exited (r, code, now, NULL);
  return ctr_record_update (e->db, r, err);
}

int
engine_cleanup (struct engine *e, const char *id, struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *r = NULL;
  if (ctr_record_find (e->db, id, &r, err) < 0)
    return -1;
  _cleanup_free_ char *run_dir = engine_run_dir (e, id);
  int code = read_exit_code (run_dir);
  struct runtime_backend b;
  engine_backend (e, r, &b);
  r->oom_killed = oom_killed (&b, id);
  struct hk_error *ignored = NULL;
  backend_delete (&b, id, &ignored);
  hk_error_free (ignored);
  if (r->oom_killed)
    engine_event (e, r, "oom", NULL, NULL);
  engine_event_int (e, r, "die", "exitCode", code);
  if (strcmp (r->state, "removing") == 0)
    return 0; /* `rm -f` is taking it apart */
  /* criu ended it (engine-checkpoint.c): no restart, and no failure */
  bool checkpointed = file_exists (run_dir, CHECKPOINT_MARKER);
  if (checkpointed)
    code = 0;
  if (should_restart (r, code, checkpointed || file_exists (run_dir, "stopping")))
    restart (e, r, code, run_dir);
  return finish (e, r, code, err);
}
