/* SPDX-License-Identifier: Apache-2.0 */
/* A project's containers, found by their labels; the services a command
 * names, with what they depend on. */
#include "compose-container.h"
#include "compose-engine.h"
#include "compose-refs.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
by_service_and_number (const void *a, const void *b)
{
  const struct ctr_record *x = *(struct ctr_record *const *)a;
  const struct ctr_record *y = *(struct ctr_record *const *)b;
  int c = strcmp (config_map_get (&x->config.labels, COMPOSE_LABEL_SERVICE),
                  config_map_get (&y->config.labels, COMPOSE_LABEL_SERVICE));
  if (c != 0)
    return c;
  const char *nx = config_map_get (&x->config.labels, COMPOSE_LABEL_NUMBER);
  const char *ny = config_map_get (&y->config.labels, COMPOSE_LABEL_NUMBER);
  int d = atoi (nx ? nx : "0") - atoi (ny ? ny : "0");
  return d != 0 ? d : strcmp (x->name, y->name);
}

static bool
belongs (const struct ctr_record *r, const char *project, char *const *services, bool oneoff)
{
  const struct config_map *l = &r->config.labels;
  const char *p = config_map_get (l, COMPOSE_LABEL_PROJECT);
  const char *s = config_map_get (l, COMPOSE_LABEL_SERVICE);
  const char *o = config_map_get (l, COMPOSE_LABEL_ONEOFF);
  if (p == NULL || s == NULL || strcmp (p, project) != 0)
    return false;
  if (!oneoff && o && strcmp (o, "True") == 0)
    return false;
  return services == NULL || strv_contains ((char **)services, s);
}

int
compose_containers (struct engine *e, const char *project, char *const *services, bool oneoff,
                    struct ctr_record ***out, size_t *n, struct hk_error **err)
{
  struct ctr_record **all = NULL;
  size_t n_all = 0;
  if (ctr_record_list (e->db, &all, &n_all, err) < 0)
    return -1;
  struct ctr_record **mine = xzalloc ((n_all + 1) * sizeof *mine);
  size_t k = 0;
  for (size_t i = 0; i < n_all; i++)
    {
      if (!belongs (all[i], project, services, oneoff))
        {
          ctr_record_free (all[i]);
          continue;
        }
      struct hk_error *why = NULL;
      if (engine_refresh (e, all[i], &why) < 0)
        {
          hk_warn (e->log, "container %s: %s", all[i]->name, why->message);
          hk_error_free (why);
        }
      mine[k++] = all[i];
    }
  free (all);
  qsort (mine, k, sizeof *mine, by_service_and_number);
  *out = mine;
  *n = k;
  return 0;
}

static void
add_with_deps (json_t *services, const char *name, bool no_deps, char ***out)
{
  if (strv_contains (*out, name))
    return;
  strv_append (out, name);
  if (no_deps)
    return;
  json_t *svc = json_object_get (services, name);
  const char *dep;
  json_t *v;
  json_object_foreach (json_object_get (svc, "depends_on"), dep, v)
  {
    add_with_deps (services, dep, false, out);
  }
  _cleanup_strv_ char **refs = compose_service_refs (svc);
  for (char **ref = refs; *ref; ref++)
    add_with_deps (services, *ref, false, out);
}

int
compose_selected (const struct compose_project *p, char *const *services, bool no_deps,
                  char ***out, struct hk_error **err)
{
  json_t *all = json_object_get (p->model, "services");
  _cleanup_strv_ char **selected = NULL;
  const char *name;
  json_t *svc;
  if (services == NULL)
    json_object_foreach (all, name, svc)
    {
      strv_append (&selected, name);
    }
  for (char *const *s = services; s && *s; s++)
    {
      if (json_object_get (all, *s) == NULL)
        return hk_error_set (err, ENOENT, "no such service: %s", *s);
      add_with_deps (all, *s, no_deps, &selected);
    }
  *out = take_ptr (selected);
  return 0;
}
