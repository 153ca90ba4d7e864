/* SPDX-License-Identifier: Apache-2.0 */
/* The top-level networks, volumes, secrets and configs of a compose file
 * into their normal form (external: true and external: {name} become
 * external: true with the name; a file is made absolute). */
#ifndef HAKO_COMPOSE_COMPOSE_RESOURCES_H
#define HAKO_COMPOSE_COMPOSE_RESOURCES_H

#include "compose-service.h"

/* KIND: "networks", "volumes", "secrets" or "configs"; RAW the mapping of
 * them at PATH (= KIND). */
int compose_resources_normalize (const char *kind, json_t *raw,
                                 const struct compose_normalize_context *ctx, json_t **out,
                                 struct hk_error **err);

#endif
