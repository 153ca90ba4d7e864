/* SPDX-License-Identifier: Apache-2.0 */
#include "config-change.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

static const char *
skip_spaces (const char *s)
{
  while (isspace ((unsigned char)*s))
    s++;
  return s;
}

/* The JSON form ["a", "b"] as an array of strings; NULL when ARGS is not
 * such an array (then it is the shell form). */
static json_t *
exec_form (const char *args)
{
  if (*args != '[')
    return NULL;
  json_t *arr = json_loads (args, JSON_DECODE_ANY, NULL);
  if (arr == NULL || !json_is_array (arr))
    {
      json_decref (arr);
      return NULL;
    }
  size_t i;
  json_t *v;
  json_array_foreach (arr, i, v) if (!json_is_string (v))
  {
    json_decref (arr);
    return NULL;
  }
  return arr;
}

static json_t *
command_value (const char *args)
{
  json_t *arr = exec_form (args);
  if (arr != NULL)
    return arr;
  return json_pack ("[sss]", "/bin/sh", "-c", args);
}

/* Reads the word at *P, quotes and backslashes removed, up to an unquoted
 * space or STOP; *P moves to what ended it.  Returns the word (owned). */
static char *
read_word (const char **p, char stop)
{
  const char *s = *p;
  char *out = xmalloc (strlen (s) + 1);
  size_t n = 0;
  char quote = 0;
  for (; *s != '\0'; s++)
    {
      if (quote == 0 && (isspace ((unsigned char)*s) || (stop && *s == stop)))
        break;
      if ((*s == '"' || *s == '\'') && (quote == 0 || quote == *s))
        {
          quote = quote ? 0 : *s;
          continue;
        }
      if (*s == '\\' && s[1] != '\0' && quote != '\'')
        s++;
      out[n++] = *s;
    }
  out[n] = '\0';
  *p = s;
  return out;
}

/* Splits "K=V K2=V2" or the legacy "K V" into pairs set on OBJ. */
static int
set_pairs (json_t *obj, const char *args, bool env, const char *what, struct hk_error **err)
{
  const char *eq = strchr (args, '=');
  const char *sp = args + strcspn (args, " \t");
  if (eq == NULL || eq > sp)
    {
      /* "KEY value with spaces" */
      if (*sp == '\0')
        return hk_error_set (err, EINVAL, "%s `%s`: expected KEY=VALUE", what, args);
      _cleanup_free_ char *key = xstrndup (args, (size_t)(sp - args));
      json_object_set_new (obj, key, json_string (skip_spaces (sp)));
      return 0;
    }
  const char *p = args;
  while (*(p = skip_spaces (p)) != '\0')
    {
      _cleanup_free_ char *key = read_word (&p, '=');
      if (*p != '=')
        return hk_error_set (err, EINVAL, "%s `%s`: `%s` has no `=`", what, args, key);
      p++;
      _cleanup_free_ char *val = read_word (&p, '\0');
      if (*key == '\0')
        return hk_error_set (err, EINVAL, "%s `%s`: empty key", what, args);
      json_object_set_new (obj, key, json_string (val));
    }
  (void)env;
  return 0;
}

static int
set_env (json_t *config, const char *args, struct hk_error **err)
{
  _cleanup_json_ json_t *pairs = json_object ();
  if (set_pairs (pairs, args, true, "ENV", err) < 0)
    return -1;
  json_t *env = json_object_get (config, "Env");
  if (!json_is_array (env))
    {
      env = json_array ();
      json_object_set_new (config, "Env", env);
    }
  const char *key;
  json_t *val;
  json_object_foreach (pairs, key, val)
  {
    _cleanup_free_ char *entry = xasprintf ("%s=%s", key, json_string_value (val));
    size_t klen = strlen (key), i;
    json_t *old;
    bool replaced = false;
    json_array_foreach (env, i, old)
    {
      const char *s = json_string_value (old);
      if (s && strncmp (s, key, klen) == 0 && s[klen] == '=')
        {
          json_array_set_new (env, i, json_string (entry));
          replaced = true;
          break;
        }
    }
    if (!replaced)
      json_array_append_new (env, json_string (entry));
  }
  return 0;
}

static json_t *
object_member (json_t *config, const char *key)
{
  json_t *o = json_object_get (config, key);
  if (!json_is_object (o))
    {
      o = json_object ();
      json_object_set_new (config, key, o);
    }
  return o;
}

static int
add_set_members (json_t *config, const char *key, const char *args, bool ports,
                 struct hk_error **err)
{
  json_t *set = object_member (config, key);
  _cleanup_json_ json_t *arr = exec_form (args);
  if (arr != NULL)
    {
      size_t i;
      json_t *v;
      json_array_foreach (arr, i, v)
          json_object_set_new (set, json_string_value (v), json_object ());
      return 0;
    }
  _cleanup_free_ char *copy = xstrdup (args);
  char *save = NULL;
  for (char *t = strtok_r (copy, " \t", &save); t; t = strtok_r (NULL, " \t", &save))
    {
      if (ports && strchr (t, '/') == NULL)
        {
          _cleanup_free_ char *p = xasprintf ("%s/tcp", t);
          json_object_set_new (set, p, json_object ());
        }
      else
        json_object_set_new (set, t, json_object ());
    }
  return 0;
}

int
config_change_apply (json_t *config, const char *change, struct hk_error **err)
{
  const char *p = skip_spaces (change);
  size_t n = strcspn (p, " \t");
  _cleanup_free_ char *word = xstrndup (p, n);
  const char *args = skip_spaces (p + n);
  if (*args == '\0')
    return hk_error_set (err, EINVAL, "change `%s`: %s needs an argument", change,
                         *word ? word : "instruction");
  if (strcasecmp (word, "CMD") == 0)
    json_object_set_new (config, "Cmd", command_value (args));
  else if (strcasecmp (word, "ENTRYPOINT") == 0)
    json_object_set_new (config, "Entrypoint", command_value (args));
  else if (strcasecmp (word, "ENV") == 0)
    return set_env (config, args, err) < 0 ? hk_error_prefix (err, "change `%s`", change) : 0;
  else if (strcasecmp (word, "WORKDIR") == 0)
    json_object_set_new (config, "WorkingDir", json_string (args));
  else if (strcasecmp (word, "USER") == 0)
    json_object_set_new (config, "User", json_string (args));
  else if (strcasecmp (word, "STOPSIGNAL") == 0)
    json_object_set_new (config, "StopSignal", json_string (args));
  else if (strcasecmp (word, "EXPOSE") == 0)
    return add_set_members (config, "ExposedPorts", args, true, err);
  else if (strcasecmp (word, "VOLUME") == 0)
    return add_set_members (config, "Volumes", args, false, err);
  else if (strcasecmp (word, "LABEL") == 0)
    {
      if (set_pairs (object_member (config, "Labels"), args, false, "LABEL", err) < 0)
        return hk_error_prefix (err, "change `%s`", change);
    }
  else
    return hk_error_set (err, EINVAL,
                         "change `%s`: `%s` is not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                         "STOPSIGNAL, USER, VOLUME, WORKDIR",
                         change, word);
  return 0;
}
