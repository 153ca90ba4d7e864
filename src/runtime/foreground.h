/* SPDX-License-Identifier: Apache-2.0 */
/* A process run in the foreground (`run`, `exec` without --detach): the
 * runtime stays, forwards the signals it gets, relays the pty, and returns
 * the process's exit status. */
#ifndef HAKO_RUNTIME_FOREGROUND_H
#define HAKO_RUNTIME_FOREGROUND_H

#include "common/error.h"

#include <signal.h>
#include <sys/types.h>

/* Blocks every signal that can be forwarded (faults stay unblocked), so
 * none is lost between now and foreground_wait; the set goes in *SET, the
 * old mask in *OLD.  A child cloned meanwhile must unblock them. */
void foreground_block_signals (sigset_t *set, sigset_t *old);

/* Waits for PID (PIDFD, which it closes), forwarding SIGNALS and relaying
 * PTY_MASTER (-1: none).  *EXIT_STATUS is the status as a shell reports it
 * (128+N when killed by signal N). */
int foreground_wait (int pidfd, pid_t pid, int pty_master, const sigset_t *signals,
                     int *exit_status, struct hk_error **err);

#endif
