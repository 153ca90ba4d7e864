/* SPDX-License-Identifier: Apache-2.0 */
/* What a service names of the project's other services outside
 * depends_on: network_mode, pid and ipc (service:NAME), and volumes_from
 * (NAME or service:NAME; container:NAME names a container, not a
 * service).  Those services must exist, and are made and started before
 * it, as Docker Compose does. */
#ifndef HAKO_COMPOSE_COMPOSE_REFS_H
#define HAKO_COMPOSE_COMPOSE_REFS_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>

/* The services SVC names (a NULL-terminated vector, maybe empty). */
char **compose_service_refs (json_t *svc);

/* Each service that SVC (the service NAME) names is in SERVICES, and
 * one whose IPC it joins is shareable (or host); the error names the key
 * ("services.web.pid: no service db"). */
int compose_check_refs (json_t *services, const char *name, json_t *svc, struct hk_error **err);

/* An entry of volumes_from: whether it names a container, the service's
 * or container's NAME (allocated), and its MODE ("ro", "rw", or NULL). */
void compose_volumes_from_split (const char *entry, bool *container, char **name,
                                 const char **mode);

#endif
