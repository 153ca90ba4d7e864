/* SPDX-License-Identifier: Apache-2.0 */
/* hako compose's commands, in files by kind: hako-compose.c (the global
 * options, config, version), hako-compose-life.c (up, down, start, stop,
 * restart, kill, pause, unpause, rm, pull, build), hako-compose-exec.c
 * (exec, run), hako-compose-logs.c (logs, and the output of an attached
 * up), hako-compose-info.c (ps, top, port, images, ls). */
#ifndef HAKO_CLI_HAKO_COMPOSE_H
#define HAKO_CLI_HAKO_COMPOSE_H

#include "hako-cli.h"
#include "compose/compose.h"

struct compose_cli
{
  struct hako_cli *cli;
  struct compose_options options;
};

typedef int (*compose_command_fn) (struct compose_cli *c, int argc, char **argv,
                                   struct hk_error **err);

struct compose_command
{
  const char *name;
  compose_command_fn fn;
  const char *usage;
  const char *summary;
};

/* The project of the global options, and the engine. */
int compose_cli_load (struct compose_cli *c, struct compose_project **p, struct engine **e,
                      struct hk_error **err);

/* ARGV[OPTIND..] as a NULL-terminated list of service names of P (NULL
 * when none), each checked. */
int compose_cli_services (const struct compose_project *p, int argc, char **argv,
                          char ***out, struct hk_error **err);

/* The project, and the containers of the services named in
 * ARGV[OPTIND..] (all when none is named): what most commands start
 * with.  *LIST is freed with ctr_record_list_free. */
int compose_cli_containers (struct compose_cli *c, int argc, char **argv,
                            struct compose_project **p, struct engine **e,
                            struct ctr_record ***list, size_t *n, struct hk_error **err);

struct compose_attach_options
{
  bool abort_on_exit;         /* stop everything when a container exits */
  const char *exit_code_from; /* the status is this service's container's */
};

/* `up` without -d: the containers' logs, prefixed, until they all exit
 * (or, with ABORT_ON_EXIT, one does), then the others stopped; SIGINT
 * and SIGTERM stop them too.  Returns the status to exit with. */
struct engine;
int compose_cli_attach (struct compose_cli *c, struct engine *e,
                        const struct compose_project *p, char *const *services,
                        const struct compose_attach_options *o, struct hk_error **err);

extern const struct compose_command compose_life_commands[];
extern const struct compose_command compose_info_commands[];
extern const struct compose_command compose_exec_commands[];
extern const struct compose_command compose_logs_commands[];

#endif
