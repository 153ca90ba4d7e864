/* SPDX-License-Identifier: Apache-2.0 */
/* `hako exec`: a new process in a running container, through the runtime
 * library, with the container's own settings as the starting point. */
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
  char **reexec_argv; /* our command line, to run from a sealed copy */
};

/* Runs Q in R; the process's exit status in *EXIT_STATUS (126/127 when its
 * program cannot be executed, with an error). */
int engine_exec (struct engine *e, struct container_record *r, const struct engine_exec_request *q,
                 int *exit_status, struct hk_error **err);

#endif
