/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime under an engine container: hako's own runtime library,
 * called in-process (the default, and the fast path), or any runc-like
 * program chosen with `run --runtime PATH` (crun, runc, hako-runtime),
 * driven through the command line that containerd and Podman use. */
#ifndef HAKO_ENGINE_RUNTIME_BACKEND_H
#define HAKO_ENGINE_RUNTIME_BACKEND_H

#include "common/error.h"
#include "runtime/container.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct runtime_backend
{
  const struct runtime_context *lib; /* the in-process runtime's context */
  const char *program;               /* an external runtime; NULL: in-process */
  const char *program_root;          /* its --root */
};

/* What creates a container: its bundle, and either stdio for its first
 * process or a terminal (the pty master comes back). */
struct backend_create
{
  const char *id;
  const char *bundle;
  const char *work_dir; /* ours, for the external runtime's pid file and console socket */
  bool terminal;
  int stdio[3];
  char **reexec_argv; /* in-process: a command line that does this create again,
                         for when the runtime must re-execute from its sealed copy
                         (a joined pid namespace); NULL: none */
};

/* Creates the container; its first process waits to be started.  The
 * caller must be the process that monitors it: the first process is our
 * child (in-process) or is re-parented to us (we become a child
 * subreaper), so that we can wait for it.  *PID is that process; *PTY the
 * terminal's master when asked, else -1. */
/* The pty master a container's process sends over SOCK (runc's
 * protocol), or -1 with *ERR set. */
int backend_receive_pty (int sock, struct hk_error **err);

int backend_create (const struct runtime_backend *b, const struct backend_create *c, pid_t *pid,
                    int *pty, struct hk_error **err);

/* How the monitor starts the container: the in-process runtime's exec fifo
 * (*FIFO), or a command to run (*COMMAND: `PROGRAM start ID`).  Both
 * malloc'd; the other is NULL. */
void backend_start_method (const struct runtime_backend *b, const char *id, char **fifo,
                           char ***command);

int backend_kill (const struct runtime_backend *b, const char *id, int signum, bool all,
                  struct hk_error **err);

/* Removes the container, killing what is left of it. */
int backend_delete (const struct runtime_backend *b, const char *id, struct hk_error **err);

int backend_pause (const struct runtime_backend *b, const char *id, bool pause,
                   struct hk_error **err);

/* The runtime-spec state document (status, pid...). */
int backend_state (const struct runtime_backend *b, const char *id, json_t **out,
                   struct hk_error **err);

/* The pids of the container's processes. */
int backend_pids (const struct runtime_backend *b, const char *id, pid_t **pids, size_t *n,
                  struct hk_error **err);

/* Writes RESOURCES (a linux.resources object) to the container's cgroups. */
int backend_update (const struct runtime_backend *b, const char *id, json_t *resources,
                    struct hk_error **err);

/* One {"type": "stats", "data": ...} document of the container's cgroups. */
int backend_stats (const struct runtime_backend *b, const char *id, json_t **out,
                   struct hk_error **err);

/* The OOM kills in the container's cgroup (a program's: from its stats). */
int backend_oom_kills (const struct runtime_backend *b, const char *id, uint64_t *out,
                       struct hk_error **err);

struct backend_exec
{
  const char *id;
  json_t *process; /* a runtime-spec process object */
  bool detach;
  int stdio[3];       /* -1: ours */
  char **reexec_argv; /* in-process: our command line, to run sealed */
  const char *work_dir;
};

/* Runs a process in the container: in the foreground *STATUS is its exit
 * status (126/127 when its program cannot run, with an error). */
int backend_exec (const struct runtime_backend *b, const struct backend_exec *x, int *status,
                  struct hk_error **err);

#endif
