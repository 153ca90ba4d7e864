/* SPDX-License-Identifier: Apache-2.0 */
/* `hako exec` and health checks: a new process in a running container,
 * with the container's own process settings (its config.json) as the
 * starting point, through the container's runtime. */
#ifndef HAKO_ENGINE_ENGINE_EXEC_H
#define HAKO_ENGINE_ENGINE_EXEC_H

#include "engine.h"

struct engine_exec_request
{
  char **args;         /* the program and its arguments */
  char **env;          /* "NAME=VALUE" or "NAME" (our value), over the container's */
  const char *user;    /* NAME[:GROUP] or UID[:GID]; NULL: the container's */
  const char *workdir; /* NULL: the container's */
  bool tty;
  bool interactive; /* stdin goes to the process */
  bool detach;
  bool privileged;    /* every capability */
  int stdio[3];       /* -1: ours (stdin: /dev/null unless INTERACTIVE) */
  char **reexec_argv; /* our command line, to run from a sealed copy */
};

#define ENGINE_EXEC_REQUEST_INIT                                                                   \
  {                                                                                                \
    .stdio = { -1, -1, -1 }                                                                        \
  }

/* Runs Q in R; the process's exit status in *EXIT_STATUS (126/127 when its
 * program cannot be executed, with an error). */
int engine_exec (struct engine *e, struct ctr_record *r, const struct engine_exec_request *q,
                 int *exit_status, struct hk_error **err);

#endif
