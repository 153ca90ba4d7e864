/* SPDX-License-Identifier: Apache-2.0 */
/* What a running container uses and may use: ps, update, events. */
#include "container-internal.h"
#include "cgroup-stats.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <unistd.h>

static int
load_with_cgroup (const struct runtime_context *ctx, const char *id,
                  struct container_state **out, struct hk_error **err)
{
  if (state_load (ctx->state_root, id, out, err) < 0)
    return -1;
  if ((*out)->cgroup == NULL)
    {
      state_free (*out);
      *out = NULL;
      return hk_error_set (err, ENOTSUP, "container `%s` has no cgroup", id);
    }
  return 0;
}

int
container_pids (const struct runtime_context *ctx, const char *id, pid_t **pids, size_t *n,
                struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  if (load_with_cgroup (ctx, id, &s, err) < 0)
    return -1;
  if (state_status (s) == STATUS_STOPPED)
    {
      *pids = NULL;
      *n = 0;
      return 0;
    }
  return cgroup_pids (s->cgroup, pids, n, err);
}

int
container_update (const struct runtime_context *ctx, const char *id,
                  const struct oci_resources *res, struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  if (load_with_cgroup (ctx, id, &s, err) < 0 || state_lock (s, err) < 0)
    return -1;
  enum container_status status = state_status (s);
  if (status == STATUS_STOPPED)
    return hk_error_set (err, EINVAL, "container `%s` is stopped: nothing to update", id);
  if (cgroup_apply (s->cgroup, res, true, err) < 0)
    return hk_error_prefix (err, "update container `%s`", id);
  return 0;
}

int
container_stats (const struct runtime_context *ctx, const char *id, json_t **out,
                 struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  struct cgroup_stats stats;
  if (load_with_cgroup (ctx, id, &s, err) < 0 || cgroup_stats_read (s->cgroup, &stats, err) < 0)
    return -1;
  *out = json_pack ("{s:s, s:s, s:o}", "type", "stats", "id", id, "data",
                    cgroup_stats_to_json (&stats));
  return 0;
}

int
container_oom_kills (const struct runtime_context *ctx, const char *id, uint64_t *out,
                     struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  if (load_with_cgroup (ctx, id, &s, err) < 0)
    return -1;
  *out = cgroup_oom_kills (s->cgroup);
  return 0;
}

int
container_events (const struct runtime_context *ctx, const char *id, int interval_ms,
                  int (*emit) (json_t *event, void *data), void *data, struct hk_error **err)
{
  _cleanup_state_ struct container_state *s = NULL;
  if (load_with_cgroup (ctx, id, &s, err) < 0)
    return -1;
  if (state_status (s) == STATUS_STOPPED)
    return hk_error_set (err, ESRCH, "container `%s` is not running", id);
  _cleanup_close_ int pidfd = pidfd_open (s->pid, 0);
  if (pidfd < 0)
    return hk_error_errno (err, errno, "watch container `%s`", id);
  struct hk_error *ignored = NULL;
  _cleanup_close_ int oom = cgroup_oom_watch (s->cgroup, &ignored);
  hk_error_free (ignored);
  uint64_t ooms = cgroup_oom_kills (s->cgroup);
  for (;;)
    {
      struct pollfd fds[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = oom, .events = POLLIN } };
      int r = poll (fds, 2, interval_ms);
      if (r < 0 && errno != EINTR)
        return hk_error_errno (err, errno, "poll");
      if (fds[1].revents)
        {
          char drain[4096];
          while (read (oom, drain, sizeof drain) > 0)
            ;
          /* One event per kill; v1 also signals an OOM that ended without
           * a kill (the killer disabled): that is one event too. */
          uint64_t now = cgroup_oom_kills (s->cgroup);
          uint64_t events = now > ooms ? now - ooms : 1;
          ooms = now;
          for (uint64_t k = 0; k < events; k++)
            if (emit (json_pack ("{s:s, s:s}", "type", "oom", "id", id), data) < 0)
              return 0;
        }
      if (fds[0].revents)
        return 0; /* the container's process exited */
      if (r == 0)
        {
          json_t *stats = NULL;
          if (container_stats (ctx, id, &stats, err) < 0)
            return -1;
          if (emit (stats, data) < 0)
            return 0;
        }
    }
}
