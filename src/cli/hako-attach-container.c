/* SPDX-License-Identifier: Apache-2.0 */
#include "hako-attach-container.h"
#include "hako-attach.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a signal kept from before the attach waits for the monitor
 * to start the container. */
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

/* A signal the client got, sent to the container's process as `hako
 * kill -s` sends it; one that finds it gone is of no matter.  One kept
 * from before the attach may come before the monitor has started the
 * container: it waits for the start. */
static void
forward_signal (int signum, void *data)
{
  struct forward *f = data;
  for (int waited_ms = 0;; waited_ms += 10)
    {
      struct hk_error *ignored = NULL;
      if (engine_kill (f->e, f->r, signum, &ignored) == 0)
        return;
      hk_error_free (ignored);
      if (strcmp (f->r->state, "created") != 0 || waited_ms >= START_WAIT_MS)
        return;
      usleep (10 * 1000);
    }
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
