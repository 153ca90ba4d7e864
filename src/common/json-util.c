/* SPDX-License-Identifier: Apache-2.0 */
#include "json-util.h"
#include "cleanup.h"
#include "strv.h"
#include "xalloc.h"

#include <errno.h>
#include <string.h>

const char *
json_type_name (const json_t *j)
{
  switch (json_typeof (j))
    {
    case JSON_OBJECT:
      return "object";
    case JSON_ARRAY:
      return "array";
    case JSON_STRING:
      return "string";
    case JSON_INTEGER:
      return "integer";
    case JSON_REAL:
      return "number";
    case JSON_TRUE:
    case JSON_FALSE:
      return "boolean";
    case JSON_NULL:
      return "null";
    }
  return "unknown";
}

char *
json_path_key (const char *path, const char *key)
{
  if (path == NULL || *path == '\0')
    return xstrdup (key);
  return xasprintf ("%s.%s", path, key);
}

char *
json_path_index (const char *path, size_t index)
{
  return xasprintf ("%s[%zu]", path, index);
}

static int
type_error (const char *path, const char *key, const char *expected, const json_t *got,
            struct hk_error **err)
{
  _cleanup_free_ char *name = json_path_key (path, key);
  return hk_error_set (err, EINVAL, "%s: expected %s, got %s", name, expected,
                       json_type_name (got));
}

/* The member KEY, or NULL when it is absent or JSON null. */
static json_t *
member (json_t *obj, const char *key)
{
  json_t *v = json_object_get (obj, key);
  return (v == NULL || json_is_null (v)) ? NULL : v;
}

int
json_require (json_t *obj, const char *path, const char *key, struct hk_error **err)
{
  if (member (obj, key) != NULL)
    return 0;
  _cleanup_free_ char *name = json_path_key (path, key);
  return hk_error_set (err, EINVAL, "%s: required but missing", name);
}

int
json_get_string (json_t *obj, const char *path, const char *key, char **out,
                 struct hk_error **err)
{
  json_t *v = member (obj, key);
  if (v == NULL)
    return 0;
  if (!json_is_string (v))
    return type_error (path, key, "a string", v, err);
  const char *s = json_string_value (v);
  if (strlen (s) != json_string_length (v))
    {
      _cleanup_free_ char *name = json_path_key (path, key);
      return hk_error_set (err, EINVAL, "%s: contains a NUL byte", name);
    }
  free (*out);
  *out = xstrdup (s);
  return 1;
}

int
json_get_bool (json_t *obj, const char *path, const char *key, bool *out, struct hk_error **err)
{
  json_t *v = member (obj, key);
  if (v == NULL)
    return 0;
  if (!json_is_boolean (v))
    return type_error (path, key, "a boolean", v, err);
  *out = json_is_true (v);
  return 1;
}

int
json_get_int64 (json_t *obj, const char *path, const char *key, int64_t *out,
                struct hk_error **err)
{
  json_t *v = member (obj, key);
  if (v == NULL)
    return 0;
  if (!json_is_integer (v))
    return type_error (path, key, "an integer", v, err);
  *out = json_integer_value (v);
  return 1;
}

static int
get_ranged (json_t *obj, const char *path, const char *key, int64_t min, int64_t max,
            const char *what, int64_t *out, struct hk_error **err)
{
  int64_t value;
  int r = json_get_int64 (obj, path, key, &value, err);
  if (r <= 0)
    {
      if (r < 0)
        {
          _cleanup_free_ char *name = json_path_key (path, key);
          json_t *v = member (obj, key);
          return hk_error_set (err, EINVAL, "%s: expected %s, got %s", name, what,
                               json_type_name (v));
        }
      return r;
    }
  if (value < min || value > max)
    {
      _cleanup_free_ char *name = json_path_key (path, key);
      return hk_error_set (err, ERANGE, "%s: %lld is out of range for %s", name,
                           (long long) value, what);
    }
  *out = value;
  return 1;
}

int
json_get_uint64 (json_t *obj, const char *path, const char *key, uint64_t *out,
                 struct hk_error **err)
{
  /* jansson stores integers as long long; larger values cannot occur. */
  int64_t v;
  int r = get_ranged (obj, path, key, 0, INT64_MAX, "an unsigned integer", &v, err);
  if (r > 0)
    *out = (uint64_t) v;
  return r;
}

int
json_get_uint32 (json_t *obj, const char *path, const char *key, uint32_t *out,
                 struct hk_error **err)
{
  int64_t v;
  int r = get_ranged (obj, path, key, 0, UINT32_MAX, "an unsigned 32-bit integer", &v, err);
  if (r > 0)
    *out = (uint32_t) v;
  return r;
}

int
json_get_int32 (json_t *obj, const char *path, const char *key, int32_t *out,
                struct hk_error **err)
{
  int64_t v;
  int r = get_ranged (obj, path, key, INT32_MIN, INT32_MAX, "a 32-bit integer", &v, err);
  if (r > 0)
    *out = (int32_t) v;
  return r;
}

int
json_get_object (json_t *obj, const char *path, const char *key, json_t **out,
                 struct hk_error **err)
{
  json_t *v = member (obj, key);
  if (v == NULL)
    return 0;
  if (!json_is_object (v))
    return type_error (path, key, "an object", v, err);
  *out = v;
  return 1;
}

int
json_get_array (json_t *obj, const char *path, const char *key, json_t **out,
                struct hk_error **err)
{
  json_t *v = member (obj, key);
  if (v == NULL)
    return 0;
  if (!json_is_array (v))
    return type_error (path, key, "an array", v, err);
  *out = v;
  return 1;
}

int
json_get_strv (json_t *obj, const char *path, const char *key, char ***out,
               struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (obj, path, key, &arr, err);
  if (r <= 0)
    return r;
  _cleanup_strv_ char **v = xzalloc (sizeof (char *));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    if (!json_is_string (item) || strlen (json_string_value (item)) != json_string_length (item))
      {
        _cleanup_free_ char *name = json_path_key (path, key);
        return hk_error_set (err, EINVAL, "%s[%zu]: expected a string, got %s", name, i,
                             json_type_name (item));
      }
    strv_append (&v, json_string_value (item));
  }
  strv_free (*out);
  *out = take_ptr (v);
  return 1;
}

int
json_get_string_map (json_t *obj, const char *path, const char *key, char ***keys,
                     char ***values, struct hk_error **err)
{
  json_t *map;
  int r = json_get_object (obj, path, key, &map, err);
  if (r <= 0)
    return r;
  _cleanup_strv_ char **k = xzalloc (sizeof (char *));
  _cleanup_strv_ char **v = xzalloc (sizeof (char *));
  const char *name;
  json_t *value;
  json_object_foreach (map, name, value)
  {
    if (!json_is_string (value))
      {
        _cleanup_free_ char *p = json_path_key (path, key);
        return hk_error_set (err, EINVAL, "%s.%s: expected a string, got %s", p, name,
                             json_type_name (value));
      }
    strv_append (&k, name);
    strv_append (&v, json_string_value (value));
  }
  strv_free (*keys);
  strv_free (*values);
  *keys = take_ptr (k);
  *values = take_ptr (v);
  return 1;
}

int
json_parse_object (const char *text, size_t len, const char *what, json_t **out,
                   struct hk_error **err)
{
  json_error_t jerr;
  json_t *j = json_loadb (text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (j == NULL)
    return hk_error_set (err, EINVAL, "%s: not valid JSON: %s (line %d, column %d)", what,
                         jerr.text, jerr.line, jerr.column);
  if (!json_is_object (j))
    {
      const char *type = json_type_name (j);
      json_decref (j);
      return hk_error_set (err, EINVAL, "%s: expected a JSON object at the top, got %s", what,
                           type);
    }
  *out = j;
  return 0;
}

char *
json_to_string (const json_t *j, bool pretty)
{
  char *text = json_dumps (j, pretty ? JSON_INDENT (2) : JSON_COMPACT);
  if (text == NULL)
    return xstrdup ("null\n");
  char *line = xasprintf ("%s\n", text);
  free (text);
  return line;
}

json_t *
json_from_strv (char *const *v)
{
  json_t *arr = json_array ();
  for (size_t i = 0; v != NULL && v[i] != NULL; i++)
    json_array_append_new (arr, json_string (v[i]));
  return arr;
}
