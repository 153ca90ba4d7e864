/* SPDX-License-Identifier: Apache-2.0 */
#include "hako-attach-container.h"
#include "hako-attach.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <stdlib.h>

struct forward
{
  struct engine *e;
  struct ctr_record *r;
};

/* A signal the client got, sent to the container's process as `hako
 * kill -s` sends it; one that finds it gone is of no matter. */
static void
forward_signal (int signum, void *data)
{
  struct forward *f = data;
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
  if (attach_session (&o, &code, &detached, err) < 0)
    return -1;
  if (detached)
    return 0;
  int waited;
  if (engine_wait (e, r, &waited, err) < 0)
    return -1;
  return code >= 0 ? code : waited;
}
