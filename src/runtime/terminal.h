/* SPDX-License-Identifier: Apache-2.0 */
/* The container's terminal (process.terminal): a pty made in the
 * container's own devpts, its slave as the process's stdio and
 * /dev/console, its master handed to whoever drives it — the caller's
 * --console-socket (runc's protocol, which containerd and Podman speak) or
 * the foreground `run`, which copies it to and from its own terminal. */
#ifndef HAKO_RUNTIME_TERMINAL_H
#define HAKO_RUNTIME_TERMINAL_H

#include "common/error.h"

#include <stdbool.h>
#include <sys/types.h>

/* Opens a new pty through ROOT_FD's /dev/pts/ptmx.  Returns the master
 * fd; *SLAVE gets the slave fd and *INDEX its number (/dev/pts/INDEX). */
int terminal_open_pty (int root_fd, int *slave, int *index, struct hk_error **err);

/* Makes SLAVE the controlling terminal and stdio of the calling process,
 * owned by UID, sized ROWS x COLS when both are non-zero. */
int terminal_attach_stdio (int slave, uid_t uid, unsigned rows, unsigned cols,
                           struct hk_error **err);

/* Connects to the unix socket at PATH (the caller's --console-socket). */
int terminal_connect_socket (const char *path, struct hk_error **err);

/* Foreground run: copies the caller's stdin to MASTER and MASTER to
 * stdout, in raw mode when stdin is a terminal, resizing on SIGWINCH,
 * until MASTER hangs up.  PIDFD (the container process) ends the copy
 * when it exits.  Signals in SIGNALS_FD (a signalfd) are forwarded to
 * PID. */
int terminal_proxy (int master, int pidfd, int signal_fd, pid_t pid, struct hk_error **err);

#endif
