/* SPDX-License-Identifier: Apache-2.0 */
/* A client attached to an engine container until it ends or the user
 * detaches: hako run, start -a and attach, and hako compose run.  With
 * the signal proxy (Docker's --sig-proxy, on by default) the SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT the client gets are sent to the container
 * (SIGINT only without a terminal: with one, ctrl-c is the terminal's),
 * so that the client's status is the container's; without it they end
 * the client and the container runs on. */
#ifndef HAKO_CLI_HAKO_ATTACH_CONTAINER_H
#define HAKO_CLI_HAKO_ATTACH_CONTAINER_H

#include "common/error.h"
#include "engine/engine.h"

#include <stdbool.h>

struct attach_mode
{
  bool with_stdin;
  const char *detach_keys; /* NULL: ctrl-p,ctrl-q */
  bool sig_proxy;          /* our signals go to the container */
};

/* From now until attach_container, the signals the proxy sends (SIGINT
 * only without TTY) are caught and kept instead of ending the client,
 * for a command with work to do before it attaches (compose run starts
 * dependencies, pulls, builds): attach_container sends them to the
 * container once the monitor has started it.  A signal the client
 * ignores stays ignored.  Without the attach (an error first), the kept
 * signals are dropped and the command ends with its error. */
void attach_hold_signals (bool tty);

/* Attaches to R (started, or started by the monitor once we are there
 * when SEND_START) and returns its exit code, once its monitor is done
 * (so that --rm's removal is too); 0 when the user detaches. */
int attach_container (struct engine *e, struct ctr_record *r, bool send_start,
                      const struct attach_mode *mode, struct hk_error **err);

#endif
