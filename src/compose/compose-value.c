/* SPDX-License-Identifier: Apache-2.0 */
#include "compose-value.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"
#include "yaml/yaml-scalar.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *
type_name (json_t *v)
{
  if (json_is_object (v))
    return "mapping";
  if (json_is_array (v))
    return "sequence";
  return json_type_name (v);
}

int
compose_type_error (json_t *v, const char *path, const char *what, struct hk_error **err)
{
  return hk_error_set (err, EINVAL, "%s: expected %s, got %s", path, what, type_name (v));
}

char *
compose_path (const char *path, const char *key)
{
  return json_path_key (path, key);
}

char *
compose_path_index (const char *path, size_t i)
{
  return json_path_index (path, i);
}

int
compose_value_string (json_t *v, const char *path, json_t **out, struct hk_error **err)
{
  if (json_is_string (v))
    *out = json_incref (v);
  else if (json_is_integer (v))
    *out = json_sprintf ("%lld", (long long)json_integer_value (v));
  else if (json_is_real (v))
    *out = json_sprintf ("%g", json_real_value (v));
  else if (json_is_boolean (v))
    *out = json_string (json_is_true (v) ? "true" : "false");
  else
    return compose_type_error (v, path, "a string", err);
  return 0;
}

int
compose_value_int (json_t *v, const char *path, long long min, long long max, json_t **out,
                   struct hk_error **err)
{
  long long n;
  if (json_is_integer (v))
    n = json_integer_value (v);
  else if (json_is_string (v))
    {
      int rc = yaml_scalar_int (json_string_value (v), false, &n);
      if (rc < 0)
        return hk_error_set (err, EINVAL, "%s: \"%s\" is not an integer", path,
                             json_string_value (v));
      if (rc == 0)
        return hk_error_set (err, ERANGE, "%s: %s is out of range", path, json_string_value (v));
    }
  else
    return compose_type_error (v, path, "an integer", err);
  if (n < min || n > max)
    return hk_error_set (err, ERANGE, "%s: %lld is outside %lld..%lld", path, n, min, max);
  *out = json_integer (n);
  return 0;
}

int
compose_value_bool (json_t *v, const char *path, json_t **out, struct hk_error **err)
{
  if (json_is_boolean (v))
    {
      *out = json_incref (v);
      return 0;
    }
  int b = json_is_string (v) ? yaml_scalar_bool (json_string_value (v), false) : -1;
  if (b < 0)
    return compose_type_error (v, path, "a boolean", err);
  *out = json_boolean (b);
  return 0;
}

int
compose_value_strings (json_t *v, const char *path, bool one_ok, json_t **out,
                       struct hk_error **err)
{
  if (one_ok && !json_is_array (v) && !json_is_object (v) && !json_is_null (v))
    {
      json_t *s;
      if (compose_value_string (v, path, &s, err) < 0)
        return -1;
      *out = json_pack ("[o]", s);
      return 0;
    }
  if (!json_is_array (v))
    return compose_type_error (v, path, one_ok ? "a string or a sequence" : "a sequence", err);
  _cleanup_json_ json_t *list = json_array ();
  size_t i;
  json_t *item, *s;
  json_array_foreach (v, i, item)
  {
    _cleanup_free_ char *p = compose_path_index (path, i);
    if (compose_value_string (item, p, &s, err) < 0)
      return -1;
    json_array_append_new (list, s);
  }
  *out = take_ptr (list);
  return 0;
}

int
compose_value_map (json_t *v, const char *path, char sep, json_t **out, struct hk_error **err)
{
  _cleanup_json_ json_t *map = json_object ();
  const char *key;
  size_t i;
  json_t *item, *s;
  if (json_is_object (v))
    json_object_foreach (v, key, item)
    {
      _cleanup_free_ char *p = compose_path (path, key);
      if (json_is_null (item))
        s = json_null ();
      else if (compose_value_string (item, p, &s, err) < 0)
        return -1;
      json_object_set_new (map, key, s);
    }
  else if (json_is_array (v))
    json_array_foreach (v, i, item)
    {
      _cleanup_free_ char *p = compose_path_index (path, i);
      if (!json_is_string (item))
        return compose_type_error (item, p, "a string", err);
      const char *text = json_string_value (item);
      const char *eq = strchr (text, sep);
      if (eq == text)
        return hk_error_set (err, EINVAL, "%s: \"%s\" has no name", p, text);
      _cleanup_free_ char *name = eq ? xstrndup (text, (size_t)(eq - text)) : xstrdup (text);
      json_object_set_new (map, name, eq ? json_string (eq + 1) : json_null ());
    }
  else
    return compose_type_error (v, path, "a mapping or a sequence", err);
  *out = take_ptr (map);
  return 0;
}

/* TEXT into words: blanks separate, '...' is literal, "..." keeps its
 * blanks with \ escaping " \ $ ` and newline, \ outside quotes escapes
 * the next character. */
static int
split_words (const char *text, const char *path, json_t *words, struct hk_error **err)
{
  size_t n = strlen (text);
  _cleanup_free_ char *word = xzalloc (n + 1);
  size_t len = 0;
  bool in_word = false;
  for (const char *p = text; *p; p++)
    {
      if (*p == ' ' || *p == '\t' || *p == '\n')
        {
          if (in_word)
            json_array_append_new (words, json_stringn (word, len));
          in_word = false;
          len = 0;
          continue;
        }
      in_word = true;
      if (*p == '\\' && p[1])
        word[len++] = *++p;
      else if (*p == '\'')
        {
          const char *close = strchr (p + 1, '\'');
          if (close == NULL)
            return hk_error_set (err, EINVAL, "%s: a ' is not closed", path);
          memcpy (word + len, p + 1, (size_t)(close - p - 1));
          len += (size_t)(close - p - 1);
          p = close;
        }
      else if (*p == '"')
        {
          for (p++; *p && *p != '"'; p++)
            word[len++] = *p == '\\' && p[1] && strchr ("\"\\$`\n", p[1]) ? *++p : *p;
          if (*p == '\0')
            return hk_error_set (err, EINVAL, "%s: a \" is not closed", path);
        }
      else
        word[len++] = *p;
    }
  if (in_word)
    json_array_append_new (words, json_stringn (word, len));
  return 0;
}

int
compose_value_command (json_t *v, const char *path, json_t **out, struct hk_error **err)
{
  if (json_is_array (v))
    return compose_value_strings (v, path, false, out, err);
  if (!json_is_string (v))
    return compose_type_error (v, path, "a string or a sequence", err);
  _cleanup_json_ json_t *words = json_array ();
  if (split_words (json_string_value (v), path, words, err) < 0)
    return -1;
  *out = take_ptr (words);
  return 0;
}
