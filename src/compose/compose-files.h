/* SPDX-License-Identifier: Apache-2.0 */
/* Secrets and configs given by environment: or content: (not file:):
 * written by up as files under ROOT/compose/PROJECT (0700, root's) and
 * bound read-only into the containers as the file-based ones are;
 * removed by down. */
#ifndef HAKO_COMPOSE_COMPOSE_FILES_H
#define HAKO_COMPOSE_COMPOSE_FILES_H

#include "compose.h"

/* Where KIND ("secrets", "configs") NAME's value is written: checks that
 * the name can be a file name and that an environment: variable is set. */
int compose_file_object_path (const struct compose_project *p, const char *kind,
                              const char *name, char **out, struct hk_error **err);

/* Writes every environment: and content: secret and config of P. */
int compose_write_file_objects (const struct compose_project *p, struct hk_error **err);

/* Removes P's directory of them (missing is fine). */
int compose_remove_file_objects (const struct compose_project *p, struct hk_error **err);

#endif
