/* SPDX-License-Identifier: Apache-2.0 */
/* Which registries to search for names without one, and per-registry
 * settings.  A JSON file (default /etc/hako/registries.json, or
 * $HAKO_REGISTRIES_CONF):
 *
 *   {
 *     "unqualified-search-registries": ["docker.io", "quay.io"],
 *     "registries": {
 *       "localhost:5000": { "insecure": true },
 *       "registry.example": { "blocked": true }
 *     }
 *   }
 *
 * "insecure" allows plain HTTP and unverified TLS for that registry.
 * Without a file: search docker.io only, everything over verified HTTPS. */
#ifndef HAKO_STORE_REGISTRIES_CONF_H
#define HAKO_STORE_REGISTRIES_CONF_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

#define REGISTRIES_CONF_DEFAULT "/etc/hako/registries.json"

struct registry_settings
{
  char *name;
  bool insecure;
  bool blocked;
};

struct registries_conf
{
  char **search; /* NULL-terminated */
  struct registry_settings *registries;
  size_t n_registries;
};

/* Loads PATH; a missing file gives the defaults. */
int registries_conf_load (const char *path, struct registries_conf **out, struct hk_error **err);
/* Parses the document TEXT (for tests and the fuzzer). */
int registries_conf_parse (const char *text, size_t len, const char *what,
                           struct registries_conf **out, struct hk_error **err);
void registries_conf_free (struct registries_conf *c);

static inline void
registries_conf_free_p (struct registries_conf **c)
{
  registries_conf_free (*c);
}

/* Settings for DOMAIN, or NULL when it has none. */
const struct registry_settings *registries_conf_find (const struct registries_conf *c,
                                                      const char *domain);

#endif
