/* SPDX-License-Identifier: Apache-2.0 */
#include "engine-events.h"
#include "common/cleanup.h"
#include "common/event-log.h"
#include "random-id.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <stdio.h>

void
engine_event (const struct engine *e, const struct ctr_record *r, const char *action,
              const char *key, const char *value)
{
  _cleanup_json_ json_t *attrs
      = json_pack ("{s:s, s:s}", "name", r->name, "image", r->image_name ? r->image_name : "");
  for (size_t i = 0; i < r->config.labels.n; i++)
    json_object_set_new (attrs, r->config.labels.keys[i], json_string (r->config.labels.values[i]));
  if (key != NULL)
    json_object_set_new (attrs, key, json_string (value));
  event_log_emit_json (e->root, e->log, "container", action, r->id, attrs);
}

void
engine_event_int (const struct engine *e, const struct ctr_record *r, const char *action,
                  const char *key, int value)
{
  char text[24];
  snprintf (text, sizeof text, "%d", value);
  engine_event (e, r, action, key, text);
}

char *
engine_event_exec (const struct engine *e, const struct ctr_record *r, char *const *args)
{
  char *exec_id = random_id ();
  _cleanup_free_ char *command = strv_join (args, " ");
  _cleanup_free_ char *created = xasprintf ("exec_create: %s", command);
  _cleanup_free_ char *started = xasprintf ("exec_start: %s", command);
  engine_event (e, r, created, "execID", exec_id);
  engine_event (e, r, started, "execID", exec_id);
  return exec_id;
}

void
engine_event_exec_die (const struct engine *e, const struct ctr_record *r, const char *exec_id,
                       int code)
{
  char text[24];
  snprintf (text, sizeof text, "%d", code);
  _cleanup_json_ json_t *attrs = json_pack ("{s:s, s:s, s:s, s:s}", "name", r->name, "image",
                                            r->image_name ? r->image_name : "", "execID", exec_id,
                                            "exitCode", text);
  event_log_emit_json (e->root, e->log, "container", "exec_die", r->id, attrs);
}

void
engine_event_volume_mounts (const struct engine *e, const struct ctr_record *r)
{
  for (size_t i = 0; i < r->config.n_mount_points; i++)
    {
      const struct config_mount_point *m = &r->config.mount_points[i];
      if (m->type != CONFIG_MOUNT_VOLUME)
        continue;
      const char *attrs[] = { "container", r->id, "destination", m->destination,
                              "read/write", m->rw ? "true" : "false", "driver", "local", NULL };
      event_log_emit (e->root, e->log, "volume", "mount", m->name, attrs);
    }
}

void
engine_event_object (const struct engine *e, const char *type, const char *action,
                     const char *id, const char *name, const char *key, const char *value)
{
  const char *attrs[] = { "name", name ? name : "", key, value, NULL };
  event_log_emit (e->root, e->log, type, action, id, attrs);
}
