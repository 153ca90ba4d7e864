/* SPDX-License-Identifier: Apache-2.0 */
#include "cni-cache.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define CACHE_KIND "hako-cni-cache-v1"
#define CACHE_MAX  (4 << 20)

void
cni_cache_entry_free (struct cni_cache_entry *e)
{
  if (e == NULL)
    return;
  free (e->network);
  free (e->container_id);
  free (e->ifname);
  free (e->netns);
  free (e->args);
  json_decref (e->config);
  json_decref (e->capability_args);
  json_decref (e->result);
  free (e);
}

static char *
file_name (const char *network, const char *container_id, const char *ifname)
{
  return xasprintf ("%s-%s-%s.json", network, container_id, ifname);
}

int
cni_cache_write (const char *dir, const struct cni_cache_entry *e, struct hk_error **err)
{
  if (fs_mkdir_p (dir, 0700, err) < 0)
    return hk_error_prefix (err, "CNI cache");
  json_t *doc = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:O, s:O}", "kind", CACHE_KIND, "networkName",
                           e->network, "containerId", e->container_id, "ifName", e->ifname, "netns",
                           e->netns ? e->netns : "", "config", e->config, "result", e->result);
  if (e->args != NULL)
    json_object_set_new (doc, "cniArgs", json_string (e->args));
  if (e->capability_args != NULL)
    json_object_set (doc, "capabilityArgs", e->capability_args);
  _cleanup_free_ char *text = json_to_string (doc, false);
  json_decref (doc);
  _cleanup_free_ char *name = file_name (e->network, e->container_id, e->ifname);
  _cleanup_close_ int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return hk_error_errno (err, errno, "open the CNI cache `%s`", dir);
  return fs_replace_file (dfd, name, text, strlen (text), 0600, err);
}

static int
get_object (json_t *doc, const char *key, json_t **out, struct hk_error **err)
{
  json_t *v = NULL;
  if (json_get_object (doc, "", key, &v, err) < 0)
    return -1;
  *out = json_incref (v);
  return 0;
}

int
cni_cache_parse (const char *text, size_t len, struct cni_cache_entry **out, struct hk_error **err)
{
  _cleanup_json_ json_t *doc = NULL;
  _cleanup_cni_cache_entry_ struct cni_cache_entry *e = xzalloc (sizeof *e);
  _cleanup_free_ char *kind = NULL;
  if (json_parse_object (text, len, "CNI cache entry", &doc, err) < 0
      || json_get_string (doc, "", "kind", &kind, err) < 0)
    return -1;
  if (kind == NULL || strcmp (kind, CACHE_KIND) != 0)
    return hk_error_set (err, EINVAL, "CNI cache entry: kind is not %s", CACHE_KIND);
  const char *required[] = { "networkName", "containerId", "ifName", "config", "result" };
  for (size_t i = 0; i < 5; i++)
    if (json_require (doc, "", required[i], err) < 0)
      return hk_error_prefix (err, "CNI cache entry");
  if (json_get_string (doc, "", "networkName", &e->network, err) < 0
      || json_get_string (doc, "", "containerId", &e->container_id, err) < 0
      || json_get_string (doc, "", "ifName", &e->ifname, err) < 0
      || json_get_string (doc, "", "netns", &e->netns, err) < 0
      || json_get_string (doc, "", "cniArgs", &e->args, err) < 0
      || get_object (doc, "config", &e->config, err) < 0
      || get_object (doc, "capabilityArgs", &e->capability_args, err) < 0
      || get_object (doc, "result", &e->result, err) < 0)
    return hk_error_prefix (err, "CNI cache entry");
  if (e->netns != NULL && *e->netns == '\0')
    {
      free (e->netns);
      e->netns = NULL;
    }
  *out = take_ptr (e);
  return 0;
}

static int
read_entry (int dfd, const char *name, struct cni_cache_entry **out, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (fs_read_file (dfd, name, CACHE_MAX, &text, &len, err) < 0)
    return -1;
  return cni_cache_parse (text, len, out, err);
}

int
cni_cache_read (const char *dir, const char *network, const char *container_id, const char *ifname,
                struct cni_cache_entry **out, struct hk_error **err)
{
  *out = NULL;
  _cleanup_free_ char *name = file_name (network, container_id, ifname);
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, name);
  if (access (path, F_OK) < 0)
    return errno == ENOENT ? 0 : hk_error_errno (err, errno, "CNI cache `%s`", path);
  return read_entry (AT_FDCWD, path, out, err);
}

int
cni_cache_list (const char *dir, const char *container_id, struct cni_cache_entry ***out, size_t *n,
                struct hk_error **err)
{
  *out = NULL;
  *n = 0;
  _cleanup_closedir_ DIR *d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : hk_error_errno (err, errno, "open the CNI cache `%s`", dir);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);
      if (de->d_name[0] == '.' || len < 5 || strcmp (de->d_name + len - 5, ".json") != 0)
        continue;
      struct cni_cache_entry *e = NULL;
      struct hk_error *ignored = NULL;
      if (read_entry (dirfd (d), de->d_name, &e, &ignored) < 0)
        {
          hk_error_free (ignored);
          continue;
        }
      if (strcmp (e->container_id, container_id) != 0)
        {
          cni_cache_entry_free (e);
          continue;
        }
      *out = xreallocarray (*out, *n + 1, sizeof **out);
      (*out)[(*n)++] = e;
    }
  return 0;
}

void
cni_cache_list_free (struct cni_cache_entry **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    cni_cache_entry_free (list[i]);
  free (list);
}

int
cni_cache_remove (const char *dir, const char *network, const char *container_id,
                  const char *ifname, struct hk_error **err)
{
  _cleanup_free_ char *name = file_name (network, container_id, ifname);
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, name);
  if (unlink (path) < 0 && errno != ENOENT)
    return hk_error_errno (err, errno, "remove the CNI cache entry `%s`", path);
  return 0;
}
