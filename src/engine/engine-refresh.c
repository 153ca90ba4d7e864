/* SPDX-License-Identifier: Apache-2.0 */
/* The state of containers as it is now: a record is never trusted alone
 * (engine_refresh), and a container whose monitor died is released here.
 * High in the engine: it calls the network's teardown. */
#include "engine.h"
#include "ctr-ipc.h"
#include "ctr-network.h"
#include "ctr-userns.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/xalloc.h"
#include "store/rootfs.h"
#include "runtime/state.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

/* The container is gone without its monitor having cleaned up (the
 * monitor was killed): release what it held. */
static void
release_orphan (struct engine *e, struct ctr_record *r)
{
  struct runtime_backend b;
  engine_backend (e, r, &b);
  struct hk_error *ignored = NULL;
  backend_delete (&b, r->id, &ignored);
  hk_error_free (ignored);
  ctr_network_down (e, r);
  ctr_ipc_down (e, r);
  ctr_userns_down (e, r);
  ignored = NULL;
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  image_rootfs_unmount (merged, &ignored);
  hk_error_free (ignored);
}

int
engine_refresh (struct engine *e, struct ctr_record *r, struct hk_error **err)
{
  if (strcmp (r->state, "running") != 0 && strcmp (r->state, "paused") != 0)
    return 0;
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  int code;
  char *finished = NULL;
  bool monitor_alive = state_process_alive (r->monitor_pid, r->monitor_start_time);
  if (read_exit_file (run_dir, &code, &finished))
    {
      ctr_record_set_exited (r, code, finished, NULL);
      free (finished);
      /* The monitor's cleanup writes this too; the same values. */
      return monitor_alive ? 0 : ctr_record_update (e->db, r, err);
    }
  if (!monitor_alive)
    {
      release_orphan (e, r);
      _cleanup_free_ char *now = state_now_rfc3339 ();
      ctr_record_set_exited (r, 137, now, "the container's monitor process died");
      return ctr_record_update (e->db, r, err);
    }
  /* Paused or running: our runtime's state says it cheaply; for an
   * external runtime the record (pause goes through us) says it. */
  if (r->config.runtime != NULL)
    return 0;
  _cleanup_state_ struct container_state *s = NULL;
  struct hk_error *e2 = NULL;
  if (state_load (e->runtime_root, r->id, &s, &e2) == 0)
    ctr_record_set_state (r, state_status (s) == STATUS_PAUSED ? "paused" : "running");
  hk_error_free (e2);
  return 0;
}

int
engine_find (struct engine *e, const char *ref, struct ctr_record **out,
             struct hk_error **err)
{
  if (ctr_record_find (e->db, ref, out, err) < 0)
    return -1;
  if (engine_refresh (e, *out, err) < 0)
    {
      ctr_record_free (*out);
      *out = NULL;
      return -1;
    }
  return 0;
}
