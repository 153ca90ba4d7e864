/* SPDX-License-Identifier: Apache-2.0 */
/* The engine: containers made from images, each watched by its own
 * monitor process (no daemon).  The `hako` command line is a thin layer
 * over these calls.
 *
 * On disk (see docs/architecture.md):
 *   ROOT/containers/ID/        config.json (the OCI bundle), upper/ work/
 *                              merged/ (the overlay root), hostname, hosts,
 *                              resolv.conf, ID-json.log
 *   RUNROOT/containers/ID/     attach (socket), exit (the exit code once
 *                              the container is gone), stopping, health
 *   RUNROOT/runtime/ID/        the runtime's state */
#ifndef HAKO_ENGINE_ENGINE_H
#define HAKO_ENGINE_ENGINE_H

#include "ctr-record.h"
#include "ctr-stats.h"
#include "engine-context.h"
#include "prune-filter.h"
#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>

/* create: a container record named NAME (NULL: a random name), its root
 * filesystem, volumes, /etc files and config.json from IMAGE and CONFIG
 * (its settings move into the record, CONFIG is left empty).  Nothing is
 * left when it fails. */
int engine_create (struct engine *e, const char *image, struct ctr_config *config,
                   const char *name, struct ctr_record **out, struct hk_error **err);

/* The image column of an infra container, which has none. */
#define INFRA_IMAGE_NAME "hako-pause"

/* create of a pod's infra container (pod.h): no image, an empty read-only
 * root with hako-pause bound in as /pause, its process; CONFIG has the
 * pod's network settings, hostname and cgroup. */
int engine_create_infra (struct engine *e, struct ctr_config *config, const char *name,
                         struct ctr_record **out, struct hk_error **err);

enum engine_start_flags
{
  /* The monitor starts the container when an attach client says so. */
  ENGINE_START_ON_ATTACH = 1 << 0,
  /* The container dies with this process: its monitor kills it when we
   * are gone (a build's step after a SIGKILL of the build). */
  ENGINE_START_OWNED = 1 << 1,
};

/* start: a monitor for the container, which creates it with the runtime
 * and starts it (FLAGS: enum engine_start_flags).  A failed start marks
 * the record with the error. */
int engine_start (struct engine *e, struct ctr_record *r, unsigned flags, struct hk_error **err);

/* `container monitor ID`: the monitor's create once more, run from the
 * runtime's sealed copy of hako (engine-start.c); returns only on
 * failure, which it also says on NOTIFY_FD. */
int engine_monitor (struct engine *e, const char *id, bool start_on_attach, int notify_fd,
                    int owner_fd, struct hk_error **err);

/* Brings R's state up to date from its monitor and exit file (a container
 * whose monitor died is exited). */
int engine_refresh (struct engine *e, struct ctr_record *r, struct hk_error **err);

/* stop: the stop signal, then SIGKILL after TIMEOUT seconds (-1: the
 * container's own, default 10). */
int engine_stop (struct engine *e, struct ctr_record *r, int timeout, struct hk_error **err);

int engine_kill (struct engine *e, struct ctr_record *r, int signum, struct hk_error **err);

/* rm: refused for a running container unless FORCE; VOLUMES removes its
 * anonymous volumes. */
int engine_remove (struct engine *e, struct ctr_record *r, bool force, bool volumes,
                   struct hk_error **err);

/* Waits until the container is not running; its exit code in *CODE. */
int engine_wait (struct engine *e, struct ctr_record *r, int *code, struct hk_error **err);

/* Waits (a minute at most) for R's monitor to finish the cleanup that
 * follows the exit: --rm's removal, the network's teardown. */
void engine_wait_cleanup (const struct ctr_record *r);

/* What the monitor's exit command runs: record the exit, restart per the
 * policy (re-creating the container and becoming its monitor again), or
 * remove it (--rm), else release the runtime state and the mount. */
int engine_cleanup (struct engine *e, const char *id, struct hk_error **err);

/* Runs the health check of container ID once and records the result;
 * REEXEC_ARGV is our command line (the check runs from a sealed copy). */
int engine_healthcheck (struct engine *e, const char *id, char **reexec_argv,
                        struct hk_error **err);

/* The record of R's health checks (Docker's State.Health: Status,
 * FailingStreak, Log), or NULL when none ran. */
json_t *engine_health (struct engine *e, const struct ctr_record *r);

/* pause (PAUSE true) or unpause: freezes or thaws every process of a
 * running container. */
int engine_pause (struct engine *e, struct ctr_record *r, bool pause, struct hk_error **err);

/* rename: NAME must be valid and unused. */
int engine_rename (struct engine *e, struct ctr_record *r, const char *name,
                   struct hk_error **err);

/* update: CHANGES' given limits and restart policy (ctr_config_update)
 * into R's record and config.json, so that a restart keeps them, written
 * to a running container's cgroups first. */
int engine_update (struct engine *e, struct ctr_record *r,
                   const struct ctr_config *changes, struct hk_error **err);

/* stats: one reading of R's cgroups (zeros when it is not running). */
int engine_usage (struct engine *e, const struct ctr_record *r,
                  struct ctr_usage *out, struct hk_error **err);

/* top: the header and the rows of `ps PS_ARGS` (NULL or empty: -ef) that
 * are R's processes. */
int engine_top (struct engine *e, struct ctr_record *r, char *const *ps_args, char **out,
                struct hk_error **err);

/* container prune: removes every stopped (exited or created) container
 * that F lets go; REMOVED (may be NULL) hears of each, *BYTES is the space
 * their changes held. */
typedef void (*engine_prune_fn) (const struct ctr_record *r, void *data);
int engine_prune_containers (struct engine *e, const struct prune_filter *f,
                             engine_prune_fn removed, void *data, uint64_t *bytes,
                             struct hk_error **err);

/* system info: counts, storage, cgroups, host, as Docker's Info fields
 * (Containers, ContainersRunning, Images, DockerRootDir, CgroupVersion,
 * KernelVersion, OperatingSystem, NCPU, MemTotal, ...). */
int engine_info (struct engine *e, json_t **out, struct hk_error **err);

/* version: {"Client": {...}, "Server": {..., "Components": [...]}} as
 * Docker's, the libraries hako is built on as components. */
json_t *engine_version (void);

/* Finds a container by name, ID or ID prefix, refreshed. */
int engine_find (struct engine *e, const char *ref, struct ctr_record **out,
                 struct hk_error **err);

#endif
