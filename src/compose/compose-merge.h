/* SPDX-License-Identifier: Apache-2.0 */
/* The Compose Specification's merge of normalised files (-f a -f b, an
 * override file, extends): mappings merge key by key, the override's
 * scalars win; command, entrypoint and healthcheck.test are replaced
 * whole; ports are added unless equal; volumes, secrets and configs are
 * keyed by their target (the override's entry replaces the base's);
 * a service's networks are merged by network name (aliases appended, an
 * entry without settings keeping the base's); other sequences (dns,
 * cap_add, env_file, ...) are appended without duplicates. */
#ifndef HAKO_COMPOSE_COMPOSE_MERGE_H
#define HAKO_COMPOSE_COMPOSE_MERGE_H

#include <jansson.h>

/* OVERRIDE merged into BASE (a service's normal form), in place. */
void compose_merge_service (json_t *base, json_t *override);

/* A whole normalised file OVERRIDE into BASE, in place: services by
 * compose_merge_service, the top-level mappings key by key. */
void compose_merge_project (json_t *base, json_t *override);

#endif
