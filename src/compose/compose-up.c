/* SPDX-License-Identifier: Apache-2.0 */
/* up: the project's networks and volumes, then its services in
 * dependency order.  Before a service's containers are made, each of its
 * dependencies meets its condition: started, healthy (its health check,
 * run by its monitor, says so), or exited 0.  A container whose
 * config-hash label equals the service's hash is kept (started if it is
 * not running); one whose hash differs is replaced. */
#include "compose-container.h"
#include "compose-engine.h"
#include "compose-files.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/network.h"
#include "engine/volume.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* how long a dependency may take to become healthy or to exit */
#define CONDITION_TIMEOUT_S 600

static json_t *
resource_labels (const struct compose_project *p, const char *label, const char *key,
                 json_t *def)
{
  json_t *labels = json_deep_copy (json_object_get (def, "labels"));
  if (labels == NULL)
    labels = json_object ();
  json_object_set_new (labels, COMPOSE_LABEL_PROJECT, json_string (p->name));
  json_object_set_new (labels, label, json_string (key));
  return labels;
}

/* What the engine cannot make of network KEY: an error naming it. */
static int
check_network (const char *key, json_t *def, struct hk_error **err)
{
  const char *driver = json_string_value (json_object_get (def, "driver"));
  if (driver && strcmp (driver, "bridge") != 0)
    return hk_error_set (err, ENOTSUP, "networks.%s.driver: %s is not supported (bridge only)",
                         key, driver);
  if (json_is_true (json_object_get (def, "enable_ipv6")))
    return hk_error_set (err, ENOTSUP, "networks.%s.enable_ipv6: not supported by hako compose",
                         key);
  json_t *ipam_configs = json_object_get (json_object_get (def, "ipam"), "config");
  json_t *ipam = json_array_get (ipam_configs, 0);
  if (json_array_size (ipam_configs) > 1 || json_object_get (ipam, "ip_range")
      || json_object_get (ipam, "aux_addresses"))
    return hk_error_set (err, ENOTSUP, "networks.%s.ipam.config: one subnet and gateway only "
                         "(no ip_range, no aux_addresses)", key);
  return 0;
}

static int
make_network (struct engine *e, const struct compose_project *p, const char *key, json_t *def,
              FILE *out, struct hk_error **err)
{
  const char *name = json_string_value (json_object_get (def, "name"));
  _cleanup_network_ struct network *n = NULL;
  struct hk_error *why = NULL;
  if (network_get (e, name, &n, &why) == 0)
    return 0;
  if (json_is_true (json_object_get (def, "external")))
    {
      hk_error_prefix (&why, "networks.%s: external network %s", key, name);
      *err = why;
      return -1;
    }
  hk_error_free (why);
  if (check_network (key, def, err) < 0)
    return -1;
  json_t *ipam = json_array_get (json_object_get (json_object_get (def, "ipam"), "config"), 0);
  _cleanup_json_ json_t *labels = resource_labels (p, COMPOSE_LABEL_NETWORK, key, def);
  struct network_request req = {
    .name = name,
    .subnet = json_string_value (json_object_get (ipam, "subnet")),
    .gateway = json_string_value (json_object_get (ipam, "gateway")),
    .internal = json_is_true (json_object_get (def, "internal")),
    .labels = labels,
    .options = json_object_get (def, "driver_opts"),
  };
  if (network_create (e, &req, &n, err) < 0)
    return hk_error_prefix (err, "networks.%s", key);
  fprintf (out, " Network %s  Created\n", name);
  return 0;
}

int
compose_make_networks (struct engine *e, const struct compose_project *p, FILE *out,
                       struct hk_error **err)
{
  const char *key;
  json_t *def;
  json_object_foreach (json_object_get (p->model, "networks"), key, def)
  {
    if (make_network (e, p, key, def, out, err) < 0)
      return -1;
  }
  return 0;
}

int
compose_make_volumes (struct engine *e, const struct compose_project *p, FILE *out,
                      struct hk_error **err)
{
  const char *key;
  json_t *def;
  json_object_foreach (json_object_get (p->model, "volumes"), key, def)
  {
    const char *name = json_string_value (json_object_get (def, "name"));
    struct volume *v = NULL;
    struct hk_error *why = NULL;
    if (volume_get (e->db, e->root, name, &v, &why) == 0)
      {
        volume_free (v);
        continue;
      }
    if (json_is_true (json_object_get (def, "external")))
      {
        hk_error_prefix (&why, "volumes.%s: external volume %s", key, name);
        *err = why;
        return -1;
      }
    hk_error_free (why);
    const char *driver = json_string_value (json_object_get (def, "driver"));
    if ((driver && strcmp (driver, "local") != 0) || json_object_size (json_object_get (def, "driver_opts")))
      return hk_error_set (err, ENOTSUP, "volumes.%s: only the local driver without options is "
                           "supported", key);
    _cleanup_json_ json_t *labels = resource_labels (p, COMPOSE_LABEL_VOLUME, key, def);
    if (volume_create (e->db, e->root, name, labels, &v, err) < 0)
      return hk_error_prefix (err, "volumes.%s", key);
    volume_free (v);
    fprintf (out, " Volume %s  Created\n", name);
  }
  return 0;
}

/* ---- conditions ---- */

static void
sleep_ms (long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* 1 when R is healthy, 0 not yet, -1 (with *ERR) when it will not be. */
static int
healthy (struct engine *e, const char *dep, struct ctr_record *r, struct hk_error **err)
{
  if (!ctr_config_has_health (&r->config))
    return hk_error_set (err, EINVAL, "service %s has no health check: it cannot become "
                         "service_healthy", dep);
  if (strcmp (r->state, "running") != 0)
    return hk_error_set (err, EIO, "dependency failed to start: container %s is %s", r->name,
                         r->state);
  _cleanup_json_ json_t *h = engine_health (e, r);
  const char *status = json_string_value (json_object_get (h, "Status"));
  if (status && strcmp (status, "healthy") == 0)
    return 1;
  if (status && strcmp (status, "unhealthy") == 0)
    return hk_error_set (err, EIO, "dependency failed to start: container %s is unhealthy",
                         r->name);
  return 0;
}

/* 1 when R exited 0, 0 not yet, -1 when it exited otherwise. */
static int
completed (const char *dep, struct ctr_record *r, struct hk_error **err)
{
  if (strcmp (r->state, "exited") != 0)
    return 0;
  if (r->exit_code != 0)
    return hk_error_set (err, EIO, "service %s didn't complete successfully: exit %d", dep,
                         r->exit_code);
  return 1;
}

int
compose_wait_condition (struct engine *e, const struct compose_project *p, const char *dep,
                        const char *condition, struct hk_error **err)
{
  if (strcmp (condition, "service_started") == 0)
    return 0;
  bool want_healthy = strcmp (condition, "service_healthy") == 0;
  char *services[] = { (char *)dep, NULL };
  time_t deadline = time (NULL) + CONDITION_TIMEOUT_S;
  for (;;)
    {
      struct ctr_record **list = NULL;
      size_t n = 0;
      if (compose_containers (e, p->name, services, false, &list, &n, err) < 0)
        return -1;
      int done = n > 0 ? 1 : 0, rc = 0;
      for (size_t i = 0; i < n && rc >= 0; i++)
        {
          rc = want_healthy ? healthy (e, dep, list[i], err) : completed (dep, list[i], err);
          if (rc == 0)
            done = 0;
        }
      ctr_record_list_free (list, n);
      if (rc < 0)
        return -1;
      if (done)
        return 0;
      if (n == 0)
        return hk_error_set (err, ENOENT, "service %s has no container", dep);
      if (time (NULL) > deadline)
        return hk_error_set (err, ETIMEDOUT, "service %s: not %s after %d s", dep,
                             want_healthy ? "healthy" : "completed", CONDITION_TIMEOUT_S);
      sleep_ms (200);
    }
}

/* ---- containers ---- */

struct service_up
{
  struct engine *e;
  const struct compose_project *p;
  const struct compose_up_options *o;
  FILE *out;
  const char *name;
  json_t *svc;
  char *hash;
};

static int
replicas (const struct service_up *s, int *out, struct hk_error **err)
{
  json_t *scale = json_object_get (s->o->scale, s->name);
  json_t *deploy = json_object_get (json_object_get (s->svc, "deploy"), "replicas");
  json_int_t n = scale ? json_integer_value (scale) : deploy ? json_integer_value (deploy) : 1;
  if (n < 0 || n > COMPOSE_MAX_REPLICAS)
    return hk_error_set (err, ERANGE, "services.%s: %lld replicas: at most %d", s->name,
                         (long long)n, COMPOSE_MAX_REPLICAS);
  if (n > 1 && json_object_get (s->svc, "container_name"))
    return hk_error_set (err, EINVAL, "services.%s: container_name is set: it cannot have %lld "
                         "replicas", s->name, (long long)n);
  *out = (int)n;
  return 0;
}

static int
create_one (const struct service_up *s, int number, const char *verb, struct hk_error **err)
{
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  _cleanup_free_ char *name = compose_container_name (s->p, s->name, s->svc, number);
  _cleanup_free_ char *image = compose_image_name (s->p, s->name, s->svc);
  _cleanup_record_ struct ctr_record *r = NULL;
  if (compose_container_config (s->p, s->name, s->svc, number, false, &c, err) < 0)
    return -1;
  if (engine_create (s->e, image, &c, name, &r, err) < 0)
    return hk_error_prefix (err, "service %s", s->name);
  fprintf (s->out, " Container %s  %s\n", name, verb);
  if (s->o->no_start)
    return 0;
  if (engine_start (s->e, r, 0, err) < 0)
    return hk_error_prefix (err, "service %s: container %s", s->name, name);
  fprintf (s->out, " Container %s  Started\n", name);
  return 0;
}

static int
remove_container (struct engine *e, struct ctr_record *r, FILE *out, const char *verb,
                  struct hk_error **err)
{
  if ((strcmp (r->state, "running") == 0 || strcmp (r->state, "paused") == 0)
      && engine_stop (e, r, -1, err) < 0)
    return -1;
  if (engine_remove (e, r, true, false, err) < 0)
    return -1;
  if (verb)
    fprintf (out, " Container %s  %s\n", r->name, verb);
  return 0;
}

/* An existing container N of the service: kept (and started), or
 * replaced. */
static int
update_one (const struct service_up *s, struct ctr_record *r, int number, struct hk_error **err)
{
  const char *hash = config_map_get (&r->config.labels, COMPOSE_LABEL_HASH);
  bool same = hash && strcmp (hash, s->hash) == 0;
  if (s->o->no_recreate || (same && !s->o->force_recreate))
    {
      if (strcmp (r->state, "running") == 0 || s->o->no_start)
        {
          fprintf (s->out, " Container %s  Running\n", r->name);
          return 0;
        }
      if (engine_start (s->e, r, 0, err) < 0)
        return hk_error_prefix (err, "service %s: container %s", s->name, r->name);
      fprintf (s->out, " Container %s  Started\n", r->name);
      return 0;
    }
  if (remove_container (s->e, r, s->out, NULL, err) < 0)
    return hk_error_prefix (err, "service %s: recreate %s", s->name, r->name);
  return create_one (s, number, "Recreated", err);
}

static int
service_up (struct service_up *s, struct hk_error **err)
{
  const char *dep;
  json_t *d;
  json_object_foreach (json_object_get (s->svc, "depends_on"), dep, d)
  {
    const char *condition = json_string_value (json_object_get (d, "condition"));
    if (compose_wait_condition (s->e, s->p, dep, condition, err) < 0)
      return hk_error_prefix (err, "service %s", s->name);
  }
  int n;
  if (replicas (s, &n, err) < 0
      || compose_ensure_image (s->e, s->p, s->name, s->svc, false, s->out, err) < 0)
    return -1;
  char *services[] = { (char *)s->name, NULL };
  struct ctr_record **list = NULL;
  size_t have = 0;
  if (compose_containers (s->e, s->p->name, services, false, &list, &have, err) < 0)
    return -1;
  int rc = 0;
  bool *done = xzalloc ((size_t)n + 1);
  for (size_t i = 0; i < have && rc == 0; i++)
    {
      const char *label = config_map_get (&list[i]->config.labels, COMPOSE_LABEL_NUMBER);
      int number = label ? atoi (label) : 0;
      if (number >= 1 && number <= n && !done[number - 1])
        {
          done[number - 1] = true;
          rc = update_one (s, list[i], number, err);
        }
      else
        rc = remove_container (s->e, list[i], s->out, "Removed", err);
    }
  for (int i = 0; i < n && rc == 0; i++)
    if (!done[i])
      rc = create_one (s, i + 1, "Created", err);
  free (done);
  ctr_record_list_free (list, have);
  return rc;
}

static int
handle_orphans (struct engine *e, const struct compose_project *p, bool remove, FILE *out,
                struct hk_error **err)
{
  struct ctr_record **list = NULL;
  size_t n = 0;
  if (compose_containers (e, p->name, NULL, false, &list, &n, err) < 0)
    return -1;
  json_t *services = json_object_get (p->model, "services");
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    {
      const char *svc = config_map_get (&list[i]->config.labels, COMPOSE_LABEL_SERVICE);
      if (json_object_get (services, svc))
        continue;
      if (remove)
        rc = remove_container (e, list[i], out, "Removed", err);
      else
        hk_warn (e->log, "Found orphan container %s (service %s) for this project; remove it "
                         "with --remove-orphans",
                 list[i]->name, svc);
    }
  ctr_record_list_free (list, n);
  return rc;
}

/* --wait: every container running, and healthy when it has a check. */
static int
wait_running (struct engine *e, const struct compose_project *p, char *const *selected,
              struct hk_error **err)
{
  for (char *const *s = selected; *s; s++)
    {
      json_t *svc = json_object_get (json_object_get (p->model, "services"), *s);
      json_t *h = json_object_get (svc, "healthcheck");
      if (h && !json_is_true (json_object_get (h, "disable"))
          && compose_wait_condition (e, p, *s, "service_healthy", err) < 0)
        return -1;
    }
  return 0;
}

/* Everything up would refuse, refused before anything is made: the
 * networks the engine cannot make, each selected service's container
 * settings and replicas. */
static int
check_all (const struct compose_project *p, const struct compose_up_options *o,
           char *const *selected, struct hk_error **err)
{
  const char *key;
  json_t *def;
  json_object_foreach (json_object_get (p->model, "networks"), key, def)
  {
    if (!json_is_true (json_object_get (def, "external")) && check_network (key, def, err) < 0)
      return -1;
  }
  for (char *const *s = selected; *s; s++)
    {
      struct service_up su = { .p = p, .o = o, .name = *s,
                               .svc = json_object_get (json_object_get (p->model, "services"), *s) };
      _cleanup_ctr_config_ struct ctr_config c;
      ctr_config_init (&c);
      int n;
      if (replicas (&su, &n, err) < 0
          || compose_container_config (p, *s, su.svc, 1, false, &c, err) < 0)
        return -1;
    }
  return 0;
}

int
compose_up (struct engine *e, const struct compose_project *p,
            const struct compose_up_options *o, FILE *out, struct hk_error **err)
{
  _cleanup_strv_ char **selected = NULL;
  if (compose_selected (p, o->services, o->no_deps, &selected, err) < 0)
    return -1;
  const char *name;
  json_t *v;
  json_object_foreach (o->scale, name, v)
  {
    if (!json_object_get (json_object_get (p->model, "services"), name))
      return hk_error_set (err, ENOENT, "--scale: no such service: %s", name);
  }
  if (check_all (p, o, selected, err) < 0 || compose_write_file_objects (p, err) < 0
      || compose_make_networks (e, p, out, err) < 0
      || compose_make_volumes (e, p, out, err) < 0
      || handle_orphans (e, p, o->remove_orphans, out, err) < 0)
    return -1;
  _cleanup_free_ const char **order = compose_service_order (p->model);
  for (const char **s = order; *s; s++)
    {
      if (!strv_contains (selected, *s))
        continue;
      struct service_up su = { .e = e, .p = p, .o = o, .out = out, .name = *s,
                               .svc = json_object_get (json_object_get (p->model, "services"), *s) };
      su.hash = compose_config_hash (json_object_get (p->model, "services"), su.svc);
      int rc = service_up (&su, err);
      free (su.hash);
      if (rc < 0)
        return -1;
    }
  if (o->wait && wait_running (e, p, selected, err) < 0)
    return -1;
  return 0;
}
