/* SPDX-License-Identifier: Apache-2.0 */
#include "registries-conf.h"
#include "common/cleanup.h"
#include "common/fs-util.h"
#include "common/json-util.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "reference.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

void
registries_conf_free (struct registries_conf *c)
{
  if (c == NULL)
    return;
  strv_free (c->search);
  for (size_t i = 0; i < c->n_registries; i++)
    free (c->registries[i].name);
  free (c->registries);
  free (c);
}

static struct registries_conf *
defaults (void)
{
  struct registries_conf *c = xzalloc (sizeof *c);
  c->search = xzalloc (2 * sizeof (char *));
  c->search[0] = xstrdup (REFERENCE_DEFAULT_DOMAIN);
  return c;
}

int
registries_conf_parse (const char *text, size_t len, const char *what, struct registries_conf **out,
                       struct hk_error **err)
{
  _cleanup_json_ json_t *doc = NULL;
  if (json_parse_object (text, len, what, &doc, err) < 0)
    return -1;
  struct registries_conf *c = defaults ();
  __attribute__ ((cleanup (registries_conf_free_p))) struct registries_conf *owned = c;
  _cleanup_strv_ char **search = NULL;
  if (json_get_strv (doc, "", "unqualified-search-registries", &search, err) < 0)
    return hk_error_prefix (err, "%s", what);
  if (search != NULL)
    {
      if (search[0] == NULL)
        return hk_error_set (err, EINVAL, "%s: unqualified-search-registries: empty", what);
      strv_free (c->search);
      c->search = take_ptr (search);
    }
  json_t *regs;
  int r = json_get_object (doc, "", "registries", &regs, err);
  if (r < 0)
    return hk_error_prefix (err, "%s", what);
  if (r > 0)
    {
      size_t n = json_object_size (regs), i = 0;
      c->registries = xzalloc ((n + 1) * sizeof *c->registries);
      const char *name;
      json_t *v;
      json_object_foreach (regs, name, v)
      {
        _cleanup_free_ char *path = json_path_key ("registries", name);
        if (!json_is_object (v))
          return hk_error_set (err, EINVAL, "%s: %s: expected an object", what, path);
        struct registry_settings *rs = &c->registries[i++];
        c->n_registries = i;
        rs->name = xstrdup (name);
        if (json_get_bool (v, path, "insecure", &rs->insecure, err) < 0
            || json_get_bool (v, path, "blocked", &rs->blocked, err) < 0)
          return hk_error_prefix (err, "%s", what);
      }
    }
  *out = take_ptr (owned);
  return 0;
}

int
registries_conf_load (const char *path, struct registries_conf **out, struct hk_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  _cleanup_error_ struct hk_error *read_err = NULL;
  if (fs_read_file (AT_FDCWD, path, FS_TEXT_FILE_MAX, &text, &len, &read_err) < 0)
    {
      if (read_err->errnum == ENOENT)
        {
          *out = defaults ();
          return 0;
        }
      *err = take_ptr (read_err);
      return hk_error_prefix (err, "registries configuration");
    }
  return registries_conf_parse (text, len, path, out, err);
}

const struct registry_settings *
registries_conf_find (const struct registries_conf *c, const char *domain)
{
  for (size_t i = 0; c && i < c->n_registries; i++)
    if (strcmp (c->registries[i].name, domain) == 0)
      return &c->registries[i];
  return NULL;
}
