/* SPDX-License-Identifier: Apache-2.0 */
/* Changes to a container that exists: pause and unpause, rename, update
 * (resource limits and the restart policy). */
#include "container-spec.h"
#include "engine.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

static bool
is_running (const struct container_record *r)
{
  return strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
}

static void
set_state (struct container_record *r, const char *state)
{
  free (r->state);
  r->state = xstrdup (state);
}

int
engine_pause (struct engine *e, struct container_record *r, bool pause, struct hk_error **err)
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
  set_state (r, pause ? "paused" : "running");
  return container_record_update (e->db, r, err);
}

int
engine_rename (struct engine *e, struct container_record *r, const char *name,
               struct hk_error **err)
{
  if (container_record_check_name (name, err) < 0)
    return -1;
  if (strcmp (name, r->name) == 0)
    return hk_error_set (err, EINVAL, "container %s is already named %s", r->name, name);
  _cleanup_free_ char *old = take_ptr (r->name);
  r->name = xstrdup (name);
  /* The unique name column decides between two renames at once. */
  if (container_record_update (e->db, r, err) < 0)
    {
      free (r->name);
      r->name = take_ptr (old);
      return -1;
    }
  json_object_set_new (r->options, "Name", json_string (name));
  return container_record_set_options (e->db, r, err);
}

static json_int_t
opt_int (const json_t *o, const char *key)
{
  return json_integer_value (json_object_get (o, key));
}

/* Docker's rules between the memory values, checked on what they will
 * be once CHANGES are applied. */
static int
check_memory (const json_t *now, const json_t *changes, struct hk_error **err)
{
  json_int_t memory = opt_int (now, "Memory"), swap = opt_int (now, "MemorySwap"),
             reservation = opt_int (now, "MemoryReservation");
  if (swap > 0 && memory <= 0)
    return hk_error_set (err, EINVAL, "--memory-swap needs a memory limit: set --memory too");
  if (swap > 0 && swap < memory)
    {
      if (json_object_get (changes, "MemorySwap") == NULL)
        return hk_error_set (err, EINVAL,
                             "--memory %lld is above the memory+swap limit %lld already set: "
                             "update --memory-swap at the same time",
                             (long long)memory, (long long)swap);
      return hk_error_set (err, EINVAL,
                           "--memory-swap %lld is below --memory %lld: memory+swap must be at "
                           "least the memory limit",
                           (long long)swap, (long long)memory);
    }
  if (memory > 0 && reservation > memory)
    return hk_error_set (err, EINVAL, "--memory-reservation %lld is above --memory %lld",
                         (long long)reservation, (long long)memory);
  return 0;
}

/* The limits of OPTIONS that CHANGES touch: a running container's cgroup
 * gets only those written. */
static json_t *
changed_limits (const json_t *options, const json_t *changes)
{
  static const char *const groups[][4] = {
    { "memory", "Memory", "MemorySwap", "MemoryReservation" },
    { "cpu", "NanoCpus", "CpuShares", "CpusetCpus" },
    { "pids", "PidsLimit", NULL, NULL },
  };
  json_t *limits = container_spec_limits (options);
  for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
    {
      bool touched = false;
      for (size_t k = 1; k < 4 && groups[g][k]; k++)
        touched |= json_object_get (changes, groups[g][k]) != NULL;
      if (!touched)
        json_object_del (limits, groups[g][0]);
    }
  return limits;
}

/* config.json gets the new limits too, so that a restart keeps them. */
static int
rewrite_config (struct engine *e, const struct container_record *r, struct hk_error **err)
{
  _cleanup_free_ char *dir = engine_container_dir (e, r->id);
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open `%s`", dir);
  _cleanup_free_ char *text = NULL;
  size_t len;
  _cleanup_json_ json_t *spec = NULL;
  if (fs_read_file (dfd, "config.json", 16 << 20, &text, &len, err) < 0
      || json_parse_object (text, len, "config.json", &spec, err) < 0)
    return -1;
  json_t *res = json_object_get (json_object_get (spec, "linux"), "resources");
  if (!json_is_object (res))
    return hk_error_set (err, EINVAL, "`%s/config.json` has no linux.resources", dir);
  _cleanup_json_ json_t *limits = container_spec_limits (r->options);
  json_object_del (res, "memory");
  json_object_del (res, "cpu");
  json_object_del (res, "pids");
  json_object_update (res, limits);
  _cleanup_free_ char *out = json_to_string (spec, true);
  return fs_write_atomic (dfd, "config.json", out, strlen (out), 0600, err);
}

int
engine_update (struct engine *e, struct container_record *r, const json_t *changes,
               struct hk_error **err)
{
  if (engine_refresh (e, r, err) < 0)
    return -1;
  if (json_object_get (changes, "RestartPolicy") != NULL
      && json_is_true (json_object_get (r->options, "AutoRemove")))
    return hk_error_set (err, EINVAL,
                         "container %s was started with --rm: its restart policy cannot be "
                         "changed",
                         r->name);
  _cleanup_json_ json_t *options = json_deep_copy (r->options);
  json_object_update (options, (json_t *)changes);
  if (check_memory (options, changes, err) < 0)
    return hk_error_prefix (err, "update container %s", r->name);
  if (is_running (r))
    {
      _cleanup_json_ json_t *limits = changed_limits (options, changes);
      struct runtime_backend b;
      engine_backend (e, r, &b);
      if (json_object_size (limits) > 0 && backend_update (&b, r->id, limits, err) < 0)
        return hk_error_prefix (err, "update container %s", r->name);
    }
  json_decref (r->options);
  r->options = json_incref (options);
  if (rewrite_config (e, r, err) < 0)
    return hk_error_prefix (err, "update container %s", r->name);
  return container_record_set_options (e->db, r, err);
}
