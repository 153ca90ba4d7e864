/* SPDX-License-Identifier: Apache-2.0 */
/* exec: a new process in a running container — in every namespace and
 * cgroup of its first process, with its root, and the capabilities,
 * rlimits, seccomp filter and AppArmor profile the process asks for. */
#ifndef HAKO_RUNTIME_EXEC_H
#define HAKO_RUNTIME_EXEC_H

#include "container.h"
#include "spec.h"

struct exec_options
{
  const char *id;
  const struct oci_process *process; /* what to run */
  bool detach;
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  int stdio[3];       /* -1: inherit */
  char **reexec_argv; /* to re-execute sealed (CVE-2019-5736) */
};

/* The container's own process settings (from its config.json), as the
 * starting point of an exec: args, env, cwd, user, capabilities... The
 * caller changes what the command line overrides.  *OUT is owned. */
int container_exec_template (const struct runtime_context *ctx, const char *id,
                             struct oci_process **out, struct hk_error **err);

/* Runs the process.  In the foreground it forwards signals, relays the
 * pty and stores the process's status in *EXIT_STATUS; detached it returns
 * once the program is executing.  Exit status 126/127 when the program
 * cannot be executed. */
int container_exec (const struct runtime_context *ctx, const struct exec_options *opts,
                    int *exit_status, struct hk_error **err);

#endif
