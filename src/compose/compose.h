/* SPDX-License-Identifier: Apache-2.0 */
/* Compose projects: files found and read as Docker Compose finds and
 * reads them, into one normalised model (a JSON value: name, services,
 * networks, volumes, secrets, configs) that `config` prints and the
 * other commands carry out with the engine.  See docs/compose.md. */
#ifndef HAKO_COMPOSE_COMPOSE_H
#define HAKO_COMPOSE_COMPOSE_H

#include "common/error.h"
#include "common/log.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct compose_options
{
  char **files;             /* -f, in order; NULL: $COMPOSE_FILE, else found */
  const char *project_name; /* -p */
  const char *project_dir;  /* --project-directory */
  char **env_files;         /* --env-file; NULL: the project directory's .env */
  char **profiles;          /* --profile; NULL: $COMPOSE_PROFILES */
  char *const *environ;     /* the shell's environment */
};

struct compose_project
{
  char *name;
  char *dir;    /* absolute */
  char **files; /* as read, absolute */
  char **env;   /* for interpolation: the .env's, the shell's over them */
  json_t *model;
  char *files_dir; /* ROOT/compose/NAME: the secrets and configs given by
                      environment: or content: (set with the engine) */
};

void compose_project_free (struct compose_project *p);

static inline void
cleanup_compose_projectp (struct compose_project **p)
{
  compose_project_free (*p);
}
#define _cleanup_compose_project_ __attribute__ ((cleanup (cleanup_compose_projectp)))

/* Finds, reads, interpolates, merges and checks the project's files;
 * warnings (a variable not set) go to LOG. */
int compose_project_load (const struct compose_options *o, const struct hk_log *log,
                          struct compose_project **out, struct hk_error **err);

/* The model of files already read: TEXTS[i] (LENS[i] bytes) named
 * NAMES[i], relative paths against DIR, ENV for interpolation (*UNSET
 * collects the names read unset), the services of PROFILES (NULL: those
 * without profiles) kept; no file is read but those extends and include
 * name.  The loader's core, and the fuzz target's. */
int compose_model_load (char *const *names, char *const *texts, const size_t *lens, size_t n,
                        const char *dir, char *const *env, char *const *profiles,
                        char ***unset, json_t **out, struct hk_error **err);

/* Docker Compose's rule for project names: [a-z0-9][a-z0-9_-]*. */
bool compose_is_project_name (const char *name);

/* The services of MODEL in an order in which every service comes after
 * those it depends on; NULL-terminated, the names borrowed. */
const char **compose_service_order (json_t *model);

#endif
