/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI lifecycle: create, start, run, kill, delete, state, list.
 *
 * These functions are the runtime's library interface: the hako-runtime
 * CLI is a thin layer over them, and the hako engine calls them
 * in-process instead of executing a runtime binary. */
#ifndef HAKO_RUNTIME_CONTAINER_H
#define HAKO_RUNTIME_CONTAINER_H

#include "common/error.h"
#include "common/log.h"
#include "state.h"

#include <stdbool.h>
#include <sys/types.h>

struct runtime_context
{
  const char *state_root;  /* --root: where ROOT/ID/state.json live */
  const char *cgroup_root; /* "/sys/fs/cgroup" */
  const char *seccomp_cache; /* compiled seccomp filters; NULL: the default,
                                outside every state root (container_seccomp_cache) */
  const struct hk_log *log;
};

struct create_options
{
  const char *id;
  const char *bundle;         /* directory holding config.json */
  const char *pid_file;       /* NULL: none */
  const char *console_socket; /* NULL: none */
  int console_socket_fd;      /* or an already connected one (the engine's); -1: none */
  int preserve_fds;           /* fds 3 .. 3+N-1 pass to the process */
  bool no_pivot;
  bool keep;                  /* run in the foreground: keep the stopped container
                                 for state and delete (runc's --keep) */
  int stdio[3];               /* fds for the process's stdio; -1 inherits ours */
  char **reexec_argv;         /* our own command line, to re-execute from a
                                 sealed copy when the container could see us */
};

#define CREATE_OPTIONS_INIT { .stdio = { -1, -1, -1 }, .console_socket_fd = -1 }

/* create: sets the container up and returns with its process waiting for
 * `start`. */
int container_create (const struct runtime_context *ctx, const struct create_options *opts,
                      struct hk_error **err);

/* start: lets a created container's process execute its program, then
 * runs the poststart hooks. */
int container_start (const struct runtime_context *ctx, const char *id, struct hk_error **err);

/* run: create + start.  In the foreground (DETACH false) it forwards
 * signals, relays the terminal, waits, deletes the container (unless
 * opts->keep) and stores the exit status (128+N for a signal) in
 * *EXIT_STATUS. */
int container_run (const struct runtime_context *ctx, const struct create_options *opts,
                   bool detach, int *exit_status, struct hk_error **err);

/* kill: sends SIGNUM to the container's process, or with ALL to every
 * process in its cgroup. */
int container_kill (const struct runtime_context *ctx, const char *id, int signum, bool all,
                    struct hk_error **err);

/* delete: removes a stopped (or created) container; FORCE kills a running
 * one first.  Runs the poststop hooks. */
int container_delete (const struct runtime_context *ctx, const char *id, bool force,
                      struct hk_error **err);

/* state: the runtime-spec state document of ID. */
int container_state (const struct runtime_context *ctx, const char *id, json_t **out,
                     struct hk_error **err);

/* list: the state documents of every container under the root. */
int container_list (const struct runtime_context *ctx, json_t **out, struct hk_error **err);

/* pause/resume: freeze or thaw every process of the container. */
int container_pause (const struct runtime_context *ctx, const char *id, bool pause,
                     struct hk_error **err);

/* ps: the pids of every process in the container's cgroup. */
int container_pids (const struct runtime_context *ctx, const char *id, pid_t **pids, size_t *n,
                    struct hk_error **err);

/* update: writes RES (what is set in it) to the container's cgroups. */
int container_update (const struct runtime_context *ctx, const char *id,
                      const struct oci_resources *res, struct hk_error **err);

/* events --stats: one {"type": "stats", "id", "data"} document. */
int container_stats (const struct runtime_context *ctx, const char *id, json_t **out,
                     struct hk_error **err);

/* How many processes the OOM killer ended in the container's cgroup (one
 * file read, where container_stats reads them all). */
int container_oom_kills (const struct runtime_context *ctx, const char *id, uint64_t *out,
                         struct hk_error **err);

/* events: EMIT gets a stats event every INTERVAL_MS and an {"type": "oom"}
 * event at each OOM kill, until the container's process exits or EMIT
 * returns -1.  EMIT takes ownership of the event. */
int container_events (const struct runtime_context *ctx, const char *id, int interval_ms,
                      int (*emit) (json_t *event, void *data), void *data,
                      struct hk_error **err);

#endif
