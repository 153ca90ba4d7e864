/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's context and the paths of a container: the bottom of the
 * engine, which every engine file may include (it includes none of them
 * but the record and the runtime backend). */
#ifndef HAKO_ENGINE_ENGINE_CONTEXT_H
#define HAKO_ENGINE_ENGINE_CONTEXT_H

#include "ctr-record.h"
#include "hako-conf.h"
#include "runtime-backend.h"
#include "common/error.h"
#include "common/log.h"
#include "runtime/container.h"
#include "store/store.h"

#include <stdbool.h>

struct engine
{
  char *root;
  char *runroot;
  struct store *store; /* borrowed */
  sqlite3 *db;         /* the store's database */
  const struct hk_log *log;
  char *hako_path;             /* this program, for the monitor's exit command */
  char *monitor_path;          /* hako-monitor */
  char *init_path;             /* hako-init */
  char *pause_path;            /* hako-pause, the process of a pod's infra container */
  char *net_path;              /* hako-net, the native network driver */
  char *dns_path;              /* hako-dns, a user network's DNS server */
  char *runtime_root;          /* RUNROOT/runtime */
  char *external_runtime_root; /* RUNROOT/oci-runtime: --root of `--runtime PATH` */
  struct runtime_context rt;
  struct hako_conf conf; /* the machine's defaults (hako-conf.h) */
  bool rootless;          /* in a normal user's user namespace (cli-rootless.h):
                             containers without cgroups */
};

/* Prepares the engine over an open store; helper programs are looked up
 * next to SELF (our executable). */
int engine_open (struct engine *e, struct store *store, const char *root, const char *runroot,
                 const struct hk_log *log, struct hk_error **err);
void engine_close (struct engine *e);

/* The runtime that runs R: ours in-process, or R's `--runtime PATH`. */
void engine_backend (const struct engine *e, const struct ctr_record *r,
                     struct runtime_backend *out);

/* The first process of container ID, which must be running: asked of
 * its runtime (ours or its `--runtime`); WHAT starts the error ("cannot
 * join the network of container NAME: it is not running"). */
int engine_container_pid (struct engine *e, const char *id, const char *what, int *pid,
                          struct hk_error **err);

char *engine_container_dir (const struct engine *e, const char *id);
char *engine_run_dir (const struct engine *e, const char *id);
char *engine_log_path (const struct engine *e, const char *id);

/* Mounts container ID's root filesystem on its merged directory unless it
 * is mounted; *MOUNTED tells whether this call mounted it. */
int engine_mount_rootfs (struct engine *e, const char *id, bool *mounted, struct hk_error **err);

#endif
