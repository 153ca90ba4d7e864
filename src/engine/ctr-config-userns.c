/* SPDX-License-Identifier: Apache-2.0 */
#include "ctr-config-userns.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODES "host, auto[:size=N], keep-id, nomap, ns:PATH or remap:USER"

static bool
starts_with (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

/* Podman's user names: what useradd takes, no ':' (the files' separator). */
static bool
valid_user_name (const char *name)
{
  if (*name == '\0' || strlen (name) > 256 || *name == '-')
    return false;
  return strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-$")
         == strlen (name);
}

long long
config_userns_auto_size (const char *mode)
{
  if (mode == NULL || (strcmp (mode, "auto") != 0 && !starts_with (mode, "auto:")))
    return -1;
  if (strcmp (mode, "auto") == 0)
    return 0;
  char *end;
  errno = 0;
  long long n = strtoll (mode + strlen ("auto:size="), &end, 10);
  if (!starts_with (mode, "auto:size=") || *end != '\0' || errno != 0 || n < 1
      || n > UINT32_MAX)
    return -2;
  return n;
}

int
config_parse_userns (struct ctr_config *c, const char *text, struct hk_error **err)
{
  bool ok = strcmp (text, "host") == 0 || strcmp (text, "keep-id") == 0
            || strcmp (text, "nomap") == 0;
  if (starts_with (text, "auto"))
    {
      if (config_userns_auto_size (text) < 0)
        return hk_error_set (err, EINVAL,
                             "--userns %s: auto takes one option, size=N with N in 1..%u", text,
                             UINT32_MAX);
      ok = true;
    }
  else if (starts_with (text, "ns:"))
    {
      if (text[3] != '/')
        return hk_error_set (err, EINVAL, "--userns %s: ns: takes an absolute path", text);
      ok = true;
    }
  else if (starts_with (text, "remap:"))
    {
      if (!valid_user_name (text + 6))
        return hk_error_set (err, EINVAL, "--userns %s: `%s` is not a user name", text, text + 6);
      ok = true;
    }
  if (!ok)
    return hk_error_set (err, EINVAL, "--userns: unknown mode `%s` (" MODES ")", text);
  free (c->userns_mode);
  c->userns_mode = xstrdup (text);
  return 0;
}

int
config_parse_id_map (struct ctr_config *c, const char *text, bool gid, struct hk_error **err)
{
  const char *flag = gid ? "--gidmap" : "--uidmap";
  unsigned long long inside, outside, count;
  int end = 0;
  if (sscanf (text, "%llu:%llu:%llu%n", &inside, &outside, &count, &end) != 3
      || text[end] != '\0' || strchr (text, '-') != NULL || strchr (text, ' ') != NULL)
    return hk_error_set (err, EINVAL, "%s %s: not CONTAINER:HOST:COUNT", flag, text);
  if (inside > UINT32_MAX || outside > UINT32_MAX || count > UINT32_MAX)
    return hk_error_set (err, EINVAL, "%s %s: IDs are 32-bit numbers", flag, text);
  struct id_map **maps = gid ? &c->gid_map : &c->uid_map;
  size_t *n = gid ? &c->n_gid_map : &c->n_uid_map;
  *maps = xreallocarray (*maps, *n + 1, sizeof **maps);
  (*maps)[(*n)++] = (struct id_map){ (uint32_t)inside, (uint32_t)outside, (uint32_t)count };
  return 0;
}

int
config_parse_subid_name (struct ctr_config *c, const char *text, bool gid,
                         struct hk_error **err)
{
  if (!valid_user_name (text))
    return hk_error_set (err, EINVAL, "%s: `%s` is not a user name",
                         gid ? "--subgidname" : "--subuidname", text);
  char **field = gid ? &c->subgid_name : &c->subuid_name;
  free (*field);
  *field = xstrdup (text);
  return 0;
}

int
config_check_userns (struct ctr_config *c, struct hk_error **err)
{
  bool maps = c->n_uid_map > 0 || c->n_gid_map > 0;
  bool names = c->subuid_name != NULL || c->subgid_name != NULL;
  const char *mode = c->userns_mode;
  if (mode != NULL && strcmp (mode, "private") != 0 && (maps || names))
    return hk_error_set (err, EINVAL, "--userns %s cannot be used with %s", mode,
                         maps ? "--uidmap/--gidmap" : "--subuidname/--subgidname");
  if (maps && names)
    return hk_error_set (err, EINVAL,
                         "--uidmap/--gidmap and --subuidname/--subgidname cannot be used together");
  if (maps)
    {
      /* One list given: the other maps the same, as Podman does. */
      bool gid_only = c->n_uid_map == 0;
      struct id_map **to = gid_only ? &c->uid_map : &c->gid_map;
      size_t *n_to = gid_only ? &c->n_uid_map : &c->n_gid_map;
      const struct id_map *from = gid_only ? c->gid_map : c->uid_map;
      size_t n_from = gid_only ? c->n_gid_map : c->n_uid_map;
      if (*n_to == 0)
        {
          *to = xreallocarray (NULL, n_from, sizeof *from);
          memcpy (*to, from, n_from * sizeof *from);
          *n_to = n_from;
        }
      if (id_map_check (c->uid_map, c->n_uid_map, "--uidmap", err) < 0
          || id_map_check (c->gid_map, c->n_gid_map, "--gidmap", err) < 0)
        return -1;
    }
  if (names)
    {
      if (c->subgid_name == NULL)
        c->subgid_name = xstrdup (c->subuid_name);
      if (c->subuid_name == NULL)
        c->subuid_name = xstrdup (c->subgid_name);
    }
  if (mode == NULL && (maps || names))
    c->userns_mode = xstrdup ("private");
  return 0;
}

bool
ctr_config_has_userns (const struct ctr_config *c)
{
  return c->userns_mode != NULL && strcmp (c->userns_mode, "host") != 0;
}

const struct id_maps *
ctr_config_id_maps (const struct ctr_config *c, struct id_maps *storage)
{
  if (!ctr_config_has_userns (c))
    return NULL;
  *storage = (struct id_maps){ c->uid_map, c->gid_map, c->n_uid_map, c->n_gid_map };
  return storage;
}
