/* SPDX-License-Identifier: Apache-2.0 */
#include "config-instruction.h"
#include "shell-word.h"
#include "common/blanks.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/units.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool
config_instruction_is (enum df_kind k)
{
  switch (k)
    {
    case DF_CMD:
    case DF_ENTRYPOINT:
    case DF_ENV:
    case DF_LABEL:
    case DF_EXPOSE:
    case DF_VOLUME:
    case DF_USER:
    case DF_WORKDIR:
    case DF_STOPSIGNAL:
    case DF_HEALTHCHECK:
    case DF_SHELL:
    case DF_ONBUILD:
      return true;
    default:
      return false;
    }
}

char **
config_instruction_shell (json_t *config)
{
  char **shell = NULL;
  _cleanup_error_ struct hk_error *ignored = NULL;
  json_t *v = json_object_get (config, "Shell");
  if (json_is_array (v) && json_array_size (v) > 0
      && json_get_strv (config, "config", "Shell", &shell, &ignored) > 0)
    return shell;
  strv_free (shell);
  shell = NULL;
  strv_append (&shell, "/bin/sh");
  strv_append (&shell, "-c");
  return shell;
}

static int
fail (struct hk_error **err, const struct df_instruction *in, const char *why)
{
  return hk_error_set (err, EINVAL, "line %u: %s: %s", in->line, df_kind_name (in->kind), why);
}

/* The exec form as is, the shell form through the shell. */
static json_t *
command (json_t *config, const struct df_instruction *in)
{
  if (in->json_args)
    return json_from_strv (in->json_args);
  _cleanup_strv_ char **argv = config_instruction_shell (config);
  strv_append (&argv, in->args);
  return json_from_strv (argv);
}

int
config_instruction_pairs (const struct df_instruction *in, char escape, char *const *vars,
                          char ***names, char ***values, struct hk_error **err)
{
  _cleanup_strv_ char **fields = shell_word_fields (in->args, escape);
  _cleanup_strv_ char **n = xzalloc (sizeof *n);
  _cleanup_strv_ char **v = xzalloc (sizeof *v);
  if (fields[0] && strchr (fields[0], '=') == NULL)
    {
      /* ENV NAME the value: the rest of the line, one value. */
      if (fields[1] == NULL)
        return fail (err, in, "expected NAME=VALUE (or NAME VALUE)");
      const char *rest = skip_blanks (in->args + strlen (fields[0]));
      char *value;
      if (shell_word_expand (rest, escape, vars, &value, err) < 0)
        return -1;
      strv_append (&n, fields[0]);
      strv_append_take (&v, value);
    }
  else
    for (size_t i = 0; fields[i]; i++)
      {
        char *eq = strchr (fields[i], '=');
        if (eq == NULL)
          return fail (err, in, "expected NAME=VALUE");
        *eq = '\0';
        char *name, *value;
        if (shell_word_expand (fields[i], escape, vars, &name, err) < 0)
          return -1;
        if (*name == '\0')
          {
            free (name);
            return fail (err, in, "a name cannot be empty");
          }
        if (shell_word_expand (eq + 1, escape, vars, &value, err) < 0)
          {
            free (name);
            return -1;
          }
        strv_append_take (&n, name);
        strv_append_take (&v, value);
      }
  *names = take_ptr (n);
  *values = take_ptr (v);
  return 0;
}

static json_t *
member (json_t *config, const char *key, bool array)
{
  json_t *o = json_object_get (config, key);
  if (array ? !json_is_array (o) : !json_is_object (o))
    {
      o = array ? json_array () : json_object ();
      json_object_set_new (config, key, o);
    }
  return o;
}

static void
env_set (json_t *env, const char *name, const char *value)
{
  _cleanup_free_ char *entry = xasprintf ("%s=%s", name, value);
  size_t n = strlen (name), i;
  json_t *old;
  json_array_foreach (env, i, old)
  {
    const char *s = json_string_value (old);
    if (s && strncmp (s, name, n) == 0 && s[n] == '=')
      {
        json_array_set_new (env, i, json_string (entry));
        return;
      }
  }
  json_array_append_new (env, json_string (entry));
}

static int
apply_pairs (json_t *config, const struct df_instruction *in,
             const struct config_instruction_state *st, struct hk_error **err)
{
  _cleanup_strv_ char **names = NULL;
  _cleanup_strv_ char **values = NULL;
  if (config_instruction_pairs (in, st->escape, st->vars, &names, &values, err) < 0)
    return -1;
  bool env = in->kind == DF_ENV;
  json_t *target = member (config, env ? "Env" : "Labels", env);
  for (size_t i = 0; names[i]; i++)
    {
      if (env && strchr (names[i], '=') != NULL)
        return fail (err, in, "a name cannot hold `=`");
      if (env)
        env_set (target, names[i], values[i]);
      else
        json_object_set_new (target, names[i], json_string (values[i]));
    }
  return 0;
}

/* The words of IN: the exec form's strings or the shell form split, each
 * expanded. */
static int
words (const struct df_instruction *in, const struct config_instruction_state *st, char ***out,
       struct hk_error **err)
{
  if (in->json_args == NULL)
    return shell_word_split (in->args, st->escape, st->vars, out, err);
  _cleanup_strv_ char **v = xzalloc (sizeof *v);
  for (size_t i = 0; in->json_args[i]; i++)
    {
      char *w;
      if (shell_word_expand (in->json_args[i], st->escape, st->vars, &w, err) < 0)
        return -1;
      strv_append_take (&v, w);
    }
  *out = take_ptr (v);
  return 0;
}

static int
port_number (const char *s, long *out)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > 65535 || !isdigit ((unsigned char)*s))
    return -1;
  *out = v;
  return 0;
}

/* "80", "80/udp", "8000-8010/tcp": every port of it, with its protocol. */
static int
expose_one (json_t *set, const struct df_instruction *in, const char *word, struct hk_error **err)
{
  _cleanup_free_ char *copy = xstrdup (word);
  char *slash = strchr (copy, '/');
  const char *proto = "tcp";
  if (slash)
    {
      *slash = '\0';
      proto = slash + 1;
      for (char *p = slash + 1; *p; p++)
        *p = (char)tolower ((unsigned char)*p);
      if (strcmp (proto, "tcp") && strcmp (proto, "udp") && strcmp (proto, "sctp"))
        return fail (err, in, "a protocol is tcp, udp or sctp");
    }
  char *dash = strchr (copy, '-');
  long lo, hi;
  if (dash)
    *dash = '\0';
  if (port_number (copy, &lo) < 0 || port_number (dash ? dash + 1 : copy, &hi) < 0 || hi < lo)
    {
      _cleanup_free_ char *why = xasprintf ("`%s` is not a port or a range of ports", word);
      return fail (err, in, why);
    }
  for (long p = lo; p <= hi; p++)
    {
      _cleanup_free_ char *key = xasprintf ("%ld/%s", p, proto);
      json_object_set_new (set, key, json_object ());
    }
  return 0;
}

static int
apply_set (json_t *config, const struct df_instruction *in,
           const struct config_instruction_state *st, struct hk_error **err)
{
  _cleanup_strv_ char **list = NULL;
  if (words (in, st, &list, err) < 0)
    return -1;
  bool ports = in->kind == DF_EXPOSE;
  json_t *set = member (config, ports ? "ExposedPorts" : "Volumes", false);
  for (size_t i = 0; list[i]; i++)
    {
      if (ports && expose_one (set, in, list[i], err) < 0)
        return -1;
      if (!ports && *list[i] == '\0')
        return fail (err, in, "a volume cannot be an empty path");
      if (!ports)
        json_object_set_new (set, list[i], json_object ());
    }
  return 0;
}

static int
one_word (const struct df_instruction *in, const struct config_instruction_state *st, char **out,
          struct hk_error **err)
{
  if (shell_word_expand (in->args, st->escape, st->vars, out, err) < 0)
    return -1;
  if (**out == '\0')
    {
      free (*out);
      *out = NULL; /* the callers' cleanup frees it too */
      return fail (err, in, "the value is empty");
    }
  return 0;
}

static int
apply_workdir (json_t *config, const struct df_instruction *in,
               const struct config_instruction_state *st, struct hk_error **err)
{
  _cleanup_free_ char *dir = NULL;
  if (one_word (in, st, &dir, err) < 0)
    return -1;
  const char *old = json_string_value (json_object_get (config, "WorkingDir"));
  _cleanup_free_ char *path = dir[0] == '/' ? xstrdup (dir)
                                            : xasprintf ("%s/%s", old && *old ? old : "", dir);
  /* Cleaned as Docker does (filepath.Join): no `.`, `..` or `//`. */
  _cleanup_strv_ char **parts = xzalloc (sizeof *parts);
  char *save = NULL;
  for (char *t = strtok_r (path, "/", &save); t; t = strtok_r (NULL, "/", &save))
    {
      size_t n = strv_length (parts);
      if (strcmp (t, "..") == 0 && n > 0)
        {
          free (parts[n - 1]);
          parts[n - 1] = NULL;
        }
      else if (strcmp (t, ".") != 0 && strcmp (t, "..") != 0)
        strv_append (&parts, t);
    }
  _cleanup_free_ char *clean = xstrdup ("");
  for (size_t i = 0; parts[i]; i++)
    {
      char *t = xasprintf ("%s/%s", clean, parts[i]);
      free (clean);
      clean = t;
    }
  json_object_set_new (config, "WorkingDir", json_string (*clean ? clean : "/"));
  return 0;
}

static int
duration_flag (const struct df_instruction *in, const char *name, json_t *hc, const char *key,
               struct hk_error **err)
{
  const char *v = df_flag_get (in, name, NULL);
  if (v == NULL)
    return 0;
  int64_t ms;
  _cleanup_free_ char *what = xasprintf ("line %u: HEALTHCHECK --%s", in->line, name);
  if (units_parse_duration_ms (v, what, &ms, err) < 0)
    return -1;
  json_object_set_new (hc, key, json_integer (ms * 1000000));
  return 0;
}

static int
apply_healthcheck (json_t *config, const struct df_instruction *in, struct hk_error **err)
{
  const char *a = in->args;
  _cleanup_json_ json_t *hc = json_object ();
  if (strncasecmp (a, "NONE", 4) == 0 && (a[4] == '\0' || isspace ((unsigned char)a[4])))
    {
      if (a[4] != '\0' || in->n_flags)
        return fail (err, in, "NONE takes no other argument or flag");
      json_object_set_new (hc, "Test", json_pack ("[s]", "NONE"));
      json_object_set (config, "Healthcheck", hc);
      return 0;
    }
  if (strncasecmp (a, "CMD", 3) != 0 || !isspace ((unsigned char)a[3]))
    return fail (err, in, "expected CMD COMMAND or NONE");
  const char *cmd = a + 3;
  while (isspace ((unsigned char)*cmd))
    cmd++;
  _cleanup_strv_ char **exec = dockerfile_json_form (cmd);
  json_t *test = exec ? json_from_strv (exec) : json_pack ("[ss]", "CMD-SHELL", cmd);
  if (exec)
    json_array_insert_new (test, 0, json_string ("CMD"));
  json_object_set_new (hc, "Test", test);
  if (duration_flag (in, "interval", hc, "Interval", err) < 0
      || duration_flag (in, "timeout", hc, "Timeout", err) < 0
      || duration_flag (in, "start-period", hc, "StartPeriod", err) < 0
      || duration_flag (in, "start-interval", hc, "StartInterval", err) < 0)
    return -1;
  const char *retries = df_flag_get (in, "retries", NULL);
  if (retries)
    {
      char *end;
      long n = strtol (retries, &end, 10);
      if (*end || end == retries || n < 0 || n > 1000000)
        return fail (err, in, "--retries is a number");
      json_object_set_new (hc, "Retries", json_integer (n));
    }
  json_object_set (config, "Healthcheck", hc);
  return 0;
}

static int
apply_simple (json_t *config, const struct df_instruction *in,
              struct config_instruction_state *st, struct hk_error **err)
{
  const char *key = in->kind == DF_USER ? "User" : "StopSignal";
  char *value;
  if (one_word (in, st, &value, err) < 0)
    return -1;
  json_object_set_new (config, key, json_string (value));
  free (value);
  return 0;
}

int
config_instruction_apply (json_t *config, const struct df_instruction *in,
                          struct config_instruction_state *st, struct hk_error **err)
{
  switch (in->kind)
    {
    case DF_CMD:
      json_object_set_new (config, "Cmd", command (config, in));
      st->cmd_set = true;
      return 0;
    case DF_ENTRYPOINT:
      json_object_set_new (config, "Entrypoint", command (config, in));
      if (!st->cmd_set)
        json_object_set_new (config, "Cmd", json_null ());
      return 0;
    case DF_ENV:
    case DF_LABEL:
      return apply_pairs (config, in, st, err);
    case DF_EXPOSE:
    case DF_VOLUME:
      return apply_set (config, in, st, err);
    case DF_USER:
    case DF_STOPSIGNAL:
      return apply_simple (config, in, st, err);
    case DF_WORKDIR:
      return apply_workdir (config, in, st, err);
    case DF_HEALTHCHECK:
      return apply_healthcheck (config, in, err);
    case DF_SHELL:
      if (in->json_args == NULL || in->json_args[0] == NULL)
        return fail (err, in, "takes a JSON array: SHELL [\"executable\", \"parameters\"]");
      json_object_set_new (config, "Shell", json_from_strv (in->json_args));
      return 0;
    case DF_ONBUILD:
      json_array_append_new (member (config, "OnBuild", true), json_string (in->args));
      return 0;
    default:
      return fail (err, in, "not an instruction that changes the config only");
    }
}
