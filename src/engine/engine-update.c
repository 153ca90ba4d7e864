/* SPDX-License-Identifier: Apache-2.0 */
/* Changes to a container that exists: pause and unpause, rename, update
 * (resource limits and the restart policy). */
#include "engine-events.h"
#include "ctr-spec.h"
#include "engine.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

static bool
is_running (const struct ctr_record *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

int
engine_pause (struct engine *e, struct ctr_record *r, bool pause, struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  if (!is_running (r))
    return hk_error_set (err, EINVAL, "container %s is not running", r->name);
  bool paused = strcmp (r->state, "paused") == 0;
  if (pause && paused)
    return hk_error_set (err, EINVAL, "container %s is already paused", r->name);
  if (!pause && !paused)
    return hk_error_set (err, EINVAL, "container %s is not paused", r->name);
  struct runtime_backend b;
  engine_backend (e, r, &b);
  if (backend_pause (&b, r->id, pause, err) < 0)
    return hk_error_prefix (err, "%s container %s", pause ? "pause" : "unpause", r->name);
  ctr_record_set_state (r, pause ? "paused" : "running");
  engine_event (e, r, pause ? "pause" : "unpause", NULL, NULL);
  return ctr_record_update (e->db, r, err);
}

int
engine_rename (struct engine *e, struct ctr_record *r, const char *name,
               struct hk_error **err)
{
  if (ctr_record_check_name (name, err) < 0)
    return -1;
  if (strcmp (name, r->name) == 0)
    return hk_error_set (err, EINVAL, "container %s is already named %s", r->name, name);
  _cleanup_free_ char *old = take_ptr (r->name);
  r->name = xstrdup (name);
  /* The unique name column decides between two renames at once. */
  if (ctr_record_update (e->db, r, err) < 0)
    {
      free (r->name);
      r->name = take_ptr (old);
      return -1;
    }
  engine_event (e, r, "rename", "oldName", old);
  return 0;
}

int
engine_update (struct engine *e, struct ctr_record *r,
               const struct ctr_config *changes, struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  if ((changes->limits.set & CONFIG_LIMIT_RESTART) && r->config.auto_remove)
    return hk_error_set (err, EINVAL,
                         "container %s was started with --rm: its restart policy cannot be "
                         "changed",
                         r->name);
  if (ctr_config_update (&r->config, changes, err) < 0)
    return hk_error_prefix (err, "update container %s", r->name);
  /* A running container's cgroups get only the limits given. */
  unsigned given = changes->limits.set & ~CONFIG_LIMIT_RESTART;
  _cleanup_json_ json_t *limits = ctr_spec_limits (&r->config.limits, given);
  if (is_running (r) && given && json_object_size (limits) > 0)
    {
      struct runtime_backend b;
      engine_backend (e, r, &b);
      if (backend_update (&b, r->id, limits, err) < 0)
        return hk_error_prefix (err, "update container %s", r->name);
    }
  /* The record is the truth: config.json is rendered from it at the next
   * start or restart. */
  return ctr_record_set_config (e->db, r, err);
}
