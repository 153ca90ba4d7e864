/* SPDX-License-Identifier: Apache-2.0 */
/* down: every container of the project (one-off ones too) stopped and
 * removed, then the networks it made, and with -v its volumes.  Each
 * step runs even when an earlier one failed, so that a down after a
 * failed up removes all that can be removed. */
#include "compose-container.h"
#include "compose-engine.h"
#include "compose-files.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "engine/network.h"
#include "engine/volume.h"

#include <errno.h>
#include <string.h>

/* Keeps the first error in *ERR, frees the others. */
static void
keep_first (struct hk_error **err, struct hk_error *e, int *rc)
{
  if (e == NULL)
    return;
  if (*rc == 0)
    *err = e;
  else
    hk_error_free (e);
  *rc = -1;
}

static void
remove_containers (struct engine *e, const struct compose_project *p,
                   const struct compose_down_options *o, FILE *out, struct hk_error **err,
                   int *rc)
{
  struct ctr_record **list = NULL;
  size_t n = 0;
  struct hk_error *why = NULL;
  if (compose_containers (e, p->name, NULL, true, &list, &n, &why) < 0)
    return keep_first (err, why, rc);
  json_t *services = json_object_get (p->model, "services");
  for (size_t i = 0; i < n; i++)
    {
      struct ctr_record *r = list[i];
      const char *svc = config_map_get (&r->config.labels, COMPOSE_LABEL_SERVICE);
      if (!json_object_get (services, svc) && !o->remove_orphans)
        {
          hk_warn (e->log, "Found orphan container %s (service %s) for this project; remove it "
                           "with --remove-orphans", r->name, svc);
          continue;
        }
      bool running = strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0;
      if (running && engine_stop (e, r, o->timeout, &why) < 0)
        hk_error_prefix (&why, "stop %s", r->name);
      else if (engine_remove (e, r, true, o->volumes, &why) == 0)
        fprintf (out, " Container %s  Removed\n", r->name);
      keep_first (err, why, rc);
      why = NULL;
    }
  ctr_record_list_free (list, n);
}

static void
remove_networks (struct engine *e, const struct compose_project *p, FILE *out,
                 struct hk_error **err, int *rc)
{
  const char *key;
  json_t *def;
  json_object_foreach (json_object_get (p->model, "networks"), key, def)
  {
    if (json_is_true (json_object_get (def, "external")))
      continue;
    const char *name = json_string_value (json_object_get (def, "name"));
    _cleanup_network_ struct network *n = NULL;
    struct hk_error *why = NULL;
    if (network_get (e, name, &n, &why) < 0)
      {
        hk_error_free (why); /* not there: nothing to do */
        continue;
      }
    if (network_remove (e, name, &why) == 0)
      fprintf (out, " Network %s  Removed\n", name);
    keep_first (err, why, rc);
  }
}

static void
remove_volumes (struct engine *e, const struct compose_project *p, FILE *out,
                struct hk_error **err, int *rc)
{
  const char *key;
  json_t *def;
  json_object_foreach (json_object_get (p->model, "volumes"), key, def)
  {
    if (json_is_true (json_object_get (def, "external")))
      continue;
    const char *name = json_string_value (json_object_get (def, "name"));
    struct volume *v = NULL;
    struct hk_error *why = NULL;
    if (volume_get (e->db, e->root, name, &v, &why) < 0)
      {
        hk_error_free (why);
        continue;
      }
    volume_free (v);
    if (volume_remove (e->db, e->root, name, &why) == 0)
      fprintf (out, " Volume %s  Removed\n", name);
    keep_first (err, why, rc);
  }
}

int
compose_down (struct engine *e, const struct compose_project *p,
              const struct compose_down_options *o, FILE *out, struct hk_error **err)
{
  int rc = 0;
  remove_containers (e, p, o, out, err, &rc);
  struct hk_error *why = NULL;
  compose_remove_file_objects (p, &why);
  keep_first (err, why, &rc);
  remove_networks (e, p, out, err, &rc);
  if (o->volumes)
    remove_volumes (e, p, out, err, &rc);
  if (o->rmi != COMPOSE_RMI_NONE
      && compose_remove_images (e, p, o->rmi == COMPOSE_RMI_ALL, out, &why) < 0)
    keep_first (err, why, &rc);
  return rc;
}
