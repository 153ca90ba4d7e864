/* SPDX-License-Identifier: Apache-2.0 */
/* A service's container in the engine's model (struct ctr_config), with
 * the labels Docker Compose puts on it.  A field the engine cannot carry
 * out is an error naming it, never dropped. */
#ifndef HAKO_COMPOSE_COMPOSE_CONTAINER_H
#define HAKO_COMPOSE_COMPOSE_CONTAINER_H

#include "compose.h"
#include "engine/ctr-config.h"

#define COMPOSE_LABEL_PROJECT "com.docker.compose.project"
#define COMPOSE_LABEL_SERVICE "com.docker.compose.service"
#define COMPOSE_LABEL_NUMBER "com.docker.compose.container-number"
#define COMPOSE_LABEL_ONEOFF "com.docker.compose.oneoff"
#define COMPOSE_LABEL_HASH "com.docker.compose.config-hash"
#define COMPOSE_LABEL_NETWORK "com.docker.compose.network"
#define COMPOSE_LABEL_VOLUME "com.docker.compose.volume"
#define COMPOSE_LABEL_WORKING_DIR "com.docker.compose.project.working_dir"
#define COMPOSE_LABEL_CONFIG_FILES "com.docker.compose.project.config_files"

/* The hash of SERVICE's normal form (sha256 hex of its JSON, keys
 * sorted), with the hashes of the SERVICES it joins (compose-refs.h) when
 * it joins any: `up` recreates a container whose label differs, and so
 * the containers joined to one it recreates. */
char *compose_config_hash (json_t *services, json_t *service);

/* The container NUMBER of SERVICE (named NAME) of project P into OUT
 * (initialised by the caller); ONEOFF for `run`. */
int compose_container_config (const struct compose_project *p, const char *name,
                              json_t *service, int number, bool oneoff, struct ctr_config *out,
                              struct hk_error **err);

/* PROJECT-SERVICE-NUMBER, or the service's container_name. */
char *compose_container_name (const struct compose_project *p, const char *name,
                              json_t *service, int number);

#endif
