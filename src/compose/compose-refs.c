/* SPDX-License-Identifier: Apache-2.0 */
#include "compose-refs.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "engine/ctr-config-parse.h"

#include <errno.h>
#include <string.h>

/* The keys whose service:NAME names a service. */
static const char *const mode_keys[] = { "network_mode", "pid", "ipc", NULL };

void
compose_volumes_from_split (const char *entry, bool *container, char **name, const char **mode)
{
  *container = strncmp (entry, "container:", 10) == 0;
  const char *rest = entry;
  if (*container)
    rest += 10;
  else if (strncmp (entry, "service:", 8) == 0)
    rest += 8;
  config_volumes_from_split (rest, name, mode);
}

/* The service ENTRY of volumes_from names (allocated), or NULL. */
static char *
volumes_from_service (json_t *entry)
{
  const char *text = json_string_value (entry);
  if (text == NULL)
    return NULL;
  bool container;
  char *name;
  const char *mode;
  compose_volumes_from_split (text, &container, &name, &mode);
  if (!container)
    return name;
  free (name);
  return NULL;
}

static const char *
mode_service (json_t *svc, const char *key)
{
  const char *mode = json_string_value (json_object_get (svc, key));
  return mode && strncmp (mode, "service:", 8) == 0 ? mode + 8 : NULL;
}

char **
compose_service_refs (json_t *svc)
{
  char **refs = xzalloc (sizeof (char *));
  for (const char *const *key = mode_keys; *key; key++)
    {
      const char *name = mode_service (svc, *key);
      if (name && !strv_contains (refs, name))
        strv_append (&refs, name);
    }
  size_t i;
  json_t *entry;
  json_array_foreach (json_object_get (svc, "volumes_from"), i, entry)
  {
    _cleanup_free_ char *name = volumes_from_service (entry);
    if (name && !strv_contains (refs, name))
      strv_append (&refs, name);
  }
  return refs;
}

int
compose_check_refs (json_t *services, const char *name, json_t *svc, struct hk_error **err)
{
  for (const char *const *key = mode_keys; *key; key++)
    {
      const char *other = mode_service (svc, *key);
      if (other && !json_object_get (services, other))
        return hk_error_set (err, ENOENT, "services.%s.%s: no service %s", name, *key, other);
    }
  /* the engine's rule, said before anything is made */
  const char *ipc_of = mode_service (svc, "ipc");
  const char *its
      = ipc_of ? json_string_value (json_object_get (json_object_get (services, ipc_of), "ipc"))
               : NULL;
  if (ipc_of && (its == NULL || (strcmp (its, "shareable") != 0 && strcmp (its, "host") != 0)))
    return hk_error_set (err, EINVAL,
                         "services.%s.ipc: service %s's IPC namespace is not shareable (give it "
                         "ipc: shareable)",
                         name, ipc_of);
  size_t i;
  json_t *entry;
  json_array_foreach (json_object_get (svc, "volumes_from"), i, entry)
  {
    _cleanup_free_ char *other = volumes_from_service (entry);
    if (other && (*other == '\0' || !json_object_get (services, other)))
      return hk_error_set (err, ENOENT, "services.%s.volumes_from[%zu]: no service %s", name, i,
                           other);
  }
  return 0;
}
