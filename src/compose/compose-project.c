/* SPDX-License-Identifier: Apache-2.0 */
/* A project as Docker Compose finds it: the files (-f, $COMPOSE_FILE, or
 * compose.yaml and its kin in this directory or the nearest parent, with
 * the override file next to it), the project directory (the first
 * file's), the environment (.env or --env-file under the shell's), the
 * name (-p, $COMPOSE_PROJECT_NAME, the files' name:, the directory's),
 * and the names of its networks and volumes (PROJECT_NAME unless given
 * or external). */
#include "compose.h"
#include "compose-dotenv.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const file_names[]
    = { "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml", NULL };
static const char *const override_names[]
    = { "compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml",
        "docker-compose.override.yml", NULL };

void
compose_project_free (struct compose_project *p)
{
  if (p == NULL)
    return;
  free (p->name);
  free (p->dir);
  strv_free (p->files);
  strv_free (p->env);
  json_decref (p->model);
  free (p->files_dir);
  free (p);
}

bool
compose_is_project_name (const char *name)
{
  if (!islower ((unsigned char)name[0]) && !isdigit ((unsigned char)name[0]))
    return false;
  for (const char *p = name; *p; p++)
    if (!islower ((unsigned char)*p) && !isdigit ((unsigned char)*p) && *p != '_' && *p != '-')
      return false;
  return true;
}

static bool
exists (const char *path)
{
  return access (path, F_OK) == 0;
}

/* The first of NAMES in DIR, or NULL. */
static char *
first_in (const char *dir, const char *const *names)
{
  for (const char *const *n = names; *n; n++)
    {
      char *path = xasprintf ("%s/%s", dir, *n);
      if (exists (path))
        return path;
      free (path);
    }
  return NULL;
}

/* compose.yaml (or its kin) in the working directory or the nearest
 * parent, and its override next to it. */
static int
discover (char ***files, struct hk_error **err)
{
  char cwd[PATH_MAX];
  if (getcwd (cwd, sizeof cwd) == NULL)
    return hk_error_errno (err, errno, "find the working directory");
  _cleanup_free_ char *dir = xstrdup (cwd);
  for (;;)
    {
      char *found = first_in (dir, file_names);
      if (found)
        {
          strv_append_take (files, found);
          char *override = first_in (dir, override_names);
          if (override)
            strv_append_take (files, override);
          return 0;
        }
      if (strcmp (dir, "/") == 0)
        return hk_error_set (err, ENOENT,
                             "no configuration file provided: no compose.yaml, compose.yml, "
                             "docker-compose.yaml or docker-compose.yml in %s or a parent",
                             cwd);
      char *slash = strrchr (dir, '/');
      if (slash == dir)
        slash[1] = '\0';
      else
        *slash = '\0';
    }
}

static char *
absolute (const char *path)
{
  if (path[0] == '/')
    return xstrdup (path);
  char cwd[PATH_MAX];
  if (getcwd (cwd, sizeof cwd) == NULL)
    return xstrdup (path);
  return xasprintf ("%s/%s", cwd, path);
}

static int
find_files (const struct compose_options *o, char ***files, struct hk_error **err)
{
  const char *from_env = strv_env_get (o->environ, "COMPOSE_FILE");
  if (o->files)
    for (char *const *f = o->files; *f; f++)
      strv_append_take (files, strcmp (*f, "-") == 0 ? xstrdup ("-") : absolute (*f));
  else if (from_env && *from_env)
    {
      _cleanup_free_ char *copy = xstrdup (from_env);
      char *save = NULL;
      for (char *f = strtok_r (copy, ":", &save); f; f = strtok_r (NULL, ":", &save))
        strv_append_take (files, absolute (f));
    }
  else
    return discover (files, err);
  return 0;
}

/* The .env (or --env-file) entries with the shell's over them. */
static int
load_env (const struct compose_options *o, const char *dir, char ***env, struct hk_error **err)
{
  _cleanup_strv_ char **dotenv = NULL;
  _cleanup_free_ char *default_file = xasprintf ("%s/.env", dir);
  if (o->env_files)
    {
      for (char *const *f = o->env_files; *f; f++)
        if (compose_dotenv_read (*f, o->environ, &dotenv, err) < 0)
          return hk_error_prefix (err, "--env-file");
    }
  else if (exists (default_file) && compose_dotenv_read (default_file, o->environ, &dotenv, err) < 0)
    return -1;
  for (char *const *e = o->environ; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      if (eq == NULL)
        continue;
      _cleanup_free_ char *name = xstrndup (*e, (size_t)(eq - *e));
      strv_env_set (&dotenv, name, eq + 1);
    }
  *env = take_ptr (dotenv);
  return 0;
}

/* The directory's base name made a project name: lower case, only the
 * characters allowed. */
static char *
name_from_dir (const char *dir)
{
  _cleanup_free_ char *copy = xstrdup (dir);
  const char *base = basename (copy);
  char *name = xzalloc (strlen (base) + 1);
  size_t n = 0;
  for (const char *p = base; *p; p++)
    {
      char c = (char)tolower ((unsigned char)*p);
      if (islower ((unsigned char)c) || isdigit ((unsigned char)c)
          || ((c == '_' || c == '-') && n > 0))
        name[n++] = c;
    }
  return name;
}

static int
project_name (const struct compose_options *o, struct compose_project *p, struct hk_error **err)
{
  const char *from_env = strv_env_get (p->env, "COMPOSE_PROJECT_NAME");
  const char *in_file = json_string_value (json_object_get (p->model, "name"));
  const char *given = o->project_name        ? o->project_name
                      : from_env && *from_env ? from_env
                                              : in_file;
  p->name = given ? xstrdup (given) : name_from_dir (p->dir);
  if (!compose_is_project_name (p->name))
    return hk_error_set (err, EINVAL,
                         "project name \"%s\": must be lower-case letters, digits, - and _, "
                         "starting with a letter or a digit",
                         p->name);
  return 0;
}

/* networks.default when a service uses it, and every network's and
 * volume's name. */
static void
finish_model (struct compose_project *p)
{
  json_t *m = p->model;
  json_object_set_new (m, "name", json_string (p->name));
  for (const char *const *kind = (const char *const[]){ "networks", "volumes", "secrets",
                                                         "configs", NULL };
       *kind; kind++)
    if (json_object_get (m, *kind) == NULL)
      json_object_set_new (m, *kind, json_object ());
  json_t *networks = json_object_get (m, "networks");
  const char *name;
  json_t *svc;
  json_object_foreach (json_object_get (m, "services"), name, svc)
  {
    if (json_object_get (svc, "network_mode") || json_object_get (svc, "networks"))
      continue;
    json_object_set_new (svc, "networks", json_pack ("{sn}", "default"));
  }
  json_object_foreach (json_object_get (m, "services"), name, svc)
  {
    if (json_object_get (json_object_get (svc, "networks"), "default")
        && !json_object_get (networks, "default"))
      json_object_set_new (networks, "default", json_object ());
  }
  for (const char *const *kind = (const char *const[]){ "networks", "volumes", NULL }; *kind;
       kind++)
    {
      json_t *r;
      json_object_foreach (json_object_get (m, *kind), name, r)
      {
        if (json_object_get (r, "name"))
          continue;
        json_object_set_new (r, "name",
                             json_is_true (json_object_get (r, "external"))
                                 ? json_string (name)
                                 : json_sprintf ("%s_%s", p->name, name));
      }
    }
}

/* FILE's text ("-": the standard input). */
static int
read_file (const char *file, char **text, size_t *len, struct hk_error **err)
{
  size_t max = (4 << 20) + 1;
  if (strcmp (file, "-") == 0)
    return fs_read_fd (0, max, text, len, err);
  return fs_read_file (AT_FDCWD, file, max, text, len, err);
}

static char **
active_profiles (const struct compose_options *o, char *const *env)
{
  if (o->profiles)
    return strv_copy (o->profiles);
  char **profiles = NULL;
  const char *from_env = strv_env_get (env, "COMPOSE_PROFILES");
  _cleanup_free_ char *copy = xstrdup (from_env ? from_env : "");
  char *save = NULL;
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    strv_append (&profiles, t);
  return profiles;
}

int
compose_project_load (const struct compose_options *o, const struct hk_log *log,
                      struct compose_project **out, struct hk_error **err)
{
  _cleanup_compose_project_ struct compose_project *p = xzalloc (sizeof *p);
  if (find_files (o, &p->files, err) < 0)
    return -1;
  if (o->project_dir)
    p->dir = absolute (o->project_dir);
  else if (strcmp (p->files[0], "-") == 0)
    p->dir = absolute (".");
  else
    {
      _cleanup_free_ char *copy = xstrdup (p->files[0]);
      p->dir = xstrdup (dirname (copy));
    }
  if (load_env (o, p->dir, &p->env, err) < 0)
    return -1;
  size_t n = strv_length (p->files);
  char **texts = xzalloc ((n + 1) * sizeof *texts);
  size_t *lens = xzalloc ((n + 1) * sizeof *lens);
  _cleanup_strv_ char **unset = NULL;
  _cleanup_strv_ char **profiles = active_profiles (o, p->env);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    rc = read_file (p->files[i], &texts[i], &lens[i], err);
  if (rc == 0)
    rc = compose_model_load (p->files, texts, lens, n, p->dir, p->env, profiles, &unset,
                             &p->model, err);
  strv_free (texts);
  free (lens);
  if (rc < 0)
    return -1;
  for (char **u = unset; u && *u; u++)
    hk_warn (log, "The \"%s\" variable is not set. Defaulting to a blank string.", *u);
  if (project_name (o, p, err) < 0)
    return -1;
  finish_model (p);
  *out = take_ptr (p);
  return 0;
}
