/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: the top level, process, mounts and hooks.  The linux
 * section is in spec-linux.c, its resources in spec-resources.c. */
#include "spec.h"
#include "spec-internal.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

static const char *const hook_kind_names[HOOK_KIND_COUNT] = {
  [HOOK_PRESTART] = "prestart",
  [HOOK_CREATE_RUNTIME] = "createRuntime",
  [HOOK_CREATE_CONTAINER] = "createContainer",
  [HOOK_START_CONTAINER] = "startContainer",
  [HOOK_POSTSTART] = "poststart",
  [HOOK_POSTSTOP] = "poststop",
};

const char *
spec_hook_kind_name (enum oci_hook_kind kind)
{
  return hook_kind_names[kind];
}

int
spec_capability_number (const char *name)
{
  if (strncasecmp (name, "CAP_", 4) != 0)
    return -1;
  char lower[64];
  size_t n = strlen (name);
  if (n >= sizeof lower)
    return -1;
  for (size_t i = 0; i <= n; i++)
    lower[i] = (char) tolower ((unsigned char) name[i]);
  cap_value_t value;
  if (cap_from_name (lower, &value) < 0 || value < 0 || value > 63)
    return -1;
  return value;
}

char *
spec_capability_name (int cap)
{
  char *lower = cap_to_name ((cap_value_t) cap);
  if (lower == NULL)
    return NULL;
  if (strncmp (lower, "cap_", 4) != 0)
    {
      cap_free (lower); /* a bare number: libcap does not know it */
      return NULL;
    }
  char *upper = xstrdup (lower);
  cap_free (lower);
  for (char *p = upper; *p; p++)
    *p = (char) toupper ((unsigned char) *p);
  return upper;
}

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int
spec_rlimit_number (const char *name)
{
  for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
    if (strcmp (name, rlimit_names[i].name) == 0)
      return rlimit_names[i].resource;
  return -1;
}

/* The runtime-spec: a capability that cannot be mapped to the kernel's, or
 * granted, is a warning, not an error (a config written for a newer
 * kernel still runs).  Unknown names are kept in *WARNINGS. */
static int
parse_capability_set (json_t *caps, const char *path, const char *key, uint64_t *out,
                      char ***warnings, struct hk_error **err)
{
  _cleanup_strv_ char **names = NULL;
  int r = json_get_strv (caps, path, key, &names, err);
  if (r <= 0)
    return r;
  uint64_t mask = 0;
  for (size_t i = 0; names[i] != NULL; i++)
    {
      int cap = spec_capability_number (names[i]);
      if (cap < 0)
        {
          _cleanup_free_ char *p = json_path_key (path, key);
          strv_append_take (warnings, xasprintf ("%s[%zu]: unknown capability `%s` ignored", p,
                                                 i, names[i]));
          continue;
        }
      mask |= UINT64_C (1) << cap;
    }
  *out = mask;
  return 1;
}

static int
parse_capabilities (json_t *process, const char *path, struct oci_process *p,
                    struct hk_error **err)
{
  json_t *caps;
  int r = json_get_object (process, path, "capabilities", &caps, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *cpath = json_path_key (path, "capabilities");
  p->has_capabilities = true;
  char ***w = &p->warnings;
  if (parse_capability_set (caps, cpath, "bounding", &p->capabilities.bounding, w, err) < 0
      || parse_capability_set (caps, cpath, "effective", &p->capabilities.effective, w, err) < 0
      || parse_capability_set (caps, cpath, "inheritable", &p->capabilities.inheritable, w, err)
             < 0
      || parse_capability_set (caps, cpath, "permitted", &p->capabilities.permitted, w, err) < 0
      || parse_capability_set (caps, cpath, "ambient", &p->capabilities.ambient, w, err) < 0)
    return -1;
  return 1;
}

static int
parse_rlimits (json_t *process, const char *path, struct oci_process *p, struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (process, path, "rlimits", &arr, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *apath = json_path_key (path, "rlimits");
  p->rlimits = xzalloc (sizeof (struct oci_rlimit) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *ipath = json_path_index (apath, i);
    _cleanup_free_ char *type = NULL;
    struct oci_rlimit *rl = &p->rlimits[p->n_rlimits];
    if (!json_is_object (item))
      return hk_error_set (err, EINVAL, "%s: expected an object, got %s", ipath,
                           json_type_name (item));
    if (json_require (item, ipath, "type", err) < 0
        || json_get_string (item, ipath, "type", &type, err) < 0
        || json_require (item, ipath, "soft", err) < 0
        || json_require (item, ipath, "hard", err) < 0
        || json_get_uint64 (item, ipath, "soft", &rl->soft, err) < 0
        || json_get_uint64 (item, ipath, "hard", &rl->hard, err) < 0)
      return -1;
    rl->resource = spec_rlimit_number (type);
    if (rl->resource < 0)
      return hk_error_set (err, EINVAL, "%s.type: unknown rlimit `%s`", ipath, type);
    for (size_t j = 0; j < p->n_rlimits; j++)
      if (p->rlimits[j].resource == rl->resource)
        return hk_error_set (err, EINVAL, "%s.type: rlimit `%s` is set twice", ipath, type);
    if (rl->soft > rl->hard)
      return hk_error_set (err, EINVAL, "%s: soft limit %llu is above the hard limit %llu",
                           ipath, (unsigned long long) rl->soft, (unsigned long long) rl->hard);
    p->n_rlimits++;
  }
  return 1;
}

static int
parse_uint32_array (json_t *obj, const char *path, const char *key, uint32_t **out, size_t *n,
                    struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (obj, path, key, &arr, err);
  if (r <= 0)
    return r;
  *out = xzalloc (sizeof (uint32_t) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    json_int_t v = json_integer_value (item);
    if (!json_is_integer (item) || v < 0 || v > UINT32_MAX)
      {
        _cleanup_free_ char *p = json_path_key (path, key);
        return hk_error_set (err, EINVAL, "%s[%zu]: expected an unsigned 32-bit integer", p, i);
      }
    (*out)[(*n)++] = (uint32_t) v;
  }
  return 1;
}

static int
parse_user (json_t *process, const char *path, struct oci_process *p, struct hk_error **err)
{
  json_t *user;
  int r = json_get_object (process, path, "user", &user, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *upath = json_path_key (path, "user");
  if (json_get_uint32 (user, upath, "uid", &p->user.uid, err) < 0
      || json_get_uint32 (user, upath, "gid", &p->user.gid, err) < 0)
    return -1;
  r = json_get_uint32 (user, upath, "umask", &p->user.umask, err);
  if (r < 0)
    return -1;
  p->user.has_umask = r > 0;
  if (p->user.has_umask && p->user.umask > 0777)
    return hk_error_set (err, EINVAL, "%s.umask: %o is not a file mode mask", upath,
                         p->user.umask);
  return parse_uint32_array (user, upath, "additionalGids", &p->user.additional_gids,
                             &p->user.n_additional_gids, err);
}

static int
parse_console_size (json_t *process, const char *path, struct oci_process *p,
                    struct hk_error **err)
{
  json_t *size;
  int r = json_get_object (process, path, "consoleSize", &size, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *spath = json_path_key (path, "consoleSize");
  if (json_require (size, spath, "height", err) < 0 || json_require (size, spath, "width", err) < 0
      || json_get_uint32 (size, spath, "height", &p->console_height, err) < 0
      || json_get_uint32 (size, spath, "width", &p->console_width, err) < 0)
    return -1;
  p->has_console_size = true;
  return 1;
}

static bool
valid_env_entry (const char *e)
{
  const char *eq = strchr (e, '=');
  return eq != NULL && eq != e;
}

int
spec_parse_process (json_t *obj, const char *path, struct oci_process **out,
                    struct hk_error **err)
{
  struct oci_process *p = xzalloc (sizeof *p);
  if (json_get_bool (obj, path, "terminal", &p->terminal, err) < 0
      || parse_console_size (obj, path, p, err) < 0 || parse_user (obj, path, p, err) < 0
      || json_require (obj, path, "args", err) < 0
      || json_get_strv (obj, path, "args", &p->args, err) < 0
      || json_get_strv (obj, path, "env", &p->env, err) < 0
      || json_require (obj, path, "cwd", err) < 0
      || json_get_string (obj, path, "cwd", &p->cwd, err) < 0
      || parse_capabilities (obj, path, p, err) < 0 || parse_rlimits (obj, path, p, err) < 0
      || json_get_bool (obj, path, "noNewPrivileges", &p->no_new_privileges, err) < 0
      || json_get_string (obj, path, "apparmorProfile", &p->apparmor_profile, err) < 0
      || json_get_string (obj, path, "selinuxLabel", &p->selinux_label, err) < 0
      || spec_parse_scheduler (obj, path, p, err) < 0
      || spec_parse_io_priority (obj, path, p, err) < 0)
    goto fail;
  int r = json_get_int32 (obj, path, "oomScoreAdj", &p->oom_score_adj, err);
  if (r < 0)
    goto fail;
  p->has_oom_score_adj = r > 0;
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    {
      hk_error_set (err, EINVAL, "%s.oomScoreAdj: %d is outside -1000..1000", path,
                    p->oom_score_adj);
      goto fail;
    }
  if (p->args[0] == NULL)
    {
      hk_error_set (err, EINVAL, "%s.args: must name the program to run", path);
      goto fail;
    }
  if (p->cwd[0] != '/')
    {
      hk_error_set (err, EINVAL, "%s.cwd: `%s` is not an absolute path", path, p->cwd);
      goto fail;
    }
  for (size_t i = 0; p->env != NULL && p->env[i] != NULL; i++)
    if (!valid_env_entry (p->env[i]))
      {
        hk_error_set (err, EINVAL, "%s.env[%zu]: `%s` is not NAME=VALUE", path, i, p->env[i]);
        goto fail;
      }
  if (p->env == NULL)
    p->env = xzalloc (sizeof (char *));
  *out = p;
  return 0;
fail:
  spec_process_free (p);
  return -1;
}

void
spec_process_free (struct oci_process *p)
{
  if (p == NULL)
    return;
  free (p->user.additional_gids);
  strv_free (p->args);
  strv_free (p->env);
  free (p->cwd);
  free (p->rlimits);
  free (p->apparmor_profile);
  free (p->selinux_label);
  strv_free (p->warnings);
  free (p);
}

static int
parse_id_mappings (json_t *obj, const char *path, const char *key, struct oci_id_mapping **out,
                   size_t *n, struct hk_error **err)
{
  return spec_parse_id_mappings (obj, path, key, out, n, err);
}

static int
parse_mount (json_t *item, const char *path, struct oci_mount *m, struct hk_error **err)
{
  if (!json_is_object (item))
    return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path,
                         json_type_name (item));
  if (json_require (item, path, "destination", err) < 0
      || json_get_string (item, path, "destination", &m->destination, err) < 0
      || json_get_string (item, path, "type", &m->type, err) < 0
      || json_get_string (item, path, "source", &m->source, err) < 0
      || json_get_strv (item, path, "options", &m->options, err) < 0
      || parse_id_mappings (item, path, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err)
             < 0
      || parse_id_mappings (item, path, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err)
             < 0)
    return -1;
  if (m->destination[0] != '/')
    return hk_error_set (err, EINVAL, "%s.destination: `%s` is not an absolute path", path,
                         m->destination);
  /* Like runc: a mount without a type is a bind mount when its options say
   * so; anything else needs a type. */
  bool bind = strv_contains (m->options, "bind") || strv_contains (m->options, "rbind");
  if (m->type == NULL || m->type[0] == '\0')
    {
      if (!bind)
        return hk_error_set (err, EINVAL, "%s.type: required for a mount that is not a bind mount",
                             path);
      free (m->type);
      m->type = xstrdup ("bind");
    }
  if (!spec_mount_type_known (m->type))
    return hk_error_set (err, EINVAL, "%s.type: unknown mount type `%s`", path, m->type);
  if (m->source == NULL)
    m->source = xstrdup (m->type);
  if (m->options == NULL)
    m->options = xzalloc (sizeof (char *));
  return 0;
}

static int
parse_mounts (json_t *root, struct oci_spec *spec, struct hk_error **err)
{
  json_t *arr;
  int r = json_get_array (root, "", "mounts", &arr, err);
  if (r <= 0)
    return r;
  spec->mounts = xzalloc (sizeof (struct oci_mount) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *path = json_path_index ("mounts", i);
    spec->n_mounts++;
    if (parse_mount (item, path, &spec->mounts[i], err) < 0)
      return -1;
  }
  return 1;
}

static int
parse_hook_list (json_t *hooks, enum oci_hook_kind kind, struct oci_hook_list *list,
                 struct hk_error **err)
{
  json_t *arr;
  const char *key = hook_kind_names[kind];
  _cleanup_free_ char *apath = json_path_key ("hooks", key);
  int r = json_get_array (hooks, "hooks", key, &arr, err);
  if (r <= 0)
    return r;
  list->items = xzalloc (sizeof (struct oci_hook) * (json_array_size (arr) + 1));
  size_t i;
  json_t *item;
  json_array_foreach (arr, i, item)
  {
    _cleanup_free_ char *path = json_path_index (apath, i);
    struct oci_hook *h = &list->items[list->n++];
    if (!json_is_object (item))
      return hk_error_set (err, EINVAL, "%s: expected an object, got %s", path,
                           json_type_name (item));
    int32_t timeout = 0;
    if (json_require (item, path, "path", err) < 0
        || json_get_string (item, path, "path", &h->path, err) < 0
        || json_get_strv (item, path, "args", &h->args, err) < 0
        || json_get_strv (item, path, "env", &h->env, err) < 0
        || json_get_int32 (item, path, "timeout", &timeout, err) < 0)
      return -1;
    if (h->path[0] != '/')
      return hk_error_set (err, EINVAL, "%s.path: `%s` is not an absolute path", path, h->path);
    if (timeout < 0 || (json_object_get (item, "timeout") != NULL && timeout == 0))
      return hk_error_set (err, EINVAL, "%s.timeout: must be a positive number of seconds",
                           path);
    h->timeout = timeout;
    if (h->args == NULL)
      {
        h->args = xzalloc (2 * sizeof (char *));
        h->args[0] = xstrdup (h->path);
      }
  }
  return 1;
}

static int
parse_hooks (json_t *root, struct oci_spec *spec, struct hk_error **err)
{
  json_t *hooks;
  int r = json_get_object (root, "", "hooks", &hooks, err);
  if (r <= 0)
    return r;
  for (int k = 0; k < HOOK_KIND_COUNT; k++)
    if (parse_hook_list (hooks, k, &spec->hooks[k], err) < 0)
      return -1;
  return 1;
}

static int
parse_root (json_t *root, struct oci_spec *spec, struct hk_error **err)
{
  json_t *r;
  if (json_require (root, "", "root", err) < 0 || json_get_object (root, "", "root", &r, err) < 0
      || json_require (r, "root", "path", err) < 0
      || json_get_string (r, "root", "path", &spec->root_path, err) < 0
      || json_get_bool (r, "root", "readonly", &spec->root_readonly, err) < 0)
    return -1;
  if (spec->root_path[0] == '\0')
    return hk_error_set (err, EINVAL, "root.path: must not be empty");
  return 0;
}

static int
parse_top (json_t *root, struct oci_spec *spec, struct hk_error **err)
{
  json_t *process;
  if (json_require (root, "", "ociVersion", err) < 0
      || json_get_string (root, "", "ociVersion", &spec->oci_version, err) < 0
      || parse_root (root, spec, err) < 0
      || json_get_string (root, "", "hostname", &spec->hostname, err) < 0
      || json_get_string (root, "", "domainname", &spec->domainname, err) < 0
      || parse_mounts (root, spec, err) < 0 || parse_hooks (root, spec, err) < 0
      || json_get_string_map (root, "", "annotations", &spec->annotation_keys,
                              &spec->annotation_values, err)
             < 0)
    return -1;
  if (strncmp (spec->oci_version, "1.", 2) != 0)
    return hk_error_set (err, EINVAL, "ociVersion: `%s` is not a 1.x version of the runtime spec",
                         spec->oci_version);
  int r = json_get_object (root, "", "process", &process, err);
  if (r < 0 || (r > 0 && spec_parse_process (process, "process", &spec->process, err) < 0))
    return -1;
  return spec_parse_linux (root, spec, err);
}

int
spec_parse (const char *text, size_t len, struct oci_spec **out, struct hk_error **err)
{
  _cleanup_json_ json_t *root = NULL;
  if (json_parse_object (text, len, "config.json", &root, err) < 0)
    return -1;
  struct oci_spec *spec = xzalloc (sizeof *spec);
  if (parse_top (root, spec, err) < 0 || spec_check (spec, err) < 0)
    {
      spec_free (spec);
      return hk_error_prefix (err, "config.json");
    }
  if (spec->annotation_keys == NULL)
    {
      spec->annotation_keys = xzalloc (sizeof (char *));
      spec->annotation_values = xzalloc (sizeof (char *));
    }
  *out = spec;
  return 0;
}

static void
free_id_mappings (struct oci_mount *m)
{
  free (m->uid_mappings);
  free (m->gid_mappings);
}

void
spec_free (struct oci_spec *spec)
{
  if (spec == NULL)
    return;
  free (spec->oci_version);
  free (spec->root_path);
  spec_process_free (spec->process);
  free (spec->hostname);
  free (spec->domainname);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      struct oci_mount *m = &spec->mounts[i];
      free (m->destination);
      free (m->type);
      free (m->source);
      strv_free (m->options);
      free_id_mappings (m);
    }
  free (spec->mounts);
  for (int k = 0; k < HOOK_KIND_COUNT; k++)
    {
      for (size_t i = 0; i < spec->hooks[k].n; i++)
        {
          free (spec->hooks[k].items[i].path);
          strv_free (spec->hooks[k].items[i].args);
          strv_free (spec->hooks[k].items[i].env);
        }
      free (spec->hooks[k].items);
    }
  strv_free (spec->annotation_keys);
  strv_free (spec->annotation_values);
  spec_linux_clear (&spec->linux);
  free (spec);
}

const struct oci_namespace *
spec_namespace (const struct oci_spec *spec, int type)
{
  for (size_t i = 0; i < spec->linux.n_namespaces; i++)
    if (spec->linux.namespaces[i].type == type)
      return &spec->linux.namespaces[i];
  return NULL;
}
