/* SPDX-License-Identifier: Apache-2.0 */
/* What happens when a container's process is gone (run by its monitor,
 * as `hako container cleanup ID`): the restart policy, --rm, or a plain
 * stop; and the periodic health check (`hako container healthcheck ID`). */
#include "engine.h"
#include "ctr-network.h"
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

int
engine_cleanup (struct engine *e, const char *id, struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *r = NULL;
  if (ctr_record_find (e->db, id, &r, err) < 0)
    return -1;
  _cleanup_free_ char *run_dir = engine_run_dir (e, id);
  _cleanup_free_ char *exit_path = xasprintf ("%s/exit", run_dir);
  _cleanup_free_ char *text = NULL;
  int code = 255;
  if (fs_read_file (AT_FDCWD, exit_path, 64, &text, NULL, NULL) == 0)
    code = atoi (text);
  struct runtime_backend b;
  engine_backend (e, r, &b);
  r->oom_killed = oom_killed (&b, id);
  struct hk_error *ignored = NULL;
  backend_delete (&b, id, &ignored);
  hk_error_free (ignored);
  if (strcmp (r->state, "removing") == 0)
    return 0; /* `rm -f` is taking it apart */
  bool stopped = file_exists (run_dir, "stopping");
  if (should_restart (r, code, stopped))
    {
      /* 100 ms, doubling, at most 10 s between attempts. */
      int shift = r->restart_count < 7 ? r->restart_count : 7;
      sleep_ms (100L << shift);
      if (!file_exists (run_dir, "stopping"))
        {
          r->restart_count++;
          r->exit_code = code;
          free (r->finished_at);
          r->finished_at = state_now_rfc3339 ();
          ctr_record_update (e->db, r, NULL);
          unlink (exit_path);
          struct hk_error *start_err = NULL;
          _cleanup_free_ char *netns = NULL;
          if (ctr_network_recheck (e, r, &start_err) == 0
              && ctr_network_join_path (e, r, &netns, &start_err) == 0
              && engine_render_config (e, r, netns, &start_err) == 0)
            engine_become_monitor (e, r, false, -1, &start_err);
          /* Only on failure: record why, and stop as below. */
          free (r->error);
          r->error = xstrdup (start_err ? start_err->message : "restart failed");
          hk_error_free (start_err);
        }
    }
  /* Not restarted: the network goes with the container (a restart keeps
   * its namespace and addresses). */
  ctr_network_down (e, r);
  if (r->config.auto_remove)
    return engine_remove (e, r, false, true, err);
  _cleanup_free_ char *dir = engine_container_dir (e, id);
  _cleanup_free_ char *merged = xasprintf ("%s/merged", dir);
  ignored = NULL;
  image_rootfs_unmount (merged, &ignored);
  hk_error_free (ignored);
  free (r->state);
  r->state = xstrdup ("exited");
  r->exit_code = code;
  free (r->finished_at);
  r->finished_at = state_now_rfc3339 ();
  return ctr_record_update (e->db, r, err);
}

/* ---- health checks ---- */

static json_t *
load_health (const char *run_dir)
{
  _cleanup_free_ char *path = xasprintf ("%s/health", run_dir);
  _cleanup_free_ char *text = NULL;
  size_t len;
  json_t *j = NULL;
  if (fs_read_file (AT_FDCWD, path, FS_TEXT_FILE_MAX, &text, &len, NULL) == 0)
    j = json_loadb (text, len, 0, NULL);
  if (!json_is_object (j))
    {
      json_decref (j);
      j = json_pack ("{s:s, s:i, s:[]}", "Status", "starting", "FailingStreak", 0, "Log");
    }
  return j;
}

/* The check's argv from its test: CMD-SHELL runs through /bin/sh. */
static char **
check_args (char *const *test)
{
  const char *kind = test ? test[0] : NULL;
  char **args = xzalloc (sizeof (char *));
  if (kind != NULL && strcmp (kind, "CMD-SHELL") == 0)
    {
      strv_append (&args, "/bin/sh");
      strv_append (&args, "-c");
      strv_append (&args, test[1] ? test[1] : "");
      return args;
    }
  for (size_t i = kind != NULL && strcmp (kind, "CMD") == 0 ? 1 : 0; test && test[i]; i++)
    strv_append (&args, test[i]);
  return args;
}

int
engine_healthcheck (struct engine *e, const char *id, char **reexec_argv, struct hk_error **err)
{
  _cleanup_record_ struct ctr_record *r = NULL;
  if (ctr_record_find (e->db, id, &r, err) < 0)
    return -1;
  const struct config_health *h = &r->config.health;
  int64_t timeout_ns = h->timeout_ns;
  int retries = h->retries > 0 ? h->retries : 3;
  _cleanup_strv_ char **args = check_args (h->test);
  _cleanup_close_ int out = memfd_create ("health", MFD_CLOEXEC);
  struct engine_exec_request q = ENGINE_EXEC_REQUEST_INIT;
  q.args = args;
  q.stdio[1] = q.stdio[2] = out;
  q.reexec_argv = reexec_argv;
  _cleanup_free_ char *start = state_now_rfc3339 ();
  /* A check past its timeout gets SIGALRM (forwarded to it) and fails. */
  alarm ((unsigned)(timeout_ns > 0 ? (timeout_ns + 999999999) / 1000000000 : 30));
  int code = 1;
  struct hk_error *exec_err = NULL;
  if (engine_exec (e, r, &q, &code, &exec_err) < 0)
    code = code ? code : 1;
  alarm (0);
  char output[4097] = "";
  ssize_t n = pread (out, output, sizeof output - 1, 0);
  if (n > 0)
    output[n] = '\0';
  if (exec_err != NULL)
    snprintf (output, sizeof output, "%s", exec_err->message);
  hk_error_free (exec_err);
  _cleanup_free_ char *end = state_now_rfc3339 ();
  _cleanup_free_ char *run_dir = engine_run_dir (e, id);
  _cleanup_json_ json_t *health = load_health (run_dir);
  json_t *log = json_object_get (health, "Log");
  json_array_append_new (log, json_pack ("{s:s, s:s, s:i, s:s}", "Start", start, "End", end,
                                         "ExitCode", code, "Output", output));
  while (json_array_size (log) > 5)
    json_array_remove (log, 0);
  json_int_t streak = json_integer_value (json_object_get (health, "FailingStreak"));
  if (code == 0)
    {
      json_object_set_new (health, "FailingStreak", json_integer (0));
      json_object_set_new (health, "Status", json_string ("healthy"));
    }
  else
    {
      json_object_set_new (health, "FailingStreak", json_integer (++streak));
      if (streak >= retries)
        json_object_set_new (health, "Status", json_string ("unhealthy"));
    }
  _cleanup_free_ char *text = json_to_string (health, false);
  _cleanup_close_ int dfd = open (run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", run_dir);
  return fs_replace_file (dfd, "health", text, strlen (text), 0644, err);
}
