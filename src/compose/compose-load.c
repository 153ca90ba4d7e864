/* SPDX-License-Identifier: Apache-2.0 */
/* The model of a project's files: each file read as YAML (anchors,
 * aliases and merge keys; aliases counted as expanded, so an alias bomb
 * stops at the reader's node limit), checked to be one mapping of the
 * spec's top-level keys, interpolated, normalised, its extends resolved;
 * then the files merged in order, the services of inactive profiles
 * dropped, and every reference between the parts checked. */
#include "compose.h"
#include "compose-interpolate.h"
#include "compose-merge.h"
#include "compose-resources.h"
#include "compose-service.h"
#include "compose-value.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "yaml/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>

/* extends chains longer than this are refused (a cycle among files) */
#define EXTENDS_MAX_DEPTH 16

static const struct yaml_limits compose_yaml_limits = {
  .max_bytes = 4 << 20,
  .max_depth = 64,
  .max_nodes = 100000,
  .max_documents = 1,
  .yaml11_booleans = false, /* yes/no stay strings, as in Docker Compose v2 */
};

static const char *const resource_kinds[] = { "networks", "volumes", "secrets", "configs", NULL };

static bool
is_service_name (const char *name)
{
  if (!isalnum ((unsigned char)name[0]))
    return false;
  for (const char *p = name; *p; p++)
    if (!isalnum ((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
      return false;
  return true;
}

static int
check_top_level (json_t *doc, struct hk_error **err)
{
  static const char *const known[]
      = { "version", "name", "services", "networks", "volumes", "secrets", "configs", NULL };
  const char *key;
  json_t *v;
  json_object_foreach (doc, key, v)
  {
    if (strncmp (key, "x-", 2) == 0 || strv_contains ((char **)known, key))
      continue;
    if (strcmp (key, "include") == 0)
      return hk_error_set (err, ENOTSUP, "include: not supported by hako compose (use -f)");
    return hk_error_set (err, EINVAL, "%s: unknown top-level key", key);
  }
  return 0;
}

/* One file's text into its normalised form (extends not yet resolved). */
static int
normalize_file (const char *name, const char *text, size_t len, const char *dir,
                char *const *env, char ***unset, json_t **out, struct hk_error **err)
{
  _cleanup_yaml_stream_ struct yaml_stream *s = NULL;
  if (yaml_read (name, text, len, &compose_yaml_limits, &s, err) < 0)
    return -1;
  json_t *doc = s->n ? s->docs[0].root : NULL;
  if (doc == NULL || json_is_null (doc))
    return hk_error_set (err, EINVAL, "%s: empty compose file", name);
  if (!json_is_object (doc))
    return compose_type_error (doc, name, "a mapping at the top", err);
  if (check_top_level (doc, err) < 0 || compose_interpolate_tree (doc, "", env, unset, err) < 0)
    return hk_error_prefix (err, "%s", name);
  struct compose_normalize_context ctx = { .dir = dir, .env = env };
  _cleanup_json_ json_t *model = json_object ();
  const char *key;
  json_t *v, *n;
  json_object_foreach (doc, key, v)
  {
    if (strcmp (key, "services") == 0 || strcmp (key, "version") == 0)
      continue;
    if (strcmp (key, "name") == 0 || strncmp (key, "x-", 2) == 0)
      {
        if (strcmp (key, "name") == 0 && !json_is_string (v))
          return hk_error_set (err, EINVAL, "%s: name: expected a string", name);
        json_object_set (model, key, v);
        continue;
      }
    if (compose_resources_normalize (key, v, &ctx, &n, err) < 0)
      return hk_error_prefix (err, "%s", name);
    json_object_set_new (model, key, n);
  }
  json_t *services = json_object_get (doc, "services");
  if (services && !json_is_object (services))
    {
      compose_type_error (services, "services", "a mapping", err);
      return hk_error_prefix (err, "%s", name);
    }
  _cleanup_json_ json_t *normal = json_object ();
  json_object_foreach (services, key, v)
  {
    _cleanup_free_ char *p = compose_path ("services", key);
    if (!is_service_name (key))
      return hk_error_set (err, EINVAL, "%s: %s: not a valid service name ([a-zA-Z0-9._-])",
                           name, p);
    if (compose_service_normalize (v, p, &ctx, &n, err) < 0)
      return hk_error_prefix (err, "%s", name);
    json_object_set_new (normal, key, n);
  }
  json_object_set (model, "services", normal);
  *out = take_ptr (model);
  return 0;
}

/* The file extends: file: names, read and normalised against its own
 * directory. */
static int
read_extended_file (const char *path, char *const *env, char ***unset, json_t **out,
                    struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_file (AT_FDCWD, path, compose_yaml_limits.max_bytes + 1, &text, &len, err) < 0)
    return -1;
  _cleanup_free_ char *copy = xstrdup (path);
  return normalize_file (path, text, len, dirname (copy), env, unset, out, err);
}

struct extends_context
{
  char *const *env;
  char ***unset;
};

/* SERVICE of FILE_MODEL with its extends resolved into *OUT. */
static int
resolve_service (const struct extends_context *x, json_t *file_model, const char *file_name,
                 const char *service, int depth, json_t **out, struct hk_error **err)
{
  json_t *svc = json_object_get (json_object_get (file_model, "services"), service);
  if (svc == NULL)
    return hk_error_set (err, ENOENT, "%s: extends: no service %s", file_name, service);
  json_t *ext = json_object_get (svc, "extends");
  if (ext == NULL)
    {
      *out = json_deep_copy (svc);
      return 0;
    }
  if (depth >= EXTENDS_MAX_DEPTH)
    return hk_error_set (err, ELOOP, "services.%s.extends: a cycle, or a chain longer than %d",
                         service, EXTENDS_MAX_DEPTH);
  const char *base_name = json_string_value (json_object_get (ext, "service"));
  const char *other = json_string_value (json_object_get (ext, "file"));
  _cleanup_json_ json_t *other_model = NULL;
  if (other && read_extended_file (other, x->env, x->unset, &other_model, err) < 0)
    return hk_error_prefix (err, "services.%s.extends", service);
  json_t *base = NULL;
  if (resolve_service (x, other ? other_model : file_model, other ? other : file_name, base_name,
                       depth + 1, &base, err)
      < 0)
    return -1;
  _cleanup_json_ json_t *own = json_deep_copy (svc);
  json_object_del (own, "extends");
  compose_merge_service (base, own);
  *out = base;
  return 0;
}

static int
resolve_extends (json_t *model, const char *file_name, char *const *env, char ***unset,
                 struct hk_error **err)
{
  struct extends_context x = { .env = env, .unset = unset };
  json_t *services = json_object_get (model, "services");
  _cleanup_json_ json_t *resolved = json_object ();
  const char *name;
  json_t *v, *r;
  json_object_foreach (services, name, v)
  {
    if (resolve_service (&x, model, file_name, name, 0, &r, err) < 0)
      return -1;
    json_object_set_new (resolved, name, r);
  }
  json_object_set (model, "services", resolved);
  return 0;
}

/* ---- profiles ---- */

static bool
service_enabled (json_t *svc, char *const *profiles)
{
  json_t *own = json_object_get (svc, "profiles");
  if (json_array_size (own) == 0)
    return true;
  size_t i;
  json_t *p;
  json_array_foreach (own, i, p)
  {
    if (strv_contains ((char **)profiles, json_string_value (p))
        || strv_contains ((char **)profiles, "*"))
      return true;
  }
  return false;
}

static void
apply_profiles (json_t *model, char *const *profiles)
{
  json_t *services = json_object_get (model, "services");
  const char *name;
  json_t *svc;
  void *tmp;
  json_object_foreach_safe (services, tmp, name, svc)
  {
    if (!service_enabled (svc, profiles))
      json_object_del (services, name);
  }
}

/* ---- references ---- */

static int
check_refs (json_t *model, json_t *svc, const char *name, struct hk_error **err)
{
  json_t *services = json_object_get (model, "services");
  const char *key;
  json_t *v;
  void *tmp;
  if (!json_object_get (svc, "image") && !json_object_get (svc, "build"))
    return hk_error_set (err, EINVAL, "services.%s: neither image nor build given", name);
  json_object_foreach_safe (json_object_get (svc, "depends_on"), tmp, key, v)
  {
    if (json_object_get (services, key))
      continue;
    if (json_is_false (json_object_get (v, "required")))
      {
        json_object_del (json_object_get (svc, "depends_on"), key);
        continue;
      }
    return hk_error_set (err, ENOENT, "services.%s.depends_on.%s: no such service (or its "
                         "profile is not active)", name, key);
  }
  json_object_foreach (json_object_get (svc, "networks"), key, v)
  {
    if (strcmp (key, "default") != 0
        && !json_object_get (json_object_get (model, "networks"), key))
      return hk_error_set (err, ENOENT, "services.%s.networks.%s: not defined in networks",
                           name, key);
  }
  const char *mode = json_string_value (json_object_get (svc, "network_mode"));
  if (mode && json_object_get (svc, "networks"))
    return hk_error_set (err, EINVAL, "services.%s: network_mode and networks exclude each other",
                         name);
  if (mode && strncmp (mode, "service:", 8) == 0 && !json_object_get (services, mode + 8))
    return hk_error_set (err, ENOENT, "services.%s.network_mode: no service %s", name, mode + 8);
  size_t i;
  json_array_foreach (json_object_get (svc, "volumes"), i, v)
  {
    const char *type = json_string_value (json_object_get (v, "type"));
    const char *source = json_string_value (json_object_get (v, "source"));
    if (strcmp (type, "volume") == 0 && source
        && !json_object_get (json_object_get (model, "volumes"), source))
      return hk_error_set (err, ENOENT,
                           "services.%s.volumes[%zu]: the volume %s is not defined in volumes",
                           name, i, source);
  }
  for (const char *const *kind = resource_kinds + 2; *kind; kind++)
    json_array_foreach (json_object_get (svc, *kind), i, v)
    {
      const char *source = json_string_value (json_object_get (v, "source"));
      if (!json_object_get (json_object_get (model, *kind), source))
        return hk_error_set (err, ENOENT, "services.%s.%s[%zu]: %s is not defined in %s", name,
                             *kind, i, source, *kind);
    }
  return 0;
}

/* ---- order ---- */

enum mark
{
  UNSEEN,
  VISITING,
  DONE,
};

struct order
{
  json_t *services;
  json_t *marks; /* name -> enum mark */
  const char **out;
  size_t n;
  char **stack; /* the path being walked, for a cycle's message */
};

static int
visit (struct order *o, const char *name, struct hk_error **err)
{
  json_int_t mark = json_integer_value (json_object_get (o->marks, name));
  if (mark == DONE)
    return 0;
  strv_append (&o->stack, name);
  if (mark == VISITING)
    {
      _cleanup_free_ char *path = strv_join (o->stack, " -> ");
      return hk_error_set (err, ELOOP, "services: a dependency cycle: %s", path);
    }
  json_object_set_new (o->marks, name, json_integer (VISITING));
  json_t *svc = json_object_get (o->services, name);
  const char *dep;
  json_t *v;
  json_object_foreach (json_object_get (svc, "depends_on"), dep, v)
  {
    if (visit (o, dep, err) < 0)
      return -1;
  }
  const char *mode = json_string_value (json_object_get (svc, "network_mode"));
  if (mode && strncmp (mode, "service:", 8) == 0 && visit (o, mode + 8, err) < 0)
    return -1;
  json_object_set_new (o->marks, name, json_integer (DONE));
  o->out[o->n++] = json_object_iter_key (json_object_iter_at (o->services, name));
  size_t last = strv_length (o->stack) - 1;
  free (o->stack[last]);
  o->stack[last] = NULL;
  return 0;
}

static int
service_order (json_t *model, const char ***out, struct hk_error **err)
{
  json_t *services = json_object_get (model, "services");
  struct order o = { .services = services, .marks = json_object () };
  o.out = xzalloc ((json_object_size (services) + 1) * sizeof *o.out);
  const char *name;
  json_t *v;
  int rc = 0;
  json_object_foreach (services, name, v)
  {
    if ((rc = visit (&o, name, err)) < 0)
      break;
  }
  json_decref (o.marks);
  strv_free (o.stack);
  if (rc < 0)
    {
      free (o.out);
      return -1;
    }
  *out = o.out;
  return 0;
}

const char **
compose_service_order (json_t *model)
{
  const char **order = NULL;
  struct hk_error *ignored = NULL;
  if (service_order (model, &order, &ignored) < 0)
    hk_error_free (ignored); /* checked at load: cannot happen */
  return order;
}

static int
check_model (json_t *model, struct hk_error **err)
{
  const char *name;
  json_t *svc;
  json_object_foreach (json_object_get (model, "services"), name, svc)
  {
    if (check_refs (model, svc, name, err) < 0)
      return -1;
  }
  _cleanup_free_ const char **order = NULL;
  return service_order (model, &order, err);
}

int
compose_model_load (char *const *names, char *const *texts, const size_t *lens, size_t n,
                    const char *dir, char *const *env, char *const *profiles, char ***unset,
                    json_t **out, struct hk_error **err)
{
  _cleanup_json_ json_t *model = NULL;
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_json_ json_t *file = NULL;
      if (normalize_file (names[i], texts[i], lens[i], dir, env, unset, &file, err) < 0
          || resolve_extends (file, names[i], env, unset, err) < 0)
        return -1;
      if (model == NULL)
        model = json_incref (file);
      else
        compose_merge_project (model, file);
    }
  if (model == NULL)
    return hk_error_set (err, EINVAL, "no compose file");
  if (json_object_get (model, "services") == NULL)
    json_object_set_new (model, "services", json_object ());
  apply_profiles (model, profiles);
  if (check_model (model, err) < 0)
    return -1;
  *out = take_ptr (model);
  return 0;
}
