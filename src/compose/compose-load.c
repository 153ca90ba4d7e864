/* SPDX-License-Identifier: Apache-2.0 */
/* The model of a project's files: each file read as YAML (anchors,
 * aliases and merge keys; aliases counted as expanded, so an alias bomb
 * stops at the reader's node limit), checked to be one mapping of the
 * spec's top-level keys, interpolated, normalised, its extends resolved;
 * then the files merged in order, the services of inactive profiles
 * dropped, and every reference between the parts checked. */
#include "compose.h"
#include "compose-dotenv.h"
#include "compose-interpolate.h"
#include "compose-merge.h"
#include "compose-paths.h"
#include "compose-refs.h"
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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* extends chains longer than this are refused (a cycle among files) */
#define EXTENDS_MAX_DEPTH 16
/* include: nested deeper, or more files in all, are refused */
#define INCLUDE_MAX_DEPTH 16
#define INCLUDE_MAX_FILES 256

static const struct yaml_limits compose_yaml_limits = {
  .max_bytes = 4 << 20,
  .max_depth = 64,
  .max_nodes = 100000,
  .max_documents = 1,
  .yaml11_booleans = false, /* yes/no stay strings, as in Docker Compose v2 */
  .tags = (const char *const[]){ "!reset", "!override", NULL },
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
  static const char *const known[] = { "version", "name",    "services", "networks", "volumes",
                                       "secrets", "configs", "include",  NULL };
  const char *key;
  json_t *v;
  json_object_foreach (doc, key, v)
  {
    if (strncmp (key, "x-", 2) == 0 || strv_contains ((char **)known, key))
      continue;
    return hk_error_set (err, EINVAL, "%s: unknown top-level key", key);
  }
  return 0;
}

typedef int (*path_rule) (const struct compose_normalize_context *ctx, const char *path,
                          const char *where, char **out, struct hk_error **err);

/* A string or a list of strings, each a path of the file made absolute
 * by RULE: compose_include_path for the files included, which may climb
 * out of CTX->dir by ".."; compose_contained_path for env_file, which
 * may not (its values reach containers). */
static int
include_paths (json_t *v, const char *path, const struct compose_normalize_context *ctx,
               path_rule rule, json_t **out, struct hk_error **err)
{
  _cleanup_json_ json_t *list = NULL;
  if (compose_value_strings (v, path, true, &list, err) < 0)
    return -1;
  _cleanup_json_ json_t *abs_list = json_array ();
  size_t i;
  json_t *item;
  json_array_foreach (list, i, item)
  {
    _cleanup_free_ char *where = compose_path_index (path, i);
    char *abs;
    if (rule (ctx, json_string_value (item), where, &abs, err) < 0)
      return -1;
    json_array_append_new (abs_list, json_string (abs));
    free (abs);
  }
  *out = take_ptr (abs_list);
  return 0;
}

/* include: [PATH | {path, project_directory, env_file}] into a list of
 * {path: [ABS...], project_directory: ABS, env_file: [ABS...]}. */
static int
normalize_include (json_t *v, const struct compose_normalize_context *ctx, json_t **out,
                   struct hk_error **err)
{
  if (!json_is_array (v))
    return compose_type_error (v, "include", "a list", err);
  _cleanup_json_ json_t *all = json_array ();
  size_t i;
  json_t *entry;
  json_array_foreach (v, i, entry)
  {
    _cleanup_free_ char *where = compose_path_index ("include", i);
    _cleanup_json_ json_t *n = json_object ();
    json_t *paths = json_is_string (entry) ? entry : json_object_get (entry, "path");
    if (!json_is_string (entry) && !json_is_object (entry))
      return compose_type_error (entry, where, "a path or a mapping", err);
    const char *key;
    json_t *field;
    json_object_foreach (json_is_object (entry) ? entry : NULL, key, field)
    {
      if (strcmp (key, "path") != 0 && strcmp (key, "project_directory") != 0
          && strcmp (key, "env_file") != 0)
        return hk_error_set (err, EINVAL, "%s.%s: unknown key", where, key);
    }
    if (paths == NULL)
      return hk_error_set (err, EINVAL, "%s.path: missing", where);
    _cleanup_free_ char *at = xasprintf ("%s.path", where);
    json_t *list;
    if (include_paths (paths, at, ctx, compose_include_path, &list, err) < 0)
      return -1;
    json_object_set_new (n, "path", list);
    json_t *dir = json_object_get (entry, "project_directory");
    if (dir)
      {
        free (at);
        at = xasprintf ("%s.project_directory", where);
        const char *first
            = json_string_value (json_is_string (paths) ? paths : json_array_get (paths, 0));
        char *abs;
        if (!json_is_string (dir))
          return compose_type_error (dir, at, "a string", err);
        if (compose_include_directory (ctx, json_string_value (dir), first, at, &abs, err) < 0)
          return -1;
        json_object_set_new (n, "project_directory", json_string (abs));
        free (abs);
      }
    json_t *env_file = json_object_get (entry, "env_file");
    if (env_file)
      {
        free (at);
        at = xasprintf ("%s.env_file", where);
        if (include_paths (env_file, at, ctx, compose_contained_path, &list, err) < 0)
          return -1;
        json_object_set_new (n, "env_file", list);
      }
    json_array_append (all, n);
  }
  *out = take_ptr (all);
  return 0;
}

/* The mapping that holds the last key of PATH (keys from ROOT), or NULL
 * when the path leads nowhere. */
static json_t *
tag_parent (json_t *root, json_t *path)
{
  json_t *node = root;
  size_t n = json_array_size (path);
  for (size_t i = 0; i + 1 < n && node; i++)
    node = json_object_get (node, json_string_value (json_array_get (path, i)));
  return json_is_object (node) ? node : NULL;
}

/* Removes what the file's !reset and !override tags name from MODEL (an
 * earlier file's, or the file itself for !reset), so that the merge
 * leaves nothing (!reset) or only the file's value (!override). */
static void
apply_tags (json_t *model, json_t *tags, bool own)
{
  size_t i;
  json_t *t;
  json_array_foreach (tags, i, t)
  {
    bool reset = strcmp (json_string_value (json_object_get (t, "tag")), "!reset") == 0;
    if (own && !reset)
      continue;
    json_t *path = json_object_get (t, "path");
    json_t *parent = tag_parent (model, path);
    if (parent)
      json_object_del (parent,
                       json_string_value (json_array_get (path, json_array_size (path) - 1)));
  }
}

/* The tags are only on the values of mappings: a list item has no key
 * to merge by. */
static int
check_tags (const char *name, json_t *tags, struct hk_error **err)
{
  size_t i, j;
  json_t *t, *key;
  json_array_foreach (tags, i, t)
  {
    json_t *path = json_object_get (t, "path");
    const char *tag = json_string_value (json_object_get (t, "tag"));
    if (json_array_size (path) == 0)
      return hk_error_set (err, EINVAL, "%s: %s on the whole file", name, tag);
    json_array_foreach (path, j, key)
    {
      if (!json_is_string (key))
        return hk_error_set (err, ENOTSUP, "%s: %s on a list item is not supported by hako "
                             "compose (put it on the list)", name, tag);
    }
  }
  return 0;
}

/* One file's text into its normalised form (extends not yet resolved);
 * its !reset and !override tags into *TAGS when TAGS is not NULL. */
static int
normalize_file (const char *name, const char *text, size_t len, const char *dir,
                char *const *env, char ***unset, json_t **out, json_t **tags,
                struct hk_error **err)
{
  _cleanup_yaml_stream_ struct yaml_stream *s = NULL;
  if (yaml_read (name, text, len, &compose_yaml_limits, &s, err) < 0)
    return -1;
  json_t *doc = s->n ? s->docs[0].root : NULL;
  if (doc == NULL || json_is_null (doc))
    return hk_error_set (err, EINVAL, "%s: empty compose file", name);
  if (!json_is_object (doc))
    return compose_type_error (doc, name, "a mapping at the top", err);
  json_t *file_tags = s->docs[0].tags;
  if (check_tags (name, file_tags, err) < 0)
    return -1;
  apply_tags (doc, file_tags, true);
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
    if (strcmp (key, "include") == 0)
      {
        if (normalize_include (v, &ctx, &n, err) < 0)
          return hk_error_prefix (err, "%s", name);
        json_object_set_new (model, key, n);
        continue;
      }
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
  if (tags)
    *tags = json_incref (file_tags);
  return 0;
}

/* Another compose file a file names (extends, include): only a regular
 * file, opened without blocking (a FIFO, /dev/zero or /proc/kmsg would
 * hang the reader or never end). */
static int
read_compose_file (const char *path, char **text, size_t *len, struct hk_error **err)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return hk_error_errno (err, errno, "%s", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return hk_error_errno (err, errno, "%s", path);
  if (!S_ISREG (st.st_mode))
    return hk_error_set (err, EINVAL, "%s is not a regular file", path);
  if (fs_read_fd (fd, compose_yaml_limits.max_bytes + 1, text, len, err) < 0)
    return hk_error_prefix (err, "%s", path);
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
  if (read_compose_file (path, &text, &len, err) < 0)
    return -1;
  _cleanup_free_ char *copy = xstrdup (path);
  return normalize_file (path, text, len, dirname (copy), env, unset, out, NULL, err);
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

/* ---- include ---- */

struct include_context
{
  char ***unset;
  char **stack; /* the real paths of the files being included, for cycles */
  size_t files; /* read so far */
};

static int resolve_includes (struct include_context *x, json_t *model, char *const *env,
                             struct hk_error **err);

/* The environment of an included file: its env_file entries (else its
 * project directory's .env), the including project's over them. */
static int
include_env (json_t *entry, const char *dir, char *const *env, char ***out, struct hk_error **err)
{
  _cleanup_strv_ char **own = NULL;
  json_t *files = json_object_get (entry, "env_file");
  _cleanup_free_ char *default_file = xasprintf ("%s/.env", dir);
  size_t i;
  json_t *f;
  json_array_foreach (files, i, f)
  {
    if (compose_dotenv_read (json_string_value (f), env, &own, err) < 0)
      return hk_error_prefix (err, "include: env_file");
  }
  if (files == NULL && access (default_file, F_OK) == 0
      && compose_dotenv_read (default_file, env, &own, err) < 0)
    return hk_error_prefix (err, "include: %s", default_file);
  for (char *const *e = env; e && *e; e++)
    {
      const char *eq = strchr (*e, '=');
      if (eq == NULL)
        continue;
      _cleanup_free_ char *name = xstrndup (*e, (size_t)(eq - *e));
      strv_env_set (&own, name, eq + 1);
    }
  *out = take_ptr (own);
  return 0;
}

/* One included file, read, normalised against DIR, its extends and own
 * includes resolved. */
static int
load_included (struct include_context *x, const char *path, const char *dir, char *const *env,
               json_t **out, struct hk_error **err)
{
  if (++x->files > INCLUDE_MAX_FILES)
    return hk_error_set (err, E2BIG, "include: more than %d files", INCLUDE_MAX_FILES);
  _cleanup_free_ char *real = realpath (path, NULL);
  if (real == NULL)
    return hk_error_errno (err, errno, "include: %s", path);
  if (strv_contains (x->stack, real))
    return hk_error_set (err, ELOOP, "include: %s includes itself (a cycle)", path);
  if (strv_length (x->stack) >= INCLUDE_MAX_DEPTH)
    return hk_error_set (err, ELOOP, "include: nested deeper than %d files", INCLUDE_MAX_DEPTH);
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (read_compose_file (path, &text, &len, err) < 0)
    return hk_error_prefix (err, "include");
  _cleanup_json_ json_t *model = NULL;
  strv_append (&x->stack, real);
  int rc = normalize_file (path, text, len, dir, env, x->unset, &model, NULL, err) < 0
                   || resolve_extends (model, path, env, x->unset, err) < 0
                   || resolve_includes (x, model, env, err) < 0
               ? -1
               : 0;
  size_t last = strv_length (x->stack) - 1;
  free (x->stack[last]);
  x->stack[last] = NULL;
  if (rc < 0)
    return -1;
  *out = take_ptr (model);
  return 0;
}

/* The resources of INCLUDED added to MODEL; one MODEL has already is an
 * error (Docker Compose's rule: an include does not override). */
static int
add_included (json_t *model, json_t *included, const char *file, struct hk_error **err)
{
  static const char *const kinds[]
      = { "services", "networks", "volumes", "secrets", "configs", NULL };
  for (const char *const *kind = kinds; *kind; kind++)
    {
      json_t *mine = json_object_get (model, *kind);
      if (mine == NULL)
        json_object_set_new (model, *kind, mine = json_object ());
      const char *name;
      json_t *v;
      json_object_foreach (json_object_get (included, *kind), name, v)
      {
        if (json_object_get (mine, name))
          return hk_error_set (err, EEXIST, "include: %s defines %s.%s, which the including "
                               "file defines too", file, *kind, name);
        json_object_set (mine, name, v);
      }
    }
  return 0;
}

/* MODEL's include: entries loaded and their resources added. */
static int
resolve_includes (struct include_context *x, json_t *model, char *const *env,
                  struct hk_error **err)
{
  _cleanup_json_ json_t *entries = json_incref (json_object_get (model, "include"));
  json_object_del (model, "include");
  size_t i;
  json_t *entry;
  json_array_foreach (entries, i, entry)
  {
    json_t *paths = json_object_get (entry, "path");
    const char *first = json_string_value (json_array_get (paths, 0));
    _cleanup_free_ char *copy = xstrdup (first);
    const char *dir = json_string_value (json_object_get (entry, "project_directory"));
    if (dir == NULL)
      dir = dirname (copy);
    _cleanup_strv_ char **own_env = NULL;
    if (include_env (entry, dir, env, &own_env, err) < 0)
      return -1;
    /* several paths: one model, merged as -f files are */
    _cleanup_json_ json_t *merged = NULL;
    size_t j;
    json_t *path;
    json_array_foreach (paths, j, path)
    {
      json_t *one = NULL;
      if (load_included (x, json_string_value (path), dir, own_env, &one, err) < 0)
        return -1;
      if (merged == NULL)
        merged = one;
      else
        {
          compose_merge_project (merged, one);
          json_decref (one);
        }
    }
    if (add_included (model, merged, first, err) < 0)
      return -1;
  }
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
  if (compose_check_refs (services, name, svc, err) < 0)
    return -1;
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
  _cleanup_strv_ char **refs = compose_service_refs (svc);
  for (char **ref = refs; *ref; ref++)
    if (visit (o, *ref, err) < 0)
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
      _cleanup_json_ json_t *file = NULL, *tags = NULL;
      struct include_context x = { .unset = unset };
      int rc = normalize_file (names[i], texts[i], lens[i], dir, env, unset, &file, &tags, err) < 0
                       || resolve_extends (file, names[i], env, unset, err) < 0
                       || resolve_includes (&x, file, env, err) < 0
                   ? -1
                   : 0;
      strv_free (x.stack);
      if (rc < 0)
        return -1;
      if (model == NULL)
        model = json_incref (file);
      else
        {
          apply_tags (model, tags, false);
          compose_merge_project (model, file);
        }
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
