/* SPDX-License-Identifier: Apache-2.0 */
/* The lifecycle operations on an existing container: start, kill, delete,
 * state, list, pause and resume. */
#include "container-internal.h"
#include "hooks.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

char *
container_seccomp_cache (const struct runtime_context *ctx)
{
  if (ctx->seccomp_cache != NULL)
    return xstrdup (ctx->seccomp_cache);
  /* Tests keep their compiled filters to themselves. */
  const char *dir = getenv ("HAKO_SECCOMP_CACHE");
  if (dir != NULL && dir[0] == '/')
    return xstrdup (dir);
  if (geteuid () == 0)
    return xstrdup ("/run/hako/seccomp-cache");
  const char *run = getenv ("XDG_RUNTIME_DIR");
  return run != NULL && run[0] == '/' ? xasprintf ("%s/hako/seccomp-cache", run) : NULL;
}

int
container_load_config (const struct container_state *s, struct oci_spec **out,
                       struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_file (s->dir_fd, CONFIG_COPY, SPEC_MAX_CONFIG_SIZE, &text, &len, err) < 0)
    return hk_error_prefix (err, "container `%s`", s->id);
  return spec_parse (text, len, out, err);
}

char *
container_state_text (const struct container_state *s, enum container_status status)
{
  _cleanup_json_ json_t *j = state_to_oci_json (s, status);
  return json_dumps (j, JSON_COMPACT);
}

/* The wording runc uses: containerd's shim and Podman take an error
 * containing "container not running" (or "no such process", "does not
 * exist") to mean "already gone", anything else as a failure. */
static int
not_running (const char *id, struct hk_error **err)
{
  return hk_error_set (err, ESRCH, "cannot signal container `%s`: container not running", id);
}

/* Opens a pidfd of the container process, checked to be the same process
 * that was started (not a later one with a recycled pid). */
static int
open_process (const struct container_state *s, struct hk_error **err)
{
  int fd = pidfd_open (s->pid, 0);
  if (fd < 0 || !state_process_alive (s->pid, s->pid_start_time))
    {
      if (fd >= 0)
        close (fd);
      return not_running (s->id, err);
    }
  return fd;
}

/* A container without a cgroup (rootless, see container-create.c): its
 * first process, whose end ends its pid namespace; gone is success. */
static int
signal_first (const struct container_state *s, int signum, struct hk_error **err)
{
  if (state_status (s) == STATUS_STOPPED)
    return 0;
  _cleanup_close_ int pidfd = open_process (s, err);
  if (pidfd < 0)
    return -1;
  if (pidfd_send_signal (pidfd, signum, NULL, 0) < 0 && errno != ESRCH)
    return hk_error_errno (err, errno, "signal container `%s`", s->id);
  return 0;
}

/* Signals every process left in the container's cgroup: none left (the
 * cgroup may be gone already) is success. */
static int
signal_all (const struct container_state *s, int signum, struct hk_error **err)
{
  if (s->cgroup == NULL)
    return signal_first (s, signum, err);
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  _cleanup_error_ struct hk_error *e = NULL;
  if (cgroup_pids (s->cgroup, &pids, &n, &e) < 0 && e->errnum != ENOENT)
    return hk_error_set (err, e->errnum, "%s", e->message);
  for (size_t i = 0; i < n; i++)
    if (kill (pids[i], signum) < 0 && errno != ESRCH)
      return hk_error_errno (err, errno, "signal process %d", (int) pids[i]);
  return 0;
}

/* How long the first process of a SIGKILLed container may take to go. */
#define STOP_TIMEOUT_MS 10000

/* SIGKILLs every process of the container and waits (bounded) until its
 * first process is gone. */
static int
container_stop (const struct container_state *s, struct hk_error **err)
{
  if (s->cgroup != NULL)
    {
      /* A frozen process would keep SIGKILL pending forever. */
      if (cgroup_is_frozen (s->cgroup))
        cgroup_freeze (s->cgroup, false, NULL);
      signal_all (s, SIGKILL, NULL);
    }
  /* The pidfd is of the container's process only if it is alive with its
   * start time once the fd is open (not a later one with the same pid). */
  _cleanup_close_ int pidfd = pidfd_open (s->pid, 0);
  if (pidfd < 0 || !state_process_alive (s->pid, s->pid_start_time))
    return 0;
  pidfd_send_signal (pidfd, SIGKILL, NULL, 0);
  struct pollfd exited = { .fd = pidfd, .events = POLLIN };
  int r;
  do
    r = poll (&exited, 1, STOP_TIMEOUT_MS);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    return hk_error_set (err, EBUSY, "container `%s`: process %d does not die", s->id,
                         (int) s->pid);
  return 0;
}

int
container_start (const struct runtime_context *ctx, const char *id, struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  if (state_load (ctx->state_root, id, &s, err) < 0 || state_lock (s, err) < 0)
    return -1;
  enum container_status status = state_status (s);
  if (status != STATUS_CREATED)
    return hk_error_set (err, EINVAL, "container `%s` is %s, not created: it cannot be started",
                         id, state_status_name (status));
  /* The process blocks reading the fifo; without a reader the open fails
   * (ENXIO) and we know it is gone. */
  _cleanup_close_ int fifo = openat (s->dir_fd, EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo < 0)
    return hk_error_errno (err, errno, "start container `%s`: open the exec fifo", id);
  unlinkat (s->dir_fd, EXEC_FIFO, 0);
  if (write (fifo, "0", 1) != 1)
    return hk_error_errno (err, errno, "start container `%s`", id);
  _cleanup_spec_ struct oci_spec *spec = NULL;
  if (container_load_config (s, &spec, err) < 0)
    return -1;
  _cleanup_free_ char *state = container_state_text (s, STATUS_RUNNING);
  /* runtime-spec 1.3: a failing poststart hook is an error that stops the
   * container; `delete` takes it from there. */
  if (hooks_run (&spec->hooks[HOOK_POSTSTART], HOOK_POSTSTART, state, err) < 0)
    {
      struct hk_error *e = NULL;
      if (container_stop (s, &e) < 0)
        {
          hk_warn (ctx->log, "%s", e->message);
          hk_error_free (e);
        }
      return hk_error_prefix (err, "start container `%s` (stopped)", id);
    }
  return 0;
}

int
container_kill (const struct runtime_context *ctx, const char *id, int signum, bool all,
                struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  if (state_load (ctx->state_root, id, &s, err) < 0)
    return -1;
  /* --all signals whatever is left in the cgroup even once the first
   * process has exited (processes of a shared pid namespace, children it
   * left behind), as runc does: a client stopping a container that died
   * on its own must not get an error. */
  if (all)
    return signal_all (s, signum, err);
  if (state_status (s) == STATUS_STOPPED)
    return not_running (id, err);
  _cleanup_close_ int pidfd = open_process (s, err);
  if (pidfd < 0)
    return -1;
  if (pidfd_send_signal (pidfd, signum, NULL, 0) < 0)
    return hk_error_errno (err, errno, "signal container `%s`", id);
  return 0;
}


int
container_cleanup (const struct runtime_context *ctx, struct container_state *s,
                   struct hk_error **err)
{
  if (s->cgroup != NULL && cgroup_destroy (s->cgroup, err) < 0)
    return -1;
  _cleanup_spec_ struct oci_spec *spec = NULL;
  struct hk_error *e = NULL;
  if (container_load_config (s, &spec, &e) == 0)
    {
      /* A failing poststop hook is a warning; the others still run. */
      _cleanup_free_ char *state = container_state_text (s, STATUS_STOPPED);
      hooks_run_warn (&spec->hooks[HOOK_POSTSTOP], HOOK_POSTSTOP, state, ctx->log);
    }
  else
    {
      hk_warn (ctx->log, "%s", e->message);
      hk_error_free (e);
    }
  return state_remove (ctx->state_root, s->id, err);
}

int
container_delete (const struct runtime_context *ctx, const char *id, bool force,
                  struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  if (state_load (ctx->state_root, id, &s, err) < 0)
    {
      /* A directory without state.json is a create that died half-way. */
      if (*err != NULL && (*err)->errnum == ENOENT && force)
        {
          hk_error_free (*err);
          *err = NULL;
          return state_remove (ctx->state_root, id, err);
        }
      return -1;
    }
  if (state_lock (s, err) < 0)
    return -1;
  enum container_status status = state_status (s);
  /* The spec forbids deleting a container whose process still runs; a
   * created one's waits for `start`. */
  if ((status == STATUS_RUNNING || status == STATUS_PAUSED || status == STATUS_CREATED) && !force)
    return hk_error_set (err, EBUSY,
                         "container `%s` is %s: stop it first or delete it with --force", id,
                         state_status_name (status));
  if (status != STATUS_STOPPED && container_stop (s, err) < 0)
    return -1;
  return container_cleanup (ctx, s, err);
}

int
container_state (const struct runtime_context *ctx, const char *id, json_t **out,
                 struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  if (state_load (ctx->state_root, id, &s, err) < 0)
    return -1;
  *out = state_to_oci_json (s, state_status (s));
  return 0;
}

int
container_list (const struct runtime_context *ctx, json_t **out, struct hk_error **err)
{
  json_t *list = json_array ();
  _cleanup_closedir_ DIR *dir = opendir (ctx->state_root);
  if (dir == NULL)
    {
      if (errno == ENOENT)
        {
          *out = list;
          return 0;
        }
      json_decref (list);
      return hk_error_errno (err, errno, "open state root `%s`", ctx->state_root);
    }
  struct dirent *de;
  while ((de = readdir (dir)) != NULL)
    {
      if (de->d_name[0] == '.' || de->d_type != DT_DIR)
        continue;
      struct container_state *s = NULL;
      struct hk_error *e = NULL;
      if (state_load (ctx->state_root, de->d_name, &s, &e) < 0)
        {
          hk_error_free (e); /* being created or deleted right now */
          continue;
        }
      json_array_append_new (list, state_to_oci_json (s, state_status (s)));
      state_free (s);
    }
  *out = list;
  return 0;
}

int
container_pause (const struct runtime_context *ctx, const char *id, bool pause,
                 struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  if (state_load (ctx->state_root, id, &s, err) < 0 || state_lock (s, err) < 0)
    return -1;
  enum container_status status = state_status (s);
  if (pause && status != STATUS_RUNNING && status != STATUS_CREATED)
    return hk_error_set (err, EINVAL, "container `%s` is %s: only a running container can be paused",
                         id, state_status_name (status));
  if (!pause && status != STATUS_PAUSED)
    return hk_error_set (err, EINVAL, "container `%s` is %s, not paused", id,
                         state_status_name (status));
  if (s->cgroup == NULL)
    return hk_error_set (err, ENOTSUP, "container `%s` has no cgroup", id);
  return cgroup_freeze (s->cgroup, pause, err);
}
