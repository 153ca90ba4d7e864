/* SPDX-License-Identifier: Apache-2.0 */
/* Tables of the keys a compose mapping may have, each with the function
 * that checks its value and writes its normal form (compose-service.c
 * for services, compose-resources.c for networks, volumes, secrets and
 * configs). */
#ifndef HAKO_COMPOSE_COMPOSE_FIELDS_H
#define HAKO_COMPOSE_COMPOSE_FIELDS_H

#include "compose-service.h"

typedef int (*compose_field_fn) (json_t *v, const char *path,
                                 const struct compose_normalize_context *ctx, json_t **out,
                                 struct hk_error **err);

struct compose_field
{
  const char *key;
  compose_field_fn normalize;
};

/* The members of OBJ (at PATH) checked against FIELDS (ending with a NULL
 * key), each normalised into *OUT; null members are left out, x- keys
 * copied, any other key an error naming it. */
int compose_normalize_object (json_t *obj, const char *path, const struct compose_field *fields,
                              const struct compose_normalize_context *ctx, json_t **out,
                              struct hk_error **err);

/* Fields that only check a type. */
int compose_field_string (json_t *v, const char *path,
                          const struct compose_normalize_context *ctx, json_t **out,
                          struct hk_error **err);
int compose_field_bool (json_t *v, const char *path, const struct compose_normalize_context *ctx,
                        json_t **out, struct hk_error **err);
int compose_field_map (json_t *v, const char *path, const struct compose_normalize_context *ctx,
                       json_t **out, struct hk_error **err);
int compose_field_strings (json_t *v, const char *path,
                           const struct compose_normalize_context *ctx, json_t **out,
                           struct hk_error **err);

#endif
