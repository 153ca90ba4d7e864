/* SPDX-License-Identifier: Apache-2.0 */
#include "cni.h"
#include "common/cleanup.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The executables of every plugin of L, or the error naming the first
 * missing one. */
static int
find_plugins (const struct cni_context *c, const struct cni_conflist *l, char ***out,
              struct hk_error **err)
{
  _cleanup_strv_ char **paths = xzalloc (sizeof (char *));
  for (size_t i = 0; i < cni_conflist_size (l); i++)
    {
      char *path = NULL;
      if (cni_plugin_find (c->path, cni_plugin_type (l, i), &path, err) < 0)
        return hk_error_prefix (err, "network %s", l->name);
      strv_append_take (&paths, path);
    }
  *out = take_ptr (paths);
  return 0;
}

/* Runs plugin I of L for COMMAND; its output in *OUT (may be empty). */
static int
run_plugin (const struct cni_context *c, const struct cni_conflist *l, size_t i, const char *plugin,
            const char *command, const struct cni_attachment *a, const json_t *capability_args,
            const json_t *prev, char **out, size_t *len, struct hk_error **err)
{
  _cleanup_json_ json_t *conf = cni_exec_config (l, i, capability_args, NULL, prev);
  _cleanup_free_ char *input = json_dumps (conf, JSON_COMPACT);
  struct cni_invocation inv = {
    .command = command,
    .container_id = a->container_id,
    .netns = a->netns,
    .ifname = a->ifname,
    .args = a->args,
    .path = c->path,
  };
  if (cni_plugin_exec (plugin, &inv, input, out, len, err) < 0)
    return hk_error_prefix (err, "network %s", l->name);
  return 0;
}

/* DEL of every plugin of L in reverse order, each given PREV.  Stops at
 * the first failure, as the spec says. */
static int
delete_all (const struct cni_context *c, const struct cni_conflist *l, char **plugins,
            const struct cni_attachment *a, const json_t *capability_args, const json_t *prev,
            struct hk_error **err)
{
  for (size_t i = cni_conflist_size (l); i-- > 0;)
    {
      _cleanup_free_ char *out = NULL;
      size_t len;
      if (run_plugin (c, l, i, plugins[i], "DEL", a, capability_args, prev, &out, &len, err) < 0)
        return -1;
    }
  return 0;
}

/* The result a plugin printed, checked. */
static int
read_result (const struct cni_conflist *l, size_t i, const char *text, size_t len, json_t **out,
             struct hk_error **err)
{
  _cleanup_cni_result_ struct cni_result *checked = NULL;
  _cleanup_json_ json_t *doc = NULL;
  if (len == 0)
    return hk_error_set (err, EIO, "network %s: CNI plugin `%s` (ADD) printed no result", l->name,
                         cni_plugin_type (l, i));
  if (json_parse_object (text, len, "CNI result", &doc, err) < 0
      || cni_result_from_json (doc, &checked, err) < 0)
    return hk_error_prefix (err, "network %s: CNI plugin `%s` (ADD)", l->name,
                            cni_plugin_type (l, i));
  *out = take_ptr (doc);
  return 0;
}

/* ADD of every plugin in order; the last result in *OUT. */
static int
add_all (const struct cni_context *c, const struct cni_conflist *l, char **plugins,
         const struct cni_attachment *a, json_t **out, struct hk_error **err)
{
  json_t *prev = NULL;
  for (size_t i = 0; i < cni_conflist_size (l); i++)
    {
      _cleanup_free_ char *text = NULL;
      size_t len;
      json_t *result = NULL;
      if (run_plugin (c, l, i, plugins[i], "ADD", a, a->capability_args, prev, &text, &len, err) < 0
          || read_result (l, i, text, len, &result, err) < 0)
        {
          *out = prev;
          return -1;
        }
      json_decref (prev);
      prev = result;
    }
  *out = prev;
  return 0;
}

int
cni_add (const struct cni_context *c, const struct cni_conflist *l, const struct cni_attachment *a,
         struct cni_result **out, struct hk_error **err)
{
  _cleanup_strv_ char **plugins = NULL;
  if (find_plugins (c, l, &plugins, err) < 0)
    return -1;
  _cleanup_json_ json_t *result = NULL;
  _cleanup_cni_result_ struct cni_result *parsed = NULL;
  int r = add_all (c, l, plugins, a, &result, err);
  if (r == 0 && cni_result_from_json (result, &parsed, err) == 0)
    {
      struct cni_cache_entry entry = {
        .network = l->name,
        .container_id = (char *)a->container_id,
        .ifname = (char *)a->ifname,
        .netns = (char *)a->netns,
        .args = (char *)a->args,
        .config = l->doc,
        .capability_args = (json_t *)a->capability_args,
        .result = result,
      };
      if (cni_cache_write (c->cache_dir, &entry, err) == 0)
        {
          *out = take_ptr (parsed);
          return 0;
        }
    }
  /* The spec: an ADD that fails is still followed by a DEL. */
  struct hk_error *ignored = NULL;
  delete_all (c, l, plugins, a, a->capability_args, result, &ignored);
  hk_error_free (ignored);
  return -1;
}

int
cni_del (const struct cni_context *c, const char *network, const struct cni_conflist *l,
         const struct cni_attachment *a, struct hk_error **err)
{
  _cleanup_cni_cache_entry_ struct cni_cache_entry *entry = NULL;
  _cleanup_cni_conflist_ struct cni_conflist *cached = NULL;
  if (cni_cache_read (c->cache_dir, network, a->container_id, a->ifname, &entry, err) < 0)
    return -1;
  if (entry != NULL && cni_conflist_from_json (entry->config, &cached, err) < 0)
    return hk_error_prefix (err, "network %s: the cached configuration", network);
  const struct cni_conflist *list = cached ? cached : l;
  if (list == NULL)
    return 0;
  _cleanup_strv_ char **plugins = NULL;
  if (find_plugins (c, list, &plugins, err) < 0)
    return -1;
  struct cni_attachment del = *a;
  if (entry != NULL)
    del.args = entry->args;
  /* A namespace that is gone already is not passed (the spec allows a DEL
   * without one): plugins then clean up what is outside it. */
  if (del.netns != NULL && access (del.netns, F_OK) < 0)
    del.netns = NULL;
  const json_t *caps = entry ? entry->capability_args : a->capability_args;
  if (delete_all (c, list, plugins, &del, caps, entry ? entry->result : NULL, err) < 0)
    return -1;
  return cni_cache_remove (c->cache_dir, network, a->container_id, a->ifname, err);
}

/* CHECK came with spec 0.4.0. */
static bool
knows_check (const char *version)
{
  unsigned major = 0, minor = 0;
  if (sscanf (version, "%u.%u", &major, &minor) != 2)
    return false;
  return major > 0 || minor >= 4;
}

int
cni_check (const struct cni_context *c, const char *network, const struct cni_attachment *a,
           struct hk_error **err)
{
  _cleanup_cni_cache_entry_ struct cni_cache_entry *entry = NULL;
  _cleanup_cni_conflist_ struct cni_conflist *l = NULL;
  if (cni_cache_read (c->cache_dir, network, a->container_id, a->ifname, &entry, err) < 0)
    return -1;
  if (entry == NULL)
    return hk_error_set (err, ENOENT, "network %s: container %s is not attached as %s", network,
                         a->container_id, a->ifname);
  if (cni_conflist_from_json (entry->config, &l, err) < 0)
    return hk_error_prefix (err, "network %s: the cached configuration", network);
  if (l->disable_check || !knows_check (l->cni_version))
    return 0;
  _cleanup_strv_ char **plugins = NULL;
  if (find_plugins (c, l, &plugins, err) < 0)
    return -1;
  struct cni_attachment check = *a;
  check.args = entry->args;
  for (size_t i = 0; i < cni_conflist_size (l); i++)
    {
      _cleanup_free_ char *out = NULL;
      size_t len;
      if (run_plugin (c, l, i, plugins[i], "CHECK", &check, entry->capability_args, entry->result,
                      &out, &len, err)
          < 0)
        return -1;
    }
  return 0;
}
