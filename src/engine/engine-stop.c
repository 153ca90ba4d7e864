/* SPDX-License-Identifier: Apache-2.0 */
/* stop, kill, wait and rm. */
#include "engine-events.h"
#include "engine.h"
#include "ctr-mounts.h"
#include "ctr-ipc.h"
#include "ctr-network.h"
#include "ctr-userns.h"
#include "volume.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/signals.h"
#include "common/xalloc.h"
#include "store/image.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool
is_running (const struct ctr_record *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

/* Waits up to TIMEOUT_MS for the monitor to finish (the container gone and
 * its cleanup done).  Returns true when it has. */
static bool
wait_monitor (const struct ctr_record *r, int timeout_ms)
{
  if (r->monitor_pid == getpid ())
    return true; /* the monitor's own cleanup (--rm) */
  int pidfd = pidfd_open (r->monitor_pid, 0);
  if (pidfd < 0 || !state_process_alive (r->monitor_pid, r->monitor_start_time))
    {
      if (pidfd >= 0)
        close (pidfd);
      return true;
    }
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  int n = poll (&p, 1, timeout_ms);
  close (pidfd);
  /* The monitor of a container we started is our child: reap it, or it
   * would look alive. */
  if (n > 0)
    waitpid (r->monitor_pid, NULL, WNOHANG);
  return n > 0;
}

/* True once the container's exit file is there. */
static bool
wait_exit (struct engine *e, const struct ctr_record *r, int timeout_ms)
{
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  _cleanup_free_ char *path = xasprintf ("%s/exit", run_dir);
  for (int waited = 0;; waited += 20)
    {
      if (access (path, F_OK) == 0 || !state_process_alive (r->monitor_pid, r->monitor_start_time))
        return true;
      if (waited >= timeout_ms)
        return false;
      struct timespec ts = { 0, 20 * 1000000L };
      nanosleep (&ts, NULL);
    }
}

static void
mark_stopping (struct engine *e, const struct ctr_record *r)
{
  /* The restart policy reads it: a stopped container stays stopped. */
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  _cleanup_close_ int dfd = open (run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    fs_replace_file (dfd, "stopping", "", 0, 0600, NULL);
}

static int
stop_signal (const struct engine *e, const struct ctr_record *r)
{
  const char *name = r->config.stop_signal;
  if (name == NULL)
    {
      _cleanup_image_config_ struct image_config *config = NULL;
      struct hk_error *ignored = NULL;
      if (image_config_load (e->store, r->image_id, &config, NULL, &ignored) == 0
          && config->stop_signal != NULL)
        {
          int sig = signal_parse (config->stop_signal, NULL);
          if (sig > 0)
            return sig;
        }
      hk_error_free (ignored);
      return SIGTERM;
    }
  int sig = signal_parse (name, NULL);
  return sig > 0 ? sig : SIGTERM;
}

int
engine_kill (struct engine *e, struct ctr_record *r, int signum, struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  if (!is_running (r))
    return hk_error_set (err, EINVAL, "container %s is not running", r->name);
  if (signum == SIGKILL || signum == SIGTERM)
    mark_stopping (e, r);
  struct runtime_backend b;
  engine_backend (e, r, &b);
  if (backend_kill (&b, r->id, signum, false, err) < 0)
    return -1;
  engine_event_int (e, r, "kill", "signal", signum);
  return 0;
}

/* An exited container whose monitor still runs is between two runs of
 * its restart policy: the stop cancels the next one, and stops it if it
 * had begun.  Returns 1 when it had: the caller stops the new run. */
static int
stop_restart (struct engine *e, struct ctr_record *r, struct hk_error **err)
{
  if (!state_process_alive (r->monitor_pid, r->monitor_start_time))
    return 0;
  mark_stopping (e, r);
  /* The restart's back-off is 12.8 s at most, then the start itself. */
  for (int waited = 0; waited < 30000; waited += 50)
    {
      if (wait_monitor (r, 50))
        return 0;
      _cleanup_record_ struct ctr_record *now = NULL;
      if (ctr_record_find (e->db, r->id, &now, err) < 0 || engine_refresh (e, now, err) < 0)
        return -1;
      if (is_running (now))
        {
          ctr_record_set_state (r, now->state);
          return 1;
        }
    }
  return hk_error_set (err, ETIMEDOUT, "container %s did not stop: its monitor neither restarted "
                       "it nor ended", r->name);
}

int
engine_stop (struct engine *e, struct ctr_record *r, int timeout, struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  if (!is_running (r))
    {
      int restarted = stop_restart (e, r, err);
      if (restarted <= 0)
        return restarted;
    }
  mark_stopping (e, r);
  struct runtime_backend b;
  engine_backend (e, r, &b);
  if (strcmp (r->state, "paused") == 0)
    backend_pause (&b, r->id, false, NULL); /* a frozen process takes no signal */
  if (timeout < 0)
    timeout = r->config.stop_timeout != CONFIG_STOP_TIMEOUT_UNSET ? r->config.stop_timeout : 10;
  struct hk_error *ignored = NULL;
  if (backend_kill (&b, r->id, stop_signal (e, r), false, &ignored) < 0)
    hk_error_free (ignored);
  else
    engine_event_int (e, r, "kill", "signal", stop_signal (e, r));
  if (!wait_exit (e, r, timeout * 1000))
    {
      ignored = NULL;
      if (backend_kill (&b, r->id, SIGKILL, true, &ignored) < 0)
        hk_error_free (ignored);
    }
  if (!wait_monitor (r, 30000))
    return hk_error_set (err, ETIMEDOUT, "container %s did not stop", r->name);
  engine_event (e, r, "stop", NULL, NULL);
  return engine_refresh (e, r, err);
}

/* The container has exited when its monitor process is gone (it ends
 * after the cleanup: the record updated, the root filesystem unmounted,
 * the cgroup removed) or, with a restart policy, when it was restarted
 * (an exit too, as Docker's `wait` sees it).  With --rm the record goes. */
int
engine_wait (struct engine *e, struct ctr_record *r, int *code, struct hk_error **err)
{
  int restarts = r->restart_count;
  for (;;)
    {
      _cleanup_record_ struct ctr_record *now = NULL;
      if (ctr_record_find (e->db, r->id, &now, err) < 0)
        {
          if ((*err)->errnum != ENOENT)
            return -1;
          hk_error_freep (err); /* removed: the code we last saw */
          *code = r->exit_code;
          return 0;
        }
      if (engine_refresh (e, now, err) < 0)
        return -1;
      r->exit_code = now->exit_code; /* the exit file's, before --rm takes it */
      if (now->restart_count != restarts
          || (!is_running (now)
              && !state_process_alive (now->monitor_pid, now->monitor_start_time)))
        {
          *code = now->exit_code;
          return 0;
        }
      wait_monitor (now, 1000);
    }
}

void
engine_wait_cleanup (const struct ctr_record *r)
{
  wait_monitor (r, 60000);
}

int
engine_remove (struct engine *e, struct ctr_record *r, bool force, bool volumes,
               struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  struct runtime_backend b;
  engine_backend (e, r, &b);
  if (is_running (r))
    {
      if (!force)
        return hk_error_set (err, EBUSY,
                             "cannot remove container %s: it is running; stop it first or "
                             "remove it with -f",
                             r->name);
      bool paused = strcmp (r->state, "paused") == 0;
      ctr_record_set_state (r, "removing");
      ctr_record_update (e->db, r, NULL);
      mark_stopping (e, r);
      struct hk_error *ignored = NULL;
      /* A frozen process takes no signal; an external runtime asked to
       * resume what is not paused complains on our stderr. */
      if (paused)
        backend_pause (&b, r->id, false, NULL);
      if (backend_kill (&b, r->id, SIGKILL, true, &ignored) < 0)
        hk_error_free (ignored);
      wait_monitor (r, 30000);
    }
  else
    wait_monitor (r, 30000); /* its cleanup, if it is still at it */
  struct hk_error *ignored = NULL;
  backend_delete (&b, r->id, &ignored);
  hk_error_free (ignored);
  ctr_network_down (e, r);
  ctr_ipc_down (e, r);
  ctr_userns_down (e, r);
  if (!r->config.pod_infra && image_rootfs_remove (e->store, r->id, err) < 0)
    return hk_error_prefix (err, "remove container %s", r->name);
  _cleanup_free_ char *containers = xasprintf ("%s/containers", e->root);
  _cleanup_free_ char *runs = xasprintf ("%s/containers", e->runroot);
  _cleanup_close_ int c = open (containers, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_close_ int rdir = open (runs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if ((c >= 0 && fs_remove_tree (c, r->id, err) < 0)
      || (rdir >= 0 && fs_remove_tree (rdir, r->id, err) < 0))
    return hk_error_prefix (err, "remove container %s", r->name);
  if (ctr_record_delete (e->db, r->id, err) < 0)
    return -1;
  ctr_userns_release (e, r->id);
  if (volumes)
    ctr_mounts_remove_anonymous (e->db, e->root, &r->config);
  engine_event (e, r, "destroy", NULL, NULL);
  return 0;
}
