/* SPDX-License-Identifier: Apache-2.0 */
/* A project carried out with the engine: its networks, volumes and
 * containers, found again by their com.docker.compose.* labels (no state
 * of our own: the labels are the state, as in Docker Compose). */
#ifndef HAKO_COMPOSE_COMPOSE_ENGINE_H
#define HAKO_COMPOSE_COMPOSE_ENGINE_H

#include "compose.h"
#include "engine/engine.h"

#include <stdio.h>

/* The most replicas --scale or deploy.replicas may ask for. */
#define COMPOSE_MAX_REPLICAS 1000

/* The containers of PROJECT (of SERVICES only, unless NULL), refreshed,
 * ordered by service and number; one-off (`run`) containers only with
 * ONEOFF. */
int compose_containers (struct engine *e, const char *project, char *const *services,
                        bool oneoff, struct ctr_record ***out, size_t *n, struct hk_error **err);

/* SERVICES plus, unless NO_DEPS, every service they depend on; all of
 * them when SERVICES is NULL.  Each name checked. */
int compose_selected (const struct compose_project *p, char *const *services, bool no_deps,
                      char ***out, struct hk_error **err);

struct compose_up_options
{
  char **services; /* NULL: all */
  bool no_deps;
  bool force_recreate, no_recreate;
  bool remove_orphans;
  bool wait; /* until every service is running (healthy when it has a check) */
  bool no_build;
  json_t *scale; /* {"service": N} */
  bool no_start; /* create only */
};

/* up -d: networks, volumes, then each service in dependency order, its
 * dependencies' conditions met first; a container whose config-hash
 * label differs is recreated, others are left running.  Progress lines
 * to OUT. */
int compose_up (struct engine *e, const struct compose_project *p,
                const struct compose_up_options *o, FILE *out, struct hk_error **err);

/* SERVICE's image (its image: key) pushed to its registry (through `hako
 * push`, progress on OUT unless QUIET). */
int compose_push_image (struct engine *e, const char *name, json_t *service, bool quiet,
                        FILE *out, struct hk_error **err);

/* The image of SERVICE in the store: pulled (through `hako pull`) when
 * missing, or built when the service has build: and no image yet;
 * progress lines to OUT (NULL: none). */
int compose_ensure_image (struct engine *e, const struct compose_project *p, const char *name,
                          json_t *service, bool build, FILE *out, struct hk_error **err);

/* The name of SERVICE's image: its image:, else PROJECT-SERVICE. */
char *compose_image_name (const struct compose_project *p, const char *name, json_t *service);

/* The project's networks and named volumes, made when missing (an
 * external one must exist); progress lines to OUT. */
int compose_make_networks (struct engine *e, const struct compose_project *p, FILE *out,
                           struct hk_error **err);
int compose_make_volumes (struct engine *e, const struct compose_project *p, FILE *out,
                          struct hk_error **err);

/* Waits until the containers of dependency DEP meet CONDITION
 * (service_started, service_healthy, service_completed_successfully). */
int compose_wait_condition (struct engine *e, const struct compose_project *p, const char *dep,
                            const char *condition, struct hk_error **err);

/* down --rmi: the images of the services that have no image: (the
 * project's own builds, PROJECT-SERVICE), or with ALL every service's
 * image, removed through `hako rmi` when in the store; each one tried,
 * the first error returned. */
int compose_remove_images (struct engine *e, const struct compose_project *p, bool all,
                           FILE *out, struct hk_error **err);

enum compose_rmi
{
  COMPOSE_RMI_NONE,
  COMPOSE_RMI_LOCAL,
  COMPOSE_RMI_ALL,
};

struct compose_down_options
{
  bool volumes;        /* -v: the named volumes too, and anonymous ones */
  bool remove_orphans; /* containers of services no longer in the files */
  int timeout;         /* -t, -1: each container's own */
  enum compose_rmi rmi; /* --rmi local|all: images removed after the rest */
};

/* down: the project's containers stopped and removed, then its networks
 * (and with -v its volumes).  Every step is tried; the first error is
 * returned. */
int compose_down (struct engine *e, const struct compose_project *p,
                  const struct compose_down_options *o, FILE *out, struct hk_error **err);

#endif
