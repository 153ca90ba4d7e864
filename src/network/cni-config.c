/* SPDX-License-Identifier: Apache-2.0 */
#include "cni-config.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

void
cni_conflist_free (struct cni_conflist *l)
{
  if (l == NULL)
    return;
  free (l->cni_version);
  free (l->name);
  json_decref (l->doc);
  free (l);
}

bool
cni_valid_name (const char *name)
{
  if (name == NULL || !isalnum ((unsigned char)name[0]))
    return false;
  for (const char *p = name; *p; p++)
    if (!isalnum ((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
      return false;
  return strlen (name) <= 255;
}

/* "1.0.0": the semantic version of the spec, digits only. */
static bool
valid_version (const char *v)
{
  int parts = 0;
  while (*v)
    {
      size_t digits = strspn (v, "0123456789");
      if (digits == 0 || digits > 9)
        return false;
      parts++;
      v += digits;
      if (*v == '.')
        v++;
      else if (*v)
        return false;
    }
  return parts == 3;
}

/* The type names a file in the plugin directories: a '/' would leave
 * them. */
static bool
valid_type (const char *t)
{
  return *t && strchr (t, '/') == NULL && strcmp (t, ".") != 0 && strcmp (t, "..") != 0
         && strlen (t) <= 255;
}

static int
check_plugin (json_t *plugin, size_t i, struct hk_error **err)
{
  _cleanup_free_ char *path = json_path_index ("plugins", i);
  if (!json_is_object (plugin))
    return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path,
                         json_type_name (plugin));
  _cleanup_free_ char *type = NULL;
  if (json_require (plugin, path, "type", err) < 0
      || json_get_string (plugin, path, "type", &type, err) < 0)
    return -1;
  if (!valid_type (type))
    return hk_error_set (err, EINVAL, "%s.type: `%s` is not a plugin name", path, type);
  json_t *caps = NULL;
  if (json_get_object (plugin, path, "capabilities", &caps, err) < 0)
    return -1;
  const char *key;
  json_t *v;
  json_object_foreach (caps, key, v) if (!json_is_boolean (v)) return hk_error_set (
      err, EINVAL, "%s.capabilities.%s: expected a boolean, got %s", path, key, json_type_name (v));
  return 0;
}

/* disableCheck: a boolean, or the strings libcni also takes. */
static int
read_disable_check (json_t *doc, bool *out, struct hk_error **err)
{
  json_t *v = json_object_get (doc, "disableCheck");
  if (v == NULL || json_is_null (v))
    return 0;
  if (json_is_boolean (v))
    *out = json_is_true (v);
  else if (json_is_string (v) && strcmp (json_string_value (v), "true") == 0)
    *out = true;
  else if (!json_is_string (v) || strcmp (json_string_value (v), "false") != 0)
    return hk_error_set (err, EINVAL, "disableCheck: expected a boolean");
  return 0;
}

int
cni_conflist_from_json (json_t *doc, struct cni_conflist **out, struct hk_error **err)
{
  if (!json_is_object (doc))
    return hk_error_set (err, EINVAL, "network configuration: expected an object");
  if (json_object_get (doc, "plugins") == NULL && json_object_get (doc, "type") != NULL)
    return hk_error_set (err, EINVAL,
                         "network configuration: a single plugin configuration (.conf); CNI 1.0 "
                         "takes only lists (.conflist, with `plugins`)");
  _cleanup_free_ char *version = NULL, *name = NULL;
  json_t *plugins = NULL;
  bool disable_check = false;
  if (json_require (doc, "", "cniVersion", err) < 0 || json_require (doc, "", "name", err) < 0
      || json_require (doc, "", "plugins", err) < 0
      || json_get_string (doc, "", "cniVersion", &version, err) < 0
      || json_get_string (doc, "", "name", &name, err) < 0
      || json_get_array (doc, "", "plugins", &plugins, err) < 0
      || read_disable_check (doc, &disable_check, err) < 0)
    return -1;
  if (!valid_version (version))
    return hk_error_set (err, EINVAL, "cniVersion: `%s` is not a version like 1.0.0", version);
  if (!cni_valid_name (name))
    return hk_error_set (err, EINVAL,
                         "name: `%s` is not a network name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)", name);
  if (json_array_size (plugins) == 0)
    return hk_error_set (err, EINVAL, "plugins: the list is empty");
  size_t i;
  json_t *p;
  json_array_foreach (plugins, i, p) if (check_plugin (p, i, err) < 0) return -1;
  struct cni_conflist *l = xzalloc (sizeof *l);
  l->cni_version = take_ptr (version);
  l->name = take_ptr (name);
  l->disable_check = disable_check;
  l->doc = json_incref (doc);
  l->plugins = plugins;
  *out = l;
  return 0;
}

int
cni_conflist_parse (const char *text, size_t len, struct cni_conflist **out, struct hk_error **err)
{
  _cleanup_json_ json_t *doc = NULL;
  if (json_parse_object (text, len, "network configuration", &doc, err) < 0)
    return -1;
  return cni_conflist_from_json (doc, out, err);
}

size_t
cni_conflist_size (const struct cni_conflist *l)
{
  return json_array_size (l->plugins);
}

const char *
cni_plugin_type (const struct cni_conflist *l, size_t i)
{
  return json_string_value (json_object_get (json_array_get (l->plugins, i), "type"));
}

json_t *
cni_exec_config (const struct cni_conflist *l, size_t i, const json_t *capability_args,
                 const json_t *args, const json_t *prev_result)
{
  json_t *plugin = json_array_get (l->plugins, i);
  json_t *conf = json_deep_copy (plugin);
  json_t *runtime_config = json_object ();
  const char *key;
  json_t *v;
  json_object_foreach (json_object_get (plugin, "capabilities"), key, v)
  {
    json_t *arg = json_object_get (capability_args, key);
    if (json_is_true (v) && arg != NULL)
      json_object_set_new (runtime_config, key, json_deep_copy (arg));
  }
  json_object_del (conf, "capabilities");
  json_object_set_new (conf, "cniVersion", json_string (l->cni_version));
  json_object_set_new (conf, "name", json_string (l->name));
  if (json_object_size (runtime_config) > 0)
    json_object_set_new (conf, "runtimeConfig", runtime_config);
  else
    json_decref (runtime_config);
  if (args != NULL)
    json_object_set_new (conf, "args", json_deep_copy (args));
  if (prev_result != NULL)
    json_object_set_new (conf, "prevResult", json_deep_copy (prev_result));
  return conf;
}
