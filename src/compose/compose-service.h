/* SPDX-License-Identifier: Apache-2.0 */
/* One service of a compose file into its normal form, the form `config`
 * prints and `up` reads: lists and mappings in one shape each
 * (environment a mapping, ports and volumes their long syntax,
 * depends_on and networks mappings, command a list), relative paths
 * made absolute against the file's directory, every value checked.  An
 * unknown key is an error naming it; x- keys are kept as they are. */
#ifndef HAKO_COMPOSE_COMPOSE_SERVICE_H
#define HAKO_COMPOSE_COMPOSE_SERVICE_H

#include "common/error.h"

#include <jansson.h>

struct compose_normalize_context
{
  const char *dir;  /* relative paths of the file are against it */
  char *const *env; /* the project's environment (environment: [NAME]) */
};

/* RAW (the service at PATH, "services.web") into *OUT. */
int compose_service_normalize (json_t *raw, const char *path,
                               const struct compose_normalize_context *ctx, json_t **out,
                               struct hk_error **err);

#endif
