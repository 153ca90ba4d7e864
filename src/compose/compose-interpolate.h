/* SPDX-License-Identifier: Apache-2.0 */
/* Variables in compose files, as the Compose Specification says:
 * $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error},
 * ${NAME?error}, ${NAME:+replacement}, ${NAME+replacement}, the nested
 * forms (${A:-${B:-x}}), and $$ for a literal $.  A $ that starts none
 * of these is an error, as in Docker Compose; an unset variable without
 * a default reads as "" and is reported to the caller (a warning). */
#ifndef HAKO_COMPOSE_COMPOSE_INTERPOLATE_H
#define HAKO_COMPOSE_COMPOSE_INTERPOLATE_H

#include "common/error.h"

#include <jansson.h>

/* ENV: "NAME=VALUE" entries, one per name (NULL: none).  *UNSET (may be NULL) collects, once each, the names that
 * were read unset without a default. */
int compose_interpolate (const char *text, char *const *env, char ***unset, char **out,
                         struct hk_error **err);

/* Every string value (not the keys) of the tree ROOT in place; an error
 * names the path of the value ("services.web.ports[1]"). */
int compose_interpolate_tree (json_t *root, const char *path, char *const *env, char ***unset,
                              struct hk_error **err);

#endif
