/* SPDX-License-Identifier: Apache-2.0 */
#include "compose-resources.h"
#include "compose-fields.h"
#include "compose-paths.h"
#include "compose-value.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

static const struct compose_field external_fields[] = {
  { "name", compose_field_string },
  { NULL, NULL },
};

/* external: a boolean, or (the older form) {name: NAME}. */
static int
f_external (json_t *v, const char *path, const struct compose_normalize_context *ctx,
            json_t **out, struct hk_error **err)
{
  if (!json_is_object (v))
    return compose_value_bool (v, path, out, err);
  return compose_normalize_object (v, path, external_fields, ctx, out, err);
}

static const struct compose_field ipam_config_fields[] = {
  { "subnet", compose_field_string },   { "gateway", compose_field_string },
  { "ip_range", compose_field_string }, { "aux_addresses", compose_field_map },
  { NULL, NULL },
};

static int
f_ipam_config (json_t *v, const char *path, const struct compose_normalize_context *ctx,
               json_t **out, struct hk_error **err)
{
  if (!json_is_array (v))
    return compose_type_error (v, path, "a sequence", err);
  _cleanup_json_ json_t *list = json_array ();
  size_t i;
  json_t *item, *n;
  json_array_foreach (v, i, item)
  {
    _cleanup_free_ char *p = compose_path_index (path, i);
    if (compose_normalize_object (item, p, ipam_config_fields, ctx, &n, err) < 0)
      return -1;
    json_array_append_new (list, n);
  }
  *out = take_ptr (list);
  return 0;
}

static const struct compose_field ipam_fields[] = {
  { "driver", compose_field_string }, { "config", f_ipam_config },
  { "options", compose_field_map },   { NULL, NULL },
};

static int
f_ipam (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
        struct hk_error **err)
{
  return compose_normalize_object (v, path, ipam_fields, ctx, out, err);
}

static int
f_file (json_t *v, const char *path, const struct compose_normalize_context *ctx, json_t **out,
        struct hk_error **err)
{
  if (compose_value_string (v, path, out, err) < 0)
    return -1;
  _cleanup_free_ char *abs = NULL;
  int rc = compose_contained_path (ctx, json_string_value (*out), path, &abs, err);
  json_decref (*out);
  *out = rc < 0 ? NULL : json_string (abs);
  return rc;
}

static const struct compose_field network_fields[] = {
  { "name", compose_field_string },    { "driver", compose_field_string },
  { "driver_opts", compose_field_map }, { "attachable", compose_field_bool },
  { "enable_ipv6", compose_field_bool }, { "external", f_external },
  { "internal", compose_field_bool },  { "ipam", f_ipam },
  { "labels", compose_field_map },     { NULL, NULL },
};

static const struct compose_field volume_fields[] = {
  { "name", compose_field_string },     { "driver", compose_field_string },
  { "driver_opts", compose_field_map }, { "external", f_external },
  { "labels", compose_field_map },      { NULL, NULL },
};

static const struct compose_field file_object_fields[] = {
  { "name", compose_field_string },        { "file", f_file },
  { "environment", compose_field_string }, { "content", compose_field_string },
  { "external", f_external },              { "labels", compose_field_map },
  { NULL, NULL },
};

/* external: {name: N} into name: N, external: true. */
static void
flatten_external (json_t *r)
{
  json_t *ext = json_object_get (r, "external");
  if (!json_is_object (ext))
    return;
  json_t *name = json_object_get (ext, "name");
  if (name)
    json_object_set (r, "name", name);
  json_object_set_new (r, "external", json_true ());
}

int
compose_resources_normalize (const char *kind, json_t *raw,
                             const struct compose_normalize_context *ctx, json_t **out,
                             struct hk_error **err)
{
  const struct compose_field *fields = strcmp (kind, "networks") == 0  ? network_fields
                                       : strcmp (kind, "volumes") == 0 ? volume_fields
                                                                       : file_object_fields;
  if (!json_is_object (raw))
    return compose_type_error (raw, kind, "a mapping", err);
  _cleanup_json_ json_t *all = json_object ();
  const char *name;
  json_t *v, *n;
  json_object_foreach (raw, name, v)
  {
    _cleanup_free_ char *p = compose_path (kind, name);
    if (json_is_null (v))
      n = json_object ();
    else if (compose_normalize_object (v, p, fields, ctx, &n, err) < 0)
      return -1;
    flatten_external (n);
    json_object_set_new (all, name, n);
  }
  *out = take_ptr (all);
  return 0;
}
