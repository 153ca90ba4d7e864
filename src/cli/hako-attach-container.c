/* SPDX-License-Identifier: Apache-2.0 */
#include "hako-attach-container.h"
#include "hako-attach.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "engine/engine-context.h"
#include "engine/runtime-backend.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a signal waits for the monitor to start the container's
 * program. */
#define START_WAIT_MS 5000

static const int proxied[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define N_PROXIED (sizeof proxied / sizeof proxied[0])

/* attach_hold_signals' state: which signals are caught, their former
 * actions, and which came. */
static bool held[N_PROXIED];
static struct sigaction held_before[N_PROXIED];
static volatile sig_atomic_t came[N_PROXIED];

static void
keep_signal (int signum)
{
  for (size_t i = 0; i < N_PROXIED; i++)
    if (proxied[i] == signum)
      came[i] = 1;
}

void
attach_hold_signals (bool tty)
{
  struct sigaction keep = { .sa_handler = keep_signal, .sa_flags = SA_RESTART };
  sigemptyset (&keep.sa_mask);
  for (size_t i = 0; i < N_PROXIED; i++)
    {
      if (tty && proxied[i] == SIGINT)
        continue;
      struct sigaction before;
      if (sigaction (proxied[i], NULL, &before) == 0 && before.sa_handler != SIG_IGN
          && sigaction (proxied[i], &keep, &held_before[i]) == 0)
        held[i] = true;
    }
}

/* The kept signals made pending again, under OLD's mask plus the proxied
 * signals (blocked: the attach session reads them from its signalfd),
 * with their former actions back. */
static void
release_held_signals (sigset_t *old)
{
  sigset_t proxied_set;
  sigemptyset (&proxied_set);
  for (size_t i = 0; i < N_PROXIED; i++)
    sigaddset (&proxied_set, proxied[i]);
  sigprocmask (SIG_BLOCK, &proxied_set, old);
  for (size_t i = 0; i < N_PROXIED; i++)
    {
      if (!held[i])
        continue;
      sigaction (proxied[i], &held_before[i], NULL);
      held[i] = false;
      if (came[i])
        raise (proxied[i]);
      came[i] = 0;
    }
}

struct forward
{
  struct engine *e;
  struct ctr_record *r;
};

/* The runtime's status of R ("created", "running"...; "" when unknown)
 * and its process's program (/proc/PID/exe; "" when unknown). */
static void
runtime_status (const struct runtime_backend *b, const struct ctr_record *r, char *status,
                size_t status_size, char *exe, size_t exe_size)
{
  _cleanup_json_ json_t *state = NULL;
  struct hk_error *why = NULL;
  status[0] = exe[0] = '\0';
  if (backend_state (b, r->id, &state, &why) < 0)
    {
      hk_error_free (why);
      return;
    }
  snprintf (status, status_size, "%s", json_string_value (json_object_get (state, "status")) ?: "");
  char link[64];
  snprintf (link, sizeof link, "/proc/%d/exe",
            (int)json_integer_value (json_object_get (state, "pid")));
  ssize_t n = readlink (link, exe, exe_size - 1);
  exe[n > 0 ? n : 0] = '\0';
}

/* Until R's process runs its program (START_WAIT_MS at most): while the
 * runtime's process waits for the monitor to start it ("created"), and
 * until it has executed the program, a signal would reach the runtime's
 * code as the PID 1 of the container, which drops it. */
static void
wait_program (struct engine *e, const struct ctr_record *r)
{
  struct runtime_backend b;
  engine_backend (e, r, &b);
  char status[32], exe[PATH_MAX], waiting_exe[PATH_MAX] = "";
  for (int waited_ms = 0; waited_ms < START_WAIT_MS; waited_ms += 5)
    {
      runtime_status (&b, r, status, sizeof status, exe, sizeof exe);
      if (strcmp (status, "created") == 0)
        snprintf (waiting_exe, sizeof waiting_exe, "%s", exe);
      else if (waiting_exe[0] == '\0' || strcmp (exe, waiting_exe) != 0)
        return;
      usleep (5 * 1000);
    }
}

/* A signal the client got, sent to the container's process as `hako
 * kill -s` sends it; one that finds it gone is of no matter.  One kept
 * from before the attach comes before the monitor has started the
 * container: it waits for the program. */
static void
forward_signal (int signum, void *data)
{
  struct forward *f = data;
  wait_program (f->e, f->r);
  struct hk_error *ignored = NULL;
  engine_kill (f->e, f->r, signum, &ignored);
  hk_error_free (ignored);
}

int
attach_container (struct engine *e, struct ctr_record *r, bool send_start,
                  const struct attach_mode *mode, struct hk_error **err)
{
  _cleanup_free_ char *run_dir = engine_run_dir (e, r->id);
  _cleanup_free_ char *socket = xasprintf ("%s/attach", run_dir);
  struct forward f = { .e = e, .r = r };
  struct attach_options o = {
    .socket_path = socket,
    .send_start = send_start,
    .with_stdin = mode->with_stdin,
    .tty = r->config.tty,
    .detach_keys = mode->detach_keys,
    .forward_signal = mode->sig_proxy ? forward_signal : NULL,
    .data = &f,
  };
  int code;
  bool detached;
  sigset_t old;
  release_held_signals (&old);
  int rc = attach_session (&o, &code, &detached, err);
  sigprocmask (SIG_SETMASK, &old, NULL);
  if (rc < 0)
    return -1;
  if (detached)
    return 0;
  int waited;
  if (engine_wait (e, r, &waited, err) < 0)
    return -1;
  return code >= 0 ? code : waited;
}
