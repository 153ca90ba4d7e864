/* SPDX-License-Identifier: Apache-2.0 */
/* The client side of the attach protocol (src/monitor/attach-protocol.h):
 * the container's output to our stdout/stderr, our stdin to it, the
 * terminal in raw mode with its size, ctrl-p ctrl-q to detach. */
#ifndef HAKO_CLI_HAKO_ATTACH_H
#define HAKO_CLI_HAKO_ATTACH_H

#include "common/error.h"

#include <stdbool.h>

struct attach_options
{
  const char *socket_path; /* RUNDIR/attach */
  bool send_start;         /* the monitor waits for us to start the container */
  bool with_stdin;         /* forward our stdin (-i) */
  bool tty;                /* the container has a terminal */
  const char *detach_keys; /* NULL: ctrl-p,ctrl-q (only with a terminal) */
  /* Signals we get (SIGINT, SIGTERM...) go to the container this way.
   * NULL: SIGINT, SIGTERM, SIGHUP and SIGQUIT end this process by their
   * default action, once the terminal is restored; the container runs on. */
  void (*forward_signal) (int signum, void *data);
  void *data;
};

/* Attaches until the container exits (*EXIT_CODE) or the user detaches
 * (*DETACHED).  Connects within a few seconds or fails. */
int attach_session (const struct attach_options *o, int *exit_code, bool *detached,
                    struct hk_error **err);

#endif
