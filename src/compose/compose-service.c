/* SPDX-License-Identifier: Apache-2.0 */
/* A table of the service keys the Compose Specification defines, each
 * with the function that checks its value and writes its normal form. */
#include "compose-fields.h"
#include "compose-paths.h"
#include "compose-value.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- generic fields ---- */

int
compose_field_string (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
          struct hk_error **err)
{
  (void)ctx;
  return compose_value_string (v, path, out, err);
}

int
compose_field_bool (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
        struct hk_error **err)
{
  (void)ctx;
  return compose_value_bool (v, path, out, err);
}

int
compose_field_strings (json_t *v, const char *path, const struct compose_normalize_context *ctx,
           json_t **out, struct hk_error **err)
{
  (void)ctx;
  return compose_value_strings (v, path, false, out, err);
}

static int
f_string_or_strings (json_t *v, const char *path, const struct compose_normalize_context *ctx,
                     json_t **out, struct hk_error **err)
{
  (void)ctx;
  return compose_value_strings (v, path, true, out, err);
}

int
compose_field_map (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
       struct hk_error **err)
{
  (void)ctx;
  return compose_value_map (v, path, '=', out, err);
}

static int
f_command (json_t *v, const char *path, const struct compose_normalize_context *ctx,
           json_t **out, struct hk_error **err)
{
  (void)ctx;
  return compose_value_command (v, path, out, err);
}

static int
f_duration (json_t *v, const char *path, const struct compose_normalize_context *ctx,
            json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  int64_t ns;
  if (config_parse_duration_ns (json_string_value (*out), path, &ns, err) < 0)
    {
      json_decref (*out);
      return -1;
    }
  return 0;
}

int
compose_normalize_object (json_t *obj, const char *path, const struct compose_field *fields,
                  const struct compose_normalize_context *ctx, json_t **out,
                  struct hk_error **err)
{
  if (!json_is_object (obj))
    return compose_type_error (obj, path, "a mapping", err);
  _cleanup_json_ json_t *result = json_object ();
  const char *key;
  json_t *v;
  json_object_foreach (obj, key, v)
  {
    _cleanup_free_ char *p = compose_path (path, key);
    if (strncmp (key, "x-", 2) == 0)
      {
        json_object_set (result, key, v);
        continue;
      }
    const struct compose_field *f = fields;
    while (f->key && strcmp (f->key, key) != 0)
      f++;
    if (f->key == NULL)
      return hk_error_set (err, EINVAL, "%s: unknown key", p);
    if (json_is_null (v))
      continue; /* unset, as if absent */
    json_t *n = NULL;
    if (f->normalize (v, p, ctx, &n, err) < 0)
      return -1;
    json_object_set_new (result, key, n);
  }
  *out = take_ptr (result);
  return 0;
}

/* ---- build ---- */

static const struct compose_field build_fields[] = {
  { "context", compose_field_string }, { "dockerfile", compose_field_string }, { "args", compose_field_map },
  { "target", compose_field_string },  { "labels", compose_field_map },        { "network", compose_field_string },
  { "cache_from", compose_field_strings }, { "no_cache", compose_field_bool }, { "pull", compose_field_bool },
  { NULL, NULL },
};

static int
f_build (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
         struct hk_error **err)
{
  _cleanup_json_ json_t *b = NULL;
  if (json_is_string (v))
    b = json_pack ("{sO}", "context", v);
  else if (compose_normalize_object (v, path, build_fields, ctx, &b, err) < 0)
    return -1;
  const char *context = json_string_value (json_object_get (b, "context"));
  _cleanup_free_ char *abs = compose_absolute_path (ctx, context ? context : ".");
  json_object_set_new (b, "context", json_string (abs));
  if (json_object_get (b, "dockerfile") == NULL)
    json_object_set_new (b, "dockerfile", json_string ("Dockerfile"));
  *out = take_ptr (b);
  return 0;
}

/* ---- healthcheck ---- */

static int
f_health_test (json_t *v, const char *path, const struct compose_normalize_context *ctx,
               json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (json_is_string (v))
    {
      *out = json_pack ("[sO]", "CMD-SHELL", v);
      return 0;
    }
  if (compose_value_strings (v, path, false, out, err) < 0)
    return -1;
  const char *first = json_string_value (json_array_get (*out, 0));
  if (first == NULL
      || (strcmp (first, "CMD") != 0 && strcmp (first, "CMD-SHELL") != 0
          && strcmp (first, "NONE") != 0))
    {
      json_decref (*out);
      return hk_error_set (err, EINVAL, "%s: a list must start with CMD, CMD-SHELL or NONE",
                           path);
    }
  return 0;
}

static int
f_retries (json_t *v, const char *path, const struct compose_normalize_context *ctx,
           json_t **out, struct hk_error **err)
{
  (void)ctx;
  return compose_value_int (v, path, 0, 1000000, out, err);
}

static const struct compose_field health_fields[] = {
  { "test", f_health_test },       { "interval", f_duration }, { "timeout", f_duration },
  { "start_period", f_duration },  { "start_interval", f_duration },
  { "retries", f_retries },        { "disable", compose_field_bool },      { NULL, NULL },
};

static int
f_healthcheck (json_t *v, const char *path, const struct compose_normalize_context *ctx,
               json_t **out, struct hk_error **err)
{
  return compose_normalize_object (v, path, health_fields, ctx, out, err);
}

/* ---- deploy ---- */

static int
f_replicas (json_t *v, const char *path, const struct compose_normalize_context *ctx,
            json_t **out, struct hk_error **err)
{
  (void)ctx;
  return compose_value_int (v, path, 0, 1000, out, err);
}

static int
f_cpus (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
        struct hk_error **err)
{
  (void)ctx;
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  char *end;
  double d = strtod (json_string_value (*out), &end);
  if (*end != '\0' || !(d >= 0) || d > 1024)
    {
      _cleanup_free_ char *text = xstrdup (json_string_value (*out));
      json_decref (*out);
      return hk_error_set (err, EINVAL, "%s: \"%s\" is not a number of CPUs", path, text);
    }
  return 0;
}

/* shm_size: a size above 0, without memory's 6 MB minimum (Docker's
 * --shm-size has none). */
static int
f_shm_size (json_t *v, const char *path, const struct compose_normalize_context *ctx,
            json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  struct ctr_config c;
  ctr_config_init (&c);
  int rc = config_parse_shm_size (&c, json_string_value (*out), err);
  json_decref (*out);
  if (rc < 0)
    return hk_error_prefix (err, "%s", path);
  *out = json_integer (c.shm_size);
  return 0;
}

static int
f_memory (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
          struct hk_error **err)
{
  (void)ctx;
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  int64_t bytes;
  if (config_parse_memory (json_string_value (*out), path, false, &bytes, err) < 0)
    {
      json_decref (*out);
      return -1;
    }
  json_decref (*out);
  *out = json_integer (bytes);
  return 0;
}

static int
f_pids (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
        struct hk_error **err)
{
  (void)ctx;
  return compose_value_int (v, path, -1, INT32_MAX, out, err);
}

static const struct compose_field resource_fields[] = {
  { "cpus", f_cpus }, { "memory", f_memory }, { "pids", f_pids }, { NULL, NULL },
};

static int
f_resource (json_t *v, const char *path, const struct compose_normalize_context *ctx,
            json_t **out, struct hk_error **err)
{
  return compose_normalize_object (v, path, resource_fields, ctx, out, err);
}

static const struct compose_field resources_fields[] = {
  { "limits", f_resource }, { "reservations", f_resource }, { NULL, NULL },
};

static int
f_resources (json_t *v, const char *path, const struct compose_normalize_context *ctx,
             json_t **out, struct hk_error **err)
{
  return compose_normalize_object (v, path, resources_fields, ctx, out, err);
}

static int
f_restart_condition (json_t *v, const char *path, const struct compose_normalize_context *ctx,
                     json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  const char *c = json_string_value (*out);
  if (strcmp (c, "none") == 0 || strcmp (c, "on-failure") == 0 || strcmp (c, "any") == 0)
    return 0;
  _cleanup_free_ char *text = xstrdup (c);
  json_decref (*out);
  return hk_error_set (err, EINVAL, "%s: \"%s\" is not none, on-failure or any", path, text);
}

static const struct compose_field restart_policy_fields[] = {
  { "condition", f_restart_condition }, { "max_attempts", f_replicas },
  { "delay", f_duration },              { "window", f_duration },
  { NULL, NULL },
};

static int
f_restart_policy (json_t *v, const char *path, const struct compose_normalize_context *ctx,
                  json_t **out, struct hk_error **err)
{
  return compose_normalize_object (v, path, restart_policy_fields, ctx, out, err);
}

static const struct compose_field deploy_fields[] = {
  { "replicas", f_replicas }, { "resources", f_resources },
  { "restart_policy", f_restart_policy }, { "labels", compose_field_map },
  { "mode", compose_field_string }, { NULL, NULL },
};

static int
f_deploy (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
          struct hk_error **err)
{
  return compose_normalize_object (v, path, deploy_fields, ctx, out, err);
}

/* ---- restart, ports, expose ---- */

static int
f_restart (json_t *v, const char *path, const struct compose_normalize_context *ctx,
           json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  if (config_parse_restart (&c, json_string_value (*out), err) < 0)
    {
      json_decref (*out);
      return hk_error_prefix (err, "%s", path);
    }
  return 0;
}

/* "8000-8002" into FIRST and COUNT. */
static void
port_range (const char *text, long *first, long *count)
{
  char *end;
  *first = strtol (text, &end, 10);
  long last = *end == '-' ? strtol (end + 1, NULL, 10) : *first;
  *count = last - *first + 1;
}

/* A short port ("127.0.0.1:8080:80/udp", "8000-8001:80-81") into long
 * entries, one per container port. */
static int
short_port (const char *text, const char *path, json_t *list, struct hk_error **err)
{
  _cleanup_ctr_config_ struct ctr_config c;
  ctr_config_init (&c);
  if (config_parse_publish (&c, text, err) < 0)
    return hk_error_prefix (err, "%s", path);
  const struct config_port *p = &c.ports[0];
  long target, n, published = 0, n_published = 0;
  port_range (p->container_port, &target, &n);
  if (*p->host_port)
    port_range (p->host_port, &published, &n_published);
  if (n_published > 1 && n_published != n)
    return hk_error_set (err, EINVAL, "%s: \"%s\": the host range is not as long as the "
                         "container's", path, text);
  for (long i = 0; i < n; i++)
    {
      json_t *entry = json_pack ("{sssIss}", "mode", "ingress", "target", (json_int_t)(target + i),
                                 "protocol", p->protocol);
      if (*p->host_ip)
        json_object_set_new (entry, "host_ip", json_string (p->host_ip));
      if (n_published == 1)
        json_object_set_new (entry, "published", json_string (p->host_port));
      else if (n_published > 1)
        json_object_set_new (entry, "published", json_sprintf ("%ld", published + i));
      json_array_append_new (list, entry);
    }
  return 0;
}

static int
f_port_number (json_t *v, const char *path, const struct compose_normalize_context *ctx,
               json_t **out, struct hk_error **err)
{
  (void)ctx;
  return compose_value_int (v, path, 1, 65535, out, err);
}

static int
f_protocol (json_t *v, const char *path, const struct compose_normalize_context *ctx,
            json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  const char *p = json_string_value (*out);
  if (strcmp (p, "tcp") == 0 || strcmp (p, "udp") == 0 || strcmp (p, "sctp") == 0)
    return 0;
  _cleanup_free_ char *text = xstrdup (p);
  json_decref (*out);
  return hk_error_set (err, EINVAL, "%s: unknown protocol \"%s\"", path, text);
}

static const struct compose_field port_fields[] = {
  { "target", f_port_number }, { "published", compose_field_string }, { "host_ip", compose_field_string },
  { "protocol", f_protocol },  { "mode", compose_field_string },      { "name", compose_field_string },
  { "app_protocol", compose_field_string }, { NULL, NULL },
};

static int
f_ports (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
         struct hk_error **err)
{
  if (!json_is_array (v))
    return compose_type_error (v, path, "a sequence", err);
  _cleanup_json_ json_t *list = json_array ();
  size_t i;
  json_t *item;
  json_array_foreach (v, i, item)
  {
    _cleanup_free_ char *p = compose_path_index (path, i);
    if (json_is_object (item))
      {
        json_t *n;
        if (compose_normalize_object (item, p, port_fields, ctx, &n, err) < 0)
          return -1;
        if (json_object_get (n, "target") == NULL)
          {
            json_decref (n);
            return hk_error_set (err, EINVAL, "%s.target: required", p);
          }
        if (json_object_get (n, "protocol") == NULL)
          json_object_set_new (n, "protocol", json_string ("tcp"));
        if (json_object_get (n, "mode") == NULL)
          json_object_set_new (n, "mode", json_string ("ingress"));
        json_array_append_new (list, n);
        continue;
      }
    json_t *s;
    if (compose_value_string (item, p, &s, err) < 0)
      return -1;
    int rc = short_port (json_string_value (s), p, list, err);
    json_decref (s);
    if (rc < 0)
      return -1;
  }
  *out = take_ptr (list);
  return 0;
}

/* ---- volumes, tmpfs ---- */

static bool
is_path (const char *source)
{
  return source[0] == '.' || source[0] == '/' || source[0] == '~';
}

static int
short_volume (const char *text, const char *path, const struct compose_normalize_context *ctx,
              json_t **out, struct hk_error **err)
{
  _cleanup_strv_ char **parts = NULL;
  _cleanup_free_ char *copy = xstrdup (text);
  char *save = NULL;
  for (char *t = strtok_r (copy, ":", &save); t; t = strtok_r (NULL, ":", &save))
    strv_append (&parts, t);
  size_t n = strv_length (parts);
  if (n == 0 || n > 3)
    return hk_error_set (err, EINVAL, "%s: \"%s\" is not [SOURCE:]TARGET[:MODE]", path, text);
  if (n == 1)
    {
      *out = json_pack ("{ssss}", "type", "volume", "target", parts[0]);
      return 0;
    }
  const char *source = parts[0];
  bool bind = is_path (source);
  _cleanup_json_ json_t *v = json_pack ("{ssss}", "type", bind ? "bind" : "volume", "target",
                                        parts[1]);
  if (bind)
    {
      _cleanup_free_ char *abs = compose_absolute_path (ctx, source);
      json_object_set_new (v, "source", json_string (abs));
      json_object_set_new (v, "bind", json_pack ("{sb}", "create_host_path", true));
    }
  else
    json_object_set_new (v, "source", json_string (source));
  _cleanup_free_ char *mode_copy = n == 3 ? xstrdup (parts[2]) : NULL;
  char *msave = NULL;
  for (char *m = mode_copy ? strtok_r (mode_copy, ",", &msave) : NULL; m;
       m = strtok_r (NULL, ",", &msave))
    {
      if (strcmp (m, "ro") == 0)
        json_object_set_new (v, "read_only", json_true ());
      else if (strcmp (m, "nocopy") == 0 && !bind)
        json_object_set_new (v, "volume", json_pack ("{sb}", "nocopy", true));
      else if (strcmp (m, "rw") != 0 && strcmp (m, "z") != 0 && strcmp (m, "Z") != 0)
        return hk_error_set (err, EINVAL, "%s: \"%s\": unknown mode \"%s\"", path, text, m);
    }
  *out = take_ptr (v);
  return 0;
}

static int
f_volume_type (json_t *v, const char *path, const struct compose_normalize_context *ctx,
               json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  const char *t = json_string_value (*out);
  if (strcmp (t, "bind") == 0 || strcmp (t, "volume") == 0 || strcmp (t, "tmpfs") == 0)
    return 0;
  _cleanup_free_ char *text = xstrdup (t);
  json_decref (*out);
  return hk_error_set (err, EINVAL, "%s: \"%s\" is not bind, volume or tmpfs", path, text);
}

static const struct compose_field bind_fields[] = {
  { "create_host_path", compose_field_bool }, { "propagation", compose_field_string }, { "selinux", compose_field_string },
  { NULL, NULL },
};
static const struct compose_field volume_options_fields[] = {
  { "nocopy", compose_field_bool }, { "subpath", compose_field_string }, { NULL, NULL },
};

static int
f_size (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
        struct hk_error **err)
{
  (void)ctx;
  return compose_value_string (v, path, out, err);
}

static const struct compose_field tmpfs_options_fields[] = {
  { "size", f_size }, { "mode", f_size }, { NULL, NULL },
};

static int
f_bind (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
        struct hk_error **err)
{
  return compose_normalize_object (v, path, bind_fields, ctx, out, err);
}

static int
f_volume_options (json_t *v, const char *path, const struct compose_normalize_context *ctx,
                  json_t **out, struct hk_error **err)
{
  return compose_normalize_object (v, path, volume_options_fields, ctx, out, err);
}

static int
f_tmpfs_options (json_t *v, const char *path, const struct compose_normalize_context *ctx,
                 json_t **out, struct hk_error **err)
{
  return compose_normalize_object (v, path, tmpfs_options_fields, ctx, out, err);
}

static const struct compose_field volume_fields[] = {
  { "type", f_volume_type }, { "source", compose_field_string },   { "target", compose_field_string },
  { "read_only", compose_field_bool },   { "bind", f_bind },       { "volume", f_volume_options },
  { "tmpfs", f_tmpfs_options }, { "consistency", compose_field_string }, { NULL, NULL },
};

static int
long_volume (json_t *item, const char *path, const struct compose_normalize_context *ctx,
             json_t **out, struct hk_error **err)
{
  _cleanup_json_ json_t *v = NULL;
  if (compose_normalize_object (item, path, volume_fields, ctx, &v, err) < 0)
    return -1;
  const char *type = json_string_value (json_object_get (v, "type"));
  const char *source = json_string_value (json_object_get (v, "source"));
  if (type == NULL)
    return hk_error_set (err, EINVAL, "%s.type: required", path);
  if (json_object_get (v, "target") == NULL)
    return hk_error_set (err, EINVAL, "%s.target: required", path);
  if (strcmp (type, "bind") == 0)
    {
      if (source == NULL)
        return hk_error_set (err, EINVAL, "%s.source: required for a bind", path);
      _cleanup_free_ char *abs = compose_absolute_path (ctx, source);
      json_object_set_new (v, "source", json_string (abs));
    }
  *out = take_ptr (v);
  return 0;
}

static int
f_volumes (json_t *v, const char *path, const struct compose_normalize_context *ctx,
           json_t **out, struct hk_error **err)
{
  if (!json_is_array (v))
    return compose_type_error (v, path, "a sequence", err);
  _cleanup_json_ json_t *list = json_array ();
  size_t i;
  json_t *item, *n = NULL;
  json_array_foreach (v, i, item)
  {
    _cleanup_free_ char *p = compose_path_index (path, i);
    if (json_is_object (item))
      {
        if (long_volume (item, p, ctx, &n, err) < 0)
          return -1;
      }
    else if (!json_is_string (item))
      return compose_type_error (item, p, "a string or a mapping", err);
    else if (short_volume (json_string_value (item), p, ctx, &n, err) < 0)
      return -1;
    json_array_append_new (list, n);
  }
  *out = take_ptr (list);
  return 0;
}

/* ---- environment, env_file ---- */

/* NAME without a value takes the project environment's, else stays null. */
static int
f_environment (json_t *v, const char *path, const struct compose_normalize_context *ctx,
               json_t **out, struct hk_error **err)
{
  if (compose_value_map (v, path, '=', out, err) < 0)
    return -1;
  const char *key;
  json_t *value;
  json_object_foreach (*out, key, value)
  {
    const char *from_env = json_is_null (value) ? strv_env_get (ctx->env, key) : NULL;
    if (from_env)
      json_object_set_new (*out, key, json_string (from_env));
  }
  return 0;
}

static int
f_env_file (json_t *v, const char *path, const struct compose_normalize_context *ctx,
            json_t **out, struct hk_error **err)
{
  if (compose_value_strings (v, path, true, out, err) < 0)
    return -1;
  size_t i;
  json_t *item;
  json_array_foreach (*out, i, item)
  {
    _cleanup_free_ char *p = compose_path_index (path, i);
    _cleanup_free_ char *abs = NULL;
    if (compose_contained_path (ctx, json_string_value (item), p, &abs, err) < 0)
      {
        json_decref (*out);
        return -1;
      }
    json_array_set_new (*out, i, json_string (abs));
  }
  return 0;
}

/* ---- networks, depends_on, extra_hosts ---- */

static const struct compose_field service_network_fields[] = {
  { "aliases", compose_field_strings }, { "ipv4_address", compose_field_string }, { "ipv6_address", compose_field_string },
  { "priority", f_retries }, { "mac_address", compose_field_string }, { NULL, NULL },
};

static int
f_service_networks (json_t *v, const char *path, const struct compose_normalize_context *ctx,
                    json_t **out, struct hk_error **err)
{
  _cleanup_json_ json_t *map = json_object ();
  const char *key;
  json_t *item, *n;
  size_t i;
  if (json_is_array (v))
    json_array_foreach (v, i, item)
    {
      _cleanup_free_ char *p = compose_path_index (path, i);
      if (!json_is_string (item))
        return compose_type_error (item, p, "a network name", err);
      json_object_set_new (map, json_string_value (item), json_null ());
    }
  else if (json_is_object (v))
    json_object_foreach (v, key, item)
    {
      _cleanup_free_ char *p = compose_path (path, key);
      if (json_is_null (item))
        n = json_null ();
      else if (compose_normalize_object (item, p, service_network_fields, ctx, &n, err) < 0)
        return -1;
      json_object_set_new (map, key, n);
    }
  else
    return compose_type_error (v, path, "a mapping or a sequence", err);
  *out = take_ptr (map);
  return 0;
}

static int
f_condition (json_t *v, const char *path, const struct compose_normalize_context *ctx,
             json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  const char *c = json_string_value (*out);
  if (strcmp (c, "service_started") == 0 || strcmp (c, "service_healthy") == 0
      || strcmp (c, "service_completed_successfully") == 0)
    return 0;
  _cleanup_free_ char *text = xstrdup (c);
  json_decref (*out);
  return hk_error_set (err, EINVAL,
                       "%s: \"%s\" is not service_started, service_healthy or "
                       "service_completed_successfully",
                       path, text);
}

static const struct compose_field depends_fields[] = {
  { "condition", f_condition }, { "restart", compose_field_bool }, { "required", compose_field_bool }, { NULL, NULL },
};

static int
f_depends_on (json_t *v, const char *path, const struct compose_normalize_context *ctx,
              json_t **out, struct hk_error **err)
{
  _cleanup_json_ json_t *map = json_object ();
  const char *key;
  json_t *item, *n;
  size_t i;
  if (json_is_array (v))
    json_array_foreach (v, i, item)
    {
      _cleanup_free_ char *p = compose_path_index (path, i);
      if (!json_is_string (item))
        return compose_type_error (item, p, "a service name", err);
      json_object_set_new (map, json_string_value (item),
                           json_pack ("{sssb}", "condition", "service_started", "required", true));
    }
  else if (json_is_object (v))
    json_object_foreach (v, key, item)
    {
      _cleanup_free_ char *p = compose_path (path, key);
      if (compose_normalize_object (item, p, depends_fields, ctx, &n, err) < 0)
        return -1;
      if (json_object_get (n, "condition") == NULL)
        json_object_set_new (n, "condition", json_string ("service_started"));
      if (json_object_get (n, "required") == NULL)
        json_object_set_new (n, "required", json_true ());
      json_object_set_new (map, key, n);
    }
  else
    return compose_type_error (v, path, "a mapping or a sequence", err);
  *out = take_ptr (map);
  return 0;
}

/* HOST:IP entries (a mapping HOST: IP too). */
static int
f_extra_hosts (json_t *v, const char *path, const struct compose_normalize_context *ctx,
               json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (json_is_array (v))
    return compose_value_strings (v, path, false, out, err);
  _cleanup_json_ json_t *map = NULL;
  if (compose_value_map (v, path, '=', &map, err) < 0)
    return -1;
  _cleanup_json_ json_t *list = json_array ();
  const char *key;
  json_t *ip;
  json_object_foreach (map, key, ip)
  {
    if (!json_is_string (ip))
      return hk_error_set (err, EINVAL, "%s.%s: an address is required", path, key);
    json_array_append_new (list, json_sprintf ("%s:%s", key, json_string_value (ip)));
  }
  *out = take_ptr (list);
  return 0;
}

/* ---- ulimits, logging, secrets, extends ---- */

static int
f_ulimits (json_t *v, const char *path, const struct compose_normalize_context *ctx,
           json_t **out, struct hk_error **err)
{
  (void)ctx;
  if (!json_is_object (v))
    return compose_type_error (v, path, "a mapping", err);
  _cleanup_json_ json_t *map = json_object ();
  const char *key;
  json_t *item, *soft, *hard;
  json_object_foreach (v, key, item)
  {
    _cleanup_free_ char *p = compose_path (path, key);
    _cleanup_free_ char *ps = compose_path (p, "soft"), *ph = compose_path (p, "hard");
    if (!json_is_object (item))
      {
        if (compose_value_int (item, p, -1, INT64_MAX, &soft, err) < 0)
          return -1;
        json_object_set_new (map, key, json_pack ("{sOso}", "soft", soft, "hard", soft));
        continue;
      }
    json_t *s = json_object_get (item, "soft"), *h = json_object_get (item, "hard");
    if (json_object_size (item) != 2 || s == NULL || h == NULL)
      return hk_error_set (err, EINVAL, "%s: expected soft and hard only", p);
    if (compose_value_int (s, ps, -1, INT64_MAX, &soft, err) < 0)
      return -1;
    if (compose_value_int (h, ph, -1, INT64_MAX, &hard, err) < 0)
      {
        json_decref (soft);
        return -1;
      }
    json_object_set_new (map, key, json_pack ("{soso}", "soft", soft, "hard", hard));
  }
  *out = take_ptr (map);
  return 0;
}

static const struct compose_field logging_fields[] = {
  { "driver", compose_field_string }, { "options", compose_field_map }, { NULL, NULL },
};

static int
f_logging (json_t *v, const char *path, const struct compose_normalize_context *ctx,
           json_t **out, struct hk_error **err)
{
  return compose_normalize_object (v, path, logging_fields, ctx, out, err);
}

static int
f_mode (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
        struct hk_error **err)
{
  (void)ctx;
  return compose_value_int (v, path, 0, 07777, out, err);
}

static const struct compose_field file_ref_fields[] = {
  { "source", compose_field_string }, { "target", compose_field_string }, { "uid", compose_field_string },
  { "gid", compose_field_string },    { "mode", f_mode },     { NULL, NULL },
};

static int
f_file_refs (json_t *v, const char *path, const struct compose_normalize_context *ctx,
             json_t **out, struct hk_error **err)
{
  if (!json_is_array (v))
    return compose_type_error (v, path, "a sequence", err);
  _cleanup_json_ json_t *list = json_array ();
  size_t i;
  json_t *item, *n = NULL;
  json_array_foreach (v, i, item)
  {
    _cleanup_free_ char *p = compose_path_index (path, i);
    if (json_is_string (item))
      n = json_pack ("{sO}", "source", item);
    else if (compose_normalize_object (item, p, file_ref_fields, ctx, &n, err) < 0)
      return -1;
    json_array_append_new (list, n);
    if (json_object_get (n, "source") == NULL)
      return hk_error_set (err, EINVAL, "%s.source: required", p);
  }
  *out = take_ptr (list);
  return 0;
}

static const struct compose_field extends_fields[] = {
  { "service", compose_field_string }, { "file", compose_field_string }, { NULL, NULL },
};

static int
f_extends (json_t *v, const char *path, const struct compose_normalize_context *ctx,
           json_t **out, struct hk_error **err)
{
  if (json_is_string (v))
    *out = json_pack ("{sO}", "service", v);
  else if (compose_normalize_object (v, path, extends_fields, ctx, out, err) < 0)
    return -1;
  if (json_object_get (*out, "service") == NULL)
    {
      json_decref (*out);
      return hk_error_set (err, EINVAL, "%s.service: required", path);
    }
  const char *file = json_string_value (json_object_get (*out, "file"));
  if (file)
    {
      _cleanup_free_ char *abs = compose_absolute_path (ctx, file);
      json_object_set_new (*out, "file", json_string (abs));
    }
  return 0;
}

static const struct compose_field service_fields[] = {
  { "build", f_build },
  { "cap_add", compose_field_strings },
  { "cap_drop", compose_field_strings },
  { "cgroup_parent", compose_field_string },
  { "command", f_command },
  { "configs", f_file_refs },
  { "container_name", compose_field_string },
  { "depends_on", f_depends_on },
  { "deploy", f_deploy },
  { "devices", compose_field_strings },
  { "dns", f_string_or_strings },
  { "dns_search", f_string_or_strings },
  { "domainname", compose_field_string },
  { "entrypoint", f_command },
  { "env_file", f_env_file },
  { "environment", f_environment },
  { "expose", compose_field_strings },
  { "extends", f_extends },
  { "extra_hosts", f_extra_hosts },
  { "healthcheck", f_healthcheck },
  { "hostname", compose_field_string },
  { "image", compose_field_string },
  { "init", compose_field_bool },
  { "ipc", compose_field_string },
  { "labels", compose_field_map },
  { "logging", f_logging },
  { "network_mode", compose_field_string },
  { "networks", f_service_networks },
  { "pid", compose_field_string },
  { "platform", compose_field_string },
  { "ports", f_ports },
  { "privileged", compose_field_bool },
  { "profiles", compose_field_strings },
  { "pull_policy", compose_field_string },
  { "read_only", compose_field_bool },
  { "restart", f_restart },
  { "secrets", f_file_refs },
  { "security_opt", compose_field_strings },
  { "shm_size", f_shm_size },
  { "stdin_open", compose_field_bool },
  { "stop_grace_period", f_duration },
  { "stop_signal", compose_field_string },
  { "sysctls", compose_field_map },
  { "tmpfs", f_string_or_strings },
  { "tty", compose_field_bool },
  { "ulimits", f_ulimits },
  { "user", compose_field_string },
  { "volumes", f_volumes },
  { "volumes_from", compose_field_strings },
  { "working_dir", compose_field_string },
  { NULL, NULL },
};

int
compose_service_normalize (json_t *raw, const char *path,
                           const struct compose_normalize_context *ctx, json_t **out,
                           struct hk_error **err)
{
  if (json_is_null (raw))
    {
      *out = json_object ();
      return 0;
    }
  return compose_normalize_object (raw, path, service_fields, ctx, out, err);
}
